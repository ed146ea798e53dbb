package mcmc_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/mcmc"
	"github.com/idem-project/idem/lj"
)

// exactGauss returns rows exact samples of g (no trap): coordinate j is
// N(0, sd_j²).
func exactGauss(g *gauss, rows int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	d := g.Dim()
	x := make([]float64, rows*d)
	for r := 0; r < rows; r++ {
		for i := 0; i < g.n; i++ {
			for k := 0; k < g.sp; k++ {
				x[r*d+i*g.sp+k] = g.sigma(i, k) * rng.NormFloat64()
			}
		}
	}
	return x
}

// TestRefinePreservesTarget starts the chains from exact samples of an
// anisotropic Gaussian and checks that the moments stay put after a
// refinement with either kernel, and that the budget is one evaluation per
// chain for the start plus one per step.
func TestRefinePreservesTarget(t *testing.T) {
	g := &gauss{n: 3, sp: 2, sd: []float64{0.5, 1, 2}}
	d := g.Dim()
	const chains, steps = 20000, 50
	start := exactGauss(g, chains, 1)
	orig := slices.Clone(start)
	for _, tc := range []struct {
		m    mcmc.Method
		clip float64
	}{{mcmc.RWM, 0}, {mcmc.MALA, 0}, {mcmc.MALA, 0.03}} {
		m := tc.m
		t.Run(fmt.Sprintf("%s/clip=%g", m, tc.clip), func(t *testing.T) {
			step := 0.6
			if m == mcmc.MALA {
				step = 0.45
			}
			pool := engine.NewPool(2)
			defer pool.Close()
			res, err := mcmc.Run(mcmc.Config{Target: g, Chains: chains, Seed: 3, Method: m, Step: step, Steps: steps, Start: start,
				DriftClip: tc.clip, Pool: pool})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(start, orig) {
				t.Fatal("Run modified Start")
			}
			if want := int64(chains) * (1 + steps); res.Evals != want {
				t.Errorf("Evals = %d, want %d", res.Evals, want)
			}
			if res.Init.Beta != 1 || len(res.Warm) != 0 {
				t.Errorf("start stage %+v, warm-up %v: want production only", res.Init, res.Warm)
			}
			if a := res.Prod.Accept; a < 0.3 || a > 0.95 {
				t.Errorf("acceptance %.3f", a)
			}
			if res.Unmoved > chains/100 {
				t.Errorf("%d of %d chains never moved", res.Unmoved, chains)
			}
			moved := 0
			col := make([]float64, chains)
			for j := 0; j < d; j++ {
				for c := range col {
					col[c] = res.Samples[c*d+j]
					if col[c] != start[c*d+j] {
						moved++
					}
				}
				mu, sd := meanSD(col)
				want := g.sd[j%len(g.sd)]
				if math.Abs(mu) > 5*want/math.Sqrt(chains) {
					t.Errorf("coordinate %d: mean %.4f, want 0 ± %.4f", j, mu, want/math.Sqrt(chains))
				}
				if math.Abs(sd-want) > 5*want/math.Sqrt(2*chains) {
					t.Errorf("coordinate %d: sd %.4f, want %.4f", j, sd, want)
				}
			}
			if moved < chains*d/2 {
				t.Errorf("only %d of %d coordinates changed: the chains did not run", moved, chains*d)
			}
			// ⟨E⟩ = d/2 before and after.
			for name, e := range map[string][]float64{"start": res.StartEnergies, "end": res.Energies} {
				if em, _ := meanSD(e); math.Abs(em-float64(d)/2) > 5*math.Sqrt(float64(d)/2/chains) {
					t.Errorf("%s: ⟨E⟩ = %.4f, want %v", name, em, float64(d)/2)
				}
			}
		})
	}
}

// TestRefineMovesBiasedStart starts every chain at one far point: the
// refined moments reach the target, so refinement corrects a bad sampler.
func TestRefineMovesBiasedStart(t *testing.T) {
	g := &gauss{n: 1, sp: 2, sd: []float64{1}}
	const chains = 4000
	start := make([]float64, 2*chains)
	for i := range start {
		start[i] = 3
	}
	res, err := mcmc.Run(mcmc.Config{Target: g, Chains: chains, Seed: 5, Method: mcmc.MALA, Step: 0.8, Steps: 200, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	col := make([]float64, chains)
	for j := 0; j < 2; j++ {
		for c := range col {
			col[c] = res.Samples[2*c+j]
		}
		if mu, sd := meanSD(col); math.Abs(mu) > 0.1 || math.Abs(sd-1) > 0.07 {
			t.Errorf("coordinate %d: mean %.3f sd %.3f after refinement, want 0, 1", j, mu, sd)
		}
	}
	if em, _ := meanSD(res.StartEnergies); em != 9 {
		t.Errorf("start energy %v, want 9", em)
	}
}

// TestRefineCentresAndKeeps checks the centring of molecular starts, the
// zero-step refinement (the start itself) and the keep slots.
func TestRefineCentresAndKeeps(t *testing.T) {
	g := &gauss{n: 4, sp: 2, sd: []float64{1}, trap: 1}
	const chains = 9
	rng := rand.New(rand.NewPCG(2, 2))
	start := make([]float64, chains*g.Dim())
	for i := range start {
		start[i] = 5 + rng.NormFloat64() // off-centre
	}
	res, err := mcmc.Run(mcmc.Config{Target: g, Chains: chains, Step: 0.5, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(start)
	engine.Centre(want, 4, 2, chains)
	for i, v := range res.Samples {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("zero steps: value %d is %v, want the centred start %v", i, v, want[i])
		}
	}
	if !slices.Equal(res.Energies, res.StartEnergies) || res.Evals != chains || res.Unmoved != chains {
		t.Errorf("zero steps: energies %v vs %v, evals %d, unmoved %d", res.Energies, res.StartEnergies, res.Evals, res.Unmoved)
	}
	res, err = mcmc.Run(mcmc.Config{Target: g, Chains: chains, Step: 0.5, Steps: 10, Keep: 3, Thin: 5, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3*chains {
		t.Fatalf("rows %d, want %d", res.Rows, 3*chains)
	}
	for r := 0; r < res.Rows; r++ {
		for k := 0; k < 2; k++ {
			s := 0.0
			for i := 0; i < 4; i++ {
				s += res.Samples[r*8+2*i+k]
			}
			if math.Abs(s) > 1e-12 {
				t.Fatalf("row %d not centred (Σ = %v)", r, s)
			}
		}
	}
}

// TestRefineUnmoved: a step far too large for the target is never
// accepted, and Result.Unmoved says so.
func TestRefineUnmoved(t *testing.T) {
	g := &gauss{n: 2, sp: 2, sd: []float64{0.01}}
	const chains = 16
	start := exactGauss(g, chains, 3)
	res, err := mcmc.Run(mcmc.Config{Target: g, Chains: chains, Step: 100, Steps: 5, Method: mcmc.MALA, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unmoved != chains || res.Prod.Accept != 0 {
		t.Errorf("unmoved %d, acceptance %v; want %d, 0", res.Unmoved, res.Prod.Accept, chains)
	}
}

// TestRefineDeterminism: a refinement from given LJ-13 configurations is
// bit-identical for any worker count and block size.
func TestRefineDeterminism(t *testing.T) {
	p, err := lj.New(13)
	if err != nil {
		t.Fatal(err)
	}
	warm, err := mcmc.Run(mcmc.Config{Target: p, Chains: 37, Seed: 2, Step: 0.025, Steps: 50, Init: mcmc.InitGauss, InitScale: 1,
		Ladder: mcmc.UniformLadder(5), WarmSteps: 30, WarmMaxStep: 1.25, Trap: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []mcmc.Method{mcmc.RWM, mcmc.MALA} {
		var ref *mcmc.Result
		for _, tc := range []struct{ workers, block int }{{1, 0}, {2, 0}, {3, 4}, {2, 8}} {
			pool := engine.NewPool(tc.workers)
			res, err := mcmc.Run(mcmc.Config{Target: p, Chains: 37, Seed: 9, Method: m, Step: 0.03, Steps: 40, Start: warm.Samples,
				Keep: 2, Thin: 7, Pool: pool, Block: tc.block})
			pool.Close()
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = res
				continue
			}
			if !slices.Equal(bits(res.Samples), bits(ref.Samples)) || !slices.Equal(bits(res.Energies), bits(ref.Energies)) ||
				res.Evals != ref.Evals || res.Prod != ref.Prod || res.Unmoved != ref.Unmoved {
				t.Errorf("%s workers=%d block=%d: output differs from one worker", m, tc.workers, tc.block)
			}
		}
		if ref.Prod.Accept < 0.2 {
			t.Errorf("%s: acceptance %.3f", m, ref.Prod.Accept)
		}
	}
}

func TestRefineConfigErrors(t *testing.T) {
	g := &gauss{n: 2, sp: 2, sd: []float64{1}}
	start := make([]float64, 4*4)
	ok := mcmc.Config{Target: g, Chains: 4, Step: 1, Steps: 3, Start: start}
	if _, err := mcmc.Run(ok); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*mcmc.Config){
		"short":    func(c *mcmc.Config) { c.Start = start[:15] },
		"chains":   func(c *mcmc.Config) { c.Chains = 3 },
		"ladder":   func(c *mcmc.Config) { c.Ladder, c.WarmMaxStep = mcmc.UniformLadder(2), 1 },
		"resample": func(c *mcmc.Config) { c.InitResample = true },
		"nan": func(c *mcmc.Config) {
			c.Start = slices.Clone(start)
			c.Start[5] = math.NaN()
		},
		"clip":     func(c *mcmc.Config) { c.DriftClip = -1 },
		"nan clip": func(c *mcmc.Config) { c.DriftClip = math.NaN() },
		"inf": func(c *mcmc.Config) {
			c.Start = slices.Clone(start)
			c.Start[9] = math.Inf(-1)
		},
	} {
		c := ok
		mut(&c)
		if _, err := mcmc.Run(c); !errors.Is(err, mcmc.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}
