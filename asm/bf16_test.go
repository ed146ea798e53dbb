package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// roundBF16Oracle rounds x to bfloat16 from the definition: of the two
// bfloat16 neighbours of a normal x (its truncation toward zero and the
// next one away from zero, 2¹²⁸ standing for Inf), the nearer in float64,
// and on a tie the one with an even last mantissa bit; zeros and denormals
// give signed zeros; Inf stays; NaN is checked separately.
func roundBF16Oracle(x float32) float32 {
	u := math.Float32bits(x)
	sign := u & 0x8000_0000
	if u&0x7f80_0000 == 0 {
		return math.Float32frombits(sign)
	}
	if math.IsInf(float64(x), 0) {
		return x
	}
	lo := u &^ 0xffff
	hi := lo + 0x1_0000
	val := func(bits uint32) float64 {
		if bits&0x7fff_ffff == 0x7f80_0000 {
			return math.Copysign(math.Ldexp(1, 128), float64(x))
		}
		return float64(math.Float32frombits(bits))
	}
	dl := math.Abs(float64(x) - val(lo))
	dh := math.Abs(val(hi) - float64(x))
	switch {
	case dl < dh:
		return math.Float32frombits(lo)
	case dh < dl:
		return math.Float32frombits(hi)
	case lo&0x1_0000 == 0:
		return math.Float32frombits(lo)
	}
	return math.Float32frombits(hi)
}

// TestRoundBF16 holds RoundBF16 against roundBF16Oracle on random bit
// patterns, every tie, and the special values.
func TestRoundBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var xs []float32
	for i := 0; i < 200000; i++ {
		xs = append(xs, math.Float32frombits(rng.Uint32()))
	}
	for i := 0; i < 2000; i++ { // ties: low half exactly 0x8000
		xs = append(xs, math.Float32frombits(rng.Uint32()&^0xffff|0x8000))
	}
	for _, u := range []uint32{0, 0x8000_0000, 1, 0x8000_ffff, 0x007f_ffff, 0x0080_0000, 0x0080_8000, 0x0081_8000,
		0x3f80_8000, 0x3f81_8000, 0x3f80_7fff, 0x3f80_8001, 0x7f7f_ffff, 0xff7f_ffff, 0x7f7f_8000, 0x7f7f_7fff,
		0x7f80_0000, 0xff80_0000} {
		xs = append(xs, math.Float32frombits(u))
	}
	got := make([]float32, len(xs))
	RoundBF16(got, xs)
	for i, x := range xs {
		g := got[i]
		if math.Float32bits(g)&0xffff != 0 {
			t.Fatalf("RoundBF16(%#08x) = %#08x: low bits not zero", math.Float32bits(x), math.Float32bits(g))
		}
		if math.IsNaN(float64(x)) {
			if !math.IsNaN(float64(g)) || math.Float32bits(g)&0x0040_0000 == 0 || math.Float32bits(g)>>31 != math.Float32bits(x)>>31 {
				t.Fatalf("RoundBF16(NaN %#08x) = %#08x, want a quiet NaN of the same sign", math.Float32bits(x), math.Float32bits(g))
			}
			continue
		}
		if w := roundBF16Oracle(x); math.Float32bits(g) != math.Float32bits(w) {
			t.Fatalf("RoundBF16(%#08x) = %#08x, want %#08x", math.Float32bits(x), math.Float32bits(g), math.Float32bits(w))
		}
	}
	// In place.
	in := append([]float32(nil), xs[:100]...)
	RoundBF16(in, in)
	for i := range in {
		if math.Float32bits(in[i]) != math.Float32bits(got[i]) {
			t.Fatal("RoundBF16 in place differs")
		}
	}
	if !IsBF16(got[:100]) || IsBF16([]float32{1.0000001}) {
		t.Fatal("IsBF16 wrong")
	}
}

// TestSgemmBF16GenericOrder pins the twin's order of operations with cases
// whose float32 results differ between orders.
func TestSgemmBF16GenericOrder(t *testing.T) {
	p24 := float32(1 << 24)
	tiny := func(e int) float32 { return float32(math.Ldexp(1, e)) }
	ones := func(k int) []float32 {
		a := make([]float32, k)
		for i := range a {
			a[i] = 1
		}
		return a
	}
	for _, tc := range []struct {
		name     string
		a, b     []float32 // 1×k and k×1
		c0, want float32
	}{
		// Even p (2²⁴ − 2²⁴) and odd p (1 + 1) apart: 2; in p order: 1.
		{"even-odd", ones(4), []float32{p24, 1, -p24, 1}, 0, 2},
		// p = 31 ends the first 32-deep block, p = 32 starts the second: each
		// adds 1 to 2²⁴ on its own and is lost; one 64-deep block would give 2²⁴ + 2.
		{"depth-32", ones(34), func() []float32 { b := make([]float32, 34); b[31], b[32] = 1, 1; return b }(), p24, p24},
		// Within one block the two sums meet first: 2²⁴ + (1 + 1).
		{"block-sum", ones(2), []float32{1, 1}, p24, p24 + 2},
		// A product below 2⁻¹²⁶ (2⁻¹⁴⁰) is flushed.
		{"ftz-product", []float32{tiny(-70)}, []float32{tiny(-70)}, 0, 0},
		// A product below 2⁻¹²⁶ joins a normal sum exactly: −2⁻¹²⁵ − 2⁻¹²⁸
		// (the tile unit's behaviour; flushing the product gives −2⁻¹²⁵).
		{"tiny-product", []float32{tiny(-63), 0, tiny(-64)}, []float32{-tiny(-62), 0, -tiny(-64)}, 0, -tiny(-125) - tiny(-128)},
		// A denormal operand (2⁻¹³⁰) counts as zero.
		{"daz-input", []float32{tiny(-130)}, []float32{tiny(10)}, 0, 0},
		// A sum below 2⁻¹²⁶ is flushed: 1.5·2⁻¹²⁶ − 2⁻¹²⁶.
		{"ftz-sum", []float32{tiny(-126)}, []float32{-1}, 1.5 * tiny(-126), 0},
	} {
		k := len(tc.a)
		if !IsBF16(tc.a) || !IsBF16(tc.b) {
			t.Fatalf("%s: operands are not bfloat16", tc.name)
		}
		c := []float32{tc.c0}
		Generic().SgemmBF16(1, 1, k, tc.a, k, 1, tc.b, 1, c, 1)
		if math.Float32bits(c[0]) != math.Float32bits(tc.want) {
			t.Errorf("%s: C = %v, want %v", tc.name, c[0], tc.want)
		}
	}
}

// bf16Rand returns n bfloat16 values, rounded from N(0, 1).
func bf16Rand(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	RoundBF16(x, x)
	return x
}

// TestSgemmBF16 compares every implementation with a float64 evaluation of
// the same bfloat16 operands (exact products, so only float32 sums differ:
// at most (k+2)·2⁻²³·Σ|A·B|) at the EGNN's shapes and around the 32-deep
// block, both layouts of A, and checks the twin against the unrounded
// float32 operands within bfloat16's error, 2·2⁻⁸·Σ|A|·|B|.
func TestSgemmBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 31}, {7, 17, 32}, {13, 33, 33}, {12, 128, 64}, {25, 128, 128}, {48, 128, 256}, {6, 64, 300}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range []bool{false, true} {
			a32 := make([]float32, m*k)
			for i := range a32 {
				a32[i] = float32(rng.NormFloat64())
			}
			b32 := make([]float32, k*n)
			for i := range b32 {
				b32[i] = float32(rng.NormFloat64())
			}
			a, b := make([]float32, m*k), make([]float32, k*n)
			RoundBF16(a, a32)
			RoundBF16(b, b32)
			rsA, csA := k, 1
			if tr { // the same matrix stored transposed
				rsA, csA = 1, m
				at, at32 := make([]float32, m*k), make([]float32, m*k)
				for i := 0; i < m; i++ {
					for p := 0; p < k; p++ {
						at[p*m+i], at32[p*m+i] = a[i*k+p], a32[i*k+p]
					}
				}
				a, a32 = at, at32
			}
			c0 := bf16Rand(rng, m*n)
			for _, im := range Impls() {
				name := fmt.Sprintf("impl=%s/m=%d/n=%d/k=%d/trans=%v", im.Name(), m, n, k, tr)
				c := append([]float32(nil), c0...)
				im.SgemmBF16(m, n, k, a, rsA, csA, b, n, c, n)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						want, sum, want32, sum32 := float64(c0[i*n+j]), math.Abs(float64(c0[i*n+j])), float64(c0[i*n+j]), 0.0
						for p := 0; p < k; p++ {
							ab := float64(a[i*rsA+p*csA]) * float64(b[p*n+j])
							want += ab
							sum += math.Abs(ab)
							ab32 := float64(a32[i*rsA+p*csA]) * float64(b32[p*n+j])
							want32 += ab32
							sum32 += math.Abs(ab32)
						}
						got := float64(c[i*n+j])
						if d, tol := math.Abs(got-want), float64(k+2)*0x1p-23*sum; !(d <= tol) {
							t.Fatalf("%s: C(%d,%d) = %v, want %v (diff %g > %g)", name, i, j, got, want, d, tol)
						}
						if d, tol := math.Abs(got-want32), 2*0x1p-8*sum32+float64(k+2)*0x1p-23*sum; !(d <= tol) {
							t.Fatalf("%s: C(%d,%d) = %v, float32 operands give %v (diff %g > bf16 bound %g)", name, i, j, got, want32, d, tol)
						}
					}
				}
			}
		}
	}
}

// TestSgemmBF16Error: the relative Frobenius error of a bfloat16 product of
// N(0, 1) data against float64 is about 2.4·10⁻³ at k = 128 (measured on
// the AMX machines; almost all from rounding the operands), far above
// float32's 10⁻⁷: the operands really are rounded.
func TestSgemmBF16Error(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const m, n, k = 128, 128, 128
	a32, b32 := make([]float32, m*k), make([]float32, k*n)
	for i := range a32 {
		a32[i] = float32(rng.NormFloat64())
	}
	for i := range b32 {
		b32[i] = float32(rng.NormFloat64())
	}
	a, b := make([]float32, m*k), make([]float32, k*n)
	RoundBF16(a, a32)
	RoundBF16(b, b32)
	for _, im := range Impls() {
		c := make([]float32, m*n)
		im.SgemmBF16(m, n, k, a, k, 1, b, n, c, n)
		var num, den float64
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var w float64
				for p := 0; p < k; p++ {
					w += float64(a32[i*k+p]) * float64(b32[p*n+j])
				}
				num += (float64(c[i*n+j]) - w) * (float64(c[i*n+j]) - w)
				den += w * w
			}
		}
		rel := math.Sqrt(num / den)
		t.Logf("impl=%s: relative Frobenius error %.3g", im.Name(), rel)
		if rel < 1.5e-3 || rel > 3.5e-3 {
			t.Errorf("impl=%s: relative Frobenius error %.3g, want about 2.4e-3", im.Name(), rel)
		}
	}
}

// TestSgemmBF16Guards runs checkSgemm's guard, padding and stride checks
// on SgemmBF16 (arbitrary float32 operands: every implementation stays
// within float32 error of the exact sum even then).
func TestSgemmBF16Guards(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, im := range Impls() {
		for _, sz := range [][3]int{{0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {1, 1, 1}, {7, 17, 33}, {13, 32, 64}, {25, 33, 65}} {
			for _, tr := range []bool{false, true} {
				off := (sz[0] + sz[1] + sz[2]) % 4
				checkSgemm(t, fmt.Sprintf("impl=%s/m=%d/n=%d/k=%d/trans=%v/off=%d", im.Name(), sz[0], sz[1], sz[2], tr, off), im.SgemmBF16, rng, sz[0], sz[1], sz[2], tr, off)
			}
		}
	}
}

func TestSgemmBF16Panics(t *testing.T) {
	a := make([]float32, 10)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative", func() { Generic().SgemmBF16(-1, 1, 1, a, 1, 1, a, 1, a, 1) }},
		{"shortA", func() { Generic().SgemmBF16(4, 2, 3, a, 3, 1, a, 2, a, 2) }},
		{"ld", func() { Generic().SgemmBF16(1, 3, 1, a, 1, 1, a, 2, a, 3) }},
		{"shortC", func() { Generic().SgemmBF16(2, 2, 1, a, 1, 1, a, 2, a[:3], 2) }},
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

// TestRoundBF16Impls: every implementation's RoundBF16 gives the oracle's
// bits on random bit patterns and the special values, for lengths around
// the 8-float block, unaligned starts, in place, and leaves the elements
// past len(src) alone.
func TestRoundBF16Impls(t *testing.T) {
	testBF16Impls(t, 13, RoundBF16, (*Impl).RoundBF16, false)
}

// TestResidualBF16 holds ResidualBF16 to its definition: lo = x − bf16(x)
// exactly (checked in float64), so that bf16(x) + lo = x, and +0 where
// bf16(x) is ±Inf or NaN.
func TestResidualBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	var xs []float32
	for i := 0; i < 200000; i++ {
		xs = append(xs, math.Float32frombits(rng.Uint32()))
	}
	for _, u := range []uint32{0, 0x8000_0000, 1, 0x8000_ffff, 0x007f_ffff, 0x0080_0000, 0x0080_8000, 0x3f80_8000,
		0x3f81_8000, 0x3f80_7fff, 0x7f7f_ffff, 0xff7f_ffff, 0x7f7f_7fff, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000} {
		xs = append(xs, math.Float32frombits(u))
	}
	got := make([]float32, len(xs))
	ResidualBF16(got, xs)
	for i, x := range xs {
		g, h := got[i], roundBF16Oracle(x)
		if math.IsNaN(float64(x)) || math.IsInf(float64(h), 0) {
			if math.Float32bits(g) != 0 {
				t.Fatalf("ResidualBF16(%#08x) = %#08x, want +0 (bf16 is %v)", math.Float32bits(x), math.Float32bits(g), h)
			}
			continue
		}
		if d := float64(x) - float64(h); float64(g) != d || float64(h)+float64(g) != float64(x) {
			t.Fatalf("ResidualBF16(%#08x) = %g, want %g exactly", math.Float32bits(x), g, d)
		}
	}
}

// TestResidualBF16Impls checks every implementation's ResidualBF16 against
// the package-level one bit for bit, as TestRoundBF16Impls does (where the
// oracle gives NaN, any NaN).
func TestResidualBF16Impls(t *testing.T) {
	testBF16Impls(t, 23, ResidualBF16, (*Impl).ResidualBF16, true)
}

// testBF16Impls checks fn of every implementation against the oracle bit
// for bit, out of place and in place, on random bit patterns and special
// values, for lengths around the 8-float blocks and unaligned starts, and
// that it writes nothing past len(src). With anyNaN a NaN of the oracle
// may be any NaN.
func testBF16Impls(t *testing.T, seed uint64, oracle func(dst, src []float32), fn func(im *Impl, dst, src []float32), anyNaN bool) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	specials := []uint32{0, 0x8000_0000, 1, 0x8000_ffff, 0x007f_ffff, 0x0080_8000, 0x3f80_8000, 0x3f81_8000,
		0x7f7f_ffff, 0xff7f_8000, 0x7f80_0000, 0xff80_0000, 0x7f80_0001, 0xff80_8000, 0x7fc0_0000, 0x7f81_2345}
	sent := math.Float32frombits(0x7fc0_beef)
	for _, im := range Impls() {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 64, 100, 1000} {
			for off := 0; off < 3; off++ {
				src := make([]float32, off+n)[off:]
				for i := range src {
					if i%5 == 0 {
						src[i] = math.Float32frombits(specials[rng.IntN(len(specials))])
					} else {
						src[i] = math.Float32frombits(rng.Uint32())
					}
				}
				want := make([]float32, n)
				oracle(want, src)
				dst := make([]float32, n+3)
				for i := range dst {
					dst[i] = sent
				}
				fn(im, dst[:n+3], src)
				inPlace := append([]float32(nil), src...)
				fn(im, inPlace, inPlace)
				for i := 0; i < n; i++ {
					if anyNaN && math.IsNaN(float64(want[i])) {
						if !math.IsNaN(float64(dst[i])) || !math.IsNaN(float64(inPlace[i])) {
							t.Fatalf("impl=%s/n=%d/off=%d: element %d of %#08x: %#08x, want NaN", im.Name(), n, off, i, math.Float32bits(src[i]), math.Float32bits(dst[i]))
						}
						continue
					}
					if w := math.Float32bits(want[i]); math.Float32bits(dst[i]) != w || math.Float32bits(inPlace[i]) != w {
						t.Fatalf("impl=%s/n=%d/off=%d: element %d of %#08x: %#08x (in place %#08x), want %#08x", im.Name(), n, off, i,
							math.Float32bits(src[i]), math.Float32bits(dst[i]), math.Float32bits(inPlace[i]), w)
					}
				}
				for i := n; i < n+3; i++ {
					if math.Float32bits(dst[i]) != math.Float32bits(sent) {
						t.Fatalf("impl=%s/n=%d: dst[%d] written past len(src)", im.Name(), n, i)
					}
				}
			}
		}
	}
}
