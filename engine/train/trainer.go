package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/engine/metrics"
	"github.com/idem-project/idem/engine/optim"
	"github.com/idem-project/idem/engine/param"
	"github.com/idem-project/idem/engine/preset"
	"github.com/idem-project/idem/sde"
)

// Variant selects iDEM (x₀ from the replay buffer) or pDEM (x₀ from the
// prior at every step).
type Variant string

const (
	IDEM Variant = "idem"
	PDEM Variant = "pdem"
)

// Mode says what the validation rounds use.
type Mode string

const (
	// RefData is the paper's mode: the validation loss on reference points
	// drives the learning-rate schedule and validation x-W2 against the
	// reference picks the best checkpoint.
	RefData Mode = "reference-data"
	// DataFree uses no reference data anywhere: the validation loss is taken
	// on buffer points (it drives ReduceLROnPlateau), and the best checkpoint
	// is the latest validated one.
	DataFree Mode = "data-free"
)

// Config is everything that determines a run's numbers.
type Config struct {
	Preset  preset.Preset `json:"preset"`
	Variant Variant       `json:"variant"`
	Mode    Mode          `json:"mode"`
	Seed    uint64        `json:"seed"`
	// Validation names the validation set (file and SHA-256) in
	// reference-data mode, so that a resume with another set is refused.
	Validation string `json:"validation,omitempty"`
}

// Validate reports whether c is usable.
func (c Config) Validate() error {
	if err := c.Preset.Validate(); err != nil {
		return err
	}
	if c.Variant != IDEM && c.Variant != PDEM {
		return fmt.Errorf("train: unknown variant %q (want idem or pdem)", c.Variant)
	}
	if c.Mode != RefData && c.Mode != DataFree {
		return fmt.Errorf("train: unknown mode %q (want %s or %s)", c.Mode, RefData, DataFree)
	}
	return nil
}

// Record is one epoch's log entry.
type Record struct {
	Epoch       int                `json:"epoch"`
	Step        int64              `json:"step"`
	Loss        float64            `json:"loss"` // mean inner-step loss of the epoch
	GradNorm    float64            `json:"grad_norm"`
	LR          float64            `json:"lr"`
	ValLoss     *float64           `json:"val_loss,omitempty"`
	Val         map[string]float64 `json:"val,omitempty"` // validation metrics (reference-data mode)
	Best        bool               `json:"best,omitempty"`
	EnergyEvals uint64             `json:"energy_evals"`
	NetEvals    uint64             `json:"net_evals"`
	WallSeconds float64            `json:"wall_s"`
}

// Hooks receive progress; any may be nil.
type Hooks struct {
	// Step is called after every inner step with the epoch, the step within
	// it and the step's loss.
	Step func(epoch, inner int, loss float64)
	// Sampling is called after every SDE step of the end-of-epoch sampling.
	Sampling func(epoch, done, total int)
	// Epoch is called after every epoch (and its validation round); an error
	// stops the run. Record.Best marks a new best checkpoint.
	Epoch func(r Record) error
}

// DivergenceError reports a run whose loss or parameters became non-finite.
type DivergenceError struct {
	Epoch, Inner int
	Step         int64
	What         string
}

func (e *DivergenceError) Error() string {
	return fmt.Sprintf("train: diverged at epoch %d, inner step %d (global step %d): %s", e.Epoch, e.Inner, e.Step, e.What)
}

// Stream tags separate the random streams of a run.
const (
	tagIndices = 1 + iota
	tagNoise
	tagSDE
	tagEstimator
	tagInitMC
	tagValLoss
	tagValSample
	tagValPick
	tagSample
	tagEstimatorHigh
	tagMCBelow
)

// State is the resumable part of a run.
type State struct {
	Epoch       int     // completed epochs
	Inner       int     // inner steps done in the current epoch
	Step        int64   // inner steps done in total
	PendingVal  bool    // the validation round of epoch Epoch is still due
	Filled      bool    // the initial buffer fill is done
	EnergyEvals uint64  // energy+force evaluations, estimator included
	NetEvals    uint64  // network evaluations of one configuration
	BestMetric  float64 // best validation Preset.Select metric (reference-data) or loss (data-free)
	BestEpoch   int
	Wall        float64 // seconds of training, over all resumes
	LossSum     float64 // this epoch's inner losses so far
	GradSum     float64
	BaseLR      float64 // learning rate before the cosine factor (ReduceLROnPlateau acts on it)
	EpochLoss   float64 // the last completed epoch's mean loss and gradient norm
	EpochGrad   float64
}

// Trainer runs iDEM or pDEM training (SPEC §6) for one target.
type Trainer struct {
	cfg    Config
	p      preset.Preset
	target engine.Target
	sched  sde.Geometric
	pool   *engine.Pool
	net    Net
	est    *mcscore.Estimator
	valEst *mcscore.Estimator
	estHi  *mcscore.Estimator // rows with t ≥ THigh when KHigh > 0
	adam   *optim.Adam
	plat   *optim.Plateau
	buf    *Buffer
	// ema (nil unless the preset's EMA > 0) averages the parameters over
	// inner steps; evaluation samples use the average (emaSwap holds the
	// training parameters meanwhile).
	ema     *optim.EMA
	emaSwap []float64
	mcBelow *mcBelow // diagnostic evaluation samples (SetMCBelow); nil: the network throughout
	// anyPrecision lets Load accept a checkpoint whose preset differs
	// from this trainer's in its precision only (OpenPrecision).
	anyPrecision bool
	smp          *sde.Sampler
	score        *netScore
	// lead and leadScore are a precision schedule's workspace (the same
	// model in the precision of Preset.Lead) and its score, for the
	// schedule's first epochs; nil without a schedule.
	lead      Net
	leadScore *netScore
	n, sp     int
	d         int

	val []float64 // validation set in training units, centred (reference-data mode)

	st State

	// Per-step scratch.
	x0, xt, tt, h, target_, out, rowLoss []float64
	e                                    []float64
	bad                                  []int // per Adam chunk: the first non-finite parameter, or −1
	split                                splitScratch
	adamGrain                            int
	adamFn                               func(w, lo, hi int)
	lossFn                               func(lo, hi int, out, dOut []float64)
}

// New builds a trainer with fresh parameters. val is the validation set in
// the target's original units (row-major, at least EvalBatch rows), used in
// reference-data mode and ignored in data-free mode; a reference-data
// trainer without one can sample but not train. workers sets the pool
// size (0: GOMAXPROCS); results do not depend on it.
func New(cfg Config, val []float64, workers int) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := cfg.Preset
	tg, err := p.NewTarget()
	if err != nil {
		return nil, err
	}
	sched, err := p.Schedule()
	if err != nil {
		return nil, err
	}
	tr := &Trainer{cfg: cfg, p: p, target: tg, sched: sched, pool: engine.NewPool(workers), d: tg.Dim()}
	tr.n, tr.sp = tg.Shape()
	d := tr.d
	if cfg.Mode == RefData && val != nil {
		if len(val) < p.EvalBatch*d || len(val)%d != 0 {
			return nil, fmt.Errorf("train: reference-data mode needs a validation set of at least %d rows of %d values, got %d values", p.EvalBatch, d, len(val))
		}
		tr.val = make([]float64, len(val))
		for i, v := range val {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("train: validation row %d has a non-finite value", i/d)
			}
			tr.val[i] = v / p.Scale()
		}
		if tg.CoMFree() {
			engine.Centre(tr.val, tr.n, tr.sp, len(val)/d)
		}
	}
	maxB := max(p.Batch, p.NewPerEp, p.EvalBatch)
	netSeed := subSeed(cfg.Seed, 0)
	switch p.Network {
	case preset.MLP:
		if tg.CoMFree() || d != 2 {
			return nil, fmt.Errorf("train: the MLP network is for the 2-D GMM target, not %s", p.Target)
		}
		tr.net, err = newMLPNet(p.MLPConfig(), netSeed, tr.pool)
	case preset.EGNN:
		tr.net, err = newEGNNNet(p.EGNNConfig(tg), netSeed, maxB, tr.pool, p.Precision())
	default:
		err = fmt.Errorf("train: unknown network %q", p.Network)
	}
	if err != nil {
		return nil, err
	}
	ec := p.Estimator(subSeed(cfg.Seed, tagEstimator))
	if tr.est, err = mcscore.New(tg, ec, tr.pool, max(p.Batch, p.EvalBatch, p.InitFill)); err != nil {
		return nil, err
	}
	if p.KHigh > 0 {
		hc := ec
		hc.K, hc.Seed = p.KHigh, subSeed(cfg.Seed, tagEstimatorHigh)
		if tr.estHi, err = mcscore.New(tg, hc, tr.pool, p.Batch); err != nil {
			return nil, err
		}
		tr.split = newSplitScratch(p.Batch, d)
	}
	ec.Seed = subSeed(cfg.Seed, tagValLoss)
	if tr.valEst, err = mcscore.New(tg, ec, tr.pool, p.EvalBatch); err != nil {
		return nil, err
	}
	tr.adam = optim.NewAdam(tr.net.Params().Len(), p.LR)
	tr.plat = optim.NewPlateau()
	tr.buf = NewBuffer(p.BufferCap, d)
	tr.smp = &sde.Sampler{Sched: sched, Shape: sde.Shape{N: tr.n, D: tr.sp, CoMFree: tg.CoMFree()},
		Steps: p.SDESteps, Eta: p.Eta, Seed: subSeed(cfg.Seed, tagSDE), Pool: tr.pool}
	leadPrec, leadEpochs := p.Lead()
	if leadEpochs > 0 {
		// The schedule's workspace (the same model), sized for training
		// and sampling alike.
		if tr.lead, err = tr.net.(*egnnNet).withPrecision(max(maxB, p.InitFill), tr.pool, leadPrec); err != nil {
			return nil, err
		}
		tr.leadScore = &netScore{net: tr.lead, evals: &tr.st.NetEvals}
	}
	sampler := tr.net
	switch sp := p.SamplePrecision(); {
	case sp == p.Precision():
	case sp == leadPrec && tr.lead != nil:
		sampler = tr.lead // one workspace serves both
	default:
		// The same model with a workspace of the sampling arithmetic.
		if sampler, err = tr.net.(*egnnNet).withPrecision(max(p.NewPerEp, p.EvalBatch, p.InitFill), tr.pool, sp); err != nil {
			return nil, err
		}
	}
	tr.score = &netScore{net: sampler, evals: &tr.st.NetEvals}
	n := max(p.Batch, p.EvalBatch, p.NewPerEp, p.InitFill)
	tr.x0, tr.xt, tr.out, tr.target_ = make([]float64, n*d), make([]float64, n*d), make([]float64, n*d), make([]float64, n*d)
	tr.tt, tr.h, tr.rowLoss, tr.e = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	tr.st.BestMetric = math.Inf(1)
	tr.st.BestEpoch = -1
	tr.st.BaseLR = p.LR
	// The inner step's callbacks, built once (no allocation per step).
	tr.lossFn = tr.lossGrad(p.Batch)
	np := tr.net.Params().Len()
	tr.adamGrain = max(1<<14, (np+4*tr.pool.Workers()-1)/(4*tr.pool.Workers()))
	tr.bad = make([]int, (np+tr.adamGrain-1)/tr.adamGrain)
	tr.adamFn = tr.adamRange
	if p.EMA > 0 {
		tr.ema = optim.NewEMA(tr.net.Params().Data, p.EMA)
		tr.emaSwap = make([]float64, np)
	}
	return tr, nil
}

// Config returns the run's configuration.
func (tr *Trainer) Config() Config { return tr.cfg }

// State returns the resumable counters.
func (tr *Trainer) State() State { return tr.st }

// Params returns the network parameters.
func (tr *Trainer) Params() *param.Set { return tr.net.Params() }

// LR is the current learning rate.
func (tr *Trainer) LR() float64 { return tr.adam.LR }

// Done reports whether every epoch has run.
func (tr *Trainer) Done() bool { return tr.st.Epoch >= tr.p.Epochs && !tr.st.PendingVal }

// SetEpochs changes the run's epoch count, e.g. to continue a finished run.
// It refuses a count below the epochs already run, and any change when the
// learning rate is cosine-annealed over the run. The continued run is
// bit-identical to one started with n epochs when the epochs run so far end
// on a validation round (a multiple of ValEvery), because the last epoch of
// a run is always validated and validation steps ReduceLROnPlateau.
func (tr *Trainer) SetEpochs(n int) error {
	switch {
	case n < 1:
		return fmt.Errorf("train: %d epochs: must be positive", n)
	case n < tr.st.Epoch:
		return fmt.Errorf("train: %d epochs requested, %d already run", n, tr.st.Epoch)
	case tr.p.Cosine && n != tr.p.Epochs:
		return fmt.Errorf("train: the run anneals its learning rate over %d epochs; its length cannot change", tr.p.Epochs)
	}
	tr.p.Epochs, tr.cfg.Preset.Epochs = n, n
	return nil
}

// Close releases the worker pool.
func (tr *Trainer) Close() { tr.pool.Close() }

// Run trains until every epoch is done, ctx is cancelled, or an error. It
// stops only at safe points (between inner steps, or before an epoch's
// sampling or validation), so that a checkpoint written after it returns
// resumes bit for bit. It returns ctx.Err() when cancelled.
func (tr *Trainer) Run(ctx context.Context, hooks Hooks) error {
	start := time.Now()
	wall0 := tr.st.Wall
	defer func() { tr.st.Wall = wall0 + time.Since(start).Seconds() }()
	if tr.cfg.Mode == RefData && tr.val == nil && !tr.Done() {
		return errors.New("train: reference-data mode needs a validation set")
	}
	if !tr.st.Filled {
		if err := tr.initialFill(ctx); err != nil {
			return err
		}
	}
	for !tr.Done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !tr.st.PendingVal {
			for tr.st.Inner < tr.p.Inner {
				if err := ctx.Err(); err != nil {
					return err
				}
				loss, gn, err := tr.innerStep()
				if err != nil {
					return err
				}
				tr.st.LossSum += loss
				tr.st.GradSum += gn
				tr.st.Inner++
				tr.st.Step++
				if hooks.Step != nil {
					hooks.Step(tr.st.Epoch, tr.st.Inner, loss)
				}
			}
			if err := tr.endOfEpoch(ctx, hooks); err != nil {
				return err
			}
			// The epoch is done; its record waits for the validation
			// round when one is due, so a resume emits it once.
			tr.st.EpochLoss = tr.st.LossSum / float64(tr.p.Inner)
			tr.st.EpochGrad = tr.st.GradSum / float64(tr.p.Inner)
			tr.st.LossSum, tr.st.GradSum = 0, 0
			tr.st.Inner = 0
			tr.st.Epoch++
			tr.st.PendingVal = tr.st.Epoch%tr.p.ValEvery == 0 || tr.st.Epoch == tr.p.Epochs
		}
		rec := Record{Loss: tr.st.EpochLoss, GradNorm: tr.st.EpochGrad}
		if tr.st.PendingVal {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := tr.validate(ctx, &rec); err != nil {
				return err
			}
			tr.st.PendingVal = false
		}
		rec.Epoch, rec.Step, rec.LR = tr.st.Epoch, tr.st.Step, tr.stepLR()
		rec.EnergyEvals, rec.NetEvals = tr.st.EnergyEvals, tr.st.NetEvals
		rec.WallSeconds = wall0 + time.Since(start).Seconds()
		tr.st.Wall = rec.WallSeconds
		if hooks.Epoch != nil {
			if err := hooks.Epoch(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// nets returns the network that trains in epoch e (0-based) and the score
// of the samples drawn after it: the schedule's workspace in its first
// epochs (Preset.Lead), else the run's own. Samples before any epoch
// (e = −1) are epoch 0's.
func (tr *Trainer) nets(e int) (Net, *netScore) {
	if _, n := tr.p.Lead(); max(e, 0) < n {
		return tr.lead, tr.leadScore
	}
	return tr.net, tr.score
}

// centre centres b rows in place for molecules.
func (tr *Trainer) centre(x []float64, b int) {
	if tr.target.CoMFree() {
		engine.Centre(x, tr.n, tr.sp, b)
	}
}

// lambda is the loss weight λ(t).
func (tr *Trainer) lambda(h float64) float64 {
	if tr.p.HWeighted {
		return h + 1e-3
	}
	return 1
}

// drawX0 fills tr.x0 with b starting points: buffer rows (iDEM) or prior
// draws (pDEM), keyed by step.
func (tr *Trainer) drawX0(b int, key uint64, fromBuffer bool) {
	d := tr.d
	if fromBuffer {
		st := engine.NewStream(tr.cfg.Seed, tagIndices, key)
		for r := 0; r < b; r++ {
			copy(tr.x0[r*d:(r+1)*d], tr.buf.Row(st.IntN(tr.buf.Size)))
		}
		return
	}
	st := engine.NewStream(tr.cfg.Seed, tagIndices, key)
	std := math.Sqrt(tr.sched.H(1))
	st.FillNorm(tr.x0[:b*d])
	for i := range tr.x0[:b*d] {
		tr.x0[i] *= std
	}
	tr.centre(tr.x0, b)
}

// noise draws t ~ U[0,1) and x_t = x₀ + √h(t)·ε (centred) for b rows.
// With focus, the first round(TFocusFrac·b) rows draw t from the preset's
// window instead (their x₀ are as random as the others').
func (tr *Trainer) noise(b int, tag, key uint64, focus bool) {
	d := tr.d
	st := engine.NewStream(tr.cfg.Seed, tag, key)
	nf := 0
	if focus {
		nf = int(math.Round(tr.p.TFocusFrac * float64(b)))
	}
	lo, w := tr.p.TFocusLo, tr.p.TFocusHi-tr.p.TFocusLo
	for r := 0; r < b; r++ {
		u := st.Float64()
		if r < nf {
			u = lo + w*u
		}
		tr.tt[r] = u
		tr.h[r] = tr.sched.H(tr.tt[r])
	}
	st.FillNorm(tr.xt[:b*d])
	for r := 0; r < b; r++ {
		sq := math.Sqrt(tr.h[r])
		for j := r * d; j < (r+1)*d; j++ {
			tr.xt[j] = tr.x0[j] + sq*tr.xt[j]
		}
	}
	tr.centre(tr.xt, b)
}

// lossGrad fills dOut = ∂L/∂s for rows [lo, hi) and records their losses.
func (tr *Trainer) lossGrad(b int) func(lo, hi int, out, dOut []float64) {
	d := tr.d
	inv := 1 / float64(d)
	return func(lo, hi int, out, dOut []float64) {
		for r := lo; r < hi; r++ {
			lam := tr.lambda(tr.h[r])
			o := out[(r-lo)*d : (r-lo+1)*d]
			g := dOut[(r-lo)*d : (r-lo+1)*d]
			s := tr.target_[r*d : (r+1)*d]
			var sq float64
			for j := range o {
				diff := o[j] - s[j]
				sq += diff * diff
				g[j] = 2 * lam * diff * inv / float64(b)
			}
			tr.rowLoss[r] = lam * sq * inv
		}
	}
}

// innerStep is SPEC §6.2: one regression step onto the clipped S_K.
func (tr *Trainer) innerStep() (loss, gradNorm float64, err error) {
	p := tr.p
	b := p.Batch
	step := uint64(tr.st.Step)
	tr.drawX0(b, step, tr.cfg.Variant == IDEM)
	tr.noise(b, tagNoise, step, true)
	if err := tr.estimateTargets(b, step); err != nil {
		return 0, 0, fmt.Errorf("train: epoch %d, step %d: %w", tr.st.Epoch, tr.st.Inner, err)
	}
	tr.adam.LR = tr.stepLR()
	ps := tr.net.Params()
	ps.ZeroGrad()
	net, _ := tr.nets(tr.st.Epoch)
	if err := net.ForwardBackward(tr.out, tr.xt, tr.tt, b, tr.lossFn); err != nil {
		return 0, 0, err
	}
	tr.st.NetEvals += uint64(b)
	for _, l := range tr.rowLoss[:b] {
		loss += l
	}
	loss /= float64(b)
	gradNorm = optim.ClipGradNorm(ps.Grad, p.GradClip)
	div := func(what string) error {
		return &DivergenceError{Epoch: tr.st.Epoch, Inner: tr.st.Inner, Step: tr.st.Step, What: what}
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, 0, div(fmt.Sprintf("loss is %g", loss))
	}
	if math.IsNaN(gradNorm) || math.IsInf(gradNorm, 0) {
		return 0, 0, div(fmt.Sprintf("gradient norm is %g", gradNorm))
	}
	// Adam over the pool (elementwise, so the bits do not depend on the
	// workers), with the finiteness check of the new parameters fused in.
	tr.adam.Advance()
	bad := tr.bad
	tr.pool.For(len(ps.Data), tr.adamGrain, tr.adamFn)
	if tr.ema != nil {
		tr.ema.Updates++
	}
	for _, i := range bad {
		if i >= 0 {
			return 0, 0, div(fmt.Sprintf("parameter %d is %g after the Adam step", i, ps.Data[i]))
		}
	}
	return loss, gradNorm, nil
}

// adamRange applies the Adam step to parameters [lo, hi) and records the
// first non-finite result of its chunk in tr.bad (−1 if none).
func (tr *Trainer) adamRange(_, lo, hi int) {
	ps := tr.net.Params()
	tr.adam.ApplyRange(ps.Data, ps.Grad, lo, hi)
	if tr.ema != nil {
		tr.ema.UpdateRange(ps.Data, lo, hi)
	}
	c := lo / tr.adamGrain
	tr.bad[c] = -1
	for i, v := range ps.Data[lo:hi] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			tr.bad[c] = lo + i
			return
		}
	}
}

// stepLR is the learning rate of the current inner step: BaseLR, times
// the cosine factor f + (1 − f)·½(1 + cos(π·s/S)) over the S inner steps of
// the run when the preset anneals (f = LRFinal).
func (tr *Trainer) stepLR() float64 {
	if !tr.p.Cosine {
		return tr.st.BaseLR
	}
	total := float64(tr.p.Epochs * tr.p.Inner)
	frac := min(1, float64(tr.st.Step)/total)
	f := tr.p.LRFinal
	return tr.st.BaseLR * (f + (1-f)*0.5*(1+math.Cos(math.Pi*frac)))
}

// energies evaluates E on b row-major training-unit rows into tr.e.
func (tr *Trainer) energies(x []float64, b int) {
	engine.EnergyGrad(tr.target, tr.e[:b], nil, x[:b*tr.d], b)
	tr.st.EnergyEvals += uint64(b)
}

// initialFill puts InitFill rows into the buffer: prior draws, or for GMM
// the reverse SDE with the clipped MC score (SPEC §6.1).
func (tr *Trainer) initialFill(ctx context.Context) error {
	p := tr.p
	b := p.InitFill
	x := tr.x0[:b*tr.d]
	if p.InitMC {
		smp := sde.Sampler{Sched: tr.sched, Shape: tr.smp.Shape, Steps: p.InitSteps, Eta: 1,
			Seed: subSeed(tr.cfg.Seed, tagInitMC), Pool: tr.pool}
		cfg := p.Estimator(subSeed(tr.cfg.Seed, tagInitMC, 1))
		cfg.Clip, cfg.M = mcscore.ClipWhole, p.InitM
		est, err := mcscore.New(tr.target, cfg, tr.pool, b)
		if err != nil {
			return err
		}
		h := make([]float64, b)
		score := sde.ScoreFunc(func(out, x []float64, t float64, step, b int) error {
			for i := range h[:b] {
				h[i] = tr.sched.H(t)
			}
			return est.Estimate(out, x, h, b, uint64(step))
		})
		smp.Prior(x, b, 0)
		if err := smp.Run(ctx, x, b, score, 0, nil); err != nil {
			return fmt.Errorf("train: initial fill: %w", err)
		}
		tr.st.EnergyEvals += est.Evals()
	} else {
		tr.smp.Prior(x, b, math.MaxUint64)
	}
	tr.energies(x, b)
	if err := tr.buf.Push(x, tr.e, b); err != nil {
		return err
	}
	tr.st.Filled = true
	return nil
}

// generate draws b samples with the network score into x (training units),
// keyed by call. Evaluation samples (eval) use EvalSDESteps and EvalEta
// when set and negative time; buffer samples use SDESteps, Eta and never
// negative time.
func (tr *Trainer) generate(ctx context.Context, x []float64, b int, call uint64, eval bool, progress func(done int)) error {
	tr.smp.Steps, tr.smp.Eta = tr.p.SDESteps, tr.p.Eta
	if eval && tr.p.EvalSDESteps > 0 {
		tr.smp.Steps = tr.p.EvalSDESteps
	}
	if eval && tr.p.EvalEta > 0 {
		tr.smp.Eta = tr.p.EvalEta
	}
	if eval && tr.ema != nil {
		// Evaluation samples come from the averaged parameters.
		data := tr.net.Params().Data
		copy(tr.emaSwap, data)
		tr.ema.CopyTo(data)
		defer copy(data, tr.emaSwap)
	}
	// Buffer samples belong to the epoch that is training, evaluation
	// samples to the last one trained.
	e := tr.st.Epoch
	if eval {
		e--
	}
	_, ns := tr.nets(e)
	var score sde.Score = ns
	if eval && tr.mcBelow != nil {
		score = tr.mcBelow.score(tr, ns, call)
	}
	tr.smp.Prior(x, b, call)
	if err := tr.smp.Run(ctx, x, b, score, call, progress); err != nil {
		return err
	}
	if eval && tr.p.NegSteps > 0 {
		if err := sde.NegativeTime(tr.target, x, b, tr.p.NegSteps, tr.p.NegDt, tr.p.NegM); err != nil {
			return err
		}
		tr.st.EnergyEvals += uint64(b * tr.p.NegSteps)
	}
	return nil
}

// endOfEpoch is SPEC §6.3: new samples into the buffer. An interrupted or
// failed call leaves the counters as they were.
func (tr *Trainer) endOfEpoch(ctx context.Context, hooks Hooks) (err error) {
	ee, ne := tr.st.EnergyEvals, tr.st.NetEvals
	defer func() {
		if err != nil {
			tr.st.EnergyEvals, tr.st.NetEvals = ee, ne
		}
	}()
	b := tr.p.NewPerEp
	x := tr.x0[:b*tr.d]
	var prog func(int)
	if hooks.Sampling != nil {
		prog = func(done int) { hooks.Sampling(tr.st.Epoch, done, tr.p.SDESteps) }
	}
	call := uint64(tagSDE)<<56 | uint64(tr.st.Epoch)
	if err := tr.generate(ctx, x, b, call, false, prog); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &DivergenceError{Epoch: tr.st.Epoch, Inner: tr.st.Inner, Step: tr.st.Step, What: "sampling: " + err.Error()}
	}
	tr.energies(x, b)
	return tr.buf.Push(x, tr.e, b)
}

// validate is SPEC §6.4. It changes nothing (schedule, counters, best)
// unless it completes, so an interrupted round is simply run again.
func (tr *Trainer) validate(ctx context.Context, rec *Record) (err error) {
	st, plat := tr.st, *tr.plat
	defer func() {
		if err != nil {
			tr.st, *tr.plat = st, plat
		}
	}()
	p := tr.p
	b := p.EvalBatch
	d := tr.d
	key := uint64(tr.st.Epoch)
	// Validation loss: reference points (or buffer points) noised at random t.
	if tr.cfg.Mode == RefData {
		idx, err := metrics.SampleIndices(len(tr.val)/d, b, tr.cfg.Seed, uint64(tagValPick)<<32|key)
		if err != nil {
			return err
		}
		for r, i := range idx {
			copy(tr.x0[r*d:(r+1)*d], tr.val[i*d:(i+1)*d])
		}
	} else {
		tr.drawX0(b, uint64(tagValLoss)<<56|key, true)
	}
	tr.noise(b, tagValLoss, key, false)
	if err := tr.valEst.Estimate(tr.target_, tr.xt, tr.h, b, key); err != nil {
		return fmt.Errorf("train: validation at epoch %d: %w", tr.st.Epoch, err)
	}
	tr.st.EnergyEvals += uint64(b) * uint64(p.K)
	net, _ := tr.nets(tr.st.Epoch - 1)
	if err := net.Forward(tr.out, tr.xt, tr.tt, b); err != nil {
		return err
	}
	tr.st.NetEvals += uint64(b)
	var vl float64
	for r := 0; r < b; r++ {
		var sq float64
		for j := r * d; j < (r+1)*d; j++ {
			diff := tr.out[j] - tr.target_[j]
			sq += diff * diff
		}
		vl += tr.lambda(tr.h[r]) * sq / float64(d)
	}
	vl /= float64(b)
	rec.ValLoss = &vl
	if p.Plateau {
		tr.st.BaseLR = tr.plat.Step(vl, tr.st.BaseLR)
	}
	metric := vl
	if tr.cfg.Mode == RefData {
		m, err := tr.valMetrics(ctx, key)
		if err != nil {
			return err
		}
		rec.Val = m
		metric = m[tr.p.SelectMetric()]
	}
	// Data-free mode has no comparable figure across rounds (the buffer the
	// loss is taken on keeps changing: on GMM-40 the round with the lowest
	// loss gave x-W2 7.46, the last round 5.62), so its best is the latest.
	if metric < tr.st.BestMetric || tr.cfg.Mode == DataFree {
		tr.st.BestMetric, tr.st.BestEpoch = metric, tr.st.Epoch
		rec.Best = true
	}
	return nil
}

// valMetrics generates EvalBatch fresh samples (with negative time) and
// compares them with as many validation rows, in original units.
func (tr *Trainer) valMetrics(ctx context.Context, key uint64) (map[string]float64, error) {
	b, d := tr.p.EvalBatch, tr.d
	gen := make([]float64, b*d)
	if err := tr.generate(ctx, gen, b, uint64(tagValSample)<<56|key, true, nil); err != nil {
		return nil, fmt.Errorf("train: validation samples: %w", err)
	}
	genE := make([]float64, b)
	tr.unmaskedEnergies(genE, gen, b)
	tr.st.EnergyEvals += uint64(b)
	ref := make([]float64, b*d)
	idx, err := metrics.SampleIndices(len(tr.val)/d, b, tr.cfg.Seed, uint64(tagValSample)<<32|key)
	if err != nil {
		return nil, err
	}
	for r, i := range idx {
		copy(ref[r*d:(r+1)*d], tr.val[i*d:(i+1)*d])
	}
	refE := make([]float64, b)
	tr.unmaskedEnergies(refE, ref, b)
	scale := tr.p.Scale()
	for i := range gen {
		gen[i] *= scale
		ref[i] *= scale
	}
	space := 0
	names := []string{metrics.NameXW2, metrics.NameEnergyW1, metrics.NameEnergyW2}
	if tr.target.CoMFree() {
		space = tr.sp
		names = append(names, metrics.NameDistW2)
	}
	gs, _ := metrics.NewSet(gen, d)
	rs, _ := metrics.NewSet(ref, d)
	return metrics.Compute(metrics.Batch{X: gs, Energy: genE}, metrics.Batch{X: rs, Energy: refE},
		metrics.Options{Space: space, Metrics: names, Pool: tr.pool})
}

// unmaskedEnergies writes E of b rows into e, without GMM-40's −10⁴ mask
// (so that far-off samples give large finite energies, not +Inf).
func (tr *Trainer) unmaskedEnergies(e, x []float64, b int) {
	um, ok := tr.target.(mcscore.Unmasked)
	if !ok {
		engine.EnergyGrad(tr.target, e, nil, x, b)
		return
	}
	L := asm.Len(tr.n, tr.sp, b)
	xb, fb := make([]float64, L), make([]float64, L)
	asm.Pack(xb, x, tr.n, tr.sp, b)
	um.EnergyForceUnmasked(e, fb, xb, b)
}

// Sample draws n samples in the target's original units (with negative
// time where the preset uses it), keyed by call, in batches of the larger
// of NewPerEp and EvalBatch rows. progress, when not nil, receives (rows
// done, total).
func (tr *Trainer) Sample(ctx context.Context, n int, call uint64, progress func(done, total int)) ([]float64, error) {
	d := tr.d
	bmax := max(tr.p.NewPerEp, tr.p.EvalBatch)
	out := make([]float64, n*d)
	// Sampling is not training: the run's counters stay as they are.
	ee, ne := tr.st.EnergyEvals, tr.st.NetEvals
	defer func() { tr.st.EnergyEvals, tr.st.NetEvals = ee, ne }()
	for lo, k := 0, 0; lo < n; lo, k = lo+bmax, k+1 {
		b := min(bmax, n-lo)
		key := subSeed(tr.cfg.Seed, tagSample, call, uint64(k))
		if err := tr.generate(ctx, out[lo*d:(lo+b)*d], b, key, true, nil); err != nil {
			return nil, err
		}
		if progress != nil {
			progress(lo+b, n)
		}
	}
	for i := range out {
		out[i] *= tr.p.Scale()
	}
	return out, nil
}

// subSeed derives a seed from the run's seed and indices.
func subSeed(seed uint64, idx ...uint64) uint64 {
	st := engine.NewStream(seed, idx...)
	return st.Uint64()
}

// Fill does the initial buffer fill if it is not done yet.
func (tr *Trainer) Fill(ctx context.Context) error {
	if tr.st.Filled {
		return nil
	}
	return tr.initialFill(ctx)
}

// InnerStep runs one inner training step (SPEC §6.2) outside Run and
// returns its loss; the buffer must be filled (Fill). It advances the step
// counter as Run does. It is for benchmarks and experiments.
func (tr *Trainer) InnerStep() (float64, error) {
	if !tr.st.Filled {
		return 0, errors.New("train: InnerStep before Fill")
	}
	loss, _, err := tr.innerStep()
	if err == nil {
		tr.st.Step++
	}
	return loss, err
}

// SetEvalSDESteps sets the reverse-SDE steps of evaluation samples (Sample
// and validation); n = 0 restores the preset's. It is not part of the
// checkpointed configuration.
func (tr *Trainer) SetEvalSDESteps(n int) error {
	if n < 0 {
		return fmt.Errorf("train: SDE steps must be ≥ 0, got %d", n)
	}
	if n == 0 {
		n = tr.cfg.Preset.EvalSDESteps
	}
	tr.p.EvalSDESteps = n
	return nil
}

// SetEvalEta sets η of evaluation samples (Sample and validation); 0
// restores the preset's. It is not part of the checkpointed configuration.
func (tr *Trainer) SetEvalEta(eta float64) error {
	if !(eta >= 0) || math.IsInf(eta, 0) {
		return fmt.Errorf("train: η must be finite and ≥ 0, got %g", eta)
	}
	if eta == 0 {
		eta = tr.cfg.Preset.EvalEta
	}
	tr.p.EvalEta = eta
	return nil
}
