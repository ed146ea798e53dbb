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

// TestLogWeightsGaussian reweights a wide Gaussian proposal q = N(0, 1.5²·I₃)
// toward the target p̃ = exp(−E), E = ½Σⱼ (xⱼ − mⱼ)²/sⱼ², through
// LogWeights and Summarize: the weighted moments are the target's, log Z is
// log((2π)^{3/2}·Πsⱼ), the ELBO lies below it and the ESS matches its
// closed form for Gaussians.
func TestLogWeightsGaussian(t *testing.T) {
	const n, d, sq = 400000, 3, 1.5
	m := []float64{0.5, -1, 0}
	s := []float64{1, 0.7, 1.2}
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, n*d)
	logp := make([]float64, n)
	logq := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			v := sq * rng.NormFloat64()
			x[i*d+j] = v
			logq[i] += -v*v/(2*sq*sq) - math.Log(sq*math.Sqrt(2*math.Pi))
			logp[i] -= (v - m[j]) * (v - m[j]) / (2 * s[j] * s[j])
		}
	}
	lw, err := LogWeights(logp, logq)
	if err != nil {
		t.Fatal(err)
	}
	mean := make([]float64, d)
	if err := Mean(mean, x, d, lw); err != nil {
		t.Fatal(err)
	}
	sq2 := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			sq2[i*d+j] = (x[i*d+j] - m[j]) * (x[i*d+j] - m[j])
		}
	}
	vr := make([]float64, d)
	_ = Mean(vr, sq2, d, lw)
	for j := 0; j < d; j++ {
		if math.Abs(mean[j]-m[j]) > 0.02 || math.Abs(vr[j]-s[j]*s[j]) > 0.03*s[j]*s[j]+0.01 {
			t.Errorf("coordinate %d: weighted mean %.4f, variance %.4f; want %v, %v", j, mean[j], vr[j], m[j], s[j]*s[j])
		}
	}
	sum, err := Summarize(lw)
	if err != nil {
		t.Fatal(err)
	}
	wantZ := 1.5 * math.Log(2*math.Pi)
	for _, v := range s {
		wantZ += math.Log(v)
	}
	if math.Abs(sum.LogZ-wantZ) > 0.01 {
		t.Errorf("log Z %.4f, want %.4f", sum.LogZ, wantZ)
	}
	if !(sum.ELBO < sum.LogZ) || sum.N != n || sum.Zero != 0 {
		t.Errorf("summary %+v", sum)
	}
	// ESS = 1/E_q[(p/q)²] with p the normalised target: per dimension,
	// E_q[(p/q)²] = σq²/(s·√(2σq² − s²)) · exp(m²/(2σq² − s²)).
	inv := 1.0
	for j := range s {
		a := 2*sq*sq - s[j]*s[j]
		inv *= sq * sq / (s[j] * math.Sqrt(a)) * math.Exp(m[j]*m[j]/a)
	}
	if want := 1 / inv; math.Abs(sum.ESS-want) > 0.02 {
		t.Errorf("ESS %.4f, want %.4f", sum.ESS, want)
	}
	t.Logf("%+v", sum)
}

func TestLogWeightsErrors(t *testing.T) {
	inf := math.Inf(1)
	lw, err := LogWeights([]float64{-1, -inf, 2}, []float64{0, 0, 1})
	if err != nil || lw[0] != -1 || !math.IsInf(lw[1], -1) || lw[2] != 1 {
		t.Fatalf("LogWeights = %v, %v; want [-1 -Inf 1]", lw, err)
	}
	s, err := Summarize(lw)
	if err != nil || s.Zero != 1 || !math.IsInf(s.ELBO, -1) || math.Abs(s.MaxWeight-math.E*math.E/(1+math.E*math.E)) > 1e-15 {
		t.Errorf("summary %+v, %v", s, err)
	}
	for name, c := range map[string][2][]float64{
		"length":    {{0, 1}, {0}},
		"nan p":     {{0, math.NaN()}, {0, 0}},
		"inf p":     {{inf, 0}, {0, 0}},
		"nan q":     {{0, 0}, {math.NaN(), 0}},
		"inf q":     {{0, 0}, {0, inf}},
		"neg inf q": {{0, 0}, {0, -inf}},
	} {
		if _, err := LogWeights(c[0], c[1]); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Summarize([]float64{math.Inf(-1), math.Inf(-1)}); !errors.Is(err, ErrNoWeight) {
		t.Errorf("all-zero weights: %v", err)
	}
	if s, err := Summarize([]float64{7, 7, 7, 7, 7}); err != nil || math.Abs(s.ESS-1) > 1e-15 || s.ELBO != 7 || math.Abs(s.LogZ-7) > 1e-15 {
		t.Errorf("equal weights: %+v, %v; want ESS 1, ELBO = log Z = 7", s, err)
	}
}
