package metrics

import (
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// Kabsch returns the orthogonal space×space matrix R (row-major) that
// minimises Σ_p ‖a_p − R·b_p‖² over all orthogonal matrices, reflections
// included (no det-sign correction, SPEC §7.1). a and b hold the same number
// of particles, flattened as (x₁, y₁[, z₁], x₂, …); space is 2 or 3. The
// particles are used as given: centre both configurations first.
//
// With H = Σ_p b_p a_pᵀ = U·S·Vᵀ, R = V·Uᵀ. The SVD is a one-sided Jacobi
// iteration on H, so singular values are accurate relative to ‖H‖; where H
// is rank-deficient the missing columns of U are completed orthonormally
// (any completion is optimal).
func Kabsch(a, b []float64, space int) ([]float64, error) {
	if space != 2 && space != 3 {
		return nil, fmt.Errorf("%w: spatial dimension %d (want 2 or 3)", ErrDim, space)
	}
	if len(a) != len(b) || len(a) == 0 || len(a)%space != 0 {
		return nil, fmt.Errorf("%w: configurations of length %d and %d for spatial dimension %d", ErrDim, len(a), len(b), space)
	}
	if err := checkFinite(a); err != nil {
		return nil, err
	}
	if err := checkFinite(b); err != nil {
		return nil, err
	}
	var r [9]float64
	kabsch(a, b, space, &r)
	out := make([]float64, space*space)
	for k := range space {
		for l := range space {
			out[k*space+l] = r[k*3+l]
		}
	}
	return out, nil
}

// kabsch writes R into r as a 3×3 row-major block (the leading space×space
// part is used).
func kabsch(a, b []float64, space int, r *[9]float64) {
	var h [9]float64 // H[k][l] = Σ_p b_pk a_pl, stride 3
	if space == 3 {
		for p := 0; p+3 <= len(a); p += 3 {
			b0, b1, b2 := b[p], b[p+1], b[p+2]
			a0, a1, a2 := a[p], a[p+1], a[p+2]
			h[0] += b0 * a0
			h[1] += b0 * a1
			h[2] += b0 * a2
			h[3] += b1 * a0
			h[4] += b1 * a1
			h[5] += b1 * a2
			h[6] += b2 * a0
			h[7] += b2 * a1
			h[8] += b2 * a2
		}
	} else {
		for p := 0; p+2 <= len(a); p += 2 {
			b0, b1 := b[p], b[p+1]
			a0, a1 := a[p], a[p+1]
			h[0] += b0 * a0
			h[1] += b0 * a1
			h[3] += b1 * a0
			h[4] += b1 * a1
		}
	}
	polar(&h, space, r)
}

// polar computes R = V·Uᵀ for H = U·S·Vᵀ (space×space block of a stride-3
// matrix) by one-sided Jacobi: rotate the columns of W = H·V until they are
// mutually orthogonal; then σ_k = ‖W_k‖ and U_k = W_k/σ_k.
func polar(h *[9]float64, space int, r *[9]float64) {
	w := *h
	v := [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	for sweep := 0; sweep < 60; sweep++ {
		rotated := false
		for p := 0; p < space-1; p++ {
			for q := p + 1; q < space; q++ {
				var alpha, beta, gamma float64
				for k := range space {
					wp, wq := w[k*3+p], w[k*3+q]
					alpha += wp * wp
					beta += wq * wq
					gamma += wp * wq
				}
				if gamma == 0 || math.Abs(gamma) <= 1e-15*math.Sqrt(alpha*beta) {
					continue
				}
				rotated = true
				zeta := (beta - alpha) / (2 * gamma)
				t := math.Copysign(1, zeta) / (math.Abs(zeta) + math.Sqrt(1+zeta*zeta))
				c := 1 / math.Sqrt(1+t*t)
				s := c * t
				for k := range space {
					wp, wq := w[k*3+p], w[k*3+q]
					w[k*3+p] = c*wp - s*wq
					w[k*3+q] = s*wp + c*wq
					vp, vq := v[k*3+p], v[k*3+q]
					v[k*3+p] = c*vp - s*vq
					v[k*3+q] = s*vp + c*vq
				}
			}
		}
		if !rotated {
			break
		}
	}
	// U's columns from W's; complete the null directions.
	var u [9]float64
	var sig [3]float64
	smax := 0.0
	for k := range space {
		var ss float64
		for i := range space {
			ss += w[i*3+k] * w[i*3+k]
		}
		sig[k] = math.Sqrt(ss)
		smax = math.Max(smax, sig[k])
	}
	var good [3]bool
	for k := range space {
		if sig[k] > 1e-13*smax && sig[k] > 0 {
			good[k] = true
			for i := range space {
				u[i*3+k] = w[i*3+k] / sig[k]
			}
		}
	}
	completeBasis(&u, good, space)
	// R = V·Uᵀ.
	*r = [9]float64{}
	for i := range space {
		for j := range space {
			var s float64
			for k := range space {
				s += v[i*3+k] * u[j*3+k]
			}
			r[i*3+j] = s
		}
	}
}

// completeBasis fills the columns of u not marked good with unit vectors
// orthogonal to all others (Gram–Schmidt against the standard basis).
func completeBasis(u *[9]float64, good [3]bool, space int) {
	for k := range space {
		if good[k] {
			continue
		}
		for e := range space {
			var x [3]float64
			x[e] = 1
			for m := range space {
				if m == k || !(good[m]) {
					continue
				}
				var d float64
				for i := range space {
					d += x[i] * u[i*3+m]
				}
				for i := range space {
					x[i] -= d * u[i*3+m]
				}
			}
			var nn float64
			for i := range space {
				nn += x[i] * x[i]
			}
			if nn > 0.25 { // at most two of the three basis vectors are close to the span
				nn = math.Sqrt(nn)
				for i := range space {
					u[i*3+k] = x[i] / nn
				}
				good[k] = true
				break
			}
		}
	}
}

// aligner holds one worker's scratch for aligned pair costs.
type aligner struct {
	space int
	as    Assigner
	dist  []float64
	perm  []int
	bp    []float64
}

func newAligner(dim, space int) *aligner {
	n := dim / space
	return &aligner{space: space, dist: make([]float64, n*n), perm: make([]int, n), bp: make([]float64, dim)}
}

// cost returns ‖a − R·b^perm‖ for centred configurations a and b: the
// particles of b are matched to those of a by an assignment on the N×N
// particle distances ‖a_p − b_q‖, then R is the Kabsch rotation (reflections
// allowed) of the permuted b onto a.
func (al *aligner) cost(a, b []float64) float64 {
	d := al.space
	n := len(a) / d
	dist := al.dist
	if d == 3 {
		for p := range n {
			ax, ay, az := a[3*p], a[3*p+1], a[3*p+2]
			row := dist[p*n : (p+1)*n]
			for q := range row {
				dx, dy, dz := ax-b[3*q], ay-b[3*q+1], az-b[3*q+2]
				row[q] = math.Sqrt(dx*dx + dy*dy + dz*dz)
			}
		}
	} else {
		for p := range n {
			ax, ay := a[2*p], a[2*p+1]
			row := dist[p*n : (p+1)*n]
			for q := range row {
				dx, dy := ax-b[2*q], ay-b[2*q+1]
				row[q] = math.Sqrt(dx*dx + dy*dy)
			}
		}
	}
	al.as.Solve(dist, n, al.perm)
	bp := al.bp
	for p, q := range al.perm {
		copy(bp[p*d:(p+1)*d], b[q*d:(q+1)*d])
	}
	var r [9]float64
	kabsch(a, bp, d, &r)
	var ss float64
	if d == 3 {
		for p := 0; p < len(a); p += 3 {
			x, y, z := bp[p], bp[p+1], bp[p+2]
			e0 := a[p] - (r[0]*x + r[1]*y + r[2]*z)
			e1 := a[p+1] - (r[3]*x + r[4]*y + r[5]*z)
			e2 := a[p+2] - (r[6]*x + r[7]*y + r[8]*z)
			ss += e0*e0 + e1*e1 + e2*e2
		}
	} else {
		for p := 0; p < len(a); p += 2 {
			x, y := bp[p], bp[p+1]
			e0 := a[p] - (r[0]*x + r[1]*y)
			e1 := a[p+1] - (r[3]*x + r[4]*y)
			ss += e0*e0 + e1*e1
		}
	}
	return math.Sqrt(ss)
}

// AlignedCost returns the na×nb row-major matrix of aligned distances
// c_ij = ‖a_i − R·b_j^perm‖ of SPEC §7.1: both sets are centred (copies),
// the particles of b_j are reordered by an exact assignment on the N×N
// particle-distance matrix against a_i, and the reordered b_j is Kabsch-
// aligned onto a_i with reflections allowed. space is the spatial dimension
// D (2 or 3). The n_a·n_b alignments are spread over p (nil means one
// worker); each entry is computed independently, so the result is identical
// for any worker count.
func AlignedCost(a, b Set, space int, p *engine.Pool) ([]float64, error) {
	if err := checkPair(a, b); err != nil {
		return nil, err
	}
	if err := checkSpace(a, space); err != nil {
		return nil, err
	}
	na, nb := a.Len(), b.Len()
	if _, err := transportSize(na, nb); err != nil {
		return nil, err
	}
	ac, _ := Centre(a, space)
	bc, _ := Centre(b, space)
	p = poolOrSerial(p)
	scratch := make([]*aligner, p.Workers())
	out := make([]float64, na*nb)
	p.For(na, 1, func(w, lo, hi int) {
		al := scratch[w]
		if al == nil {
			al = newAligner(a.Dim, space)
			scratch[w] = al
		}
		for i := lo; i < hi; i++ {
			ai := ac.Row(i)
			row := out[i*nb : (i+1)*nb]
			for j := range row {
				row[j] = al.cost(ai, bc.Row(j))
			}
		}
	})
	return out, nil
}

// XAligned returns x_w2_aligned = √(min_π Σ π_ij c_ij²) and x_w1_aligned =
// min_π Σ π_ij c_ij for the aligned costs c_ij of AlignedCost, sharing the
// (expensive) cost matrix between the two transport problems.
func XAligned(a, b Set, space int, p *engine.Pool) (w2, w1 float64, err error) {
	c, err := AlignedCost(a, b, space, p)
	if err != nil {
		return 0, 0, err
	}
	na, nb := a.Len(), b.Len()
	if w1, err = OT(c, na, nb); err != nil {
		return 0, 0, err
	}
	for i, v := range c {
		c[i] = v * v
	}
	w2sq, err := OT(c, na, nb)
	if err != nil {
		return 0, 0, err
	}
	return math.Sqrt(w2sq), w1, nil
}

// XW2Aligned returns x_w2_aligned (see XAligned).
func XW2Aligned(a, b Set, space int, p *engine.Pool) (float64, error) {
	c, err := AlignedCost(a, b, space, p)
	if err != nil {
		return 0, err
	}
	for i, v := range c {
		c[i] = v * v
	}
	w, err := OT(c, a.Len(), b.Len())
	return math.Sqrt(w), err
}

// XW1Aligned returns x_w1_aligned (see XAligned).
func XW1Aligned(a, b Set, space int, p *engine.Pool) (float64, error) {
	c, err := AlignedCost(a, b, space, p)
	if err != nil {
		return 0, err
	}
	return OT(c, a.Len(), b.Len())
}
