package optim

import (
	"fmt"
	"math"
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
}

// NewAdam returns Adam for n parameters with learning rate lr and PyTorch's
// defaults β = (0.9, 0.999), ε = 10⁻⁸.
func NewAdam(n int, lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, M: make([]float64, n), V: make([]float64, n)}
}

// Update takes one step on params given grads. It panics if the lengths
// differ from the optimiser's.
func (a *Adam) Update(params, grads []float64) {
	if len(params) != len(a.M) || len(grads) != len(a.M) || len(a.V) != len(a.M) {
		panic(fmt.Sprintf("optim: Adam over %d parameters given %d params, %d grads", len(a.M), len(params), len(grads)))
	}
	a.Step++
	n := float64(a.Step)
	bc1 := 1 - math.Pow(a.Beta1, n)
	bc2 := 1 - math.Pow(a.Beta2, n)
	stepSize := a.LR / bc1
	bc2Sqrt := math.Sqrt(bc2)
	b1, b2 := a.Beta1, a.Beta2
	m, v := a.M[:len(params)], a.V[:len(params)]
	grads = grads[:len(params)]
	for i, g := range grads {
		mi := b1*m[i] + (1-b1)*g
		vi := b2*v[i] + (1-b2)*g*g
		m[i], v[i] = mi, vi
		params[i] -= stepSize * mi / (math.Sqrt(vi)/bc2Sqrt + a.Eps)
	}
}

// Reset clears the moments and the step count.
func (a *Adam) Reset() {
	clear(a.M)
	clear(a.V)
	a.Step = 0
}
