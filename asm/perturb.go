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
// The transform: with u₁ ∈ (0, 1] from the first output's top 52 bits and
// θ = 2π·(quadrant + t)/4 from the second's (t from its top 52 bits, the
// quadrant from its low two), z = √(−2 ln u₁)·(cos θ, sin θ). The
// logarithm, sine and cosine are polynomial, accurate to about 1e-15; every
// implementation computes the same operations in the same order.
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

// Box–Muller constants (shared with the avo generator, which repeats them).
const (
	pmOneBits = 0x3FF0000000000000
	pmMant    = 1<<52 - 1
	pmMagic   = 0x4330000000000000
	pmMagicF  = 4503599627370496.0 + 1023 // 2⁵² + exponent bias
	pmLn2Hi   = 6.93147180369123816490e-01
	pmLn2Lo   = 1.90821492927058770002e-10
	pmPiO2    = math.Pi / 2
	pmPiO4    = math.Pi / 4
	pmSqrtH   = math.Sqrt2 / 2
)

// pmLogC are 1/3, 1/5, …, 1/19 for ln(1+f) = 2s + 2s·s²·P(s²), s = f/(2+f).
var pmLogC = [9]float64{1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19}

// pmSinC and pmCosC are the Taylor coefficients of sin(a)/a and cos(a) in a².
var (
	pmSinC = [8]float64{1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800, 1.0 / 6227020800, -1.0 / 1307674368000}
	pmCosC = [9]float64{1, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600, -1.0 / 87178291200, 1.0 / 20922789888000}
)

func perturbGeneric(dst, xs []float64, sq float64, state []uint64) {
	d := len(xs)
	for l := 0; l < Lanes; l++ {
		s0, s1, s2, s3 := state[l], state[Lanes+l], state[2*Lanes+l], state[3*Lanes+l]
		next := func() uint64 {
			a := s1 + s1<<2
			r := a<<7 | a>>57
			r += r << 3
			t := s1 << 17
			s2 ^= s0
			s3 ^= s1
			s1 ^= s2
			s0 ^= s3
			s2 ^= t
			s3 = s3<<45 | s3>>19
			return r
		}
		for j := 0; j < d; j += 2 {
			z0, z1 := boxMuller(next(), next())
			dst[j*Lanes+l] = math.FMA(sq, z0, xs[j])
			if j+1 < d {
				dst[(j+1)*Lanes+l] = math.FMA(sq, z1, xs[j+1])
			}
		}
	}
}

// boxMuller maps two 64-bit outputs to two standard normal values.
func boxMuller(b1, b2 uint64) (float64, float64) {
	u1 := 2 - math.Float64frombits(b1>>12|pmOneBits) // (0, 1]
	r := math.Sqrt(float64(-2) * logUnit(u1))
	t := math.Float64frombits(b2>>12|pmOneBits) - 1 // [0, 1)
	a := math.FMA(t, pmPiO2, -pmPiO4)               // [−π/4, π/4)
	w := a * a
	ps := pmSinC[7]
	for k := 6; k >= 0; k-- {
		ps = math.FMA(ps, w, pmSinC[k])
	}
	pc := pmCosC[8]
	for k := 7; k >= 0; k-- {
		pc = math.FMA(pc, w, pmCosC[k])
	}
	s := a * ps
	cs := (pc - s) * pmSqrtH // cos(a + π/4)
	sn := (pc + s) * pmSqrtH // sin(a + π/4)
	q := b2 & 3              // rotate by q quarter turns
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

// logUnit returns ln u for u ∈ (0, 1] (a normal float64).
func logUnit(u float64) float64 {
	ub := math.Float64bits(u)
	eb := ub >> 52
	m := math.Float64frombits(ub&pmMant | pmOneBits) // [1, 2)
	if m > math.Sqrt2 {
		m *= 0.5
		eb++
	}
	e := math.Float64frombits(eb|pmMagic) - pmMagicF
	f := m - 1
	s := f / (f + 2)
	z := s * s
	p := pmLogC[8]
	for k := 7; k >= 0; k-- {
		p = math.FMA(p, z, pmLogC[k])
	}
	t := s + s
	lnf := math.FMA(t*z, p, t)
	return math.FMA(e, pmLn2Hi, math.FMA(e, pmLn2Lo, lnf))
}
