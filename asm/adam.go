package asm

import "math"

// Indices of the per-step constants k passed to Adam (PyTorch's
// torch.optim.Adam without weight decay or amsgrad).
const (
	AdamB1         = iota // β₁
	AdamOneMinusB1        // 1 − β₁
	AdamB2                // β₂
	AdamOneMinusB2        // 1 − β₂
	AdamStepSize          // lr/(1 − β₁ⁿ)
	AdamBC2Sqrt           // √(1 − β₂ⁿ)
	AdamEps               // ε
	AdamConsts            // number of constants
)

// Adam applies one Adam update to every element i < len(params):
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g·g,  θ ← θ − StepSize·m/(√v/BC2Sqrt + ε)
//
// with the constants k indexed by AdamB1…AdamEps and the operations rounded
// in exactly this order (no fused multiply-add), so every implementation
// gives the generic bits. grads, m and v must be at least as long as params.
func (im *Impl) Adam(params, grads, m, v, k []float64) {
	n := len(params)
	if len(grads) < n || len(m) < n || len(v) < n {
		panic("asm: Adam: short slice")
	}
	if len(k) < AdamConsts {
		panic("asm: Adam: len(k) < AdamConsts")
	}
	done := im.adam(params, grads[:n], m[:n], v[:n], k)
	adamGeneric(params[done:], grads[done:n], m[done:n], v[done:n], k)
}

// adamGeneric takes the constants in AdamConsts field order.
func adamGeneric(params, grads, m, v, k []float64) int {
	b1, c1, b2, c2, step, bc2, eps := k[0], k[1], k[2], k[3], k[4], k[5], k[6]
	for i, g := range grads[:len(params)] {
		mi := float64(b1*m[i]) + float64(c1*g)
		vi := float64(b2*v[i]) + float64(float64(c2*g)*g)
		m[i], v[i] = mi, vi
		params[i] -= float64(step*mi) / (math.Sqrt(vi)/bc2 + eps)
	}
	return len(params)
}
