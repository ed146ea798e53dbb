package mcmc_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/mcmc"
	"github.com/idem-project/idem/lj"
)

// gauss is a test target: independent Gaussians of standard deviation
// sd[j % len(sd)] on n particles in sp dimensions, E = ½Σⱼ xⱼ²/σⱼ², with an
// optional harmonic trap about the particle mean (then it is CoM-free and
// the trap is the only centring force).
type gauss struct {
	n, sp int
	sd    []float64
	trap  float64 // 0: plain Gaussian, not CoM-free
}

func (g *gauss) Name() string           { return "gauss" }
func (g *gauss) Dim() int               { return g.n * g.sp }
func (g *gauss) Shape() (int, int)      { return g.n, g.sp }
func (g *gauss) CoMFree() bool          { return g.trap != 0 }
func (g *gauss) Trap() float64          { return g.trap }
func (g *gauss) sigma(i, k int) float64 { return g.sd[(i*g.sp+k)%len(g.sd)] }
func (g *gauss) EnergyForce(e, f, x []float64, b int) {
	for c := 0; c < b; c++ {
		var mean [3]float64
		for k := 0; k < g.sp; k++ {
			for i := 0; i < g.n; i++ {
				mean[k] += x[asm.Index(g.n, g.sp, c, i, k)]
			}
			mean[k] /= float64(g.n)
		}
		en := 0.0
		for i := 0; i < g.n; i++ {
			for k := 0; k < g.sp; k++ {
				p := asm.Index(g.n, g.sp, c, i, k)
				if g.trap != 0 {
					// Pair-free "pair" part: a Gaussian on the centred
					// coordinates, plus the trap.
					v := x[p] - mean[k]
					s := g.sigma(i, k)
					en += 0.5*v*v/(s*s) + 0.5*g.trap*v*v
					f[p] = -(v/(s*s) + g.trap*v)
					continue
				}
				s := g.sigma(i, k)
				en += 0.5 * x[p] * x[p] / (s * s)
				f[p] = -x[p] / (s * s)
			}
		}
		e[c] = en
	}
}

var _ engine.Target = (*gauss)(nil)

// meanSD returns the mean and the sample standard deviation of v.
func meanSD(v []float64) (float64, float64) {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

func TestGaussianMoments(t *testing.T) {
	g := &gauss{n: 3, sp: 2, sd: []float64{0.5, 1, 2}}
	d := g.Dim()
	for _, m := range []mcmc.Method{mcmc.RWM, mcmc.MALA} {
		t.Run(m.String(), func(t *testing.T) {
			step := 0.6
			if m == mcmc.MALA {
				step = 0.45
			}
			const chains = 4000
			res, err := mcmc.Run(mcmc.Config{
				Target: g, Chains: chains, Seed: 7, Method: m, Step: step, Steps: 400,
				Init: mcmc.InitUniform, InitScale: 4,
				Ladder: mcmc.UniformLadder(4), WarmSteps: 50, WarmMaxStep: 1,
				Pool: engine.NewPool(2),
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != chains || len(res.Samples) != chains*d {
				t.Fatalf("rows %d, len %d", res.Rows, len(res.Samples))
			}
			col := make([]float64, chains)
			for j := 0; j < d; j++ {
				for c := range col {
					col[c] = res.Samples[c*d+j]
				}
				mu, sd := meanSD(col)
				want := g.sd[j%len(g.sd)]
				// Standard errors of about want/√chains (mean) and
				// want/√(2·chains) (sd), inflated for residual correlation.
				if math.Abs(mu) > 5*want/math.Sqrt(chains) {
					t.Errorf("coordinate %d: mean %.4f, want 0 ± %.4f", j, mu, want/math.Sqrt(chains))
				}
				if math.Abs(sd-want) > 5*want/math.Sqrt(2*chains) {
					t.Errorf("coordinate %d: sd %.4f, want %.4f", j, sd, want)
				}
			}
			em, _ := meanSD(res.Energies)
			// ⟨E⟩ = d/2 with sd √(d/2).
			if math.Abs(em-float64(d)/2) > 5*math.Sqrt(float64(d)/2/chains) {
				t.Errorf("⟨E⟩ = %.4f, want %v", em, float64(d)/2)
			}
			wantEvals := int64(chains) * int64(1+4*(1+50)+1+400)
			if res.Evals != wantEvals {
				t.Errorf("Evals = %d, want %d", res.Evals, wantEvals)
			}
			if a := res.Prod.Accept; a < 0.2 || a > 0.95 {
				t.Errorf("production acceptance %.3f", a)
			}
			t.Logf("%s: acceptance %.3f, warm-up %v", m, res.Prod.Accept, res.Warm)
		})
	}
}

// TestTrapTempering runs a warm-up ladder on a trapped target and checks
// the production law and the centring of the output.
func TestTrapTempering(t *testing.T) {
	g := &gauss{n: 4, sp: 2, sd: []float64{1}, trap: 1}
	const chains = 4000
	res, err := mcmc.Run(mcmc.Config{
		Target: g, Chains: chains, Seed: 3, Step: 0.5, Steps: 300,
		Init: mcmc.InitGauss, InitScale: 3,
		Ladder: []float64{0, 0.5, 1}, WarmSteps: 100, WarmMaxStep: 1, Trap: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Production: U = E, centred coordinates of variance (1 − 1/n)/(1/σ² + k).
	v := 0.0
	for _, x := range res.Samples {
		v += x * x
	}
	v /= float64(len(res.Samples))
	want := (1 - 1.0/4) / 2
	if math.Abs(v-want) > 0.02 {
		t.Errorf("⟨x²⟩ = %.4f, want %.4f", v, want)
	}
	for c := 0; c < chains; c++ {
		sx, sy := 0.0, 0.0
		for i := 0; i < 4; i++ {
			sx += res.Samples[c*8+2*i]
			sy += res.Samples[c*8+2*i+1]
		}
		if math.Abs(sx) > 1e-12 || math.Abs(sy) > 1e-12 {
			t.Fatalf("sample %d not centred: %v %v", c, sx, sy)
		}
	}
}

// TestResampleWeightsExcludeTrap: after a ladder 0 → 1 with no Metropolis
// steps the samples are the start (N(0, 1), centred) resampled
// ∝ exp(−E_pair), whose centred variance is (1 − 1/n)/(1 + 1/σ²) = 0.375
// for σ = 1, n = 4 (0.25 if the trap leaked into the weights).
func TestResampleWeightsExcludeTrap(t *testing.T) {
	g := &gauss{n: 4, sp: 2, sd: []float64{1}, trap: 1}
	res, err := mcmc.Run(mcmc.Config{
		Target: g, Chains: 20000, Seed: 9, Step: 0.1, Init: mcmc.InitGauss, InitScale: 1,
		Ladder: []float64{0, 1}, WarmSteps: 0, Trap: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	v := 0.0
	for _, a := range res.Samples {
		v += a * a
	}
	v /= float64(len(res.Samples))
	if math.Abs(v-0.375) > 0.015 {
		t.Errorf("resampled ⟨x²⟩ = %.4f, want 0.375", v)
	}
	if res.Warm[0].ESS <= 0 || res.Warm[0].ESS >= 1 {
		t.Errorf("ESS %v", res.Warm[0].ESS)
	}
}

func TestDeterminismAcrossWorkers(t *testing.T) {
	p, err := lj.New(13)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []mcmc.Method{mcmc.RWM, mcmc.MALA} {
		t.Run(m.String(), func(t *testing.T) {
			var ref *mcmc.Result
			for _, tc := range []struct{ workers, block int }{{1, 0}, {2, 0}, {3, 4}, {4, 8}} {
				pool := engine.NewPool(tc.workers)
				res, err := mcmc.Run(mcmc.Config{
					Target: p, Chains: 37, Seed: 11, Method: m, Step: 0.02, Steps: 60,
					Init: mcmc.InitGauss, InitScale: 1, Ladder: mcmc.UniformLadder(5), WarmSteps: 20,
					WarmMaxStep: 1.25, Trap: -1, Keep: 3, Thin: 5, Trace: 5, Pool: pool, Block: tc.block,
				})
				pool.Close()
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = res
					continue
				}
				if !slices.Equal(bits(res.Samples), bits(ref.Samples)) || !slices.Equal(bits(res.Energies), bits(ref.Energies)) ||
					!slices.Equal(bits(res.Trace), bits(ref.Trace)) || res.Evals != ref.Evals || res.Prod != ref.Prod {
					t.Errorf("workers=%d block=%d: output differs from one worker", tc.workers, tc.block)
				}
			}
		})
	}
}

func bits(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = math.Float64bits(x)
	}
	return out
}

// TestKeepThin checks which states the keep slots hold against the trace.
func TestKeepThin(t *testing.T) {
	g := &gauss{n: 2, sp: 2, sd: []float64{1}}
	const chains, steps, keep, thin = 9, 20, 3, 4
	res, err := mcmc.Run(mcmc.Config{
		Target: g, Chains: chains, Seed: 1, Step: 0.8, Steps: steps, Init: mcmc.InitGauss, InitScale: 1,
		Keep: keep, Thin: thin, Trace: chains,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != keep*chains {
		t.Fatalf("rows %d", res.Rows)
	}
	for k := 0; k < keep; k++ {
		step := steps - (keep-1-k)*thin // state after this step (1-based)
		for c := 0; c < chains; c++ {
			if got, want := res.Energies[k*chains+c], res.Trace[(step-1)*chains+c]; got != want {
				t.Fatalf("slot %d chain %d: energy %v, trace after step %d has %v", k, c, got, step, want)
			}
			x := res.Samples[(k*chains+c)*4 : (k*chains+c+1)*4]
			e := 0.0
			for _, v := range x {
				e += 0.5 * v * v
			}
			if math.Abs(e-res.Energies[k*chains+c]) > 1e-12 {
				t.Fatalf("slot %d chain %d: energy %v does not match its sample (%v)", k, c, res.Energies[k*chains+c], e)
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	g := &gauss{n: 2, sp: 2, sd: []float64{1}}
	ok := mcmc.Config{Target: g, Chains: 4, Step: 1, Steps: 10, InitScale: 1}
	if _, err := mcmc.Run(ok); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*mcmc.Config){
		"no target":   func(c *mcmc.Config) { c.Target = nil },
		"no chains":   func(c *mcmc.Config) { c.Chains = 0 },
		"step":        func(c *mcmc.Config) { c.Step = 0 },
		"nan step":    func(c *mcmc.Config) { c.Step = math.NaN() },
		"init scale":  func(c *mcmc.Config) { c.InitScale = 0 },
		"block":       func(c *mcmc.Config) { c.Block = 6 },
		"keep":        func(c *mcmc.Config) { c.Keep, c.Thin = 3, 6 },
		"keep thin 0": func(c *mcmc.Config) { c.Keep = 2 },
		"ladder end":  func(c *mcmc.Config) { c.Ladder = []float64{0, 0.5} },
		"ladder dec":  func(c *mcmc.Config) { c.Ladder = []float64{0, 0.6, 0.4, 1} },
		"ladder one":  func(c *mcmc.Config) { c.Ladder = []float64{1} },
		"beta 0":      func(c *mcmc.Config) { c.Ladder = []float64{0, 0, 1} },
		"trace":       func(c *mcmc.Config) { c.Trace = 5 },
		"method":      func(c *mcmc.Config) { c.Method = 7 },
	} {
		c := ok
		mut(&c)
		if _, err := mcmc.Run(c); !errors.Is(err, mcmc.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	if _, err := mcmc.ParseMethod("hmc"); err == nil {
		t.Error("ParseMethod accepted hmc")
	}
}

// infTarget has E = +Inf everywhere: resampling ∝ exp(−E) must fail cleanly.
type infTarget struct{ gauss }

func (g *infTarget) EnergyForce(e, f, x []float64, b int) {
	g.gauss.EnergyForce(e, f, x, b)
	for c := range e[:b] {
		e[c] = math.Inf(1)
	}
}

func TestDegenerateWeights(t *testing.T) {
	g := &infTarget{gauss{n: 1, sp: 2, sd: []float64{1}}}
	_, err := mcmc.Run(mcmc.Config{Target: g, Chains: 8, Step: 1, InitScale: 1, InitResample: true})
	if !errors.Is(err, mcmc.ErrDegenerate) {
		t.Fatalf("err = %v, want ErrDegenerate", err)
	}
}

func TestProgress(t *testing.T) {
	g := &gauss{n: 2, sp: 2, sd: []float64{1}}
	last, calls := 0, 0
	_, err := mcmc.Run(mcmc.Config{
		Target: g, Chains: 4, Step: 1, Steps: 3000, InitScale: 1, Ladder: []float64{0, 1}, WarmSteps: 2500, WarmMaxStep: 1,
		Progress: func(done, total int) {
			if total != 5500 || done <= last {
				t.Fatalf("progress %d/%d after %d", done, total, last)
			}
			last = done
			calls++
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != 5500 || calls < 2 {
		t.Errorf("last progress %d after %d calls", last, calls)
	}
}

func TestIAT(t *testing.T) {
	// AR(1) with coefficient φ: τ = (1 + φ)/(1 − φ).
	const m, T, phi = 8, 20000, 0.8
	series := make([]float64, m*T)
	st := engine.NewStream(1, 2)
	x := make([]float64, m)
	for c := range x {
		x[c] = st.Norm() / math.Sqrt(1-phi*phi)
	}
	for t := 0; t < T; t++ {
		for c := range x {
			x[c] = phi*x[c] + st.Norm()
			series[t*m+c] = x[c]
		}
	}
	tau, w, err := mcmc.IAT(series, m)
	if err != nil {
		t.Fatal(err)
	}
	want := (1 + phi) / (1 - phi)
	if math.Abs(tau-want) > 0.1*want {
		t.Errorf("τ = %.3f (window %d), want %.3f", tau, w, want)
	}
	if _, _, err := mcmc.IAT(series[:7], 2); err == nil {
		t.Error("IAT accepted a ragged series")
	}
	if _, _, err := mcmc.IAT(make([]float64, 40), 2); err == nil {
		t.Error("IAT accepted a constant series")
	}
}

func TestWarmStep(t *testing.T) {
	for _, c := range []struct{ s, b, max, want float64 }{
		{0.025, 0.2, 1.25, 0.125}, {0.5, 0.2, 1.25, 1.25}, {0.0075, 0.1, 0.01, 0.01}, {0.0075, 1, 0.01, 0.0075}, {1, 0, 2, 2}, {1, 0.5, 0, 2},
	} {
		if got := mcmc.WarmStep(c.s, c.b, c.max); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("WarmStep(%v, %v, %v) = %v, want %v", c.s, c.b, c.max, got, c.want)
		}
	}
	l := mcmc.UniformLadder(10)
	if len(l) != 11 || l[0] != 0 || l[10] != 1 || math.Abs(l[3]-0.3) > 1e-15 {
		t.Errorf("UniformLadder(10) = %v", l)
	}
}

// dataDir is the shipped reference data, relative to the repository root.
func dataDir(t *testing.T) string {
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("reference data not found at %s", dir)
	}
	return dir
}

// TestShortRunsMatchShipped runs short versions of the SPEC §7.5 recipe and
// compares energy moments with the shipped test sets (SPEC §2.5). The
// tolerances allow for the short runs: a few standard errors of 2000
// chains, plus the residual bias of an incompletely decorrelated start.
func TestShortRunsMatchShipped(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := dataDir(t)
	dw, err := lj.NewDW(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	lj13, err := lj.New(13)
	if err != nil {
		t.Fatal(err)
	}
	pool := engine.NewPool(0)
	defer pool.Close()
	for _, c := range []struct {
		name       string
		p          *lj.Potential
		file       string
		cfg        mcmc.Config
		mean, sd   float64 // shipped test split, SPEC §2.5
		tolM, tolS float64
	}{
		{"dw4", dw, "test_split_DW4.npy", mcmc.Config{Step: 0.5, Steps: 2000, Init: mcmc.InitUniform, InitScale: 3,
			Ladder: mcmc.UniformLadder(5), WarmSteps: 200, WarmMaxStep: 1.25}, -22.450, 1.901, 0.25, 0.25},
		{"lj13", lj13, "test_split_LJ13-1000.npy", mcmc.Config{Step: 0.025, Steps: 4000, Init: mcmc.InitGauss, InitScale: 1,
			Ladder: mcmc.UniformLadder(5), WarmSteps: 1000, WarmMaxStep: 1.25}, -43.127, 7.018, 1.2, 1.0},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, _, err := lj.Load(filepath.Join(dir, c.file), c.p)
			if err != nil {
				t.Skipf("loading %s: %v", c.file, err)
			}
			e := make([]float64, len(x)/c.p.Dim())
			engine.EnergyGrad(c.p, e, nil, x, len(e))
			sm, ss := meanSD(e)
			if math.Abs(sm-c.mean) > 0.01 || math.Abs(ss-c.sd) > 0.01 {
				t.Fatalf("shipped %s: E %.3f ± %.3f, SPEC says %.3f ± %.3f", c.file, sm, ss, c.mean, c.sd)
			}
			cfg := c.cfg
			cfg.Target, cfg.Chains, cfg.Seed, cfg.Trap, cfg.Pool = c.p, 2000, 1, -1, pool
			res, err := mcmc.Run(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m, s := meanSD(res.Energies)
			t.Logf("%s: MCMC E %.3f ± %.3f (shipped %.3f ± %.3f), acceptance %.3f, %d evaluations",
				c.name, m, s, c.mean, c.sd, res.Prod.Accept, res.Evals)
			if math.Abs(m-c.mean) > c.tolM || math.Abs(s-c.sd) > c.tolS {
				t.Errorf("%s: E %.3f ± %.3f, want %.3f ± %.3f within %.2f / %.2f", c.name, m, s, c.mean, c.sd, c.tolM, c.tolS)
			}
		})
	}
}
