package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/idem-project/idem/engine"
)

func TestRandomRotation(t *testing.T) {
	for _, space := range []int{2, 3} {
		st := engine.NewStream(1, uint64(space))
		r := make([]float64, space*space)
		mean := make([]float64, space*space)
		const draws = 20000
		for range draws {
			RandomRotation(&st, space, r)
			checkOrthogonal(t, r, space)
			if d := det(r, space); math.Abs(d-1) > 1e-12 {
				t.Fatalf("space=%d: det %v", space, d)
			}
			for i, v := range r {
				mean[i] += v / draws
			}
		}
		// Haar measure has E[R] = 0; each entry has variance 1/space.
		for i, m := range mean {
			if math.Abs(m) > 5/math.Sqrt(float64(space*draws)) {
				t.Fatalf("space=%d: E[R_%d] = %v, want ≈ 0", space, i, m)
			}
		}
	}
}

func TestRotateEachKeepsDistances(t *testing.T) {
	s := randomSet(20, 12, 4)
	r, err := RotateEach(s, 3, 9, 0)
	if err != nil {
		t.Fatal(err)
	}
	d0, _ := PairDistances(s, 3)
	d1, _ := PairDistances(r, 3)
	if m := maxAbsDiff(d0, d1); m > 1e-12 {
		t.Fatalf("distances changed by %g", m)
	}
	c, _ := Centre(s, 3)
	for i := range r.Len() {
		var com [3]float64
		for p := range 4 {
			for k := range 3 {
				com[k] += r.Row(i)[3*p+k]
			}
		}
		if math.Abs(com[0])+math.Abs(com[1])+math.Abs(com[2]) > 1e-12 {
			t.Fatalf("row %d not centred", i)
		}
		if maxAbsDiff(r.Row(i), c.Row(i)) < 1e-3 {
			t.Fatalf("row %d not rotated", i)
		}
	}
	r2, _ := RotateEach(s, 3, 9, 0)
	if maxAbsDiff(r.Data, r2.Data) != 0 {
		t.Fatal("RotateEach not deterministic")
	}
}

func TestSampleIndicesAndDrawPair(t *testing.T) {
	idx, err := SampleIndices(100, 60, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, i := range idx {
		if i < 0 || i >= 100 || seen[i] {
			t.Fatalf("bad draw %v", idx)
		}
		seen[i] = true
	}
	if _, err := SampleIndices(10, 11, 0, 0); err == nil {
		t.Error("overdraw: no error")
	}
	ref := Batch{X: randomSet(100, 6, 1), Energy: make([]float64, 100)}
	for i := range ref.Energy {
		ref.Energy[i] = float64(i)
	}
	a, b, err := DrawPair(ref, Batch{}, 50, 1, 0, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Disjoint: energies are the row indices.
	used := map[float64]bool{}
	for _, e := range append(append([]float64(nil), a.Energy...), b.Energy...) {
		if used[e] {
			t.Fatalf("row %v drawn twice", e)
		}
		used[e] = true
	}
	for i, e := range a.Energy {
		if maxAbsDiff(a.X.Row(i), ref.X.Row(int(e))) != 0 {
			t.Fatal("energies and configurations out of step")
		}
	}
	if _, _, err := DrawPair(ref, Batch{}, 51, 1, 0, false, 0); err == nil {
		t.Error("disjoint overdraw: no error")
	}
}

// mixture2D draws n points from an equal-weight mixture of four unit
// Gaussians at (±5, ±5), with energies E = −log p (up to a constant).
func mixture2D(n int, seed uint64) Batch {
	st := engine.NewStream(seed)
	b := Batch{X: Set{Data: make([]float64, 2*n), Dim: 2}, Energy: make([]float64, n)}
	for i := range n {
		c := st.IntN(4)
		x := 5*float64(2*(c&1)-1) + st.Norm()
		y := 5*float64(2*(c>>1)-1) + st.Norm()
		b.X.Data[2*i], b.X.Data[2*i+1] = x, y
		var p float64
		for k := range 4 {
			dx, dy := x-5*float64(2*(k&1)-1), y-5*float64(2*(k>>1)-1)
			p += math.Exp(-(dx*dx + dy*dy) / 2)
		}
		b.Energy[i] = -math.Log(p)
	}
	return b
}

func TestFloorGaussianMixture(t *testing.T) {
	refA, refB := mixture2D(3000, 1), mixture2D(3000, 2)
	opt := Options{Pool: engine.NewPool(2)}
	f, err := Floor(refA, refB, FloorOptions{N: 300, Batches: 3, Seed: 5}, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range DefaultMetrics(0) {
		s, ok := f[m]
		if !ok || !(s.Mean > 0) || math.IsInf(s.Mean, 0) || !(s.SD >= 0) || s.Batches != 3 {
			t.Fatalf("%s floor %+v", m, s)
		}
	}
	// energy_w2_sq is the square of energy_w2 batch by batch, so its mean is
	// at least the squared mean (Jensen).
	if f[NameEnergyW2Sq].Mean < f[NameEnergyW2].Mean*f[NameEnergyW2].Mean-1e-12 {
		t.Fatalf("floor energy_w2_sq %v < floor energy_w2² %v", f[NameEnergyW2Sq].Mean, f[NameEnergyW2].Mean*f[NameEnergyW2].Mean)
	}
	// A shifted generator must sit clearly above the floor.
	gen := mixture2D(300, 3)
	for i := range gen.X.Data {
		gen.X.Data[i] += 3
	}
	v, err := Compute(gen, refA.Subset(must(SampleIndices(3000, 300, 1, 9))), opt)
	if err != nil {
		t.Fatal(err)
	}
	if v[NameXW2] < 2*f[NameXW2].Mean {
		t.Fatalf("shifted x_w2 %v vs floor %v", v[NameXW2], f[NameXW2].Mean)
	}
	// Disjoint draws from one set, rotation on a plain-vector target is
	// refused.
	if _, err := Floor(refA, Batch{}, FloorOptions{N: 100, Batches: 1, Rotate: true}, opt); err == nil {
		t.Fatal("Rotate with Space 0: no error")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Compute must agree with the individual functions on a molecular case.
func TestComputeMatchesParts(t *testing.T) {
	gen := Batch{X: randomSet(30, 12, 1), Energy: randomSet(30, 1, 2).Data}
	ref := Batch{X: randomSet(40, 12, 3), Energy: randomSet(40, 1, 4).Data}
	for i := range ref.X.Data { // move the reference off-centre: Compute centres
		ref.X.Data[i] += 0.5
	}
	got, err := Compute(gen, ref, Options{Space: 3, Pool: engine.NewPool(2)})
	if err != nil {
		t.Fatal(err)
	}
	gc, _ := Centre(gen.X, 3)
	rc, _ := Centre(ref.X, 3)
	want := map[string]float64{}
	want[NameXW2], _ = XW2(gc, rc, nil)
	want[NameXW1], _ = XW1(gc, rc, nil)
	want[NameXW2Aligned], want[NameXW1Aligned], _ = XAligned(gen.X, ref.X, 3, nil)
	e, _ := Compare1D(gen.Energy, ref.Energy)
	want[NameEnergyW2], want[NameEnergyW2Sq], want[NameEnergyW1] = e.W2(), e.W2Sq, e.W1
	gd, _ := PairDistances(gen.X, 3)
	rd, _ := PairDistances(ref.X, 3)
	d, _ := Compare1D(gd, rd)
	want[NameDistW2], want[NameDistW2Sq], want[NameDistW1] = d.W2(), d.W2Sq, d.W1
	want[NameDistTVD200], want[NameDistTVD200Dropped], _ = HistTVD(rd, gd, TVDBins)
	if len(got) != len(want) {
		t.Fatalf("got %d metrics, want %d: %v", len(got), len(want), got)
	}
	for m, w := range want {
		if math.Abs(got[m]-w) > 1e-12*math.Max(1, w) {
			t.Errorf("%s: Compute %v, direct %v", m, got[m], w)
		}
	}
	// A protocol subset gets exactly its metrics.
	ms, _ := ProtocolMetrics(ProtocolAS, 3)
	got, err = Compute(gen, ref, Options{Space: 3, Metrics: ms})
	if err != nil || len(got) != 3 || math.Abs(got[NameXW2Aligned]-want[NameXW2Aligned]) > 1e-12 {
		t.Fatalf("P-AS subset: %v, %v", got, err)
	}
	if ms, _ := ProtocolMetrics(ProtocolDEM, 0); len(ms) != 2 {
		t.Fatalf("P-DEM for GMM: %v", ms)
	}
}

func TestComputeErrors(t *testing.T) {
	good := Batch{X: randomSet(10, 6, 1), Energy: make([]float64, 10)}
	noE := Batch{X: randomSet(10, 6, 2)}
	cases := []struct {
		name     string
		gen, ref Batch
		opt      Options
	}{
		{"unknown metric", good, good, Options{Metrics: []string{"x_w3"}}},
		{"space needed", good, good, Options{Metrics: []string{NameDistW1}}},
		{"bad space", good, good, Options{Space: 4}},
		{"no energies", good, noE, Options{Metrics: []string{NameEnergyW1}}},
		{"energy count", Batch{X: good.X, Energy: make([]float64, 9)}, good, Options{Metrics: []string{NameEnergyW1}}},
		{"dim mismatch", good, Batch{X: randomSet(10, 9, 1), Energy: make([]float64, 10)}, Options{}},
		{"NaN energy", Batch{X: good.X, Energy: []float64{math.NaN(), 0, 0, 0, 0, 0, 0, 0, 0, 0}}, good, Options{}},
	}
	for _, c := range cases {
		if _, err := Compute(c.gen, c.ref, c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := ProtocolMetrics("p-xyz", 3); err == nil {
		t.Error("unknown protocol: no error")
	}
	// Energy-only batches need no coordinates.
	e := Batch{Energy: []float64{1, 2, 3}}
	if v, err := Compute(e, e, Options{Metrics: []string{NameEnergyW2}}); err != nil || v[NameEnergyW2] != 0 {
		t.Errorf("energy-only: %v %v", v, err)
	}
}

func TestReport(t *testing.T) {
	r := Report{Target: "lj13", Protocol: ProtocolAS, RefFile: "test_split_LJ13-1000.npy", RefSHA256: "c506", Seeds: []uint64{1, 2}, FloorRotated: true}
	vals := []map[string]float64{{NameXW2: 4.0, NameEnergyW2: 1}, {NameXW2: 4.2, NameEnergyW2: 1}}
	floors := map[string]Stat{NameXW2: {Mean: 4.24, SD: 0.01, Batches: 10}}
	if err := r.Add([]string{NameXW2, NameEnergyW2}, vals, floors, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if err := r.Add([]string{NameDistW1}, vals, nil, 1000, 1000); err == nil {
		t.Fatal("missing metric: no error")
	}
	if e := r.Entries[0]; math.Abs(e.Value.Mean-4.1) > 1e-12 || math.Abs(e.Value.SD-math.Sqrt(0.02)) > 1e-12 || e.Floor == nil {
		t.Fatalf("entry %+v", e)
	}
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil || len(back.Entries) != 2 || back.Entries[0].Floor.Mean != 4.24 || back.Entries[1].Floor != nil || back.RefSHA256 != "c506" {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	md := r.Markdown()
	for _, want := range []string{"| x_w2 | 4.1 ± 0.1414 | 4.24 ± 0.01 | 1000 | 1000 | 2 |", "| energy_w2 | 1 ± 0 | – |", "reference sha256: c506", "seeds: 1, 2"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	r.Entries[1].Value.Mean = math.NaN()
	if js, err := r.JSON(); err != nil || !strings.Contains(string(js), `"mean": "overflow"`) {
		t.Errorf("NaN entry: %v\n%s", err, js)
	}
}
