package engine

import "github.com/idem-project/idem/asm"

// Target is an unnormalised Boltzmann density μ(x) ∝ exp(−E(x)) at kT = 1.
//
// Configurations are flattened vectors of Dim() = n·spatial values,
// [x₁, y₁, (z₁), x₂, …], for n particles in spatial dimensions; targets that
// are not particle systems report n = 1. Batched evaluation works on the
// lane-blocked layout of package asm (see asm.Pack), which lets the pair
// kernels put configurations in SIMD lanes.
//
// Implementations are immutable and safe for concurrent use.
type Target interface {
	// Name is a short identifier such as "lj13" or "gmm40".
	Name() string
	// Dim is the flattened dimension d = n·spatial.
	Dim() int
	// Shape returns the particle count n and spatial dimension.
	Shape() (n, spatial int)
	// CoMFree reports whether E is translation invariant, so that samples
	// live on the centred subspace (SPEC §2.4).
	CoMFree() bool
	// EnergyForce writes E(x_c) to e[c] and the force F = −∇E(x_c) to f for
	// b configurations stored lane-blocked in x (layout asm, n particles of
	// spatial dimensions). Padding lanes of f are not written. f must not
	// alias x. An energy may be +Inf where the density is zero.
	EnergyForce(e, f, x []float64, b int)
}

// EnergyGrad evaluates t on b row-major configurations x[c·d:(c+1)·d]: it
// writes E to e[c] and, when grad is not nil, ∇E (not the force) to
// grad[c·d:(c+1)·d]. It allocates lane-blocked scratch per call; hot loops
// should keep their own buffers and call t.EnergyForce.
func EnergyGrad(t Target, e, grad, x []float64, b int) {
	n, sp := t.Shape()
	d := t.Dim()
	if len(x) < b*d || len(e) < b || (grad != nil && len(grad) < b*d) {
		panic("engine: EnergyGrad: short slice")
	}
	if b == 0 {
		return
	}
	xb := make([]float64, asm.Len(n, sp, b))
	fb := make([]float64, len(xb))
	asm.Pack(xb, x, n, sp, b)
	t.EnergyForce(e, fb, xb, b)
	if grad != nil {
		asm.Unpack(grad[:b*d], fb, n, sp, b)
		for i := range grad[:b*d] {
			grad[i] = -grad[i]
		}
	}
}

// Centre subtracts the particle mean from each of b row-major
// configurations of n particles in spatial dimensions.
func Centre(x []float64, n, spatial, b int) {
	d := n * spatial
	for c := 0; c < b; c++ {
		row := x[c*d : (c+1)*d]
		for k := 0; k < spatial; k++ {
			m := 0.0
			for i := 0; i < n; i++ {
				m += row[i*spatial+k]
			}
			m /= float64(n)
			for i := 0; i < n; i++ {
				row[i*spatial+k] -= m
			}
		}
	}
}
