package mcscore

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/lj"
)

// gaussian is E(x) = ‖x‖²/2 for n particles in sp dimensions; with value
// set, every energy is replaced by it (to test +Inf, NaN, −Inf handling).
type gaussian struct {
	n, sp int
	value *float64
}

func (g gaussian) Name() string            { return "gauss" }
func (g gaussian) Dim() int                { return g.n * g.sp }
func (g gaussian) Shape() (n, spatial int) { return g.n, g.sp }
func (g gaussian) CoMFree() bool           { return false }
func (g gaussian) EnergyForce(e, f, x []float64, b int) {
	for c := 0; c < b; c++ {
		s := 0.0
		for i := 0; i < g.n; i++ {
			for k := 0; k < g.sp; k++ {
				j := asm.Index(g.n, g.sp, c, i, k)
				s += x[j] * x[j]
				f[j] = -x[j]
			}
		}
		e[c] = s / 2
		if g.value != nil {
			e[c] = *g.value
		}
	}
}

func newEst(t *testing.T, tg engine.Target, cfg Config, workers, maxB int) *Estimator {
	t.Helper()
	p := engine.NewPool(workers)
	t.Cleanup(p.Close)
	e, err := New(tg, cfg, p, maxB)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestGaussianConvergesAtRootK: the noised score is −x/(1+h); the RMS error
// of S_K over seeds shrinks like 1/√K.
func TestGaussianConvergesAtRootK(t *testing.T) {
	tg := gaussian{n: 3, sp: 2}
	d := tg.Dim()
	const b, h = 16, 0.5
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, b*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	hs := make([]float64, b)
	for i := range hs {
		hs[i] = h
	}
	var prev float64
	for _, K := range []int{64, 256, 1024, 4096} {
		var sq float64
		const seeds = 6
		for seed := uint64(0); seed < seeds; seed++ {
			est := newEst(t, tg, Config{K: K, Seed: seed}, 2, b)
			out := make([]float64, b*d)
			if err := est.Estimate(out, x, hs, b, 0); err != nil {
				t.Fatal(err)
			}
			for i := range out {
				r := out[i] + x[i]/(1+h)
				sq += r * r
			}
		}
		rms := math.Sqrt(sq / float64(seeds*b*d))
		scaled := rms * math.Sqrt(float64(K))
		t.Logf("K=%d: RMS error %.5f, ×√K = %.3f", K, rms, scaled)
		if scaled < 0.2 || scaled > 3 {
			t.Fatalf("K=%d: RMS error ×√K = %.3f, outside [0.2, 3]", K, scaled)
		}
		if prev != 0 && !(rms < prev*0.7) {
			t.Fatalf("K=%d: error %.5f did not shrink from %.5f", K, rms, prev)
		}
		prev = rms
	}
}

// TestGMMMatchesExactNoisedScore compares S_K (no clipping) with the exact
// score of the noised mixture, in training space, across the space and t.
// Each point is estimated with several seeds; the seed mean must lie within
// five standard errors (plus 1% of the score) of the exact value, and the
// spread must shrink with K as for an estimator of bias O(1/K).
func TestGMMMatchesExactNoisedScore(t *testing.T) {
	g := gmm.New()
	sched := func(tt float64) float64 { return 1e-10 * math.Expm1(2*tt*math.Log(1e5)) } // σ 1e-5…1
	var x, hs, want []float64
	rng := rand.New(rand.NewPCG(2, 2))
	for _, tt := range []float64{0.2, 0.6, 0.8, 0.95} {
		for j := 0; j < 6; j++ {
			k := rng.IntN(gmm.Components)
			mx, my := gmm.Mean(k)
			px, py := mx+3*rng.NormFloat64(), my+3*rng.NormFloat64()
			h := sched(tt)
			// In x units the noise variance is 50²·h; the y-score is 50× the x-score.
			_, gx, gy := gmm.NoisedLogProbScore(px, py, gmm.TrainScale*gmm.TrainScale*h)
			x = append(x, px/gmm.TrainScale, py/gmm.TrainScale)
			hs = append(hs, h)
			want = append(want, gmm.TrainScale*gx, gmm.TrainScale*gy)
		}
	}
	b := len(hs)
	const seeds, K = 6, 20000
	sum, sq := make([]float64, 2*b), make([]float64, 2*b)
	out := make([]float64, 2*b)
	for seed := uint64(0); seed < seeds; seed++ {
		est := newEst(t, g, Config{K: K, Seed: seed}, 2, b)
		if err := est.Estimate(out, x, hs, b, 0); err != nil {
			t.Fatal(err)
		}
		for i, v := range out {
			sum[i] += v
			sq[i] += v * v
		}
		if est.Evals() != uint64(b)*K {
			t.Fatalf("Evals = %d", est.Evals())
		}
	}
	for i := range sum {
		mean := sum[i] / seeds
		sd := math.Sqrt(math.Max(sq[i]/seeds-mean*mean, 0) * seeds / (seeds - 1))
		se := sd / math.Sqrt(seeds)
		if math.Abs(mean-want[i]) > 5*se+0.01*math.Abs(want[i])+0.05 {
			t.Fatalf("point %d coord %d (h=%.3g): S_K mean %.4f ± %.4f, exact %.4f", i/2, i%2, hs[i/2], mean, se, want[i])
		}
	}
}

func TestClip(t *testing.T) {
	v := []float64{3, 4, 0.3, 0.4}
	Clip(v, ClipPerParticle, 1, 2)
	f := 1 / (5 + ClipEps)
	if math.Abs(v[0]-3*f) > 1e-15 || math.Abs(v[1]-4*f) > 1e-15 || v[2] != 0.3 || v[3] != 0.4 {
		t.Fatalf("per-particle clip: %v", v)
	}
	w := []float64{30, 40}
	Clip(w, ClipWhole, 70, 2)
	if w[0] != 30 || w[1] != 40 {
		t.Fatalf("whole clip below M changed %v", w)
	}
	Clip(w, ClipWhole, 10, 2)
	if n := math.Hypot(w[0], w[1]); math.Abs(n-10*50/(50+ClipEps)) > 1e-12 {
		t.Fatalf("whole clip norm %v", n)
	}
}

// TestEstimateClipsPerParticle: LJ at a compressed configuration gives huge
// forces; every particle's target is clipped to 20.
func TestEstimateClipsPerParticle(t *testing.T) {
	p, err := lj.New(13)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := lj.Mackay(1, 0.8)
	est := newEst(t, p, Config{K: 64, Clip: ClipPerParticle, M: 20}, 1, 1)
	out := make([]float64, 39)
	if err := est.Estimate(out, x, []float64{1e-4}, 1, 0); err != nil {
		t.Fatal(err)
	}
	some := false
	for i := 0; i < 13; i++ {
		n := math.Sqrt(out[3*i]*out[3*i] + out[3*i+1]*out[3*i+1] + out[3*i+2]*out[3*i+2])
		if n > 20 {
			t.Fatalf("particle %d target norm %v > 20", i, n)
		}
		some = some || n > 19.99
	}
	if !some {
		t.Fatal("no particle reached the clip: the test configuration is not compressed enough")
	}
}

func TestNonFiniteEnergies(t *testing.T) {
	inf, nan, ninf := math.Inf(1), math.NaN(), math.Inf(-1)
	x := []float64{1, 2, 3, 4}
	h := []float64{0.1, 0.1}
	out := make([]float64, 4)
	for _, tc := range []struct {
		v    *float64
		want error
	}{{&inf, ErrNoFiniteSample}, {&nan, ErrNaNEnergy}, {&ninf, nil}} {
		est := newEst(t, gaussian{n: 1, sp: 2, value: tc.v}, Config{K: 50}, 2, 2)
		err := est.Estimate(out, x, h, 2, 0)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Fatalf("energy %v: got error %v", *tc.v, err)
		}
		if tc.want == nil && (errors.Is(err, ErrNoFiniteSample) || errors.Is(err, ErrNaNEnergy)) {
			t.Fatalf("energy %v: error %v wraps the wrong sentinel", *tc.v, err)
		}
		if !strings.Contains(err.Error(), "point 0") {
			t.Fatalf("energy %v: error %q does not name point 0", *tc.v, err)
		}
		for _, v := range out {
			if math.IsNaN(v) {
				t.Fatalf("energy %v: NaN written to the output", *tc.v)
			}
		}
	}
	// Bad inputs.
	est := newEst(t, gaussian{n: 1, sp: 2}, Config{K: 8}, 1, 2)
	if err := est.Estimate(out, []float64{math.NaN(), 0, 0, 0}, h, 2, 0); err == nil {
		t.Fatal("NaN coordinate accepted")
	}
	if err := est.Estimate(out, x, []float64{-1, 0}, 2, 0); err == nil {
		t.Fatal("negative variance accepted")
	}
	if err := est.Estimate(out, x, h, 3, 0); err == nil {
		t.Fatal("batch above maximum accepted")
	}
	if _, err := New(gaussian{n: 1, sp: 2}, Config{K: 0}, nil, 1); err == nil {
		t.Fatal("K = 0 accepted")
	}
}

// TestGMMAllMaskedFallsBack: far from every mode all K samples are masked;
// the weights then come from the unmasked energies, giving a finite,
// clipped target that points back towards the modes.
func TestGMMAllMaskedFallsBack(t *testing.T) {
	est := newEst(t, gmm.New(), Config{K: 500, Clip: ClipWhole, M: 70}, 2, 1)
	x := []float64{40, 40} // 2000 in original units
	out := make([]float64, 2)
	if err := est.Estimate(out, x, []float64{1e-6}, 1, 0); err != nil {
		t.Fatal(err)
	}
	n := math.Hypot(out[0], out[1])
	if !(n > 69 && n <= 70) || out[0] >= 0 || out[1] >= 0 {
		t.Fatalf("fallback target %v (norm %v)", out, n)
	}
}

// TestDeterministicAcrossWorkers: the same bits for any worker count, with
// the force form and with the mixture (Config.MixSigma).
func TestDeterministicAcrossWorkers(t *testing.T) {
	p, err := lj.New(13)
	if err != nil {
		t.Fatal(err)
	}
	const b = 5
	base, _ := lj.Mackay(1, 1.0)
	x := make([]float64, 0, b*39)
	rng := rand.New(rand.NewPCG(4, 4))
	h := make([]float64, b)
	for i := 0; i < b; i++ {
		for _, v := range base {
			x = append(x, v+0.05*rng.NormFloat64())
		}
		h[i] = 0.01 * float64(i+1)
	}
	for _, mix := range []float64{0, 0.2} {
		var ref []float64
		for _, workers := range []int{1, 2, 3, 8} {
			est := newEst(t, p, Config{K: 300, Clip: ClipPerParticle, M: 20, Seed: 77, Chunk: 32, MixSigma: mix}, workers, b)
			out := make([]float64, b*39)
			if err := est.Estimate(out, x, h, b, 12); err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = out
				continue
			}
			for i := range out {
				if math.Float64bits(out[i]) != math.Float64bits(ref[i]) {
					t.Fatalf("mix %g, workers=%d: out[%d] = %v, 1 worker gave %v", mix, workers, i, out[i], ref[i])
				}
			}
		}
	}
}

// TestEstimateDoesNotAllocate: no allocation per call, with or without the
// mixture.
func TestEstimateDoesNotAllocate(t *testing.T) {
	p, _ := lj.New(13)
	x, _ := lj.Mackay(1, 1.0)
	xs := append(append([]float64(nil), x...), x...)
	for _, mix := range []float64{0, 0.2} {
		est := newEst(t, p, Config{K: 256, Clip: ClipPerParticle, M: 20, MixSigma: mix}, 2, 2)
		out := make([]float64, 78)
		h := []float64{0.01, 0.02}
		step := uint64(0)
		run := func() {
			step++
			if err := est.Estimate(out, xs, h, 2, step); err != nil {
				t.Fatal(err)
			}
		}
		run()
		if a := testing.AllocsPerRun(20, run); a != 0 {
			t.Fatalf("mix %g: Estimate allocates %v times per call", mix, a)
		}
	}
}

// TestClipHLow: points with h < ClipHLow are clipped at MLow and the
// others at M, from the same samples; bad values are refused.
func TestClipHLow(t *testing.T) {
	p, err := lj.New(13)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := lj.Mackay(1, 0.8)
	x := append(append([]float64{}, m...), m...) // two points: h below and above
	h := []float64{1e-4, 1e-2}
	run := func(cfg Config) []float64 {
		cfg.K, cfg.Seed, cfg.Clip = 64, 5, ClipPerParticle
		est := newEst(t, p, cfg, 1, 2)
		out := make([]float64, 78)
		if err := est.Estimate(out, x, h, 2, 0); err != nil {
			t.Fatal(err)
		}
		return out
	}
	loose := run(Config{M: 1e3})
	tight := run(Config{M: 20})
	split := run(Config{M: 20, ClipHLow: 1e-3, MLow: 1e3})
	for j := range 39 {
		if split[j] != loose[j] {
			t.Fatalf("h = 1e-4 < ClipHLow: coordinate %d is %v, clipped at MLow %v", j, split[j], loose[j])
		}
		if split[39+j] != tight[39+j] {
			t.Fatalf("h = 1e-2 ≥ ClipHLow: coordinate %d is %v, clipped at M %v", j, split[39+j], tight[39+j])
		}
	}
	var big float64
	for i := range 13 {
		big = max(big, math.Hypot(math.Hypot(loose[3*i], loose[3*i+1]), loose[3*i+2]))
	}
	if big <= 20 {
		t.Fatalf("largest particle norm under MLow %v: the test point does not exercise the clip", big)
	}
	for _, c := range []Config{{ClipHLow: -1, MLow: 1}, {ClipHLow: math.NaN(), MLow: 1}, {ClipHLow: math.Inf(1), MLow: 1}, {ClipHLow: 1e-3}, {ClipHLow: 1e-3, MLow: -1}} {
		c.K, c.Clip, c.M = 10, ClipPerParticle, 20
		if _, err := New(p, c, nil, 1); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
