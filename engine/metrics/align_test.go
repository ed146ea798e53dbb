package metrics

import (
	"errors"
	"math"
	"testing"

	"github.com/idem-project/idem/engine"
	"gonum.org/v1/gonum/mat"
)

// applyRows returns the configuration with every particle mapped x ↦ Q·x.
func applyRows(q []float64, x []float64, space int) []float64 {
	out := make([]float64, len(x))
	for p := 0; p < len(x); p += space {
		for k := range space {
			for l := range space {
				out[p+k] += q[k*space+l] * x[p+l]
			}
		}
	}
	return out
}

func transpose(q []float64, space int) []float64 {
	t := make([]float64, len(q))
	for k := range space {
		for l := range space {
			t[l*space+k] = q[k*space+l]
		}
	}
	return t
}

func centred(x []float64, space int) []float64 {
	y := append([]float64(nil), x...)
	centreRow(y, space)
	return y
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// checkOrthogonal fails unless RᵀR = I.
func checkOrthogonal(t *testing.T, r []float64, space int) {
	t.Helper()
	for i := range space {
		for j := range space {
			var s float64
			for k := range space {
				s += r[k*space+i] * r[k*space+j]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(s-want) > 1e-12 {
				t.Fatalf("R not orthogonal: %v", r)
			}
		}
	}
}

func TestKabschRecoversRotation(t *testing.T) {
	for _, space := range []int{2, 3} {
		for trial := range 20 {
			st := engine.NewStream(21, uint64(space), uint64(trial))
			a := make([]float64, 13*space)
			st.FillNorm(a)
			a = centred(a, space)
			q := make([]float64, space*space)
			RandomRotation(&st, space, q)
			if trial%2 == 1 { // a reflection: negate the last column
				for i := range space {
					q[i*space+space-1] = -q[i*space+space-1]
				}
			}
			b := applyRows(transpose(q, space), a, space) // b = Qᵀa, so R·b = a needs R = Q
			r, err := Kabsch(a, b, space)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(r, q); d > 1e-12 {
				t.Fatalf("space=%d trial=%d: |R − Q| = %g", space, trial, d)
			}
		}
	}
}

// Rank-deficient H (collinear or coplanar particles): R must still be
// orthogonal and map b exactly onto a.
func TestKabschDegenerate(t *testing.T) {
	st := engine.NewStream(5)
	for _, space := range []int{2, 3} {
		for _, rank := range []int{0, 1, 2} {
			if rank >= space && rank > 0 {
				continue
			}
			a := make([]float64, 6*space)
			for p := range 6 {
				for k := range rank {
					a[p*space+k] = st.Norm()
				}
			}
			a = centred(a, space)
			q := make([]float64, space*space)
			RandomRotation(&st, space, q)
			b := applyRows(transpose(q, space), a, space)
			r, err := Kabsch(a, b, space)
			if err != nil {
				t.Fatal(err)
			}
			checkOrthogonal(t, r, space)
			if d := maxAbsDiff(applyRows(r, b, space), a); d > 1e-12 {
				t.Fatalf("space=%d rank=%d: |R·b − a| = %g", space, rank, d)
			}
		}
	}
}

// gonumKabsch is the oracle: R = V·Uᵀ from gonum's SVD of H = Σ b_p a_pᵀ.
func gonumKabsch(a, b []float64, space int) []float64 {
	n := len(a) / space
	am := mat.NewDense(n, space, append([]float64(nil), a...))
	bm := mat.NewDense(n, space, append([]float64(nil), b...))
	var h mat.Dense
	h.Mul(bm.T(), am)
	var svd mat.SVD
	if !svd.Factorize(&h, mat.SVDFull) {
		panic("SVD failed")
	}
	var u, v, r mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	r.Mul(&v, u.T())
	return r.RawMatrix().Data
}

// Noisy, unrelated configurations: the Jacobi SVD must give gonum's R.
func TestKabschMatchesGonum(t *testing.T) {
	for _, space := range []int{2, 3} {
		for trial := range 50 {
			st := engine.NewStream(33, uint64(space), uint64(trial))
			a := make([]float64, 13*space)
			b := make([]float64, 13*space)
			st.FillNorm(a)
			st.FillNorm(b)
			a, b = centred(a, space), centred(b, space)
			r, err := Kabsch(a, b, space)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(r, gonumKabsch(a, b, space)); d > 1e-9 {
				t.Fatalf("space=%d trial=%d: differs from gonum by %g", space, trial, d)
			}
		}
	}
	if _, err := Kabsch([]float64{1, 2}, []float64{1, 2, 3}, 2); !errors.Is(err, ErrDim) {
		t.Errorf("length mismatch: %v", err)
	}
	if _, err := Kabsch([]float64{1, 2, 3, 4}, []float64{1, 2, 3, 4}, 4); !errors.Is(err, ErrDim) {
		t.Errorf("space 4: %v", err)
	}
	if _, err := Kabsch([]float64{1, math.NaN()}, []float64{1, 2}, 2); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN: %v", err)
	}
}

// The aligned pair cost against an independent pipeline: brute-force
// particle matching (all N! permutations of the particle-distance sum),
// gonum SVD Kabsch, then the residual.
func TestAlignedPairCostOracle(t *testing.T) {
	const np, space = 6, 2
	for trial := range 10 {
		st := engine.NewStream(44, uint64(trial))
		a := make([]float64, np*space)
		b := make([]float64, np*space)
		st.FillNorm(a)
		st.FillNorm(b)
		a, b = centred(a, space), centred(b, space)
		dist := make([]float64, np*np)
		for p := range np {
			for q := range np {
				dist[p*np+q] = math.Hypot(a[p*space]-b[q*space], a[p*space+1]-b[q*space+1])
			}
		}
		best := bruteAssign(dist, np)
		al := newAligner(np*space, space)
		got := al.cost(a, b)
		var s float64
		for p, q := range al.perm {
			s += dist[p*np+q]
		}
		if math.Abs(s-best) > 1e-12 {
			t.Fatalf("trial %d: matching total %v, brute force %v", trial, s, best)
		}
		bp := make([]float64, len(b))
		for p, q := range al.perm {
			copy(bp[p*space:(p+1)*space], b[q*space:(q+1)*space])
		}
		rb := applyRows(gonumKabsch(a, bp, space), bp, space)
		var ss float64
		for i := range a {
			ss += (a[i] - rb[i]) * (a[i] - rb[i])
		}
		if math.Abs(got-math.Sqrt(ss)) > 1e-10 {
			t.Fatalf("trial %d: cost %v, oracle %v", trial, got, math.Sqrt(ss))
		}
	}
}

// perturbedCopies returns, for each configuration of a (nearly planar in z
// for D = 3), a copy that is translated, reflected (z ↦ −z, or y ↦ −y in
// 2-D), rotated by a small angle, particle-permuted and placed at a shuffled
// row. The particle matching then recovers the true correspondence, and
// since reflections are allowed the aligned cost is ~0.
func perturbedCopies(a Set, space int, seed uint64) Set {
	n, np := a.Len(), a.Dim/space
	rows, _ := SampleIndices(n, n, seed, 1)
	out := Set{Data: make([]float64, 0, len(a.Data)), Dim: a.Dim}
	for i, src := range rows {
		st := engine.NewStream(seed, 2, uint64(i))
		x := append([]float64(nil), a.Row(src)...)
		// Reflect the thin direction.
		for p := range np {
			x[p*space+space-1] = -x[p*space+space-1]
		}
		// Small rotation about the thin axis's normal plane (angle ≤ 0.05).
		th := 0.05 * (2*st.Float64() - 1)
		c, s := math.Cos(th), math.Sin(th)
		for p := range np {
			u, v := x[p*space], x[p*space+1]
			x[p*space], x[p*space+1] = c*u-s*v, s*u+c*v
		}
		perm, _ := SampleIndices(np, np, seed, 100+uint64(i))
		y := make([]float64, len(x))
		for p, q := range perm {
			copy(y[q*space:(q+1)*space], x[p*space:(p+1)*space])
		}
		for p := range np { // translate
			for k := range space {
				y[p*space+k] += float64(k + 1)
			}
		}
		out.Data = append(out.Data, y...)
	}
	return out
}

// thinSet returns n configurations of np particles spread out in the first
// space−1 coordinates and thin in the last.
func thinSet(n, np, space int, seed uint64) Set {
	s := randomSet(n, np*space, seed)
	for i := range s.Len() {
		x := s.Row(i)
		for p := range np {
			for k := range space - 1 {
				x[p*space+k] *= 3
			}
			x[p*space+space-1] *= 0.01
		}
	}
	return s
}

func TestAlignedPermutedReflectedCopies(t *testing.T) {
	for _, space := range []int{2, 3} {
		a := thinSet(40, 7, space, 8)
		if space == 2 {
			// In 2-D "thin" means nearly collinear along x.
			for i := range a.Len() {
				x := a.Row(i)
				for p := range 7 {
					x[2*p] *= 2
				}
			}
		}
		b := perturbedCopies(a, space, 3)
		p := engine.NewPool(2)
		w2, w1, err := XAligned(a, b, space, p)
		if err != nil {
			t.Fatal(err)
		}
		if w2 > 1e-9 || w1 > 1e-9 {
			t.Fatalf("space=%d: aligned W2 %g, W1 %g; want ≈ 0", space, w2, w1)
		}
		ac, _ := Centre(a, space)
		bc, _ := Centre(b, space)
		if u, _ := XW2(ac, bc, p); u < 0.1 {
			t.Fatalf("space=%d: unaligned x_w2 = %v should be far from 0", space, u)
		}
		// With the det-sign correction the reflected copies would not align:
		// check the reflection is really there by aligning with a proper
		// rotation only.
		rows, _ := SampleIndices(a.Len(), a.Len(), 3, 1) // b's row 0 is a's row rows[0]
		al := newAligner(a.Dim, space)
		if c := al.cost(ac.Row(rows[0]), bc.Row(0)); c > 1e-9 {
			t.Fatalf("space=%d: pair cost %g", space, c)
		}
		for p, q := range al.perm {
			copy(al.bp[p*space:(p+1)*space], bc.Row(0)[q*space:(q+1)*space])
		}
		r, _ := Kabsch(ac.Row(rows[0]), al.bp, space)
		if det(r, space) > 0 {
			t.Fatalf("space=%d: expected an improper R, det = %v", space, det(r, space))
		}
	}
}

func TestAlignedWorkersBitIdentical(t *testing.T) {
	a, b := randomSet(23, 39, 1), randomSet(19, 39, 2)
	c1, err := AlignedCost(a, b, 3, engine.NewPool(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 4} {
		c2, _ := AlignedCost(a, b, 3, engine.NewPool(w))
		for i := range c1 {
			if c1[i] != c2[i] {
				t.Fatalf("workers=%d: entry %d differs", w, i)
			}
		}
	}
	// Aligned costs never exceed the plain distance of the centred
	// configurations with the same particle order by more than… nothing:
	// Kabsch is optimal for the matched order, so compare against R = I on
	// the matched order instead.
	al := newAligner(39, 3)
	ac, _ := Centre(a, 3)
	bc, _ := Centre(b, 3)
	for j := range bc.Len() {
		c := al.cost(ac.Row(0), bc.Row(j))
		var ss float64
		for p, q := range al.perm {
			for k := range 3 {
				d := ac.Row(0)[3*p+k] - bc.Row(j)[3*q+k]
				ss += d * d
			}
		}
		if c > math.Sqrt(ss)+1e-12 {
			t.Fatalf("aligned cost %v exceeds the unrotated matched distance %v", c, math.Sqrt(ss))
		}
	}
	if _, err := AlignedCost(a, b, 2, nil); !errors.Is(err, ErrDim) {
		t.Errorf("39 not divisible by 2: %v", err)
	}
}
