package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bf16Pairs returns n random pairs of bfloat16 values of scale s (N(0, s²)
// rounded), one in seven of them 0 or -0 in a half.
func bf16Pairs(rng *rand.Rand, n int, s float64) []uint32 {
	h := func() float32 {
		if rng.IntN(14) == 0 {
			return float32(math.Copysign(0, rng.NormFloat64()))
		}
		return roundBF16(float32(s * rng.NormFloat64()))
	}
	x := make([]uint32, n)
	for i := range x {
		x[i] = bf16Pair(h(), h())
	}
	return x
}

// tileCase is one GemmBF16Tiles problem with padded strides; c0 is C
// before the product, with a guard after it.
type tileCase struct {
	m, n, kp, lda, ldb, ldc int
	a, b                    []uint32
	c0                      []float32
}

func newTileCase(rng *rand.Rand, m, n, kp int, s float64) tileCase {
	tc := tileCase{m: m, n: n, kp: kp, lda: kp + 3, ldb: n + 5, ldc: n + 2}
	tc.a = bf16Pairs(rng, (m-1)*tc.lda+kp, s)
	tc.b = bf16Pairs(rng, (kp-1)*tc.ldb+n, s)
	tc.c0 = make([]float32, m*tc.ldc+8)
	for i := range tc.c0 {
		tc.c0[i] = roundBF16(float32(s * s * rng.NormFloat64()))
	}
	return tc
}

// run returns C after GemmBF16Tiles (native or the twin), having checked
// that nothing outside the m×n block changed.
func (tc tileCase) run(t *testing.T, name string, f func(c []float32)) []float32 {
	t.Helper()
	c := append([]float32(nil), tc.c0...)
	f(c[:len(c)-8])
	for i := range c {
		if i/tc.ldc < tc.m && i%tc.ldc < tc.n {
			continue
		}
		if math.Float32bits(c[i]) != math.Float32bits(tc.c0[i]) {
			t.Fatalf("%s: element %d outside C's block written", name, i)
		}
	}
	return c
}

// TestGemmBF16TilesNative holds the AMX kernel to its plain-Go twin bit for
// bit: every row, column and K tail of the 32×32 blocks and 16-pair K
// blocks, more than one 1024-row call, strides beyond the shapes, and
// operands small enough that products and sums fall below 2⁻¹²⁶ (flushed).
func TestGemmBF16TilesNative(t *testing.T) {
	requireImpl(t, "amx") // the tile kernel runs wherever amx does
	rng := rand.New(rand.NewPCG(31, 32))
	shapes := [][3]int{{1, 1, 1}, {16, 16, 16}, {32, 32, 16}, {32, 32, 64}, {17, 33, 17}, {15, 31, 15},
		{33, 48, 20}, {100, 128, 64}, {64, 130, 128}, {47, 16, 1}, {1030, 64, 16}, {2100, 40, 33}, {31, 1, 40}}
	for _, sz := range shapes {
		for _, s := range []float64{1, 0x1p-63} {
			tc := newTileCase(rng, sz[0], sz[1], sz[2], s)
			name := fmt.Sprintf("m=%d/n=%d/kp=%d/scale=%g", tc.m, tc.n, tc.kp, s)
			cn := tc.run(t, name+"/native", func(c []float32) { amxGemm(tc.m, tc.n, tc.kp, tc.a, tc.lda, tc.b, tc.ldb, c, tc.ldc) })
			cg := tc.run(t, name+"/twin", func(c []float32) { bf16TilesGeneric(tc.m, tc.n, tc.kp, tc.a, tc.lda, tc.b, tc.ldb, c, tc.ldc) })
			tiny := 0
			for i := range cn {
				if math.Float32bits(cn[i]) != math.Float32bits(cg[i]) {
					t.Fatalf("%s: element (%d, %d) = %v (%#08x), the twin gives %v (%#08x)", name, i/tc.ldc, i%tc.ldc,
						cn[i], math.Float32bits(cn[i]), cg[i], math.Float32bits(cg[i]))
				}
				if cn[i] != 0 && math.Abs(float64(cn[i])) < 0x1p-100 {
					tiny++
				}
			}
			if s < 1 && tiny == 0 && tc.m*tc.n >= 16 {
				t.Fatalf("%s: no tiny results: the flushing case tests nothing", name)
			}
		}
	}
}

// TestGemmBF16TilesTwin holds the twin to SgemmBF16's generic order (the
// order TestSgemmBF16GenericOrder pins) on the unpacked operands, bit for
// bit, and every implementation to a float64 sum of the same products
// within float32 rounding, (2kp+2)·2⁻²³·Σ|terms|.
func TestGemmBF16TilesTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 16}, {13, 33, 17}, {40, 64, 65}, {7, 3, 100}} {
		tc := newTileCase(rng, sz[0], sz[1], sz[2], 1)
		name := fmt.Sprintf("m=%d/n=%d/kp=%d", tc.m, tc.n, tc.kp)
		k := 2 * tc.kp
		af, bf := make([]float32, tc.m*k), make([]float32, k*tc.n)
		for i := 0; i < tc.m; i++ {
			for q := 0; q < tc.kp; q++ {
				p := tc.a[i*tc.lda+q]
				af[i*k+2*q], af[i*k+2*q+1] = pairLo(p), pairHi(p)
			}
		}
		for q := 0; q < tc.kp; q++ {
			for j := 0; j < tc.n; j++ {
				p := tc.b[q*tc.ldb+j]
				bf[2*q*tc.n+j], bf[(2*q+1)*tc.n+j] = pairLo(p), pairHi(p)
			}
		}
		want := tc.run(t, name+"/sgemm", func(c []float32) { sgemmBF16Generic(tc.m, tc.n, k, af, k, 1, bf, tc.n, c, tc.ldc) })
		got := tc.run(t, name+"/twin", func(c []float32) { bf16TilesGeneric(tc.m, tc.n, tc.kp, tc.a, tc.lda, tc.b, tc.ldb, c, tc.ldc) })
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: twin element %d = %v, SgemmBF16's generic order gives %v", name, i, got[i], want[i])
			}
		}
		for _, im := range Impls() {
			c := tc.run(t, name+"/"+im.Name(), func(c []float32) { im.GemmBF16Tiles(tc.m, tc.n, tc.kp, tc.a, tc.lda, tc.b, tc.ldb, c, tc.ldc) })
			for i := 0; i < tc.m; i++ {
				for j := 0; j < tc.n; j++ {
					w, sum := float64(tc.c0[i*tc.ldc+j]), math.Abs(float64(tc.c0[i*tc.ldc+j]))
					for p := 0; p < k; p++ {
						v := float64(af[i*k+p]) * float64(bf[p*tc.n+j])
						w += v
						sum += math.Abs(v)
					}
					g := float64(c[i*tc.ldc+j])
					if d, tol := math.Abs(g-w), float64(k+2)*0x1p-23*sum; !(d <= tol) {
						t.Fatalf("impl=%s/%s: C(%d,%d) = %v, want %v (diff %g > %g)", im.Name(), name, i, j, g, w, d, tol)
					}
				}
			}
		}
	}
}

// TestGemmBF16TilesPanics: Sgemm's checks, and lda < kp.
func TestGemmBF16TilesPanics(t *testing.T) {
	im := Generic()
	a, b, c := make([]uint32, 64), make([]uint32, 64), make([]float32, 64)
	for name, f := range map[string]func(){
		"lda<kp":   func() { im.GemmBF16Tiles(2, 2, 4, a, 3, b, 2, c, 2) },
		"shortA":   func() { im.GemmBF16Tiles(8, 2, 16, a, 16, b, 2, c, 2) },
		"shortB":   func() { im.GemmBF16Tiles(2, 8, 16, a, 16, b, 8, c, 8) },
		"shortC":   func() { im.GemmBF16Tiles(16, 8, 2, a, 2, b, 8, c, 8) },
		"ldc<n":    func() { im.GemmBF16Tiles(2, 4, 2, a, 2, b, 4, c, 3) },
		"negative": func() { im.GemmBF16Tiles(-1, 4, 2, a, 2, b, 4, c, 4) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	im.GemmBF16Tiles(0, 4, 2, nil, 2, nil, 4, nil, 4) // empty: no panic
}

// TestPackBF16RowsT holds PackBF16RowsT, for every implementation, to pairs
// of RoundBF16 values of the transpose (odd rows and columns, ld > cols,
// ldd > kp; what lies between rows of dst stays untouched), and checks that
// GemmBF16Tiles on it computes a weight gradient dCᵀ·X like SgemmBF16.
func TestPackBF16RowsT(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, im := range Impls() {
		for _, sz := range [][2]int{{1, 1}, {2, 16}, {3, 17}, {32, 16}, {33, 31}, {64, 128}, {37, 100}, {200, 48}} {
			rows, cols := sz[0], sz[1]
			ld := cols + 3
			src := randBits(rng, rows*ld)
			kp := (rows + 1) / 2
			ldd := kp + 2
			dst := make([]uint32, cols*ldd)
			for i := range dst {
				dst[i] = 0xdeadbeef
			}
			im.PackBF16RowsT(dst, ldd, src, rows, cols, ld)
			for j := 0; j < cols; j++ {
				for q := 0; q < ldd; q++ {
					got := dst[j*ldd+q]
					if q >= kp {
						if got != 0xdeadbeef {
							t.Fatalf("impl=%s/rows=%d/cols=%d: dst(%d, %d) beyond kp written", im.Name(), rows, cols, j, q)
						}
						continue
					}
					hi := float32(0)
					if 2*q+1 < rows {
						hi = src[(2*q+1)*ld+j]
					}
					want := bf16Pair(roundBF16(src[2*q*ld+j]), roundBF16(hi))
					if got != want {
						t.Fatalf("impl=%s/rows=%d/cols=%d: dst(%d, %d) = %#08x, want %#08x", im.Name(), rows, cols, j, q, got, want)
					}
				}
			}
		}
		// dW (out×in) += dCᵀ·X over m rows, as the EGNN's weight gradients.
		m, out, in := 75, 48, 40
		dc, x := bf16Rand(rng, m*out), bf16Rand(rng, m*in)
		kp := (m + 1) / 2
		dt, xp := make([]uint32, out*kp), make([]uint32, kp*in)
		im.PackBF16RowsT(dt, kp, dc, m, out, out)
		im.PackBF16Cols(xp, x, m, in, in)
		got, want := make([]float32, out*in), make([]float32, out*in)
		im.GemmBF16Tiles(out, in, kp, dt, kp, xp, in, got, in)
		Generic().SgemmBF16(out, in, m, dc, 1, out, x, in, want, in)
		for i := range got {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("impl=%s: dW element %d = %v, SgemmBF16 gives %v", im.Name(), i, got[i], want[i])
			}
		}
	}
}

// BenchmarkBF16Tiles: GemmBF16Tiles at the EGNN's LJ-13 shapes (a chunk of
// edges × 128 × 128 pairs of depth 64), native, against the VDPBF16PS pair
// GEMM and the float32 SGEMM of the same implementation.
func BenchmarkBF16Tiles(b *testing.B) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, sh := range [][3]int{{2496, 128, 128}, {208, 128, 256}, {128, 128, 2496}} {
		m, n, k := sh[0], sh[1], sh[2]
		kp := k / 2
		a, bb := bf16Pairs(rng, m*kp, 1), bf16Pairs(rng, kp*n, 1)
		af, bf := bf16Rand(rng, m*k), bf16Rand(rng, k*n)
		c := make([]float32, m*n)
		flops := 2 * float64(m) * float64(n) * float64(k)
		for _, im := range Impls() {
			if !im.SgemmNative() {
				continue
			}
			run := func(name string, f func()) {
				b.Run(fmt.Sprintf("m=%d/n=%d/k=%d/impl=%s/%s", m, n, k, im.Name(), name), func(b *testing.B) {
					for b.Loop() {
						f()
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
			run("sgemm", func() { im.Sgemm(m, n, k, af, k, 1, bf, n, c, n) })
			if im.HasGemmBF16Pairs() {
				run("pairs", func() { im.GemmBF16Pairs(m, n, kp, a, kp, 1, bb, n, c, n) })
			}
			if im.HasBF16Tiles() {
				run("tiles", func() { im.GemmBF16Tiles(m, n, kp, a, kp, bb, n, c, n) })
			}
		}
	}
}
