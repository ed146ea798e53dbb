package sde

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/idem-project/idem/engine"
)

// gaussScore is the exact score of p_t = N(μ, (s0² + h(t))·I), the noised
// marginal of the data distribution N(μ, s0²·I).
func gaussScore(sched Geometric, mu []float64, s0 float64) ScoreFunc {
	d := len(mu)
	return func(out, x []float64, t float64, _, b int) error {
		v := s0*s0 + sched.H(t)
		for r := 0; r < b; r++ {
			for j := 0; j < d; j++ {
				out[r*d+j] = -(x[r*d+j] - mu[j]) / v
			}
		}
		return nil
	}
}

// TestSDEGaussianMoments runs the sampler with the exact score of a Gaussian
// target: the samples must have its mean and covariance.
func TestSDEGaussianMoments(t *testing.T) {
	sched, _ := NewGeometric(0.01, 10)
	mu := []float64{1, -2}
	const s0 = 1.0
	const b = 4000
	s := &Sampler{Sched: sched, Shape: Shape{N: 1, D: 2}, Steps: 1000, Eta: 1, Seed: 3, Pool: engine.NewPool(2)}
	x := make([]float64, 2*b)
	s.Prior(x, b, 0)
	if err := s.Run(context.Background(), x, b, gaussScore(sched, mu, s0), 0, nil); err != nil {
		t.Fatal(err)
	}
	var m [2]float64
	for r := 0; r < b; r++ {
		m[0] += x[2*r] / b
		m[1] += x[2*r+1] / b
	}
	var c [3]float64 // var x, var y, cov
	for r := 0; r < b; r++ {
		dx, dy := x[2*r]-m[0], x[2*r+1]-m[1]
		c[0] += dx * dx / b
		c[1] += dy * dy / b
		c[2] += dx * dy / b
	}
	// Standard errors: mean 0.016, variance 0.022, covariance 0.016.
	if math.Abs(m[0]-mu[0]) > 0.07 || math.Abs(m[1]-mu[1]) > 0.07 {
		t.Errorf("mean %v, want %v", m, mu)
	}
	if math.Abs(c[0]-1) > 0.1 || math.Abs(c[1]-1) > 0.1 || math.Abs(c[2]) > 0.07 {
		t.Errorf("covariance [%.3f %.3f; cov %.3f], want identity", c[0], c[1], c[2])
	}
}

// TestSDEStepTranscription checks one Euler–Maruyama step against SPEC
// §4.2 written out: x₁ = x₀ + g(1)²·s·dt + η·g(1)·√dt·z, with z recovered
// from a run with zero score, so that η must scale only the noise.
func TestSDEStepTranscription(t *testing.T) {
	sched, _ := NewGeometric(1e-5, 3)
	const b, n = 5, 4
	x0 := make([]float64, b*n*2)
	for i := range x0 {
		x0[i] = float64(i%7) - 3
	}
	engine.Centre(x0, n, 2, b)
	constScore := func(v float64) ScoreFunc {
		return func(out, _ []float64, _ float64, _, b int) error {
			for i := range out[:b*n*2] {
				out[i] = v * float64(i%3-1)
			}
			return nil
		}
	}
	run := func(eta float64, sc ScoreFunc) []float64 {
		x := slices.Clone(x0)
		s := &Sampler{Sched: sched, Shape: Shape{N: n, D: 2, CoMFree: true}, Steps: 1, Eta: eta, Seed: 9} // dt = 1, t₀ = 1
		if err := s.Run(context.Background(), x, b, sc, 4, nil); err != nil {
			t.Fatal(err)
		}
		return x
	}
	g, g2 := sched.G(1), sched.G2(1)
	noiseOnly := run(1, constScore(0))
	driftOnly := run(0, constScore(0.5))
	both := run(2, constScore(0.5))
	for i := range x0 {
		z := (noiseOnly[i] - x0[i]) / g // centred z
		drift := g2 * 0.5 * float64(i%3-1)
		// Centre the drift per row and coordinate, as the sampler does.
		r, k := i/(n*2), i%2
		var mean float64
		for p := 0; p < n; p++ {
			mean += 0.5 * float64((r*n*2+p*2+k)%3-1) / n
		}
		drift -= g2 * mean
		if math.Abs(driftOnly[i]-(x0[i]+drift)) > 1e-9*math.Abs(drift)+1e-12 {
			t.Fatalf("drift: x[%d] = %g, want %g", i, driftOnly[i], x0[i]+drift)
		}
		want := x0[i] + drift + 2*g*z
		if math.Abs(both[i]-want) > 1e-9*(math.Abs(want)+g) {
			t.Fatalf("η = 2: x[%d] = %g, want %g", i, both[i], want)
		}
	}
	// Centred after the step.
	for r := 0; r < b; r++ {
		for k := 0; k < 2; k++ {
			var m float64
			for p := 0; p < n; p++ {
				m += both[r*n*2+p*2+k]
			}
			if math.Abs(m) > 1e-9 {
				t.Fatalf("row %d not centred: Σ = %g", r, m)
			}
		}
	}
}

// TestSDETimeGrid checks t_i = 1 − i/n for i = 0…n−1: no step at t = 0.
func TestSDETimeGrid(t *testing.T) {
	sched, _ := NewGeometric(0.01, 2)
	var seen []float64
	var steps []int
	rec := ScoreFunc(func(out, _ []float64, tt float64, step, b int) error {
		seen = append(seen, tt)
		steps = append(steps, step)
		clear(out[:b*3])
		return nil
	})
	s := &Sampler{Sched: sched, Shape: Shape{N: 1, D: 3}, Steps: 1000, Eta: 0.9, Seed: 1}
	x := make([]float64, 3*2)
	if err := s.Run(context.Background(), x, 2, rec, 0, nil); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1000 || seen[0] != 1 || math.Abs(seen[999]-0.001) > 1e-15 || steps[999] != 999 {
		t.Fatalf("grid: %d points, first %g, last %g", len(seen), seen[0], seen[len(seen)-1])
	}
	for i, tt := range seen {
		if math.Abs(tt-(1-float64(i)/1000)) > 1e-15 || tt <= 0 {
			t.Fatalf("t_%d = %g", i, tt)
		}
	}
	if !slices.Equal(s.Times(), seen) {
		t.Fatal("Times differs from the grid the score saw")
	}
}

// TestSDEDeterministicAcrossWorkers: same seed, same bits, any pool size.
func TestSDEDeterministicAcrossWorkers(t *testing.T) {
	sched, _ := NewGeometric(0.01, 2)
	mu := make([]float64, 13*3)
	var ref []float64
	for _, w := range []int{1, 2, 3} {
		s := &Sampler{Sched: sched, Shape: Shape{N: 13, D: 3, CoMFree: true}, Steps: 50, Eta: 0.9, Seed: 5, Pool: engine.NewPool(w)}
		x := make([]float64, 13*3*37)
		s.Prior(x, 37, 2)
		if err := s.Run(context.Background(), x, 37, gaussScore(sched, mu, 1), 2, nil); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = x
		} else if !slices.Equal(ref, x) {
			t.Fatalf("%d workers differ from 1", w)
		}
	}
}

// TestPriorMeanFree: the molecular prior is centred with per-coordinate
// variance h(1)·(N−1)/N; GMM's is plain N(0, h(1)).
func TestPriorMeanFree(t *testing.T) {
	sched, _ := NewGeometric(0.01, 2)
	s := &Sampler{Sched: sched, Shape: Shape{N: 4, D: 2, CoMFree: true}, Steps: 1, Eta: 1, Seed: 11}
	const b = 20000
	x := make([]float64, b*8)
	s.Prior(x, b, 0)
	var ss float64
	for r := 0; r < b; r++ {
		for k := 0; k < 2; k++ {
			var m float64
			for p := 0; p < 4; p++ {
				m += x[r*8+p*2+k]
			}
			if math.Abs(m) > 1e-12 {
				t.Fatalf("row %d not centred", r)
			}
		}
	}
	for _, v := range x {
		ss += v * v
	}
	want := sched.H(1) * 3 / 4
	if got := ss / float64(len(x)); math.Abs(got-want) > 0.02*want {
		t.Fatalf("prior variance %g, want %g", got, want)
	}
}

func TestSDERejectsBadSettingsAndDivergence(t *testing.T) {
	sched, _ := NewGeometric(0.01, 2)
	x := make([]float64, 4)
	zero := ScoreFunc(func(out, _ []float64, _ float64, _, b int) error { clear(out[:b*2]); return nil })
	for _, s := range []*Sampler{
		{Sched: sched, Shape: Shape{N: 1, D: 2}, Steps: 0, Eta: 1},
		{Sched: sched, Shape: Shape{N: 1, D: 2}, Steps: 10, Eta: math.NaN()},
		{Sched: sched, Shape: Shape{N: 1, D: 2}, Steps: 10, Eta: -1},
	} {
		if err := s.Run(context.Background(), x, 2, zero, 0, nil); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
	blowup := ScoreFunc(func(out, _ []float64, _ float64, _, b int) error {
		for i := range out[:b*2] {
			out[i] = math.Inf(1)
		}
		return nil
	})
	s := &Sampler{Sched: sched, Shape: Shape{N: 1, D: 2}, Steps: 3, Eta: 1}
	if err := s.Run(context.Background(), x, 2, blowup, 0, nil); err == nil {
		t.Error("a diverging run gave no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Run(ctx, x, 2, zero, 0, nil); err == nil {
		t.Error("a cancelled context gave no error")
	}
}

func TestSDEStepAllocatesNothing(t *testing.T) {
	sched, _ := NewGeometric(0.01, 2)
	zero := ScoreFunc(func(out, _ []float64, _ float64, _, b int) error { clear(out[:b*39]); return nil })
	s := &Sampler{Sched: sched, Shape: Shape{N: 13, D: 3, CoMFree: true}, Steps: 20, Eta: 1, Pool: engine.NewPool(2)}
	x := make([]float64, 39*64)
	ctx := context.Background()
	_ = s.Run(ctx, x, 64, zero, 0, nil)
	if a := testing.AllocsPerRun(5, func() { _ = s.Run(ctx, x, 64, zero, 0, nil) }); a > 1 {
		t.Fatalf("Run allocates %.1f times per call of 20 steps", a)
	}
}
