package asm_test

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

func randomState(rng *rand.Rand) []uint64 {
	st := make([]uint64, 4*asm.Lanes)
	for i := range st {
		st[i] = rng.Uint64()
	}
	return st
}

// TestPerturbAgainstGeneric compares every implementation with generic,
// bit for bit, across lengths (odd and even) and offsets, with guards and
// unchanged state.
func TestPerturbAgainstGeneric(t *testing.T) { testPerturbAgainstGeneric(t, asmtest.Impls(t)) }

// TestPerturbAVX512 runs the bit-for-bit Perturb tests on the AVX-512
// kernel whether avx512 uses it or not (the statistical tests follow from
// equal bits).
func TestPerturbAVX512(t *testing.T) {
	ims := avx512Kernels(t)
	t.Run("AgainstGeneric", func(t *testing.T) { testPerturbAgainstGeneric(t, ims) })
	t.Run("Golden", func(t *testing.T) { testPerturbGolden(t, ims) })
	t.Run("ManyStates", func(t *testing.T) { testPerturbManyStates(t, ims) })
}

func testPerturbAgainstGeneric(t *testing.T, impls []*asm.Impl) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, im := range impls {
		for d := 0; d <= 41; d++ {
			for off := 0; off < asm.Lanes; off++ {
				xs := make([]float64, d)
				for i := range xs {
					xs[i] = rng.NormFloat64() * 3
				}
				st := randomState(rng)
				st0 := append([]uint64(nil), st...)
				sq := 0.1 + rng.Float64()
				want := make([]float64, asm.Lanes*d)
				asm.Generic().Perturb(want, xs, sq, st)
				got := asmtest.NewGuarded(asm.Lanes*d, off)
				im.Perturb(got.V, xs, sq, st)
				got.Check(t, "dst")
				for i := range st {
					if st[i] != st0[i] {
						t.Fatal("state modified")
					}
				}
				for i := range want {
					if math.Float64bits(got.V[i]) != math.Float64bits(want[i]) {
						t.Fatalf("impl=%s d=%d off=%d: dst[%d] = %.17g, generic %.17g", im.Name(), d, off, i, got.V[i], want[i])
					}
				}
			}
		}
	}
}

// TestPerturbIsStandardNormal checks the moments and CDF of the values,
// pooled over lanes and many states, for every implementation.
func TestPerturbIsStandardNormal(t *testing.T) {
	for _, im := range asmtest.Impls(t) {
		rng := rand.New(rand.NewPCG(10, 11))
		const d, reps = 40, 12500 // 2·10⁶ values
		xs := make([]float64, d)
		dst := make([]float64, asm.Lanes*d)
		edges := []float64{-4, -3, -2, -1, -0.5, 0, 0.25, 1, 1.5, 2.5, 3.5}
		counts := make([]int, len(edges))
		var m1, m2, m3, m4 float64
		n := 0
		for r := 0; r < reps; r++ {
			im.Perturb(dst, xs, 1, randomState(rng))
			for _, v := range dst {
				m1 += v
				m2 += v * v
				m3 += v * v * v
				m4 += v * v * v * v
				for j, e := range edges {
					if v <= e {
						counts[j]++
					}
				}
				n++
			}
		}
		fn := float64(n)
		m1, m2, m3, m4 = m1/fn, m2/fn, m3/fn, m4/fn
		se := 1 / math.Sqrt(fn)
		if math.Abs(m1) > 5*se || math.Abs(m2-1) > 5*math.Sqrt2*se || math.Abs(m3) > 5*math.Sqrt(15)*se || math.Abs(m4-3) > 5*math.Sqrt(96)*se {
			t.Fatalf("impl=%s: moments %.5f %.5f %.5f %.5f", im.Name(), m1, m2, m3, m4)
		}
		for j, e := range edges {
			want := 0.5 * math.Erfc(-e/math.Sqrt2)
			if got := float64(counts[j]) / fn; math.Abs(got-want) > 5*math.Sqrt(want*(1-want)/fn)+1e-6 {
				t.Fatalf("impl=%s: P(Z ≤ %g) = %.6f, want %.6f", im.Name(), e, got, want)
			}
		}
	}
}

// TestPerturbRadiusMatchesLog: a pair's squared radius is −2 ln u₁, so the
// polynomial logarithm (and the rotation's unit norm) can be checked
// against math.Log on u₁ recomputed from lane 0's first output. The values
// are float32: each of r, cos θ, sin θ and the products carries a rounding
// of 2⁻²⁴ relative. u₁ = 1 (r = 0) and the smallest u₁ are included.
func TestPerturbRadiusMatchesLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	for _, im := range asmtest.Impls(t) {
		for trial := 0; trial < 20000; trial++ {
			st := randomState(rng)
			if trial < 2 {
				// Lane 0's first output is (5·s1 rotl 7)·9: choose s1 so
				// that its top 23 bits are all zero (u₁ = 1) or all ones.
				st[4] = lane0State(uint64(trial) * (1<<23 - 1) << 41)
			}
			dst := make([]float64, 2*asm.Lanes)
			im.Perturb(dst, []float64{0, 0}, 1, st)
			a := st[4] + st[4]<<2
			b1 := a<<7 | a>>57
			b1 += b1 << 3
			u1 := 1 - float64(b1>>41)*0x1p-23
			r2 := dst[0]*dst[0] + dst[asm.Lanes]*dst[asm.Lanes]
			if want := -2 * math.Log(u1); math.Abs(r2-want) > 1.2e-6*want+1e-30 {
				t.Fatalf("impl=%s u1=%v: z0²+z1² = %.9g, −2 ln u1 = %.9g", im.Name(), u1, r2, want)
			}
		}
	}
}

// lane0State returns s1 whose first xoshiro256** output (rotl(5·s1, 7)·9)
// is w: the inverse of the scrambler, with 9⁻¹ and 5⁻¹ modulo 2⁶⁴.
func lane0State(w uint64) uint64 {
	const inv9, inv5 = 0x8e38e38e38e38e39, 0xcccccccccccccccd
	r := w * inv9
	a := r>>7 | r<<57
	return a * inv5
}

func BenchmarkPerturb(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, im := range asm.Impls() {
		b.Run("impl="+im.Name()+"/d=39", func(b *testing.B) {
			xs := make([]float64, 39)
			dst := make([]float64, asm.Lanes*39)
			st := randomState(rng)
			for b.Loop() {
				im.Perturb(dst, xs, 1, st)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/value")
		})
	}
}

// TestPerturbGolden pins generic's output bits for one state: the same on
// every architecture, which also shows that no compiler fused the float32
// products with the additions that follow them (arm64 may, unless a
// conversion forbids it).
func TestPerturbGolden(t *testing.T) { testPerturbGolden(t, asmtest.Impls(t)) }

func testPerturbGolden(t *testing.T, impls []*asm.Impl) {
	xs := make([]float64, 37)
	for i := range xs {
		xs[i] = float64(i) - 18
	}
	for _, im := range impls {
		st := make([]uint64, 4*asm.Lanes)
		for i := range st {
			st[i] = 0x9e3779b97f4a7c15 * uint64(i+1)
		}
		h := fnv.New64a()
		for rep := 0; rep < 200; rep++ {
			st[rep%len(st)] += uint64(rep)
			dst := make([]float64, asm.Lanes*len(xs))
			im.Perturb(dst, xs, 0.3, st)
			for _, v := range dst {
				binary.Write(h, binary.LittleEndian, math.Float64bits(v))
			}
		}
		if got, want := h.Sum64(), uint64(0xc0cc6da3041a1d58); got != want {
			t.Errorf("impl=%s: output hash %#x, want %#x", im.Name(), got, want)
		}
	}
}

// TestPerturbManyStates compares every implementation with generic, bit for
// bit, over many states (about 2·10⁶ transforms, 5·10⁵ with -short): a
// product fused with the addition that follows it, or any other change of
// rounding, shows up in a few of them.
func TestPerturbManyStates(t *testing.T) { testPerturbManyStates(t, asmtest.Impls(t)) }

func testPerturbManyStates(t *testing.T, impls []*asm.Impl) {
	reps := 8000
	if testing.Short() {
		reps = 2000
	}
	const d = 128
	xs := make([]float64, d)
	want := make([]float64, asm.Lanes*d)
	got := make([]float64, asm.Lanes*d)
	for _, im := range impls {
		rng := rand.New(rand.NewPCG(20, 21))
		for r := 0; r < reps; r++ {
			st := randomState(rng)
			asm.Generic().Perturb(want, xs, 1, st)
			im.Perturb(got, xs, 1, st)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("impl=%s rep=%d: dst[%d] = %.9g, generic %.9g", im.Name(), r, i, got[i], want[i])
				}
			}
		}
	}
}
