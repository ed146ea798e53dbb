package asm

import "math"

// Perturb fills one lane block with Gaussian perturbations of a point:
//
//	dst[j·Lanes + l] = xs[j] + sq·z_{l,j},   j < len(xs), l < Lanes,
//
// where z_{l,0}, z_{l,1}, … are standard normal values drawn, two at a time,
// by the Box–Muller transform from 64-bit outputs of the xoshiro256**
// generator (Blackman and Vigna, 2021) whose state for lane l is
// (state[l], state[4+l], state[8+l], state[12+l]). Every lane is one
// configuration of the lane-blocked layout, so a block of four Monte-Carlo
// samples is written with whole-vector stores. state is not modified.
//
// The transform runs in float32, one 64-bit output per pair: with
// u₁ = 1 − k·2⁻²³ ∈ (0, 1] from the output's top 23 bits and
// θ = 2π·(q + t)/4 from its low word (t from bits 9…31, the quadrant q from
// bits 0…1), z = √(−2 ln u₁)·(cos θ, sin θ). The logarithm, sine and cosine
// are polynomial, accurate to float32 rounding (z within 1e-6 of the exact
// transform of the same u₁ and θ, TestBoxMullerAccuracy); the
// largest |z| is √(46 ln 2) ≈ 5.65. Every implementation computes the same
// unfused float32 operations in the same order, then xs[j] + sq·z in one
// float64 fused multiply-add, so all agree bit for bit.
func (im *Impl) Perturb(dst, xs []float64, sq float64, state []uint64) {
	if len(dst) < Lanes*len(xs) {
		panic("asm: Perturb: len(dst) < Lanes*len(xs)")
	}
	if len(state) < 4*Lanes {
		panic("asm: Perturb: len(state) < 16")
	}
	if len(xs) == 0 {
		return
	}
	im.perturb(dst, xs, sq, state)
}

// Box–Muller constants (shared with the avo generator, which repeats them
// as the same constant expressions).
const (
	pmOneBits = 0x3F800000 // float32 1.0
	pmMant    = 1<<23 - 1
	pmBias    = 127
	pmSqrt2   = float32(math.Sqrt2)
	pmLn2Hi   = float32(0.693145751953125) // ln 2 to 16 bits: e·pmLn2Hi is exact
	pmLn2Lo   = float32(math.Ln2 - 0.693145751953125)
	pmPiO2    = float32(math.Pi / 2)
	pmPiO4    = float32(math.Pi / 4)
	pmSqrtH   = float32(math.Sqrt2 / 2)
)

// pmLogC are 1/3, 1/5, 1/7, 1/9 for ln(1+f) = 2s + 2s·s²·P(s²), s = f/(2+f),
// |s| ≤ 0.172 (truncation error below 1e-9).
var pmLogC = [4]float32{1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9}

// pmSinC and pmCosC are the Taylor coefficients of sin(a)/a and cos(a) in
// a², |a| ≤ π/4 (truncation errors below 3e-9).
var (
	pmSinC = [5]float32{1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880}
	pmCosC = [6]float32{1, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800}
)

func perturbGeneric(dst, xs []float64, sq float64, state []uint64) {
	d := len(xs)
	for l := 0; l < Lanes; l++ {
		s0, s1, s2, s3 := state[l], state[Lanes+l], state[2*Lanes+l], state[3*Lanes+l]
		for j := 0; j < d; j += 2 {
			a := s1 + s1<<2
			w := a<<7 | a>>57
			w += w << 3
			t := s1 << 17
			s2 ^= s0
			s3 ^= s1
			s1 ^= s2
			s0 ^= s3
			s2 ^= t
			s3 = s3<<45 | s3>>19
			z0, z1 := boxMuller(w)
			dst[j*Lanes+l] = math.FMA(sq, float64(z0), xs[j])
			if j+1 < d {
				dst[(j+1)*Lanes+l] = math.FMA(sq, float64(z1), xs[j+1])
			}
		}
	}
}

// boxMuller maps one 64-bit output to two standard normal values. Every
// product is rounded explicitly (float32(·)), which forbids the compiler to
// fuse it with the following addition.
func boxMuller(w uint64) (float32, float32) {
	hi, lo := uint32(w>>32), uint32(w)
	u1 := 2 - math.Float32frombits(hi>>9|pmOneBits) // (0, 1]
	r := float32(math.Sqrt(float64(-2 * logUnit(u1))))
	t := math.Float32frombits(lo>>9|pmOneBits) - 1 // [0, 1)
	a := float32(t*pmPiO2) - pmPiO4                // [−π/4, π/4)
	v := float32(a * a)
	ps := pmSinC[4]
	for k := 3; k >= 0; k-- {
		ps = float32(ps*v) + pmSinC[k]
	}
	pc := pmCosC[5]
	for k := 4; k >= 0; k-- {
		pc = float32(pc*v) + pmCosC[k]
	}
	s := float32(a * ps)
	cs := (pc - s) * pmSqrtH // cos(a + π/4)
	sn := (pc + s) * pmSqrtH // sin(a + π/4)
	q := lo & 3              // rotate by q quarter turns
	x, y := cs, sn
	if q&1 != 0 {
		x, y = sn, cs
	}
	if (q^q>>1)&1 != 0 {
		x = -x
	}
	if q>>1 != 0 {
		y = -y
	}
	return r * x, r * y
}

// logUnit returns ln u for u ∈ (0, 1] (a normal float32).
func logUnit(u float32) float32 {
	ub := math.Float32bits(u)
	eb := int32(ub >> 23)
	m := math.Float32frombits(ub&pmMant | pmOneBits) // [1, 2)
	if m > pmSqrt2 {
		m *= 0.5
		eb++
	}
	e := float32(eb - pmBias)
	f := m - 1
	s := f / (f + 2)
	z := float32(s * s)
	p := pmLogC[3]
	for k := 2; k >= 0; k-- {
		p = float32(p*z) + pmLogC[k]
	}
	t := s + s
	lnf := t + float32(float32(t*z)*p)
	return float32(e*pmLn2Hi) + (float32(e*pmLn2Lo) + lnf)
}
