package metrics

import (
	"errors"
	"math"
	"testing"

	"github.com/idem-project/idem/engine"
)

// Comparing a set with its own shift by v gives exactly ‖v‖ for both W2 and
// W1: for any coupling with equal marginals the cross term vanishes, so the
// identity is optimal. The shifted copy is also row-permuted.
func TestXWShiftedSelf(t *testing.T) {
	const n, d = 300, 7
	a := randomSet(n, d, 3)
	v := []float64{0.5, -1, 2, 0, 0.25, -0.75, 1.5}
	var vn float64
	for _, x := range v {
		vn += x * x
	}
	vn = math.Sqrt(vn)
	idx, _ := SampleIndices(n, n, 9, 0)
	b := Set{Data: make([]float64, 0, n*d), Dim: d}
	for _, i := range idx {
		for k, x := range a.Row(i) {
			b.Data = append(b.Data, x+v[k])
		}
	}
	p := engine.NewPool(2)
	w2, err := XW2(a, b, p)
	if err != nil {
		t.Fatal(err)
	}
	w1, err := XW1(a, b, p)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(w2-vn) > 1e-9 || math.Abs(w1-vn) > 1e-9 {
		t.Fatalf("x_w2 = %v, x_w1 = %v, want ‖v‖ = %v", w2, w1, vn)
	}
	// Independent Gaussian sets: shifting one by v raises W2² by exactly
	// ‖v‖² + 2v·(mean difference) only for the identity coupling; at least
	// the distance must exceed ‖v‖ − ‖Δmean‖ and be finite.
	c := randomSet(n, d, 4)
	w, err := XW2(a, c, p)
	if err != nil || !(w > 0) || math.IsInf(w, 0) {
		t.Fatalf("independent sets: x_w2 = %v, %v", w, err)
	}
}

func TestXWIdentical(t *testing.T) {
	a := randomSet(50, 13, 5)
	for _, f := range []func(Set, Set, *engine.Pool) (float64, error){XW2, XW1} {
		w, err := f(a, a.Clone(), nil)
		if err != nil || w != 0 {
			t.Fatalf("identical sets: %v, %v", w, err)
		}
	}
}

// In one dimension the optimal assignment is the sorted matching, so the
// assignment solver must agree with the quantile formula, for equal and for
// unequal sizes (the latter through lcm replication).
func TestXWOneDimensionMatchesSorted(t *testing.T) {
	for _, sz := range [][2]int{{200, 200}, {4, 6}, {30, 45}, {7, 1}} {
		a, b := randomSet(sz[0], 1, 11), randomSet(sz[1], 1, 12)
		for i := range b.Data {
			b.Data[i] = 2*b.Data[i] + 0.3
		}
		w2, err := XW2(a, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		w1, err := XW1(a, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := Compare1D(a.Data, b.Data)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(w2-ref.W2()) > 1e-12 || math.Abs(w1-ref.W1) > 1e-12 {
			t.Fatalf("sizes %v: assignment W2 %v W1 %v, sorted W2 %v W1 %v", sz, w2, w1, ref.W2(), ref.W1)
		}
	}
}

func TestXWWorkersBitIdentical(t *testing.T) {
	a, b := randomSet(37, 9, 1), randomSet(37, 9, 2)
	c1, err := SqDist(a, b, engine.NewPool(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 3, 5} {
		c2, _ := SqDist(a, b, engine.NewPool(w))
		for i := range c1 {
			if c1[i] != c2[i] {
				t.Fatalf("workers=%d: entry %d differs", w, i)
			}
		}
	}
}

func TestXWInputErrors(t *testing.T) {
	good := randomSet(4, 3, 1)
	nan := good.Clone()
	nan.Data[5] = math.NaN()
	inf := good.Clone()
	inf.Data[0] = math.Inf(-1)
	cases := []struct {
		name string
		a, b Set
		want error
	}{
		{"dim mismatch", good, randomSet(4, 2, 1), ErrDim},
		{"ragged", good, Set{Data: make([]float64, 7), Dim: 3}, ErrDim},
		{"zero dim", good, Set{Data: nil, Dim: 0}, ErrDim},
		{"empty", good, Set{Data: nil, Dim: 3}, ErrEmpty},
		{"NaN", good, nan, ErrNonFinite},
		{"Inf", inf, good, ErrNonFinite},
		{"lcm over cap", randomSet(1000, 1, 1), randomSet(999, 1, 2), ErrTooLarge},
		{"side over cap", Set{Data: make([]float64, MaxN+1), Dim: 1}, Set{Data: make([]float64, MaxN+1), Dim: 1}, ErrTooLarge},
	}
	for _, c := range cases {
		for name, f := range map[string]func(Set, Set, *engine.Pool) (float64, error){"XW2": XW2, "XW1": XW1} {
			if _, err := f(c.a, c.b, nil); !errors.Is(err, c.want) {
				t.Errorf("%s %s: err = %v, want %v", name, c.name, err, c.want)
			}
		}
	}
	if _, err := OT([]float64{1, 2, 3}, 2, 2); !errors.Is(err, ErrDim) {
		t.Errorf("OT short matrix: %v", err)
	}
	if _, err := OT([]float64{1, math.NaN(), 3, 4}, 2, 2); !errors.Is(err, ErrNonFinite) {
		t.Errorf("OT NaN: %v", err)
	}
}

// OT between 2 and 4 points: each of a's points sends ½ to two of b's.
func TestOTUnequalByHand(t *testing.T) {
	// a = {0, 10}, b = {0, 1, 9, 10} on a line, cost |a−b|: optimal sends a₀
	// to {0, 1} and a₁ to {9, 10}: (0 + 1 + 1 + 0)/4 = 0.5.
	a, b := []float64{0, 10}, []float64{0, 1, 9, 10}
	c := make([]float64, 8)
	for i, x := range a {
		for j, y := range b {
			c[i*4+j] = math.Abs(x - y)
		}
	}
	got, err := OT(c, 2, 4)
	if err != nil || got != 0.5 {
		t.Fatalf("OT = %v, %v; want 0.5", got, err)
	}
}
