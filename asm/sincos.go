package asm

import (
	"math"
	"math/big"
)

// SinCos computes, for every i < len(x),
//
//	s[i] = sin(x[i]),   c[i] = cos(x[i]).
//
// s and c must be at least len(x) long. Either may be x itself (the same
// first element: each block is read before it is written); otherwise none of
// the three may overlap.
//
// Method (native kernels): n = round(x·2/π) through the 1.5·2⁵² shift, then
// r = x − n·π/2 with π/2 = P₁ + P₂ + P₃ split into three float64s and one FMA
// per part (the first step is exact for |x| < 2⁵¹), so |r| ≲ π/4; sin r and
// cos r from the Cephes polynomials of Go's math/sin.go, and the quadrant
// n mod 4 swaps and negates them. Lanes with |x| > 2²⁹ (where math.Sincos
// switches to Payne–Hanek reduction), NaN or ±Inf send their whole 4-lane
// block to the generic code, which is math.Sincos.
//
// Accuracy: within 1.5·10⁻¹⁶ absolute of math.Sincos for |x| ≤ 2²⁹ (both are
// within about one ulp of the exact values); sin(±0) may be +0. The generic
// implementation is math.Sincos element by element.
func (im *Impl) SinCos(s, c, x []float64) {
	if len(s) < len(x) || len(c) < len(x) {
		panic(errSinCosShort)
	}
	for i := 0; i < len(x); {
		i += im.sincos(s[i:], c[i:], x[i:], sincosTab[:])
		j := min(i+Lanes, len(x)) // a block the kernel declined, or the tail
		sincosGeneric(s[i:j], c[i:j], x[i:j])
		i = j
	}
}

const errSinCosShort = "asm: SinCos with len(s) or len(c) < len(x)"

func sincosGeneric(s, c, x []float64) {
	for i, v := range x {
		s[i], c[i] = math.Sincos(v)
	}
}

// sincosNone is the block kernel of implementations without a native SinCos.
func sincosNone(s, c, x, tab []float64) int { return 0 }

// Offsets (in float64s) of the 4-wide broadcast constants in sincosTab, in
// the order the native kernels read them.
const (
	sincosTwoOverPi = 4 * iota
	sincosMagic
	sincosP1
	sincosP2
	sincosP3
	sincosAbs
	sincosMax
	sincosHalf
	sincosOne
	sincosIOne // int64 1 per lane
	sincosITwo // int64 2 per lane
	sincosS0   // sine coefficients _sin[0…5] of math/sin.go
	sincosS1
	sincosS2
	sincosS3
	sincosS4
	sincosS5
	sincosC0 // cosine coefficients _cos[0…5]
	sincosC1
	sincosC2
	sincosC3
	sincosC4
	sincosC5
	sincosTabLen
)

// sincosMaxArg is the largest |x| the native kernels reduce themselves.
const sincosMaxArg = 1 << 29

// sincosPio2 returns π/2 = p1 + p2 + p3, each the float64 nearest to what
// is left of π/2.
func sincosPio2() (p1, p2, p3 float64) {
	const pio2 = "1.57079632679489661923132169163975144209858469968755291048747229615390820314310449931401741267105853399107404326"
	v, _, err := big.ParseFloat(pio2, 10, 400, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	var p [3]float64
	for i := range p {
		p[i], _ = v.Float64()
		v.Sub(v, new(big.Float).SetPrec(400).SetFloat64(p[i]))
	}
	return p[0], p[1], p[2]
}

// sincosTab is the constant table of the native kernels: each constant
// four times (one YMM load).
var sincosTab = func() (t [sincosTabLen]float64) {
	p1, p2, p3 := sincosPio2()
	vals := []float64{2 / math.Pi, 0x1.8p52, p1, p2, p3, math.Float64frombits(1<<63 - 1), sincosMaxArg, 0.5, 1,
		math.Float64frombits(1), math.Float64frombits(2),
		1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
		-1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1,
		-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
		2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2}
	for i, v := range vals {
		for l := 0; l < 4; l++ {
			t[4*i+l] = v
		}
	}
	return t
}()
