package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// checkSgemm fills A (row-major or transposed), B and C inside guard
// regions, runs gemm, checks that the guards, the padding of C and the
// inputs are untouched, and compares C with a float64 evaluation of the
// same float32 inputs within k·2⁻²² (|A|, |B| ≤ 1, so Σ|terms| ≤ k).
func checkSgemm(t *testing.T, name string, gemm func(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int),
	rng *rand.Rand, m, n, k int, transA bool, off int) {
	t.Helper()
	const guard = 5
	sent := math.Float32frombits(0x7fc0_beef)
	lda := k + 1
	rsA, csA := lda, 1
	aRows := m
	if transA {
		lda = m + 2
		rsA, csA = 1, lda
		aRows = k
	}
	ldb, ldc := n+3, n+1
	mk := func(rows, ld int) ([]float32, []float32) {
		full := make([]float32, guard+off+rows*ld+guard)
		for i := range full {
			full[i] = sent
		}
		v := full[guard+off : guard+off+rows*ld]
		for i := range v {
			v[i] = float32(2*rng.Float64() - 1)
		}
		return full, v
	}
	aFull, a := mk(aRows, lda)
	bFull, b := mk(k, ldb)
	cFull, c := mk(m, ldc)
	a0 := append([]float32(nil), aFull...)
	b0 := append([]float32(nil), bFull...)
	c0 := append([]float32(nil), c...)
	gemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
	same := func(x, y []float32) bool {
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	}
	if !same(aFull, a0) || !same(bFull, b0) {
		t.Fatalf("%s: input modified", name)
	}
	for i := 0; i < guard+off; i++ {
		if math.Float32bits(cFull[i]) != math.Float32bits(sent) || math.Float32bits(cFull[len(cFull)-1-i%guard]) != math.Float32bits(sent) {
			t.Fatalf("%s: C guard overwritten", name)
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			got := c[i*ldc+j]
			if j >= n {
				if math.Float32bits(got) != math.Float32bits(c0[i*ldc+j]) {
					t.Fatalf("%s: C padding (%d,%d) modified", name, i, j)
				}
				continue
			}
			want := float64(c0[i*ldc+j])
			for p := 0; p < k; p++ {
				want += float64(a[i*rsA+p*csA]) * float64(b[p*ldb+j])
			}
			tol := float64(k+1) * 0x1p-22
			if d := math.Abs(float64(got) - want); !(d <= tol) {
				t.Fatalf("%s: C(%d,%d) = %v, want %v (diff %g > %g)", name, i, j, got, want, d, tol)
			}
		}
	}
}

func sgemmImpls() map[string]func(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	out := map[string]func(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int){
		// The packing/tiling driver with the plain-Go tile kernel, on every build.
		"tiled-generic": func(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
			sgemmTiled(false, m, n, k, a, rsA, csA, b, ldb, c, ldc)
		},
		// The 12×32 geometry with the plain-Go tile kernel, on every build.
		"tiled32-generic": func(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
			sgemmTiled32(false, m, n, k, a, rsA, csA, b, ldb, c, ldc)
		},
	}
	for _, im := range Impls() {
		out[im.Name()] = im.Sgemm
	}
	return out
}

// TestSgemm: every implementation and the tiled driver over sizes around
// the 6×16 tile, depths around SgemmKC, both layouts of A and offsets 0…3.
func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, gemm := range sgemmImpls() {
		for _, m := range []int{0, 1, 5, 6, 7, 11, 12, 13, 23, 24, 25, 55} {
			for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 128} {
				for _, k := range []int{0, 1, 2, 3, 16, 64, 65, 129, 256, 300} {
					for _, tr := range []bool{false, true} {
						off := (m + n + k) % 4
						checkSgemm(t, fmt.Sprintf("impl=%s/m=%d/n=%d/k=%d/trans=%v/off=%d", name, m, n, k, tr, off), gemm, rng, m, n, k, tr, off)
					}
				}
			}
		}
	}
}

// TestSgemmNativeDeterministic: the native result depends only on the
// values, not on where the operands sit in memory.
func TestSgemmNativeDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m, n, k = 37, 41, 300
	a := make([]float32, m*k+3)
	b := make([]float32, k*n+3)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range b {
		b[i] = float32(rng.NormFloat64())
	}
	for _, im := range Impls() {
		var ref []float32
		for off := 0; off < 4; off++ {
			aa := append(make([]float32, off), a[:m*k]...)[off:]
			bb := append(make([]float32, off), b[:k*n]...)[off:]
			c := make([]float32, m*n)
			im.Sgemm(m, n, k, aa, k, 1, bb, n, c, n)
			if ref == nil {
				ref = c
				continue
			}
			for i := range c {
				if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("impl=%s/off=%d: C[%d] = %v, off 0 gives %v", im.Name(), off, i, c[i], ref[i])
				}
			}
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	a := make([]float32, 10)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative", func() { Generic().Sgemm(-1, 1, 1, a, 1, 1, a, 1, a, 1) }},
		{"shortA", func() { Generic().Sgemm(4, 2, 3, a, 3, 1, a, 2, a, 2) }},
		{"ld", func() { Generic().Sgemm(1, 3, 1, a, 1, 1, a, 2, a, 3) }},
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

// TestSiLUF32 grades every implementation against the float64 formula,
// with guards around the outputs, tails and unaligned starts.
func TestSiLUF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, im := range Impls() {
		for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 128, 1000} {
			for off := 0; off < 8; off += 3 {
				name := fmt.Sprintf("impl=%s/n=%d/off=%d", im.Name(), n, off)
				z := make([]float32, off+n)[off:]
				for i := range z {
					switch i % 4 {
					case 0:
						z[i] = float32(3 * rng.NormFloat64())
					case 1:
						z[i] = float32(40 * (2*rng.Float64() - 1))
					case 2:
						z[i] = float32(200 * (2*rng.Float64() - 1))
					default:
						z[i] = float32(1e-6 * rng.NormFloat64())
					}
				}
				const guard = 3
				sent := math.Float32frombits(0x7fc0_beef)
				sf := make([]float32, n+2*guard)
				gf := make([]float32, n+2*guard)
				for i := range sf {
					sf[i], gf[i] = sent, sent
				}
				s, g := sf[guard:guard+n], gf[guard:guard+n]
				im.SiLUF32(s, g, z)
				for i := 0; i < guard; i++ {
					for _, v := range []float32{sf[i], sf[n+guard+i], gf[i], gf[n+guard+i]} {
						if math.Float32bits(v) != math.Float32bits(sent) {
							t.Fatalf("%s: guard overwritten", name)
						}
					}
				}
				for i, v := range z {
					x := min(max(float64(v), -87), 87)
					wg := 1 / (1 + math.Exp(-x))
					ws := float64(v) * wg
					if !close(float64(g[i]), wg, 1e-6) || !close(float64(s[i]), ws, 1e-6) {
						t.Fatalf("%s: z=%v: g=%v s=%v, want %v %v", name, v, g[i], s[i], wg, ws)
					}
				}
			}
		}
	}
}

func TestFMALoopF32(t *testing.T) {
	for _, im := range Impls() {
		for _, it := range []int{0, 1, 6, 7, 8, 13, 14, 15, 1000, 100003} {
			got, want := im.FMALoopF32(it), fmaLoopF32Ref(it, im.FMALanesF32())
			// The float32 chains creep towards a/(1−m) = 0.1 by steps of
			// about an ulp, so fused and unfused roundings stall at points
			// up to a few tenths of a percent apart.
			if math.IsNaN(got) || math.Abs(got-want) > 1e-2*math.Abs(want)+1e-6 {
				t.Errorf("impl=%s: FMALoopF32(%d) = %v, generic %v", im.Name(), it, got, want)
			}
		}
	}
}

// BenchmarkSgemm: the EGNN shapes in float32, an edge block of 312 rows
// times a 128×128 weight (AW) and the weight gradient over the same rows
// (AtB), against this core's float32 FMA peak.
func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const m, n, k = 312, 128, 128
	a := make([]float32, m*k)
	w := make([]float32, k*n)
	c := make([]float32, m*n)
	for i := range a {
		a[i] = float32(rng.Float64())
	}
	for i := range w {
		w[i] = float32(rng.Float64())
	}
	for _, im := range Impls() {
		b.Run("impl="+im.Name()+"/op=peak", func(b *testing.B) {
			for b.Loop() {
				im.FMALoopF32(1 << 16)
			}
			b.ReportMetric(im.FMAFlopsF32(1<<16)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("impl="+im.Name()+"/op=AW", func(b *testing.B) {
			for b.Loop() {
				im.Sgemm(m, n, k, a, k, 1, w, n, c, n)
			}
			b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("impl="+im.Name()+"/op=AtB", func(b *testing.B) {
			for b.Loop() {
				im.Sgemm(n, k, m, c, 1, n, a, k, w, k)
			}
			b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// TestSgemmStrides: general strides of A (neither is 1, both orders) and a
// wide ldc, for every implementation and the tiled driver, against a
// float64 sum of the float32 inputs.
func TestSgemmStrides(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const m, n, k = 13, 35, 300
	for name, gemm := range sgemmImpls() {
		for _, st := range [][2]int{{2*k + 3, 2}, {3, 3*m + 1}} {
			rsA, csA := st[0], st[1]
			a := make([]float32, (m-1)*rsA+(k-1)*csA+1)
			for i := range a {
				a[i] = float32(2*rng.Float64() - 1)
			}
			ldb, ldc := n+5, n+9
			b := make([]float32, (k-1)*ldb+n)
			for i := range b {
				b[i] = float32(2*rng.Float64() - 1)
			}
			c := make([]float32, (m-1)*ldc+n)
			for i := range c {
				c[i] = float32(2*rng.Float64() - 1)
			}
			c0 := append([]float32(nil), c...)
			gemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
			for i := 0; i < m; i++ {
				for j := 0; j < ldc && i*ldc+j < len(c); j++ {
					got := c[i*ldc+j]
					if j >= n {
						if math.Float32bits(got) != math.Float32bits(c0[i*ldc+j]) {
							t.Fatalf("impl=%s/rsA=%d/csA=%d: C padding (%d,%d) modified", name, rsA, csA, i, j)
						}
						continue
					}
					want := float64(c0[i*ldc+j])
					for p := 0; p < k; p++ {
						want += float64(a[i*rsA+p*csA]) * float64(b[p*ldb+j])
					}
					if d := math.Abs(float64(got) - want); !(d <= float64(k+1)*0x1p-22) {
						t.Fatalf("impl=%s/rsA=%d/csA=%d: C(%d,%d) = %v, want %v", name, rsA, csA, i, j, got, want)
					}
				}
			}
		}
	}
}
