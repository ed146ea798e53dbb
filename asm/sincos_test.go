package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sincosTol is the absolute accuracy bar of SinCos against math.Sincos.
const sincosTol = 1.5e-16

func sincosInputs(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch i % 4 {
		case 0: // the MLP embedding's range: scale 25 times a few units
			x[i] = 400 * (2*r.Float64() - 1)
		case 1:
			x[i] = 4 * (2*r.Float64() - 1)
		case 2: // up to the reduction limit
			x[i] = math.Ldexp(2*r.Float64()-1, 1+r.IntN(29))
		default: // near multiples of π/2
			x[i] = float64(r.IntN(2000)-1000)*math.Pi/2 + 1e-9*(2*r.Float64()-1)
		}
	}
	return x
}

func checkSinCos(t *testing.T, x, s, c []float64) {
	t.Helper()
	for i, v := range x {
		ws, wc := math.Sincos(v)
		if math.IsNaN(ws) {
			if !math.IsNaN(s[i]) || !math.IsNaN(c[i]) {
				t.Fatalf("x[%d] = %v: got (%v, %v), want NaN", i, v, s[i], c[i])
			}
			continue
		}
		if math.Abs(s[i]-ws) > sincosTol || math.Abs(c[i]-wc) > sincosTol {
			t.Fatalf("x[%d] = %v: got (%v, %v), math.Sincos (%v, %v)", i, v, s[i], c[i], ws, wc)
		}
	}
}

// TestSinCos compares every implementation with math.Sincos over sizes,
// tails and offsets, with NaN guards around both outputs.
func TestSinCos(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const g = 4 // guard length
	for _, im := range Impls() {
		for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 55, 64} {
			for off := 0; off < Lanes; off++ {
				t.Run(fmt.Sprintf("impl=%s/n=%d/off=%d", im, n, off), func(t *testing.T) {
					x := sincosInputs(r, n)
					x0 := append([]float64(nil), x...)
					sb := make([]float64, off+n+2*g)
					cb := make([]float64, off+n+2*g)
					for i := range sb {
						sb[i], cb[i] = math.NaN(), math.NaN()
					}
					s, c := sb[off+g:off+g+n], cb[off+g:off+g+n]
					im.SinCos(s, c, x)
					checkSinCos(t, x, s, c)
					for _, buf := range [][]float64{sb, cb} {
						for i, v := range buf {
							if (i < off+g || i >= off+g+n) && !math.IsNaN(v) {
								t.Fatalf("guard %d overwritten: %v", i, v)
							}
						}
					}
					for i := range x {
						if math.Float64bits(x[i]) != math.Float64bits(x0[i]) {
							t.Fatalf("input %d changed", i)
						}
					}
				})
			}
		}
	}
}

// TestSinCosSpecial covers the reduction limit, non-finite values (whose
// block goes to generic while the others stay native) and aliasing of s or c
// with x.
func TestSinCosSpecial(t *testing.T) {
	lim := float64(sincosMaxArg)
	x := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, math.Pi / 4, -math.Pi / 4,
		lim, -lim, math.Nextafter(lim, 2*lim), 1e12, math.Inf(1), math.NaN(),
		math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64, 1, 2, 3, 4}
	for _, im := range Impls() {
		t.Run("impl="+im.Name(), func(t *testing.T) {
			s, c := make([]float64, len(x)), make([]float64, len(x))
			im.SinCos(s, c, x)
			checkSinCos(t, x, s, c)
			xs := append([]float64(nil), x...)
			im.SinCos(xs, c, xs) // s aliases x
			checkSinCos(t, x, xs, c)
			xc := append([]float64(nil), x...)
			im.SinCos(s, xc, xc) // c aliases x
			checkSinCos(t, x, s, xc)
		})
	}
}

func TestSinCosPanics(t *testing.T) {
	defer func() {
		if recover() != errSinCosShort {
			t.Error("short s did not panic with errSinCosShort")
		}
	}()
	Generic().SinCos(make([]float64, 1), make([]float64, 2), make([]float64, 2))
}

// TestSinCosTab checks the π/2 split: P₁ is π/2 rounded, and each part is
// below half an ulp of the one before.
func TestSinCosTab(t *testing.T) {
	p1, p2, p3 := sincosPio2()
	if p1 != math.Pi/2 {
		t.Errorf("P1 = %v, want %v", p1, math.Pi/2)
	}
	if math.Abs(p2) > 0x1p-53*p1 || math.Abs(p3) > 0x1p-53*math.Abs(p2) || p3 == 0 {
		t.Errorf("P2 = %v, P3 = %v", p2, p3)
	}
}

func FuzzSinCos(f *testing.F) {
	f.Add(1.0, 2.0, 3.0, 4.0, 5.0)
	f.Add(math.Pi, -math.Pi/2, 1e9, 0.0, math.NaN())
	f.Fuzz(func(t *testing.T, a, b, c, d, e float64) {
		x := []float64{a, b, c, d, e}
		for _, im := range Impls() {
			s, co := make([]float64, len(x)), make([]float64, len(x))
			im.SinCos(s, co, x)
			checkSinCos(t, x, s, co)
		}
	})
}

func BenchmarkSinCos(b *testing.B) {
	x := sincosInputs(rand.New(rand.NewPCG(1, 2)), 1024)
	for i := range x {
		x[i] = math.Mod(x[i], 500)
	}
	s, c := make([]float64, len(x)), make([]float64, len(x))
	for _, im := range Impls() {
		b.Run("impl="+im.Name()+"/n=1024", func(b *testing.B) {
			for b.Loop() {
				im.SinCos(s, c, x)
			}
			b.ReportMetric(float64(len(x)*b.N)/b.Elapsed().Seconds()/1e9, "values/ns")
		})
	}
}
