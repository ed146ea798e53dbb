package enginetest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// Points draws one row-major configuration typical for the target.
type Points func(rng *rand.Rand) []float64

// TestTarget runs the conformance suite on tg with configurations from
// points.
func TestTarget(t *testing.T, tg engine.Target, points Points) {
	t.Helper()
	n, sp := tg.Shape()
	if n*sp != tg.Dim() || tg.Dim() <= 0 {
		t.Fatalf("%s: Shape (%d, %d) does not match Dim %d", tg.Name(), n, sp, tg.Dim())
	}
	t.Run("gradient", func(t *testing.T) { testGradient(t, tg, points) })
	t.Run("batch", func(t *testing.T) { testBatch(t, tg, points) })
	if tg.CoMFree() {
		t.Run("com", func(t *testing.T) { testCoM(t, tg, points) })
	}
}

func energy(tg engine.Target, x []float64) float64 {
	var e [1]float64
	engine.EnergyGrad(tg, e[:], nil, x, 1)
	return e[0]
}

func testGradient(t *testing.T, tg engine.Target, points Points) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := tg.Dim()
	for trial := 0; trial < 3; trial++ {
		x := points(rng)
		var e [1]float64
		g := make([]float64, d)
		engine.EnergyGrad(tg, e[:], g, x, 1)
		if math.IsInf(e[0], 0) || math.IsNaN(e[0]) {
			t.Fatalf("non-finite energy %v at a typical point", e[0])
		}
		scale := 0.0
		for _, v := range x {
			scale = math.Max(scale, math.Abs(v))
		}
		h := 1e-6 * math.Max(1, scale)
		for i := 0; i < d; i++ {
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[i] += h
			xm[i] -= h
			fd := (energy(tg, xp) - energy(tg, xm)) / (2 * h)
			if math.Abs(fd-g[i]) > 1e-4*math.Max(1, math.Abs(g[i])) {
				t.Fatalf("∂E/∂x[%d]: analytic %.10g, central difference %.10g", i, g[i], fd)
			}
		}
	}
}

// testBatch checks that a batch gives per-configuration results equal to
// single evaluations and that padding lanes are left alone.
func testBatch(t *testing.T, tg engine.Target, points Points) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, sp := tg.Shape()
	d := tg.Dim()
	for _, b := range []int{1, 2, 3, 4, 5, 7, 8, 9, 13} {
		rows := make([]float64, b*d)
		for c := 0; c < b; c++ {
			copy(rows[c*d:], points(rng))
		}
		xb := make([]float64, asm.Len(n, sp, b))
		asm.Pack(xb, rows, n, sp, b)
		fb := make([]float64, len(xb))
		for i := range fb {
			fb[i] = math.NaN()
		}
		e := make([]float64, b+1)
		e[b] = 12345
		tg.EnergyForce(e, fb, xb, b)
		if e[b] != 12345 {
			t.Fatalf("b=%d: wrote past e[b-1]", b)
		}
		for c := 0; c < b; c++ {
			x1 := make([]float64, asm.Len(n, sp, 1))
			asm.Pack(x1, rows[c*d:(c+1)*d], n, sp, 1)
			f1 := make([]float64, len(x1))
			var e1 [1]float64
			tg.EnergyForce(e1[:], f1, x1, 1)
			if math.Abs(e1[0]-e[c]) > 1e-12*math.Max(1, math.Abs(e1[0])) {
				t.Fatalf("b=%d c=%d: batched energy %v, single %v", b, c, e[c], e1[0])
			}
			for i := 0; i < n; i++ {
				for k := 0; k < sp; k++ {
					got, want := fb[asm.Index(n, sp, c, i, k)], f1[asm.Index(n, sp, 0, i, k)]
					if math.Abs(got-want) > 1e-11*math.Max(1, math.Abs(want)) {
						t.Fatalf("b=%d c=%d: batched force %v, single %v", b, c, got, want)
					}
				}
			}
		}
		for c := b; c < asm.Blocks(b)*asm.Lanes; c++ {
			for i := 0; i < n; i++ {
				for k := 0; k < sp; k++ {
					if !math.IsNaN(fb[asm.Index(n, sp, c, i, k)]) {
						t.Fatalf("b=%d: padding lane %d written", b, c)
					}
				}
			}
		}
	}
}

// testCoM checks translation invariance and that forces sum to zero.
func testCoM(t *testing.T, tg engine.Target, points Points) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, sp := tg.Shape()
	d := tg.Dim()
	x := points(rng)
	var e [1]float64
	g := make([]float64, d)
	engine.EnergyGrad(tg, e[:], g, x, 1)
	for k := 0; k < sp; k++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += g[i*sp+k]
		}
		if math.Abs(s) > 1e-9*math.Max(1, math.Abs(e[0])) {
			t.Fatalf("net force %g along dimension %d", s, k)
		}
	}
	y := append([]float64(nil), x...)
	for i := range y {
		y[i] += 2.5 * float64(i%sp+1)
	}
	if e2 := energy(tg, y); math.Abs(e2-e[0]) > 1e-9*math.Max(1, math.Abs(e[0])) {
		t.Fatalf("translation changed E from %.15g to %.15g", e[0], e2)
	}
}
