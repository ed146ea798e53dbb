package weights

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestESSEdgeCases(t *testing.T) {
	if e, _ := ESS([]float64{3, 3, 3, 3}); math.Abs(e-1) > 1e-15 {
		t.Fatalf("equal weights: ESS %g, want 1", e)
	}
	if e, _ := ESS([]float64{0, math.Inf(-1), math.Inf(-1), math.Inf(-1)}); math.Abs(e-0.25) > 1e-15 {
		t.Fatalf("one weight of four: ESS %g, want 1/4", e)
	}
	// Shift invariance and no overflow at huge log weights.
	a, _ := ESS([]float64{1, 2, 3})
	b, _ := ESS([]float64{1001, 1002, 1003})
	if math.Abs(a-b) > 1e-14 {
		t.Fatalf("ESS not shift invariant: %g vs %g", a, b)
	}
	// Two weights 1 and e: ESS = (1+e)²/(2(1+e²)).
	want := (1 + math.E) * (1 + math.E) / (2 * (1 + math.E*math.E))
	if e, _ := ESS([]float64{0, 1}); math.Abs(e-want) > 1e-15 {
		t.Fatalf("ESS %g, want %g", e, want)
	}
	if _, err := ESS([]float64{math.Inf(-1)}); !errors.Is(err, ErrNoWeight) {
		t.Fatal(err)
	}
	if _, err := ESS([]float64{0, math.NaN()}); err == nil {
		t.Fatal("NaN accepted")
	}
	if _, err := LogZ([]float64{0, math.Inf(1)}); err == nil {
		t.Fatal("+Inf accepted")
	}
}

func TestLogZAndELBO(t *testing.T) {
	lw := []float64{1e6, 1e6 + math.Log(3)}
	z, _ := LogZ(lw)
	if want := 1e6 + math.Log(2); math.Abs(z-want) > 1e-9 {
		t.Fatalf("log Z %g, want %g", z, want)
	}
	e, _ := ELBO(lw)
	if e > z || math.Abs(e-(1e6+math.Log(3)/2)) > 1e-9 {
		t.Fatalf("ELBO %g (log Z %g)", e, z)
	}
}

// TestGaussianReweighting: samples of q = N(0, 2²) reweighted toward
// p̃ ∝ exp(−(x−1)²/2) give p's mean 1 and variance 1, and log Z estimates
// log ∫ p̃ − … with the exact normaliser.
func TestGaussianReweighting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 200000
	x := make([]float64, n)
	lw := make([]float64, n)
	for i := range x {
		x[i] = 2 * rng.NormFloat64()
		logq := -x[i]*x[i]/8 - math.Log(2*math.Sqrt(2*math.Pi))
		logp := -(x[i] - 1) * (x[i] - 1) / 2 // Z = √(2π)
		lw[i] = logp - logq
	}
	m := make([]float64, 1)
	if err := Mean(m, x, 1, lw); err != nil {
		t.Fatal(err)
	}
	sq := make([]float64, n)
	for i := range x {
		sq[i] = (x[i] - 1) * (x[i] - 1)
	}
	v := make([]float64, 1)
	_ = Mean(v, sq, 1, lw)
	if math.Abs(m[0]-1) > 0.02 || math.Abs(v[0]-1) > 0.03 {
		t.Fatalf("reweighted mean %g, variance %g; want 1, 1", m[0], v[0])
	}
	z, _ := LogZ(lw)
	if want := 0.5 * math.Log(2*math.Pi); math.Abs(z-want) > 0.01 {
		t.Fatalf("log Z %g, want %g", z, want)
	}
	// Resampled rows have p's moments too.
	idx, err := Resample(lw, 50000, 7)
	if err != nil {
		t.Fatal(err)
	}
	var s, s2 float64
	for _, i := range idx {
		s += x[i]
		s2 += x[i] * x[i]
	}
	mean := s / float64(len(idx))
	if vr := s2/float64(len(idx)) - mean*mean; math.Abs(mean-1) > 0.03 || math.Abs(vr-1) > 0.05 {
		t.Fatalf("resampled mean %g, variance %g", mean, vr)
	}
}

func TestResampleExact(t *testing.T) {
	// Systematic resampling of weights 1/4, 3/4 into 4 rows: exactly 1 and 3.
	idx, _ := Resample([]float64{0, math.Log(3)}, 4, 1)
	c := [2]int{}
	for _, i := range idx {
		c[i]++
	}
	if c != [2]int{1, 3} {
		t.Fatalf("counts %v, want [1 3]", c)
	}
	a, _ := Resample([]float64{0, 1, 2}, 10, 5)
	b, _ := Resample([]float64{0, 1, 2}, 10, 5)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("not deterministic")
		}
	}
}
