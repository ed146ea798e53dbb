package metrics

import (
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// rowGrain is the number of cost-matrix rows one pool chunk computes.
const rowGrain = 8

func poolOrSerial(p *engine.Pool) *engine.Pool {
	if p == nil {
		return engine.NewPool(1)
	}
	return p
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// transportSize returns the size L = lcm(na, nb) of the square assignment
// problem equivalent to uniform optimal transport between na and nb points,
// or an error if either side is empty or L exceeds MaxN.
func transportSize(na, nb int) (int, error) {
	if na <= 0 || nb <= 0 {
		return 0, ErrEmpty
	}
	if na > MaxN || nb > MaxN {
		return 0, fmt.Errorf("%w: %d × %d samples (cap %d per side); sub-sample explicitly", ErrTooLarge, na, nb, MaxN)
	}
	l := na / gcd(na, nb) * nb
	if l > MaxN {
		return 0, fmt.Errorf("%w: unequal sizes %d and %d need an lcm(n_a, n_b) = %d assignment (cap %d); use equal sizes or sizes that divide one another", ErrTooLarge, na, nb, l, MaxN)
	}
	return l, nil
}

// OT returns the exact optimal-transport cost between the uniform measures on
// na and nb points,
//
//	min_π Σ_ij π_ij c_ij,  π ≥ 0,  Σ_j π_ij = 1/na,  Σ_i π_ij = 1/nb,
//
// for the na×nb row-major cost matrix c. For na = nb = n it solves one n×n
// assignment and returns its total divided by n. For unequal sizes both
// measures are written as uniform measures on L = lcm(na, nb) copies (each
// point repeated L/na or L/nb times), whose optimal plan is again a
// permutation, so the result is exact; L must not exceed MaxN (this is the
// error returned for, e.g., 1000 against 999). Costs must be finite.
func OT(c []float64, na, nb int) (float64, error) {
	l, err := transportSize(na, nb)
	if err != nil {
		return 0, err
	}
	if len(c) != na*nb {
		return 0, fmt.Errorf("%w: cost matrix has %d entries, want %d×%d", ErrDim, len(c), na, nb)
	}
	if err := checkFinite(c); err != nil {
		return 0, fmt.Errorf("cost matrix: %w", err)
	}
	m := c
	if l != na || l != nb {
		ka, kb := l/na, l/nb
		m = make([]float64, l*l)
		for r := range l {
			src := c[(r/ka)*nb : (r/ka+1)*nb]
			dst := m[r*l : (r+1)*l]
			for s := range l {
				dst[s] = src[s/kb]
			}
		}
	}
	var as Assigner
	perm := make([]int, l)
	total := as.Solve(m, l, perm)
	return total / float64(l), nil
}

// SqDist returns the na×nb row-major matrix of squared Euclidean distances
// ‖a_i − b_j‖² between flattened samples, computed from differences (not the
// ‖a‖² + ‖b‖² − 2a·b expansion) so that identical rows give exactly 0. Rows
// are spread over p (nil means one worker); the result does not depend on
// the worker count.
func SqDist(a, b Set, p *engine.Pool) ([]float64, error) {
	if err := checkPair(a, b); err != nil {
		return nil, err
	}
	na, nb := a.Len(), b.Len()
	if _, err := transportSize(na, nb); err != nil {
		return nil, err
	}
	out := make([]float64, na*nb)
	sqDistRows(out, a, b, poolOrSerial(p))
	return out, nil
}

// sqDistRows fills out with ‖a_i − b_j‖², blocking over columns so a tile of
// b stays in cache while a chunk of a's rows streams past it.
func sqDistRows(out []float64, a, b Set, p *engine.Pool) {
	na, nb, d := a.Len(), b.Len(), a.Dim
	const colBlock = 64
	p.For(na, rowGrain, func(_, lo, hi int) {
		for j0 := 0; j0 < nb; j0 += colBlock {
			j1 := min(j0+colBlock, nb)
			for i := lo; i < hi; i++ {
				ai := a.Data[i*d : (i+1)*d : (i+1)*d]
				row := out[i*nb : (i+1)*nb]
				for j := j0; j < j1; j++ {
					row[j] = sqDiff(ai, b.Data[j*d:(j+1)*d:(j+1)*d])
				}
			}
		}
	})
}

// sqDiff returns ‖x − y‖² with four partial sums; len(y) must equal len(x).
func sqDiff(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(x); k += 4 {
		d0 := x[k] - y[k]
		d1 := x[k+1] - y[k+1]
		d2 := x[k+2] - y[k+2]
		d3 := x[k+3] - y[k+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; k < len(x); k++ {
		d := x[k] - y[k]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// XW2 returns x_w2 = √(min_π Σ π_ij ‖a_i − b_j‖²), the exact 2-Wasserstein
// distance between the uniform empirical measures on a and b over flattened
// coordinates, with no centring and no alignment (SPEC §7.1). Centre
// molecules first (Centre). Sizes may differ subject to OT's lcm cap.
func XW2(a, b Set, p *engine.Pool) (float64, error) {
	c, err := SqDist(a, b, p)
	if err != nil {
		return 0, err
	}
	w, err := OT(c, a.Len(), b.Len())
	if err != nil {
		return 0, err
	}
	return math.Sqrt(w), nil
}

// XW1 returns x_w1 = min_π Σ π_ij ‖a_i − b_j‖, the exact 1-Wasserstein
// distance on flattened coordinates (no root: W1 is already a distance).
func XW1(a, b Set, p *engine.Pool) (float64, error) {
	c, err := SqDist(a, b, p)
	if err != nil {
		return 0, err
	}
	for i, v := range c {
		c[i] = math.Sqrt(v)
	}
	return OT(c, a.Len(), b.Len())
}
