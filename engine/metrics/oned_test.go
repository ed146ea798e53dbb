package metrics

import (
	"errors"
	"math"
	"testing"
)

func TestCompare1DByHand(t *testing.T) {
	cases := []struct {
		a, b     []float64
		w1, w2sq float64
	}{
		// Sorted pairs (0,1), (1,2), (3,6): |d| = 1, 1, 3.
		{[]float64{3, 0, 1}, []float64{6, 1, 2}, 5.0 / 3, 11.0 / 3},
		// Quantiles: A = 0,1,2,3 on quarters; B = 0 then 3 on halves.
		{[]float64{0, 1, 2, 3}, []float64{3, 0}, 0.5, 0.5},
		{[]float64{0, 2}, []float64{1}, 1, 1},
		{[]float64{5}, []float64{5}, 0, 0},
	}
	for _, c := range cases {
		for _, swap := range []bool{false, true} {
			a, b := c.a, c.b
			if swap {
				a, b = b, a
			}
			d, err := Compare1D(a, b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(d.W1-c.w1) > 1e-15 || math.Abs(d.W2Sq-c.w2sq) > 1e-15 || math.Abs(d.W2()-math.Sqrt(c.w2sq)) > 1e-15 {
				t.Errorf("%v vs %v: W1 %v W2² %v, want %v %v", a, b, d.W1, d.W2Sq, c.w1, c.w2sq)
			}
		}
	}
	in := []float64{3, 1, 2}
	if _, err := Compare1D(in, []float64{0}); err != nil || in[0] != 3 {
		t.Fatal("Compare1D modified its input")
	}
	if _, err := Compare1D(nil, []float64{1}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := Compare1D([]float64{math.NaN()}, []float64{1}); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN: %v", err)
	}
}

func TestHistTVDKnown(t *testing.T) {
	// Two bins on [0, 2]: [0, 1) and [1, 2] (right edge included).
	ref := []float64{0, 1, 2} // counts 1, 2 → p = (1/3, 2/3)
	gen := []float64{0.5, 0.5, 1.5, 5}
	tvd, dropped, err := HistTVD(ref, gen, 2) // q = (2/3, 1/3), one of four dropped
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(tvd-1.0/3) > 1e-15 || dropped != 0.25 {
		t.Fatalf("tvd %v dropped %v, want 1/3 and 1/4", tvd, dropped)
	}
	if tvd, dropped, _ := HistTVD(ref, []float64{2, 2, -1}, 2); math.Abs(tvd-1.0/3) > 1e-15 || math.Abs(dropped-1.0/3) > 1e-15 {
		t.Fatalf("right edge: tvd %v dropped %v, want 1/3 and 1/3", tvd, dropped)
	}
	if tvd, _, _ := HistTVD(ref, []float64{0.1, 0.2}, 2); math.Abs(tvd-2.0/3) > 1e-15 {
		t.Fatalf("all in first bin: tvd %v, want 2/3", tvd)
	}
	if tvd, _, _ := HistTVD(ref, ref, 200); tvd != 0 {
		t.Fatalf("identical: %v", tvd)
	}
	if tvd, dropped, _ := HistTVD(ref, []float64{7, 8}, 200); tvd != 1 || dropped != 1 {
		t.Fatalf("all dropped: %v %v", tvd, dropped)
	}
	// Constant reference: numpy's range [v − ½, v + ½].
	if tvd, dropped, _ := HistTVD([]float64{1, 1}, []float64{0.6, 1.4, 1.6}, 2); tvd != 0.5 || math.Abs(dropped-1.0/3) > 1e-15 {
		t.Fatalf("constant reference: %v %v", tvd, dropped)
	}
	for _, bad := range [][2][]float64{{nil, {1}}, {{1}, nil}, {{math.Inf(1)}, {1}}, {{1}, {math.NaN()}}} {
		if _, _, err := HistTVD(bad[0], bad[1], 200); err == nil {
			t.Errorf("HistTVD(%v, %v): no error", bad[0], bad[1])
		}
	}
	if _, _, err := HistTVD(ref, ref, 0); err == nil {
		t.Error("zero bins: no error")
	}
}

// A value exactly on an interior edge goes to the bin above it, as numpy
// does; the last edge belongs to the last bin.
func TestHistogramEdges(t *testing.T) {
	const bins = 200
	lo, hi := 0.3, 2.9
	edges := make([]float64, bins+1)
	for k := range edges {
		edges[k] = lo + float64(k)*((hi-lo)/bins)
	}
	edges[bins] = hi
	c := histogram(edges, edges)
	for k := range bins - 1 {
		if c[k] != 1 {
			t.Fatalf("bin %d holds %d edges, want 1", k, c[k])
		}
	}
	if c[bins-1] != 2 {
		t.Fatalf("last bin holds %d, want 2", c[bins-1])
	}
}

func TestPairDistances(t *testing.T) {
	// One 2-D triangle (3-4-5) and one collinear 2-D triple.
	s := Set{Data: []float64{0, 0, 3, 0, 0, 4, 0, 0, 1, 0, 2, 0}, Dim: 6}
	d, err := PairDistances(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{3, 4, 5, 1, 2, 1}
	for i := range want {
		if d[i] != want[i] {
			t.Fatalf("distances %v, want %v", d, want)
		}
	}
	if _, err := PairDistances(s, 4); !errors.Is(err, ErrDim) {
		t.Errorf("space 4: %v", err)
	}
	if _, err := PairDistances(Set{Data: []float64{1, 2, 3}, Dim: 3}, 3); !errors.Is(err, ErrDim) {
		t.Errorf("one particle: %v", err)
	}
}
