package sde

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// Score is a score function s(t, x) evaluated on a batch: it writes
// s(t, x_r) for b row-major points x[r·d:(r+1)·d] into out. step is the
// index i of the time grid point t = t_i, which estimators that draw random
// numbers (the Monte-Carlo score) use as part of their stream keys.
type Score interface {
	Score(out, x []float64, t float64, step, b int) error
}

// ScoreFunc adapts a function to Score.
type ScoreFunc func(out, x []float64, t float64, step, b int) error

// Score calls f.
func (f ScoreFunc) Score(out, x []float64, t float64, step, b int) error {
	return f(out, x, t, step, b)
}

// Shape describes the state: N particles in D spatial dimensions, flattened
// as [x₁, y₁, (z₁), x₂, …]; CoMFree centres every state (molecules, SPEC
// §2.4). GMM-40 is N = 1, D = 2, CoMFree false.
type Shape struct {
	N, D    int
	CoMFree bool
}

// Dim is the flattened dimension N·D.
func (s Shape) Dim() int { return s.N * s.D }

// Sampler integrates the reverse SDE of SPEC §4.2 with Euler–Maruyama:
//
//	x ← x + g(t_i)²·s(t_i, x)·dt + η·g(t_i)·√dt·z,  t_i = 1 − i/Steps, i = 0…Steps−1,
//
// centring x after every step for CoM-free targets. η scales only the noise.
// No step is taken at t = 0 and there is no final denoising step.
//
// Randomness: the noise of row r at grid step i is drawn from the stream
// keyed (Seed, call, i, r) (the prior from (Seed, call, priorIndex, r)), so a
// call's result is a pure function of (Seed, call) and the score, whatever
// the number of workers. A Sampler keeps per-call scratch and is used by one
// goroutine at a time.
type Sampler struct {
	Sched Geometric
	Shape Shape
	Steps int     // n; SPEC: 1000
	Eta   float64 // η; SPEC: 1 (GMM, DW-4), 0.9 (LJ-13), 0.5 (LJ-55)
	Seed  uint64
	Pool  *engine.Pool

	drift []float64 // score scratch, grown to the largest batch

	// The current step, read by stepRows on the workers.
	stepFn      func(w, lo, hi int)
	cur, cdrift []float64
	g2dt, noise float64
	call, step  uint64
}

// priorIndex keys the prior draw apart from the step noise.
const priorIndex = math.MaxUint64

// Validate reports whether the sampler's settings are usable.
func (s *Sampler) Validate() error {
	switch {
	case s.Steps < 1:
		return fmt.Errorf("sde: Steps must be positive, got %d", s.Steps)
	case !(s.Eta >= 0) || math.IsInf(s.Eta, 0):
		return fmt.Errorf("sde: η must be finite and non-negative, got %g", s.Eta)
	case s.Shape.N < 1 || s.Shape.D < 1:
		return fmt.Errorf("sde: bad shape %d×%d", s.Shape.N, s.Shape.D)
	case !(s.Sched.SigmaMin > 0) || !(s.Sched.SigmaMax > s.Sched.SigmaMin):
		return errors.New("sde: schedule not set")
	}
	return nil
}

func (s *Sampler) pool() *engine.Pool {
	if s.Pool == nil {
		s.Pool = engine.NewPool(1)
	}
	return s.Pool
}

// rowGrain is the rows per work item of the O(B·d) passes.
func rowGrain(b, d int) int { return max(1, min(b, 4096/max(d, 1))) }

// Prior fills x (b rows) with draws from the prior N(0, h(1)·I), centred for
// CoM-free targets (the mean-free Gaussian of SPEC §2.4), keyed by call.
func (s *Sampler) Prior(x []float64, b int, call uint64) {
	d := s.Shape.Dim()
	std := math.Sqrt(s.Sched.H(1))
	s.pool().For(b, rowGrain(b, d), func(_, lo, hi int) {
		var st engine.Stream
		for r := lo; r < hi; r++ {
			row := x[r*d : (r+1)*d]
			st.Reset3(s.Seed, call, priorIndex, uint64(r))
			st.FillNorm(row)
			for j := range row {
				row[j] *= std
			}
			if s.Shape.CoMFree {
				engine.Centre(row, s.Shape.N, s.Shape.D, 1)
			}
		}
	})
}

// Times returns the time grid t_i = 1 − i/Steps, i = 0…Steps−1.
func (s *Sampler) Times() []float64 {
	ts := make([]float64, s.Steps)
	for i := range ts {
		ts[i] = 1 - float64(i)/float64(s.Steps)
	}
	return ts
}

// Run integrates b rows of x in place from t = 1 to the state after the
// step at t = 1/Steps, with the given score. x must hold the starting
// states (usually from Prior with the same call). ctx is checked between
// steps; progress, when not nil, is called after each step with the number
// of steps done.
func (s *Sampler) Run(ctx context.Context, x []float64, b int, score Score, call uint64, progress func(done int)) error {
	if err := s.Validate(); err != nil {
		return err
	}
	d := s.Shape.Dim()
	if len(x) < b*d {
		return fmt.Errorf("sde: x holds %d values, %d rows need %d", len(x), b, b*d)
	}
	if cap(s.drift) < b*d {
		s.drift = make([]float64, b*d)
	}
	drift := s.drift[:b*d]
	dt := 1 / float64(s.Steps)
	pool := s.pool()
	grain := rowGrain(b, d)
	if s.stepFn == nil {
		s.stepFn = s.stepRows
	}
	s.cur, s.cdrift, s.call = x[:b*d], drift, call
	defer func() { s.cur, s.cdrift = nil, nil }()
	for i := 0; i < s.Steps; i++ {
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		t := 1 - float64(i)/float64(s.Steps)
		if err := score.Score(drift, x[:b*d], t, i, b); err != nil {
			return fmt.Errorf("sde: score at step %d (t = %g): %w", i, t, err)
		}
		s.g2dt = s.Sched.G2(t) * dt
		s.noise = s.Eta * s.Sched.G(t) * math.Sqrt(dt)
		s.step = uint64(i)
		pool.For(b, grain, s.stepFn)
		if progress != nil {
			progress(i + 1)
		}
	}
	for r, v := range x[:b*d] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("sde: sample %d diverged (non-finite coordinate)", r/d)
		}
	}
	return nil
}

// stepRows takes the Euler–Maruyama step for rows [lo, hi).
func (s *Sampler) stepRows(_, lo, hi int) {
	d := s.Shape.Dim()
	var st engine.Stream
	for r := lo; r < hi; r++ {
		row := s.cur[r*d : (r+1)*d]
		dr := s.cdrift[r*d : (r+1)*d]
		for j := range row {
			row[j] += s.g2dt * dr[j]
		}
		if s.noise != 0 {
			// The noise reuses dr once its drift is spent.
			st.Reset3(s.Seed, s.call, s.step, uint64(r))
			st.FillNorm(dr)
			for j := range row {
				row[j] += s.noise * dr[j]
			}
		}
		if s.Shape.CoMFree {
			engine.Centre(row, s.Shape.N, s.Shape.D, 1)
		}
	}
}

// NegativeTime applies SPEC §4.3 to b rows of x: steps deterministic
// descent steps x ← x + dt·clip_M(−∇E(x)) with the clip over the whole
// flattened vector, centring after each step for CoM-free targets. It is
// for evaluation samples only (LJ-55: 10 steps, dt = 10⁻⁴, M = 20).
func NegativeTime(t engine.Target, x []float64, b, steps int, dt, m float64) error {
	d := t.Dim()
	n, sp := t.Shape()
	e := make([]float64, b)
	g := make([]float64, b*d)
	for k := 0; k < steps; k++ {
		engine.EnergyGrad(t, e, g, x[:b*d], b)
		for r := 0; r < b; r++ {
			row := g[r*d : (r+1)*d]
			var ss float64
			for _, v := range row {
				ss += v * v
			}
			f := min(1, m/(math.Sqrt(ss)+1e-6))
			xr := x[r*d : (r+1)*d]
			for j := range xr {
				xr[j] -= dt * f * row[j]
			}
		}
		if t.CoMFree() {
			engine.Centre(x, n, sp, b)
		}
	}
	for r, v := range x[:b*d] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("sde: negative time: sample %d diverged", r/d)
		}
	}
	return nil
}
