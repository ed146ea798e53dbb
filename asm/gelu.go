package asm

import "math"

// GELU computes, for every i < len(x),
//
//	Φ(a) = ½·erfc(−a/√2),   y[i] = a·Φ(a)            (GELU(a), a = x[i])
//	d[i] = GELU′(a) = Φ(a) + a·φ(a),   φ(a) = e^{−a²/2}/√(2π)
//
// the exact-erf GELU and its derivative in one pass. y and d must be at
// least len(x) long; they may not alias x or each other.
//
// Method (both implementations): u = |a|/√2 selects one of the four
// rational approximations of FreeBSD's s_erf.c (fdlibm; the coefficients
// are those of Go's math/erf.go), erf(u) = u + u·R/S for u < 0.84375,
// erf(u) = erx + P/Q below 1.25, and erfc(u) = e^{−u² − 0.5625 + R/S}/u
// above. The argument −u² = −a²/2 is carried as an exact two-part sum
// (a² and its FMA rounding error), so e^{−a²/2} and the erfc tail keep full
// relative accuracy for large |a| instead of inheriting the rounding of
// a/√2. The generic code takes the exponentials from math.Exp; the native
// kernels evaluate all lanes branch-free (coefficients fetched per lane by
// range), e^{−a²/2} by range reduction and a degree-13 polynomial, and the
// remaining factor e^{R/S − 0.5625} of erfc by a degree-10 Taylor series.
// For |a| > 37.55 (where Φ(−|a|) and φ(a) are below 10⁻³⁰⁶) the
// exponentials are flushed to zero: Φ = 0 or 1, φ = 0.
//
// Accuracy: Φ, y and d are within about 10⁻¹⁵ relative of the exact
// values (d relative to Φ + |a|·φ, since GELU′ crosses zero near
// a = −0.7518; y and d within 10⁻³⁰⁶ absolute in the flushed tail).
// Implementations differ only by rounding. NaN gives NaN; ±Inf give an
// unspecified value in y or d.
func (im *Impl) GELU(y, d, x []float64) {
	if len(y) < len(x) || len(d) < len(x) {
		panic(errGELUShort)
	}
	done := im.gelu(y, d, x, geluTab[:])
	geluGeneric(y[done:], d[done:], x[done:])
}

const errGELUShort = "asm: GELU with len(y) or len(d) < len(x)"

// fdlibm s_erf.c coefficients, as in Go's math/erf.go. Range r uses
// numerator coefficients geluNum[j][r] (of v^j) and denominator
// coefficients geluDen[j][r] (of v^{j+1}; the constant term is 1), with
// v = u² (r = 0), u − 1 (r = 1), 1/u² (r = 2, 3).
var (
	geluNum = [8][4]float64{
		{1.28379167095512558561e-01, -2.36211856075265944077e-03, -9.86494403484714822705e-03, -9.86494292470009928597e-03},
		{-3.25042107247001499370e-01, 4.14856118683748331666e-01, -6.93858572707181764372e-01, -7.99283237680523006574e-01},
		{-2.84817495755985104766e-02, -3.72207876035701323847e-01, -1.05586262253232909814e+01, -1.77579549177547519889e+01},
		{-5.77027029648944159157e-03, 3.18346619901161753674e-01, -6.23753324503260060396e+01, -1.60636384855821916062e+02},
		{-2.37630166566501626084e-05, -1.10894694282396677476e-01, -1.62396669462573470355e+02, -6.37566443368389627722e+02},
		{0, 3.54783043256182359371e-02, -1.84605092906711035994e+02, -1.02509513161107724954e+03},
		{0, -2.16637559486879084300e-03, -8.12874355063065934246e+01, -4.83519191608651397019e+02},
		{0, 0, -9.81432934416914548592e+00, 0},
	}
	geluDen = [8][4]float64{
		{3.97917223959155352819e-01, 1.06420880400844228286e-01, 1.96512716674392571292e+01, 3.03380607434824582924e+01},
		{6.50222499887672944485e-02, 5.40397917702171048937e-01, 1.37657754143519042600e+02, 3.25792512996573918826e+02},
		{5.08130628187576562776e-03, 7.18286544141962662868e-02, 4.34565877475229228821e+02, 1.53672958608443695994e+03},
		{1.32494738004321644526e-04, 1.26171219808761642112e-01, 6.45387271733267880336e+02, 3.19985821950859553908e+03},
		{-3.96022827877536812320e-06, 1.36370839120290507362e-02, 4.29008140027567833386e+02, 2.55305040643316442583e+03},
		{0, 1.19844998467991074170e-02, 1.08635005541779435134e+02, 4.74528541206955367215e+02},
		{0, 0, 6.57024977031928170135e+00, -2.24409524465858183362e+01},
		{0, 0, -6.04244152148580987438e-02, 0},
	}
)

const (
	geluErx     = 8.45062911510467529297e-01 // erf(1) rounded to 32 bits (fdlibm erx)
	geluR1      = 0.84375                    // range bounds in u
	geluR2      = 1.25
	geluR3      = 1 / 0.35
	geluFlush   = -705 // −a²/2 below this flushes the exponentials
	invSqrt2    = 0.70710678118654752440
	invSqrt2Pi  = 0.39894228040143267794
	geluLn2Hi   = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	geluLn2Lo   = 1.90821492927058770002e-10
	geluLog2E   = 1.44269504088896340736
	geluMagic   = 0x1.8p52 // 1.5·2⁵²: round-to-integer shift
	geluExpDeg  = 13       // Taylor degree of e^r, |r| ≤ ln2/2
	geluTabNum  = 0        // offsets (in float64s) into geluTab
	geluTabDen  = 32
	geluTabBC   = 64 // broadcast constants, 4 copies each, in this order:
	geluNumBC   = 16 // abs mask, 1/√2, R1, R2, R3, ½, 1, 1−erx, −0.5625, flush, log2e, ln2hi, ln2lo, 1/√(2π), magic, −½
	geluTabPoly = geluTabBC + 4*geluNumBC
	geluTabIdx  = geluTabPoly + 4*geluExpDeg // int32 pairs {0, 1} per lane, for VPERMD
	geluTabW    = geluTabIdx + 4             // geluWc, then e^{geluWc}/k! for k = 10…0
	geluWDeg    = 10
	geluTabLen  = geluTabW + 4*(geluWDeg+2)
	// In ranges 2 and 3, w = R/S − 0.5625 = ln(u·erfc(u)) + u² lies in
	// [−0.78, −0.57]; the native kernels take e^w from its degree-10
	// Taylor series about geluWc (remainder < 10⁻¹⁸).
	geluWc = -0.67475
)

// geluTab is the constant table the native kernels read (passed as an
// argument so that the coefficients exist only here): the per-range
// coefficient rows, broadcast constants, 1/k! for k = 13…1, and the VPERMD
// index offsets.
var geluTab = func() (t [geluTabLen]float64) {
	for j := 0; j < 8; j++ {
		copy(t[geluTabNum+4*j:], geluNum[j][:])
		copy(t[geluTabDen+4*j:], geluDen[j][:])
	}
	bc := [geluNumBC]float64{math.Float64frombits(1<<63 - 1), invSqrt2, geluR1, geluR2, geluR3, 0.5, 1, 1 - geluErx,
		-0.5625, geluFlush, geluLog2E, geluLn2Hi, geluLn2Lo, invSqrt2Pi, geluMagic, -0.5}
	for i, v := range bc {
		for l := 0; l < 4; l++ {
			t[geluTabBC+4*i+l] = v
		}
	}
	f := 1.0
	for k := 1; k <= geluExpDeg; k++ {
		f *= float64(k)
	}
	for k := geluExpDeg; k >= 1; k-- { // 1/13! first
		for l := 0; l < 4; l++ {
			t[geluTabPoly+4*(geluExpDeg-k)+l] = 1 / f
		}
		f /= float64(k)
	}
	for l := 0; l < 4; l++ {
		t[geluTabIdx+l] = math.Float64frombits(1 << 32) // dwords {0, 1}
		t[geluTabW+l] = geluWc
	}
	ec := math.Exp(geluWc)
	f = 1
	for k := 1; k <= geluWDeg; k++ {
		f *= float64(k)
	}
	for k := geluWDeg; k >= 0; k-- { // e^c/10! first
		for l := 0; l < 4; l++ {
			t[geluTabW+4*(geluWDeg+1-k)+l] = ec / f
		}
		f /= float64(max(k, 1))
	}
	return t
}()

// geluPhi returns Φ(a) and φ(a) as described at GELU; it is the scalar
// twin of the native kernels.
func geluPhi(a float64) (cdf, pdf float64) {
	u := math.Abs(a) * invSqrt2
	s2 := a * a
	e2 := math.FMA(a, a, -s2) // a² = s2 + e2 exactly
	hi, lo := -0.5*s2, -0.5*e2
	r := 0
	v := 0.5 * s2
	switch {
	case u >= geluR3:
		r, v = 3, 1/v
	case u >= geluR2:
		r, v = 2, 1/v
	case u >= geluR1:
		r, v = 1, u-1
	}
	var num, den float64
	for j := 7; j >= 0; j-- {
		num = num*v + geluNum[j][r]
		den = den*v + geluDen[j][r]
	}
	q := num / (den*v + 1)
	var e float64 // erfc(u)
	switch r {
	case 0:
		e = 1 - (u + u*q)
	case 1:
		e = (1 - geluErx) - q
	}
	if hi >= geluFlush {
		eh := math.Exp(hi)
		pdf = (eh + eh*lo) * invSqrt2Pi
		if r >= 2 {
			e = eh * math.Exp(lo+(q-0.5625)) / u
		}
	}
	cdf = 1 - 0.5*e
	if math.Signbit(a) {
		cdf = 0.5 * e
	}
	return cdf, pdf
}

func geluGeneric(y, d, x []float64) {
	for i, a := range x {
		cdf, pdf := geluPhi(a)
		y[i] = a * cdf
		d[i] = cdf + a*pdf
	}
}

// geluNone is the block kernel of implementations without a native GELU.
func geluNone(y, d, x, tab []float64) int { return 0 }
