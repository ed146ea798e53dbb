package asm

import "math"

// SiLUF32 is the float32 twin of SiLU: for every i < len(z),
//
//	g[i] = σ(z[i]) = 1/(1 + e^{−z[i]}),   s[i] = z[i]·g[i].
//
// g and s must be at least len(z) long; s and g may not alias z or each
// other. Inputs with |z| > 87 are clamped inside the exponential (σ
// saturates at 1 and at ≈ 1.6·10⁻³⁸); NaN gives an unspecified value. The
// generic oracle rounds σ evaluated in float64 (math.Exp) to float32; native
// implementations evaluate e^{−z} in float32 by range reduction and a
// degree-7 polynomial and agree with it to within 1e-6 relative in g and s.
func (im *Impl) SiLUF32(s, g, z []float32) {
	if len(s) < len(z) || len(g) < len(z) {
		panic(errSiLUF32Short)
	}
	done := im.siluF32(s, g, z)
	siluF32Generic(s[done:], g[done:], z[done:])
}

const errSiLUF32Short = "asm: SiLUF32 with len(s) or len(g) < len(z)"

func siluF32Generic(s, g, z []float32) {
	for i, v := range z {
		e := math.Exp(-min(max(float64(v), -87), 87))
		gv := float32(1 / (1 + e))
		g[i] = gv
		s[i] = v * gv
	}
}

func siluF32None(s, g, z []float32) int { return 0 }
