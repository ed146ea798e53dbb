package optim

import (
	"fmt"
	"math"

	"github.com/idem-project/idem/asm"
)

// Adam is the Adam optimiser with PyTorch's semantics (torch.optim.Adam,
// amsgrad off, no weight decay). For step n = Step after the increment:
//
//	m ← β₁m + (1−β₁)g
//	v ← β₂v + (1−β₂)g²
//	θ ← θ − (LR/(1−β₁ⁿ)) · m / (√v/√(1−β₂ⁿ) + ε)
type Adam struct {
	LR    float64
	Beta1 float64
	Beta2 float64
	Eps   float64
	Step  int64     // steps taken
	M     []float64 // first-moment estimate
	V     []float64 // second-moment estimate

	impl *asm.Impl               // elementwise kernel; nil means asm.Generic()
	k    [asm.AdamConsts]float64 // the current step's constants (Advance)
}

// NewAdam returns Adam for n parameters with learning rate lr and PyTorch's
// defaults β = (0.9, 0.999), ε = 10⁻⁸.
func NewAdam(n int, lr float64) *Adam {
	im, err := asm.Default()
	if err != nil {
		im = asm.Generic()
	}
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, M: make([]float64, n), V: make([]float64, n), impl: im}
}

// Update takes one step on params given grads. It panics if the lengths
// differ from the optimiser's.
func (a *Adam) Update(params, grads []float64) {
	a.Advance()
	a.ApplyRange(params, grads, 0, len(params))
}

// Advance starts a step: it increments Step and sets the step's constants
// for ApplyRange. Advance once, then ApplyRange over disjoint ranges
// covering all parameters (possibly from several goroutines at once) is the
// same as Update.
func (a *Adam) Advance() {
	a.Step++
	n := float64(a.Step)
	a.k = [asm.AdamConsts]float64{
		asm.AdamB1: a.Beta1, asm.AdamOneMinusB1: 1 - a.Beta1,
		asm.AdamB2: a.Beta2, asm.AdamOneMinusB2: 1 - a.Beta2,
		asm.AdamStepSize: a.LR / (1 - math.Pow(a.Beta1, n)),
		asm.AdamBC2Sqrt:  math.Sqrt(1 - math.Pow(a.Beta2, n)),
		asm.AdamEps:      a.Eps,
	}
}

// ApplyRange applies the step set by Advance to elements [lo, hi).
func (a *Adam) ApplyRange(params, grads []float64, lo, hi int) {
	if len(params) != len(a.M) || len(grads) != len(a.M) || len(a.V) != len(a.M) {
		panic(fmt.Sprintf("optim: Adam over %d parameters given %d params, %d grads", len(a.M), len(params), len(grads)))
	}
	im := a.impl
	if im == nil {
		im = asm.Generic()
	}
	im.Adam(params[lo:hi], grads[lo:hi], a.M[lo:hi], a.V[lo:hi], a.k[:])
}

// Reset clears the moments and the step count.
func (a *Adam) Reset() {
	clear(a.M)
	clear(a.V)
	a.Step = 0
}
