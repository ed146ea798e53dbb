package asm

import "math"

// SiLU computes, for every i < len(z),
//
//	g[i] = σ(z[i]) = 1/(1 + e^{−z[i]}),   s[i] = z[i]·g[i]   (SiLU(z)),
//
// the activation and the sigmoid that its derivative SiLU'(z) = g·(1 + z·(1−g))
// needs. g and s must be at least len(z) long; s and g may not alias z or
// each other. Inputs with |z| > 708 are clamped inside the exponential (so
// σ saturates at 1 and at ≈ 10⁻³⁰⁸ instead of 0); NaN gives an unspecified
// value. Native implementations evaluate e^{−z} by range reduction and a
// degree-13 polynomial; they agree with generic (math.Exp) to within 1e-15
// relative in g and s.
func (im *Impl) SiLU(s, g, z []float64) {
	if len(s) < len(z) || len(g) < len(z) {
		panic(errSiLUShort)
	}
	done := im.silu(s, g, z)
	siluGeneric(s[done:], g[done:], z[done:])
}

const errSiLUShort = "asm: SiLU with len(s) or len(g) < len(z)"

func siluGeneric(s, g, z []float64) {
	for i, v := range z {
		e := math.Exp(-min(max(v, -708), 708))
		gv := 1 / (1 + e)
		g[i] = gv
		s[i] = v * gv
	}
}
