package mcmc_test

import (
	"errors"
	"math"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/mcmc"
	"github.com/idem-project/idem/engine/metrics"
	"github.com/idem-project/idem/lj"
)

// TestImportanceGaussian checks moments and log Z on Gaussians with known
// answers: a plain one (not CoM-free), and a trapped CoM-free one whose
// centred coordinates have variance (1 − 1/n)/a, a = 1/σ² + k, and whose
// integral over the relative positions is (2π/a)^{(n−1)D/2}·n^{D/2}.
func TestImportanceGaussian(t *testing.T) {
	cases := []struct {
		name      string
		g         *gauss
		a         float64 // precision of every coordinate
		wantVar   float64
		wantLogZ  float64
		halfWidth float64
	}{
		{"plain", &gauss{n: 1, sp: 3, sd: []float64{0.7}}, 1 / 0.49, 0.49, 1.5 * math.Log(2*math.Pi*0.49), 5},
		{"trapped", &gauss{n: 3, sp: 2, sd: []float64{1}, trap: 1}, 2, (1 - 1.0/3) / 2, 2*math.Log(2*math.Pi/2) + math.Log(3), 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pool := engine.NewPool(2)
			defer pool.Close()
			res, err := mcmc.ImportanceResample(mcmc.ImportanceConfig{
				Target: tc.g, HalfWidth: tc.halfWidth, Proposals: 2_000_000, N: 20000, Seed: 3, Pool: pool,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.ESS < 2000 {
				t.Fatalf("ESS = %.0f, too small for the test", res.ESS)
			}
			if math.Abs(res.LogZ-tc.wantLogZ) > 5/math.Sqrt(res.ESS) {
				t.Errorf("LogZ = %.5f, want %.5f (±%.4f)", res.LogZ, tc.wantLogZ, 5/math.Sqrt(res.ESS))
			}
			if res.EdgeWeight > 1e-6 {
				t.Errorf("EdgeWeight = %g for a box of %g σ", res.EdgeWeight, tc.halfWidth)
			}
			d := res.Dim
			// The resampled rows carry the IS error (1/√ESS) and their own
			// multinomial error (1/√N): allow 5 of the larger.
			tol := 5 * math.Sqrt(2/min(res.ESS, float64(res.Rows)))
			for k := 0; k < d; k++ {
				col := make([]float64, res.Rows)
				for r := range col {
					col[r] = res.Samples[r*d+k]
				}
				m, sd := meanSD(col)
				if math.Abs(m) > 5*math.Sqrt(tc.wantVar/min(res.ESS, float64(res.Rows))) {
					t.Errorf("coordinate %d: mean %.4f, want 0", k, m)
				}
				if v := sd * sd; math.Abs(v/tc.wantVar-1) > tol {
					t.Errorf("coordinate %d: variance %.4f, want %.4f (±%.1f%%)", k, v, tc.wantVar, 100*tol)
				}
			}
			if tc.g.CoMFree() {
				for r := 0; r < res.Rows; r++ {
					var mx, my float64
					for i := 0; i < tc.g.n; i++ {
						mx += res.Samples[r*d+2*i]
						my += res.Samples[r*d+2*i+1]
					}
					if math.Abs(mx) > 1e-12 || math.Abs(my) > 1e-12 {
						t.Fatalf("row %d not centred: %g, %g", r, mx, my)
					}
				}
			}
			e := make([]float64, res.Rows)
			engine.EnergyGrad(tc.g, e, nil, res.Samples, res.Rows)
			// Rows are centred after evaluation: equal up to rounding.
			for r := range e {
				if math.Abs(e[r]-res.Energies[r]) > 1e-12*(1+math.Abs(e[r])) {
					t.Fatalf("row %d: Energies %v, the sample's energy %v", r, res.Energies[r], e[r])
				}
			}
		})
	}
}

func TestImportanceDeterminismAcrossWorkers(t *testing.T) {
	p, err := lj.NewDW(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	var ref *mcmc.ImportanceResult
	for _, w := range []int{1, 2, 3, 8} {
		pool := engine.NewPool(w)
		res, err := mcmc.ImportanceResample(mcmc.ImportanceConfig{
			Target: p, HalfWidth: 7.5, Proposals: 300_001, N: 500, Seed: 5, Pool: pool,
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
			res.ESS != ref.ESS || res.LogZ != ref.LogZ || res.Evals != ref.Evals {
			t.Errorf("workers=%d: output differs from one worker", w)
		}
	}
}

// TestImportanceAgreesWithMCMC runs both samplers on DW-4 and compares the
// pair-distance and energy distributions: two methods that share no code
// path beyond the energy must agree within their finite-sample error.
func TestImportanceAgreesWithMCMC(t *testing.T) {
	if testing.Short() {
		t.Skip("DW-4 sampler comparison in -short mode")
	}
	p, err := lj.NewDW(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	pool := engine.NewPool(0)
	defer pool.Close()
	const n = 2000
	is, err := mcmc.ImportanceResample(mcmc.ImportanceConfig{
		Target: p, HalfWidth: 7.5, Proposals: 40_000_000, N: n, Seed: 9, Pool: pool,
	})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := mcmc.Run(mcmc.Config{
		Target: p, Chains: n, Seed: 9, Step: 0.5, Steps: 3000, Init: mcmc.InitUniform, InitScale: 3,
		Ladder: mcmc.UniformLadder(5), WarmSteps: 500, WarmMaxStep: 1.25, Trap: -1, Pool: pool,
	})
	if err != nil {
		t.Fatal(err)
	}
	da, err := metrics.PairDistances(metrics.Set{Data: is.Samples, Dim: 8}, 2)
	if err != nil {
		t.Fatal(err)
	}
	db, err := metrics.PairDistances(metrics.Set{Data: mc.Samples, Dim: 8}, 2)
	if err != nil {
		t.Fatal(err)
	}
	dist, err := metrics.Compare1D(da, db)
	if err != nil {
		t.Fatal(err)
	}
	en, err := metrics.Compare1D(is.Energies, mc.Energies)
	if err != nil {
		t.Fatal(err)
	}
	// SPEC §7.3's floors at n = 1000 are 0.038 ± 0.022 (distances) and
	// 0.16 ± 0.06 (energies); at n = 2000 and with the IS duplicates these
	// bounds sit about 3σ above the floors. The shipped DW-4 test set is
	// at 0.18–0.21 on distances against either sampler.
	if dist.W2() > 0.1 {
		t.Errorf("dist_w2(IS, MCMC) = %.4f, want ≤ 0.1", dist.W2())
	}
	if en.W2() > 0.35 {
		t.Errorf("energy_w2(IS, MCMC) = %.4f, want ≤ 0.35", en.W2())
	}
	t.Logf("IS: ESS %.0f; dist_w2 %.4f, energy_w2 %.4f", is.ESS, dist.W2(), en.W2())
}

func TestImportanceErrors(t *testing.T) {
	g := &gauss{n: 1, sp: 2, sd: []float64{1}}
	for _, c := range []mcmc.ImportanceConfig{
		{HalfWidth: 1, Proposals: 10, N: 1},
		{Target: g, HalfWidth: 0, Proposals: 10, N: 1},
		{Target: g, HalfWidth: math.Inf(1), Proposals: 10, N: 1},
		{Target: g, HalfWidth: 1, Proposals: 0, N: 1},
		{Target: g, HalfWidth: 1, Proposals: 10, N: 0},
	} {
		if _, err := mcmc.ImportanceResample(c); !errors.Is(err, mcmc.ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", c, err)
		}
	}
	inf := &infTarget{gauss{n: 1, sp: 2, sd: []float64{1}}}
	if _, err := mcmc.ImportanceResample(mcmc.ImportanceConfig{Target: inf, HalfWidth: 1, Proposals: 100, N: 3}); !errors.Is(err, mcmc.ErrDegenerate) {
		t.Errorf("all +Inf: err = %v, want ErrDegenerate", err)
	}
	nan := &nanTarget{gauss{n: 1, sp: 2, sd: []float64{1}}}
	if _, err := mcmc.ImportanceResample(mcmc.ImportanceConfig{Target: nan, HalfWidth: 1, Proposals: 100, N: 3}); err == nil {
		t.Error("NaN energies: no error")
	}
}

// nanTarget returns NaN for the energy of its third configuration.
type nanTarget struct{ gauss }

func (g *nanTarget) EnergyForce(e, f, x []float64, b int) {
	g.gauss.EnergyForce(e, f, x, b)
	if b > 2 {
		e[2] = math.NaN()
	}
}

// countTarget counts the configurations it evaluates and gives E = +Inf to
// every one whose first coordinate is positive.
type countTarget struct {
	gauss
	evals atomic.Int64
}

func (g *countTarget) EnergyForce(e, f, x []float64, b int) {
	g.gauss.EnergyForce(e, f, x, b)
	g.evals.Add(int64(b))
	for c := 0; c < b; c++ {
		if x[asm.Index(g.n, g.sp, c, 0, 0)] > 0 {
			e[c] = math.Inf(1)
		}
	}
}

// TestImportanceEvalsAndZeroWeights checks that Evals counts the energy
// evaluations made (partial last blocks included) and that no resampled
// row has zero weight, with N well above the number of proposals.
func TestImportanceEvalsAndZeroWeights(t *testing.T) {
	for _, proposals := range []int{1, 7, 1025, 3000} {
		g := &countTarget{gauss: gauss{n: 1, sp: 2, sd: []float64{1}}}
		pool := engine.NewPool(2)
		res, err := mcmc.ImportanceResample(mcmc.ImportanceConfig{
			Target: g, HalfWidth: 3, Proposals: proposals, N: 5000, Seed: 2, Pool: pool,
		})
		pool.Close()
		if proposals == 1 && errors.Is(err, mcmc.ErrDegenerate) {
			continue // the single proposal may have x > 0
		}
		if err != nil {
			t.Fatalf("proposals=%d: %v", proposals, err)
		}
		if got := g.evals.Load(); res.Evals != got {
			t.Errorf("proposals=%d: Evals = %d, EnergyForce saw %d", proposals, res.Evals, got)
		}
		for r := 0; r < res.Rows; r++ {
			if math.IsInf(res.Energies[r], 1) || res.Samples[r*2] > 0 {
				t.Fatalf("proposals=%d: row %d has zero weight", proposals, r)
			}
		}
	}
}
