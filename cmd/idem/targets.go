package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/mcmc"
	"github.com/idem-project/idem/lj"
)

// target is a benchmark target as the command line names it.
type target struct {
	name  string
	t     engine.Target
	pot   *lj.Potential // LJ-n and DW-n; nil for GMM-40
	n     int           // particles (1 for GMM-40)
	space int           // spatial dimension of molecules; 0 for GMM-40
}

var targetRE = regexp.MustCompile(`^(lj|dw)([0-9]+)$`)

// maxParticles bounds LJ-n / DW-n from the command line.
const maxParticles = 1000

// parseTarget resolves gmm40, dw4, lj13, lj55, ljN and dwN (DW-N in 2-D).
// GMM-40 is returned in original x units (gmm.NewOriginal), the units of its
// reference sets and metrics.
func parseTarget(name string) (*target, error) {
	if name == "gmm40" {
		return &target{name: name, t: gmm.NewOriginal(), n: 1}, nil
	}
	m := targetRE.FindStringSubmatch(name)
	if m == nil {
		return nil, fmt.Errorf("unknown target %q (want gmm40, dw4, lj13, lj55, ljN or dwN)", name)
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n < 2 || n > maxParticles {
		return nil, fmt.Errorf("target %q: particle count must be in [2, %d]", name, maxParticles)
	}
	var p *lj.Potential
	if m[1] == "lj" {
		p, err = lj.New(n)
	} else {
		p, err = lj.NewDW(n, 2)
	}
	if err != nil {
		return nil, err
	}
	_, sp := p.Shape()
	return &target{name: name, t: p, pot: p, n: n, space: sp}, nil
}

// recipe is the SPEC §7.5 reference recipe of a target.
type recipe struct {
	step      float64 // production step s
	warmMax   float64 // s_max of the warm-up
	init      mcmc.Init
	initScale float64
	resample  bool // resample the start ∝ exp(−E) (GMM-40)
	ladderK   int  // β ladder 0, 1/k, …, 1; 0 means no warm-up
	warmSteps int
	steps     int // production steps (decorrelation, measured)
}

// defaultRecipe returns the SPEC §7.5 settings. Production lengths are in
// units of the energy's integrated autocorrelation time τ of the SPEC random
// walk, measured with `idem reference -trace` (engine/mcmc documentation):
// DW-4 5000 steps ≈ 25τ, LJ-13 20000 ≈ 8τ. For LJ-55 (τ > 14000 steps)
// the random walk cannot decorrelate within a CPU budget; the default keeps
// the SPEC step but only 5000 steps, and `-method mala -step 0.02`
// (τ ≈ 1700) is the measured better choice.
func (tg *target) defaultRecipe() recipe {
	switch {
	case tg.pot == nil: // GMM-40
		return recipe{step: 1.25, init: mcmc.InitUniform, initScale: 45, resample: true, steps: 1000}
	case tg.pot.Kind() == lj.DoubleWell:
		return recipe{step: 0.5, warmMax: 1.25, init: mcmc.InitUniform, initScale: 3, ladderK: 5, warmSteps: 1000, steps: 5000}
	case tg.n <= 13:
		return recipe{step: 0.025, warmMax: 1.25, init: mcmc.InitGauss, initScale: 1, ladderK: 5, warmSteps: 1000, steps: 20000}
	default:
		// LJ-55's settings; for other N the step is interpolated
		// geometrically in N between LJ-13 (0.025) and LJ-55 (0.0075).
		s := 0.0075
		if tg.n != 55 {
			s = 0.025 * math.Pow(float64(tg.n)/13, math.Log(0.0075/0.025)/math.Log(55.0/13))
		}
		return recipe{step: s, warmMax: 0.01, init: mcmc.InitGauss, initScale: 1, ladderK: 10, warmSteps: 1000, steps: 5000}
	}
}

// defaultBox is the proposal half-width of `idem reference -method is`:
// GMM-40's means lie within ±40 and its components have sd 1.31, so ±60
// keeps the faces (and the 0.9·L edge band) 10σ away; a DW pair
// beyond 7 costs over 40 kT above its wells, so no DW particle sits more
// than 7.5 from another along an axis; LJ clusters are about n^{1/3} wide.
func (tg *target) defaultBox() float64 {
	switch {
	case tg.pot == nil:
		return 60
	case tg.pot.Kind() == lj.DoubleWell:
		return 7.5
	default:
		return 2.5 * math.Cbrt(float64(tg.n))
	}
}
