package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemmCase fills A (row-major or transposed), B and C with guard regions,
// runs gemm, checks the guards and untouched inputs, and compares C with
// gonum's blas64.Gemm within the documented bound.
func checkGemm(t *testing.T, name string, gemm func(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int),
	rng *rand.Rand, m, n, k int, transA bool, off int) {
	t.Helper()
	const guard = 5
	sent := math.Float64frombits(0x7ff8_dead_beef_0002)
	lda := k + 1
	rsA, csA := lda, 1
	aRows, aCols := m, k
	if transA {
		lda = m + 2
		rsA, csA = 1, lda
		aRows, aCols = k, m
	}
	ldb, ldc := n+3, n+1
	mk := func(rows, ld int) ([]float64, []float64) {
		full := make([]float64, guard+off+rows*ld+guard)
		for i := range full {
			full[i] = sent
		}
		v := full[guard+off : guard+off+rows*ld]
		for i := range v {
			v[i] = 2*rng.Float64() - 1
		}
		return full, v
	}
	aFull, a := mk(aRows, lda)
	_ = aCols
	bFull, b := mk(k, ldb)
	cFull, c := mk(m, ldc)
	a0 := append([]float64(nil), aFull...)
	b0 := append([]float64(nil), bFull...)
	want := append([]float64(nil), c...)
	ta := blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if m > 0 && n > 0 && k > 0 {
		blas64.Gemm(ta, blas.NoTrans, 1,
			blas64.General{Rows: aRows, Cols: aCols, Stride: lda, Data: a},
			blas64.General{Rows: k, Cols: n, Stride: ldb, Data: b},
			1, blas64.General{Rows: m, Cols: n, Stride: ldc, Data: want})
	}
	gemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
	for i := range aFull {
		if math.Float64bits(aFull[i]) != math.Float64bits(a0[i]) {
			t.Fatalf("%s: A modified at %d", name, i)
		}
	}
	for i := range bFull {
		if math.Float64bits(bFull[i]) != math.Float64bits(b0[i]) {
			t.Fatalf("%s: B modified at %d", name, i)
		}
	}
	for i := 0; i < guard+off; i++ {
		if math.Float64bits(cFull[i]) != math.Float64bits(sent) || math.Float64bits(cFull[len(cFull)-1-i%guard]) != math.Float64bits(sent) {
			t.Fatalf("%s: C guard overwritten", name)
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			got := c[i*ldc+j]
			if j >= n {
				// padding between rows must be untouched
				if got != want[i*ldc+j] {
					t.Fatalf("%s: C padding (%d,%d) modified", name, i, j)
				}
				continue
			}
			// |A|,|B| ≤ 1: Σ|terms| ≤ k; allow a few ulps per term.
			tol := 4 * float64(k+1) * 0x1p-52
			if d := math.Abs(got - want[i*ldc+j]); !(d <= tol) {
				t.Fatalf("%s: C(%d,%d) = %v, want %v (diff %g > %g)", name, i, j, got, want[i*ldc+j], d, tol)
			}
		}
	}
}

func gemmImpls() map[string]func(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	out := map[string]func(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int){
		// The tiling driver with the plain-Go tile kernel, on every build.
		"tiled-generic": func(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
			gemmTiled(false, m, n, k, a, rsA, csA, b, ldb, c, ldc)
		},
		// The 12×16 driver with the plain-Go tile kernel and packing.
		"tiled16-generic": func(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
			gemmTiled16(false, m, n, k, a, rsA, csA, b, ldb, c, ldc)
		},
	}
	for _, im := range Impls() {
		out[im.Name()] = im.Gemm
	}
	return out
}

func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 2, 5, 6, 7, 8, 9, 12, 13, 17, 55}
	ks := []int{0, 1, 2, 3, 8, 128, 129, 300}
	for name, gemm := range gemmImpls() {
		for _, m := range sizes {
			for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 20, 23, 128, 136, 263} {
				for _, k := range ks {
					for _, tr := range []bool{false, true} {
						off := (m + n + k) % 4
						checkGemm(t, fmt.Sprintf("impl=%s/m=%d/n=%d/k=%d/trans=%v/off=%d", name, m, n, k, tr, off), gemm, rng, m, n, k, tr, off)
					}
				}
			}
		}
	}
}

func TestGemmPanics(t *testing.T) {
	a := make([]float64, 10)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative", func() { Generic().Gemm(-1, 1, 1, a, 1, 1, a, 1, a, 1) }},
		{"shortA", func() { Generic().Gemm(4, 2, 3, a, 3, 1, a, 2, a, 2) }},
		{"ld", func() { Generic().Gemm(1, 3, 1, a, 1, 1, a, 2, a, 3) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

func BenchmarkGemm(b *testing.B) {
	// The EGNN shapes: an edge block of 312 rows times a 128×128 weight,
	// and the weight gradient over the same rows.
	rng := rand.New(rand.NewPCG(3, 4))
	const m, n, k = 312, 128, 128
	a := make([]float64, m*k)
	w := make([]float64, k*n)
	c := make([]float64, m*n)
	for i := range a {
		a[i] = rng.Float64()
	}
	for i := range w {
		w[i] = rng.Float64()
	}
	for _, im := range Impls() {
		b.Run("impl="+im.Name()+"/op=AW", func(b *testing.B) {
			for b.Loop() {
				im.Gemm(m, n, k, a, k, 1, w, n, c, n)
			}
			b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("impl="+im.Name()+"/op=AtB", func(b *testing.B) {
			for b.Loop() {
				im.Gemm(n, k, m, c, 1, n, a, k, w, k)
			}
			b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
	b.Run("impl=blas64/op=AW", func(b *testing.B) {
		for b.Loop() {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, blas64.General{Rows: m, Cols: k, Stride: k, Data: a},
				blas64.General{Rows: k, Cols: n, Stride: n, Data: w}, 1, blas64.General{Rows: m, Cols: n, Stride: n, Data: c})
		}
		b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// TestGemmStrides: general strides of A (neither is 1) and a wide ldc, for
// every implementation and the tiled driver, against a float64 sum.
func TestGemmStrides(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const m, n, k = 13, 19, 137
	for name, gemm := range gemmImpls() {
		for _, st := range [][2]int{{2*k + 3, 2}, {3, 3*m + 1}} {
			rsA, csA := st[0], st[1]
			a := make([]float64, (m-1)*rsA+(k-1)*csA+1)
			for i := range a {
				a[i] = 2*rng.Float64() - 1
			}
			ldb, ldc := n+5, n+9
			b := make([]float64, (k-1)*ldb+n)
			for i := range b {
				b[i] = 2*rng.Float64() - 1
			}
			c := make([]float64, (m-1)*ldc+n)
			for i := range c {
				c[i] = 2*rng.Float64() - 1
			}
			c0 := append([]float64(nil), c...)
			gemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
			for i := 0; i < m; i++ {
				for j := 0; j < ldc && i*ldc+j < len(c); j++ {
					got := c[i*ldc+j]
					if j >= n {
						if math.Float64bits(got) != math.Float64bits(c0[i*ldc+j]) {
							t.Fatalf("impl=%s/rsA=%d/csA=%d: C padding (%d,%d) modified", name, rsA, csA, i, j)
						}
						continue
					}
					want := c0[i*ldc+j]
					for p := 0; p < k; p++ {
						want += a[i*rsA+p*csA] * b[p*ldb+j]
					}
					if d := math.Abs(got - want); !(d <= 4*float64(k+1)*0x1p-52) {
						t.Fatalf("impl=%s/rsA=%d/csA=%d: C(%d,%d) = %v, want %v", name, rsA, csA, i, j, got, want)
					}
				}
			}
		}
	}
}
