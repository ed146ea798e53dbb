package metrics

import (
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// Stream tags keep the random streams of different uses of one seed apart.
const (
	tagDraw   = 0x64726177 // "draw"
	tagRotate = 0x726f7461 // "rota"
)

// RandomRotation writes to r (space×space, row-major) a rotation drawn
// uniformly (Haar measure) from SO(space), space 2 or 3: Gram–Schmidt
// orthonormalisation of a matrix of standard normals drawn from st (a QR
// factorisation whose R has a positive diagonal, which makes Q Haar on
// O(space)), then, if det Q = −1, the first column is negated, which maps
// Haar on O(space) onto Haar on SO(space). It panics if space is not 2 or 3
// or len(r) != space² (programmer errors).
func RandomRotation(st *engine.Stream, space int, r []float64) {
	if space != 2 && space != 3 {
		panic("metrics: RandomRotation: space must be 2 or 3")
	}
	if len(r) != space*space {
		panic("metrics: RandomRotation: len(r) != space*space")
	}
	for {
		for i := range r {
			r[i] = st.Norm()
		}
		// Two passes: the second restores orthogonality to rounding level
		// when the Gaussian matrix is ill-conditioned ("twice is enough").
		if gramSchmidt(r, space) && gramSchmidt(r, space) {
			break
		}
	}
	if det(r, space) < 0 {
		for i := range space {
			r[i*space] = -r[i*space]
		}
	}
}

// gramSchmidt orthonormalises the columns of the space×space matrix q in
// place (modified Gram–Schmidt); it reports false for a (numerically)
// singular input, which has probability zero for Gaussian entries.
func gramSchmidt(q []float64, space int) bool {
	for k := range space {
		for m := range k {
			var d float64
			for i := range space {
				d += q[i*space+k] * q[i*space+m]
			}
			for i := range space {
				q[i*space+k] -= d * q[i*space+m]
			}
		}
		var nn float64
		for i := range space {
			nn += q[i*space+k] * q[i*space+k]
		}
		if !(nn > 1e-20) {
			return false
		}
		nn = math.Sqrt(nn)
		for i := range space {
			q[i*space+k] /= nn
		}
	}
	return true
}

func det(r []float64, space int) float64 {
	if space == 2 {
		return r[0]*r[3] - r[1]*r[2]
	}
	return r[0]*(r[4]*r[8]-r[5]*r[7]) - r[1]*(r[3]*r[8]-r[5]*r[6]) + r[2]*(r[3]*r[7]-r[4]*r[6])
}

// RotateEach returns a copy of s in which every configuration is centred
// and then rotated about the origin by its own independent uniform random
// rotation (SPEC §7.3). The rotation of configuration i is drawn from the
// stream keyed (seed, stream, i), so it does not depend on anything else.
func RotateEach(s Set, space int, seed, stream uint64) (Set, error) {
	c, err := Centre(s, space)
	if err != nil {
		return Set{}, err
	}
	var r [9]float64
	rr := r[:space*space]
	tmp := make([]float64, space)
	for i := range c.Len() {
		st := engine.NewStream(seed, tagRotate, stream, uint64(i))
		RandomRotation(&st, space, rr)
		x := c.Row(i)
		for p := 0; p < len(x); p += space {
			for k := range space {
				var v float64
				for l := range space {
					v += rr[k*space+l] * x[p+l]
				}
				tmp[k] = v
			}
			copy(x[p:p+space], tmp)
		}
	}
	return c, nil
}

// SampleIndices returns n distinct indices drawn uniformly without
// replacement from [0, total) by a partial Fisher–Yates shuffle on the
// stream keyed (seed, stream).
func SampleIndices(total, n int, seed, stream uint64) ([]int, error) {
	if n <= 0 || n > total {
		return nil, fmt.Errorf("metrics: cannot draw %d of %d samples without replacement", n, total)
	}
	st := engine.NewStream(seed, tagDraw, stream)
	perm := make([]int, total)
	for i := range perm {
		perm[i] = i
	}
	for i := range n {
		j := i + st.IntN(total-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm[:n:n], nil
}

// Subset returns the batch made of the given rows of b (copied), carrying
// energies along when b has them.
func (b Batch) Subset(idx []int) Batch {
	d := b.X.Dim
	out := Batch{X: Set{Data: make([]float64, 0, len(idx)*d), Dim: d}}
	if b.Energy != nil {
		out.Energy = make([]float64, 0, len(idx))
	}
	for _, i := range idx {
		if d > 0 {
			out.X.Data = append(out.X.Data, b.X.Row(i)...)
		}
		if b.Energy != nil {
			out.Energy = append(out.Energy, b.Energy[i])
		}
	}
	return out
}

// DrawPair draws two reference batches of n samples each for floor number k:
// if refB has no samples, two disjoint batches from refA (one shuffle, first
// and second n); otherwise n from refA and n from refB. With rotate set
// (space 2 or 3), every configuration of both batches is centred and given
// an independent uniform random rotation, as SPEC §7.3 requires for
// floor_x_w2. All randomness derives from (seed, k).
func DrawPair(refA, refB Batch, n int, seed, k uint64, rotate bool, space int) (Batch, Batch, error) {
	var a, b Batch
	if refB.Len() == 0 {
		idx, err := SampleIndices(refA.Len(), 2*n, seed, 2*k)
		if err != nil {
			return a, b, fmt.Errorf("disjoint floor batches: %w", err)
		}
		a, b = refA.Subset(idx[:n]), refA.Subset(idx[n:])
	} else {
		ia, err := SampleIndices(refA.Len(), n, seed, 2*k)
		if err != nil {
			return a, b, err
		}
		ib, err := SampleIndices(refB.Len(), n, seed, 2*k+1)
		if err != nil {
			return a, b, err
		}
		a, b = refA.Subset(ia), refB.Subset(ib)
	}
	if rotate {
		var err error
		if a.X, err = RotateEach(a.X, space, seed, 2*k); err != nil {
			return a, b, err
		}
		if b.X, err = RotateEach(b.X, space, seed, 2*k+1); err != nil {
			return a, b, err
		}
	}
	return a, b, nil
}
