package mcmc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// Method is the Metropolis–Hastings proposal.
type Method int

const (
	// RWM is random-walk Metropolis, x′ = x + s·z (the SPEC §7.5 recipe).
	RWM Method = iota
	// MALA is the Metropolis-adjusted Langevin algorithm,
	// x′ = x + (s²/2)·F(x) + s·z with the force F = −∇U.
	MALA
)

// String returns "rwm" or "mala".
func (m Method) String() string {
	switch m {
	case RWM:
		return "rwm"
	case MALA:
		return "mala"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod parses the names String returns.
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(s) {
	case "rwm":
		return RWM, nil
	case "mala":
		return MALA, nil
	}
	return 0, fmt.Errorf("mcmc: unknown method %q (want rwm or mala)", s)
}

// Init is the distribution the chains start from.
type Init int

const (
	// InitGauss draws every coordinate from N(0, InitScale²).
	InitGauss Init = iota
	// InitUniform draws every coordinate uniformly from [−InitScale, InitScale].
	InitUniform
)

// Config configures Run. The zero values of the optional fields are usable.
type Config struct {
	// Target is the density exp(−E) to sample (required).
	Target engine.Target
	// Chains is the number of independent chains (required, > 0).
	Chains int
	// Seed keys every random draw.
	Seed uint64
	// Method is the production proposal (RWM by default).
	Method Method
	// WarmMethod is the warm-up proposal (RWM by default, as in SPEC §7.5).
	// MALA from a random start is unstable: the forces of overlapping
	// particles are huge (≈ 10¹³ for LJ), so its drift throws every proposal
	// out.
	WarmMethod Method
	// DriftClip, when > 0, truncates the MALA drift (s²/2)·Fᵢ of every
	// particle i (its spatial components; the whole vector for a target of
	// one particle) to at most this length, in coordinate units, in the
	// proposal and in the reverse density alike, so the kernel still leaves
	// the density invariant: the truncated MALA of Roberts & Tweedie (1996,
	// MALTA), per particle. Where forces are huge (overlapping particles of
	// a start from another sampler) the proposal becomes a random walk
	// instead of being thrown out. 0 means no truncation.
	DriftClip float64
	// Step is the production step size s (required, > 0): the proposal
	// standard deviation of RWM, √h of MALA.
	Step float64
	// Steps is the number of production steps per chain.
	Steps int

	// Init and InitScale set the start (InitScale > 0 required); molecules
	// (Target.CoMFree) are centred after drawing.
	Init      Init
	InitScale float64
	// InitResample resamples the start multinomially ∝ exp(−E) (GMM-40).
	InitResample bool
	// Start, when not nil, replaces the drawn start: Chains configurations
	// of Dim values, row-major, e.g. the samples of another sampler to be
	// refined (SPEC §7.5's production kernel started from them). Row c
	// starts chain c; molecules (Target.CoMFree) are centred on the copy,
	// and Start itself is not modified. Init and InitScale are then
	// ignored, and Ladder and InitResample must be unset: the run is
	// production only, at β = 1.
	Start []float64

	// Ladder is the β ladder of the annealed SMC warm-up, non-decreasing in
	// [0, 1] and ending at 1, e.g. 0, 0.2, …, 1; nil means no warm-up.
	// The first entry is where the start is taken to be; every later entry is
	// one stage (resample, then WarmSteps steps).
	Ladder []float64
	// WarmSteps is the number of Metropolis steps per warm-up stage.
	WarmSteps int
	// WarmMaxStep is s_max: warm-up stages use min(Step/β, WarmMaxStep).
	// 0 means no cap (then a stage at β = 0 is an error).
	WarmMaxStep float64
	// Trap is the strength k of the harmonic trap (k/2)·Σᵢ‖xᵢ − x̄‖² that
	// Target's energy contains and that the warm-up does not temper.
	// A negative value means: ask the target (a method Trap() float64, as
	// lj.Potential has), else 0.
	Trap float64

	// Keep is the number of configurations kept per chain (0 means 1): the
	// state after the last production step and, before it, states Thin steps
	// apart. (Keep−1)·Thin must not exceed Steps.
	Keep int
	// Thin is the spacing in steps between kept configurations of a chain.
	Thin int

	// Trace records the production energies of the first Trace chains after
	// every step, for autocorrelation analysis (IAT).
	Trace int

	// Pool runs blocks of chains in parallel; nil means one worker.
	Pool *engine.Pool
	// Block is the number of chains per block, a multiple of asm.Lanes;
	// 0 picks one from the dimension. Results do not depend on it.
	Block int
	// Progress, when set, is called from the calling goroutine with the
	// number of Metropolis steps per chain done so far and the total.
	Progress func(done, total int)
	// Context, when set, is checked between segments of steps; once it is
	// done, Run stops and returns context.Cause(Context).
	Context context.Context
}

// Stage summarises one phase of a run.
type Stage struct {
	Beta   float64 // inverse temperature of the pair part (1 in production)
	Step   float64 // step size s
	Steps  int     // Metropolis steps per chain
	Accept float64 // fraction of accepted proposals over all chains and steps
	// ESS is the normalised effective sample size (Σw)²/(n·Σw²) of the
	// resampling weights before the stage (1 when there was none).
	ESS float64
}

// Result is the output of Run.
type Result struct {
	// Samples holds Rows configurations of Dim values, row-major. Row
	// k·Chains + c is keep slot k of chain c; slot Keep−1 is the final
	// state. Molecules are centred; no rotation is applied.
	Samples   []float64
	Rows, Dim int
	// Energies holds E of every row of Samples.
	Energies []float64
	// Evals is the number of energy(+force) evaluations spent, one per
	// configuration.
	Evals int64
	// Init, Warm and Prod summarise the start, the warm-up stages and
	// production.
	Init Stage
	Warm []Stage
	Prod Stage
	// Trace holds the production energy of chain c < TraceChains after step
	// t at Trace[t·TraceChains + c].
	Trace       []float64
	TraceChains int
	// Unmoved is the number of chains that accepted no production proposal:
	// with Start, rows the kernel could not refine (for MALA typically
	// overlapping particles, whose huge forces throw every proposal out).
	Unmoved int
	// StartEnergies holds E of every row of Start (nil without Start). A
	// chain that starts at E = +Inf (outside the support) accepts its first
	// proposal of finite energy.
	StartEnergies []float64
}

// Errors for bad configurations; they are wrapped with details.
var (
	ErrConfig     = errors.New("mcmc: invalid configuration")
	ErrDegenerate = errors.New("mcmc: every resampling weight is zero or non-finite")
)

// trapper is implemented by targets with a harmonic trap (lj.Potential).
type trapper interface{ Trap() float64 }

func (c *Config) check() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
	}
	switch {
	case c.Target == nil:
		return bad("no target")
	case c.Chains <= 0:
		return bad("Chains = %d, want > 0", c.Chains)
	case !(c.Step > 0) || math.IsInf(c.Step, 0):
		return bad("Step = %v, want a positive finite value", c.Step)
	case c.Steps < 0 || c.WarmSteps < 0 || c.Thin < 0 || c.Keep < 0 || c.Trace < 0:
		return bad("negative count")
	case c.Start == nil && (!(c.InitScale > 0) || math.IsInf(c.InitScale, 0)):
		return bad("InitScale = %v, want a positive finite value", c.InitScale)
	case c.Init != InitGauss && c.Init != InitUniform:
		return bad("unknown Init %d", c.Init)
	case c.Method != RWM && c.Method != MALA, c.WarmMethod != RWM && c.WarmMethod != MALA:
		return bad("unknown Method %d / WarmMethod %d", c.Method, c.WarmMethod)
	case c.Block < 0 || c.Block%asm.Lanes != 0:
		return bad("Block = %d, want a multiple of %d", c.Block, asm.Lanes)
	case c.Trace > c.Chains:
		return bad("Trace = %d exceeds Chains = %d", c.Trace, c.Chains)
	case c.WarmMaxStep < 0:
		return bad("WarmMaxStep = %v, want ≥ 0", c.WarmMaxStep)
	case !(c.DriftClip >= 0) || math.IsInf(c.DriftClip, 0):
		return bad("DriftClip = %v, want a finite value ≥ 0", c.DriftClip)
	}
	keep := max(c.Keep, 1)
	if (keep-1)*c.Thin > c.Steps {
		return bad("(Keep−1)·Thin = %d exceeds Steps = %d", (keep-1)*c.Thin, c.Steps)
	}
	if keep > 1 && c.Thin == 0 {
		return bad("Keep = %d needs Thin > 0", keep)
	}
	if len(c.Ladder) == 1 {
		return bad("a ladder needs at least two entries")
	}
	for i, b := range c.Ladder {
		if !(b >= 0 && b <= 1) || (i > 0 && b < c.Ladder[i-1]) {
			return bad("ladder must be non-decreasing in [0, 1], got %v", c.Ladder)
		}
		if i > 0 && b == 0 && c.WarmMaxStep == 0 {
			return bad("a stage at β = 0 needs WarmMaxStep > 0")
		}
	}
	if n := len(c.Ladder); n > 0 && c.Ladder[n-1] != 1 {
		return bad("ladder must end at 1, got %v", c.Ladder)
	}
	if n, sp := c.Target.Shape(); n*sp != c.Target.Dim() || n <= 0 || sp <= 0 {
		return bad("target shape (%d, %d) inconsistent with Dim %d", n, sp, c.Target.Dim())
	}
	if c.Start != nil {
		d := c.Target.Dim()
		switch {
		case len(c.Start) != c.Chains*d:
			return bad("len(Start) = %d, want Chains·Dim = %d·%d", len(c.Start), c.Chains, d)
		case len(c.Ladder) > 0 || c.InitResample:
			return bad("Start runs production only: Ladder and InitResample must be unset")
		}
		for i, v := range c.Start {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return bad("Start row %d holds the non-finite value %v", i/d, v)
			}
		}
	}
	return nil
}

// Run runs the chains of cfg and returns the kept configurations.
func Run(cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s := newSampler(&cfg)
	return s.run()
}

// WarmStep returns the warm-up step size min(s/β, sMax) of SPEC §7.5;
// sMax = 0 means no cap.
func WarmStep(s, beta, sMax float64) float64 {
	if beta <= 0 {
		return sMax
	}
	v := s / beta
	if sMax > 0 && v > sMax {
		return sMax
	}
	return v
}

// UniformLadder returns 0, 1/k, 2/k, …, 1 (k+1 values), computed as i/k so
// that the last entry is exactly 1.
func UniformLadder(k int) []float64 {
	if k <= 0 {
		return nil
	}
	l := make([]float64, k+1)
	for i := range l {
		l[i] = float64(i) / float64(k)
	}
	return l
}

// ctxErr returns context.Cause(ctx) once ctx is done; nil for a nil ctx.
func ctxErr(ctx context.Context) error {
	if ctx == nil || ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}
