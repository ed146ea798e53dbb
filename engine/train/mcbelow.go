package train

import (
	"fmt"
	"math"

	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/sde"
)

// MCBelow makes evaluation samples (Sample, validation) a diagnostic: the
// reverse SDE takes its score from the clipped Monte-Carlo estimator at
// t ≤ Tau and from the network above. Comparing samples for several Tau
// shows at which diffusion times the network's error sets the samples'
// quality (README, "How the quick presets were chosen").
type MCBelow struct {
	Tau float64 // the estimator drives the steps at t ≤ Tau
	K   int     // Monte-Carlo samples per point; 0: the preset's K
	// M is the clipping norm with the preset's clipping rule; 0: the
	// preset's M, +Inf: no clipping.
	M float64
	// MixSigma mixes in the denoising form as mcscore.Config.MixSigma;
	// 0: the force form.
	MixSigma float64
}

type mcBelow struct {
	tau float64
	est *mcscore.Estimator
	h   []float64
}

// SetMCBelow switches evaluation samples to the hybrid score of c, or back
// to the network with nil. It is not part of the checkpointed
// configuration, and the estimator's energy evaluations are not counted in
// the run's budget.
func (tr *Trainer) SetMCBelow(c *MCBelow) error {
	if c == nil {
		tr.mcBelow = nil
		return nil
	}
	switch {
	case !(c.Tau >= 0 && c.Tau <= 1):
		return fmt.Errorf("train: MCBelow.Tau must be in [0, 1], got %g", c.Tau)
	case c.K < 0:
		return fmt.Errorf("train: MCBelow.K must be ≥ 0, got %d", c.K)
	case !(c.M >= 0):
		return fmt.Errorf("train: MCBelow.M must be ≥ 0 or +Inf, got %g", c.M)
	}
	cfg := tr.p.Estimator(subSeed(tr.cfg.Seed, tagMCBelow))
	if c.K > 0 {
		cfg.K = c.K
	}
	switch {
	case math.IsInf(c.M, 1):
		cfg.Clip = mcscore.ClipNone
	case c.M > 0:
		cfg.M = c.M
	}
	cfg.MixSigma = c.MixSigma
	b := max(tr.p.NewPerEp, tr.p.EvalBatch)
	est, err := mcscore.New(tr.target, cfg, tr.pool, b)
	if err != nil {
		return fmt.Errorf("train: MCBelow: %w", err)
	}
	tr.mcBelow = &mcBelow{tau: c.Tau, est: est, h: make([]float64, b)}
	return nil
}

// score is the hybrid score for one sampler call: net above τ, the
// estimator below, its streams keyed by the call and the SDE step.
func (m *mcBelow) score(tr *Trainer, net sde.Score, call uint64) sde.Score {
	return sde.ScoreFunc(func(out, x []float64, t float64, step, b int) error {
		if t > m.tau {
			return net.Score(out, x, t, step, b)
		}
		h := m.h[:b]
		for i := range h {
			h[i] = tr.sched.H(t)
		}
		return m.est.Estimate(out, x, h, b, subSeed(call, uint64(step)))
	})
}
