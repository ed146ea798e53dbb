package cnf

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/optim"
	"github.com/idem-project/idem/engine/sealed"
	"github.com/idem-project/idem/mlp"
)

// Config describes a flow and its training. Default fills it per target.
type Config struct {
	Target string `json:"target"` // gmm40, dw4, lj13, lj55 or ljN
	// Shape: N particles in D dimensions; MeanFree for molecules.
	N        int  `json:"n"`
	D        int  `json:"d"`
	MeanFree bool `json:"mean_free"`
	// Net is "mlp" (SPEC §5.1 architecture) or "egnn" (§5.2).
	Net    string `json:"net"`
	Width  int    `json:"width"`
	Layers int    `json:"layers"` // MLP residual blocks or EGNN layers
	// Float32 runs the EGNN's training passes in float32; densities are
	// always float64.
	Float32 bool `json:"float32"`
	// BF16 runs the EGNN's training passes with bfloat16 operands in the
	// dense products (egnn.BFloat16: AMX tiles where present), float32
	// elsewhere; densities are still float64. It is a training choice, not
	// part of the network: a flow trained in bf16 can be continued in f32
	// with InitFrom.
	BF16 bool `json:"bf16,omitempty"`
	// Scale: the network sees x/Scale and its output is multiplied by Scale.
	Scale    float64 `json:"scale"`
	PriorStd float64 `json:"prior_std"`
	Batch    int     `json:"batch"`
	LR       float64 `json:"lr"`
	// LRFinal > 0 anneals the learning rate along a cosine from LR to
	// LRFinal over Steps; 0 keeps it constant (SPEC §7.6).
	LRFinal float64 `json:"lr_final"`
	Steps   int     `json:"steps"`
	// ValEvery steps the validation NLL is computed on the first ValRows
	// validation rows, and the best parameters are kept.
	ValEvery int `json:"val_every"`
	ValRows  int `json:"val_rows"`
	// ValProbes > 0 computes the validation NLL with the Hutchinson trace
	// (that many probes) instead of the exact one; the LJ default, where
	// the exact trace costs d = 3N tangent passes per evaluation.
	ValProbes int    `json:"val_probes,omitempty"`
	Seed      uint64 `json:"seed"`
	// Data and Val name the training and validation sets (with their
	// SHA-256), for the record.
	Data string `json:"data,omitempty"`
	Val  string `json:"val,omitempty"`
	// Init names the flow checkpoint (with its seal digest) whose best
	// parameters started the run; empty for a run from random weights.
	Init string `json:"init,omitempty"`
}

// Default returns the SPEC §7.6 flow for a target: GMM-40 an MLP with prior
// N(0, 50²); DW-4 an EGNN of 3 layers, LJ an EGNN of 5 layers (width 128),
// mean-free priors σ_p = 2 (DW-4, LJ-13) or 1 (LJ-55 and larger);
// batch 512, Adam lr 10⁻³.
func Default(target string) (Config, error) {
	c := Config{Target: target, Width: 128, Batch: 512, LR: 1e-3, Steps: 10000, ValEvery: 1000, ValRows: 1000, Seed: 1, Scale: 1, Float32: true}
	switch {
	case target == "gmm40":
		c.N, c.D, c.Net, c.Layers, c.PriorStd, c.Scale = 1, 2, "mlp", 3, 50, 50
	case target == "dw4":
		c.N, c.D, c.MeanFree, c.Net, c.Layers, c.PriorStd = 4, 2, true, "egnn", 3, 2
		c.ValRows = 500
	case strings.HasPrefix(target, "lj"):
		n, err := strconv.Atoi(target[2:])
		if err != nil || n < 2 {
			return c, fmt.Errorf("cnf: unknown target %q", target)
		}
		c.N, c.D, c.MeanFree, c.Net, c.Layers, c.PriorStd = n, 3, true, "egnn", 5, 2
		if n > 13 {
			c.PriorStd = 1
		}
		c.ValRows, c.ValProbes = 200, 2
	default:
		return c, fmt.Errorf("cnf: unknown target %q (want gmm40, dw4, lj13, lj55 or ljN)", target)
	}
	return c, nil
}

// TrainPrecision is the arithmetic of the EGNN's training passes.
func (c Config) TrainPrecision() egnn.Precision {
	switch {
	case c.BF16:
		return egnn.BFloat16
	case c.Float32:
		return egnn.Float32
	}
	return egnn.Float64
}

// SetTrainPrecision sets Float32 and BF16 for the EGNN's training passes
// (the inverse of TrainPrecision); bf16x3 is not offered for flows.
func (c *Config) SetTrainPrecision(p egnn.Precision) error {
	switch p {
	case egnn.Float64, egnn.Float32, egnn.BFloat16:
		c.Float32, c.BF16 = p != egnn.Float64, p == egnn.BFloat16
		return nil
	}
	return fmt.Errorf("cnf: training precision %v (want f64, f32 or bf16)", p)
}

// Prior returns the configuration's prior.
func (c Config) Prior() Prior { return Prior{N: c.N, D: c.D, Std: c.PriorStd, MeanFree: c.MeanFree} }

// Dim is N·D.
func (c Config) Dim() int { return c.N * c.D }

// Validate reports whether c describes a flow that can be trained.
func (c Config) Validate() error {
	bad := func(f string, a ...any) error { return fmt.Errorf("cnf: "+f, a...) }
	fin := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case c.N < 1 || c.D < 1:
		return bad("shape %d × %d", c.N, c.D)
	case c.Net != "mlp" && c.Net != "egnn":
		return bad("net %q (want mlp or egnn)", c.Net)
	case c.Net == "egnn" && (c.N < 2 || !c.MeanFree):
		return bad("the EGNN flow needs a mean-free molecule of at least 2 particles")
	case c.Width < 1 || c.Layers < 1:
		return bad("width %d, layers %d", c.Width, c.Layers)
	case !fin(c.Scale) || !fin(c.PriorStd) || !fin(c.LR):
		return bad("scale %g, prior_std %g and lr %g must be positive and finite", c.Scale, c.PriorStd, c.LR)
	case c.LRFinal < 0 || math.IsNaN(c.LRFinal) || c.LRFinal > c.LR:
		return bad("lr_final %g must be in [0, lr]", c.LRFinal)
	case c.Batch < 1 || c.Batch > 1<<20:
		return bad("batch %d out of [1, 2²⁰]", c.Batch)
	case c.Steps < 0 || c.ValEvery < 0 || c.ValRows < 0 || c.ValProbes < 0:
		return bad("negative steps, val_every, val_rows or val_probes")
	case c.BF16 && c.Net != "egnn":
		return bad("bf16 training passes are for the EGNN flow only")
	}
	return nil
}

func (c Config) newField(pool *engine.Pool, maxBatch int) (Trainable, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Net == "mlp" {
		mc := mlp.GMM()
		mc.InDim = c.Dim()
		mc.Scales = make([]float64, c.Dim())
		for i := range mc.Scales {
			mc.Scales[i] = 25
		}
		mc.Width, mc.Blocks = c.Width, c.Layers
		return newMLPField(mc, c.Scale, c.Seed, pool)
	}
	return newEGNNField(egnn.Config{N: c.N, D: c.D, Layers: c.Layers, Hidden: c.Width}, c.Seed, maxBatch, pool, c.TrainPrecision())
}

// State is the flow's training progress.
type State struct {
	Step     int     // optimiser steps taken
	BestNLL  float64 // best validation NLL so far (+Inf before any)
	BestStep int     // step of BestNLL
	Wall     float64 // seconds of training, resumed runs included
	LossSum  float64 // sum of step losses since the last validation
	LossN    int
}

// Record is one validation round.
type Record struct {
	Step    int     `json:"step"`
	Loss    float64 `json:"loss"`     // mean training loss since the previous record
	ValNLL  float64 `json:"val_nll"`  // NaN when there is no validation set
	Best    bool    `json:"best"`     // this round improved the best validation NLL
	LR      float64 `json:"lr"`       // learning rate of the last step
	Wall    float64 `json:"wall_s"`   // training seconds so far
	Evals   int     `json:"ode_nfe"`  // field evaluations of the validation solves
	Method  string  `json:"method"`   // trace method of the validation NLL
	ValRows int     `json:"val_rows"` // rows the NLL is over
}

// Flow is a trainable continuous normalising flow.
type Flow struct {
	cfg       Config
	pool      *engine.Pool
	ownPool   bool
	field     Trainable
	adam      *optim.Adam
	st        State
	best      []float64 // parameters at BestNLL
	data, val []float64
	nData     int
	// step scratch
	x, u, t, out, loss []float64
	// Density sets the options of validation and of the Flow's density
	// methods; its Pool is the flow's when nil.
	Density DensityOptions
}

// New builds a flow for cfg trained on data (rows × Dim, original units)
// with validation rows val (nil: no validation; the last parameters are the
// best). Molecule rows are centred on the way in. workers ≤ 0 means
// GOMAXPROCS, as for engine.NewPool.
func New(cfg Config, data, val []float64, workers int) (*Flow, error) {
	return newFlow(cfg, data, val, workers, false)
}

func newFlow(cfg Config, data, val []float64, workers int, evalOnly bool) (*Flow, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := cfg.Dim()
	if len(data)%d != 0 || len(val)%d != 0 {
		return nil, fmt.Errorf("cnf: data or validation length is not a multiple of the dimension %d", d)
	}
	if cfg.Steps > 0 && len(data) == 0 && !evalOnly {
		return nil, errors.New("cnf: no training data")
	}
	prep := func(src []float64) ([]float64, error) {
		out := append([]float64(nil), src...)
		if err := checkRows(out, len(out)/d, d); err != nil {
			return nil, err
		}
		if cfg.MeanFree {
			for r := 0; r < len(out)/d; r++ {
				centre(out[r*d:(r+1)*d], cfg.N, cfg.D)
			}
		}
		return out, nil
	}
	var err error
	f := &Flow{cfg: cfg}
	if f.data, err = prep(data); err != nil {
		return nil, fmt.Errorf("training data: %w", err)
	}
	if f.val, err = prep(val); err != nil {
		return nil, fmt.Errorf("validation data: %w", err)
	}
	f.nData = len(f.data) / d
	f.pool = engine.NewPool(workers)
	f.ownPool = true
	f.Density = DensityOptions{Rows: 500}
	if f.field, err = cfg.newField(f.pool, max(cfg.Batch, f.Density.rows())); err != nil {
		f.Close()
		return nil, err
	}
	ps := f.field.Params()
	f.adam = optim.NewAdam(ps.Len(), cfg.LR)
	f.best = append([]float64(nil), ps.Data...)
	f.st.BestNLL = math.Inf(1)
	b := cfg.Batch
	f.x, f.u, f.t, f.out, f.loss = make([]float64, b*d), make([]float64, b*d), make([]float64, b), make([]float64, b*d), make([]float64, b)
	return f, nil
}

// Close releases the worker pool.
func (f *Flow) Close() {
	if f.ownPool && f.pool != nil {
		f.pool.Close()
		f.pool = nil
	}
}

// Config returns the flow's configuration.
func (f *Flow) Config() Config { return f.cfg }

// State returns the training progress.
func (f *Flow) State() State { return f.st }

// Field returns the velocity field with the current parameters.
func (f *Flow) Field() Field { return f.field }

// SetSteps changes the total number of training steps, to continue a run
// further. A cosine schedule (LRFinal > 0) cannot be stretched.
func (f *Flow) SetSteps(n int) error {
	if n < f.st.Step {
		return fmt.Errorf("cnf: %d steps requested, %d already taken", n, f.st.Step)
	}
	if f.cfg.LRFinal > 0 && n != f.cfg.Steps {
		return fmt.Errorf("cnf: the run anneals its learning rate over %d steps; it cannot be extended to %d", f.cfg.Steps, n)
	}
	f.cfg.Steps = n
	return nil
}

// UseBest replaces the current parameters by the best validated ones.
func (f *Flow) UseBest() { copy(f.field.Params().Data, f.best) }

// lr is the learning rate of step s (0-based).
func (f *Flow) lr(s int) float64 {
	c := f.cfg
	if c.LRFinal == 0 || c.Steps <= 1 {
		return c.LR
	}
	p := float64(s) / float64(c.Steps-1)
	return c.LRFinal + 0.5*(c.LR-c.LRFinal)*(1+math.Cos(math.Pi*p))
}

// Step takes one flow-matching step and returns its loss.
func (f *Flow) Step() (float64, error) {
	c := f.cfg
	d, b := c.Dim(), c.Batch
	if f.nData == 0 {
		return 0, errors.New("cnf: no training data")
	}
	step := uint64(f.st.Step)
	pr := c.Prior()
	for r := 0; r < b; r++ {
		s := engine.NewStream(c.Seed, 0x63666d, step, uint64(r))
		x1 := f.data[s.IntN(f.nData)*d:][:d]
		t := s.Float64()
		x0 := f.x[r*d : (r+1)*d]
		pr.Draw(x0, 1, &s)
		u := f.u[r*d : (r+1)*d]
		for i := range x0 {
			u[i] = x1[i] - x0[i]
			x0[i] += t * u[i] // x_t = t·x₁ + (1 − t)·x₀
		}
		f.t[r] = t
	}
	ps := f.field.Params()
	ps.ZeroGrad()
	scale := 2 / float64(b*d)
	err := f.field.ForwardBackward(f.out, f.x, f.t, b, func(lo, hi int, out, dOut []float64) {
		for r := lo; r < hi; r++ {
			var l float64
			for i := 0; i < d; i++ {
				e := out[(r-lo)*d+i] - f.u[r*d+i]
				dOut[(r-lo)*d+i] = scale * e
				l += e * e
			}
			f.loss[r] = l
		}
	})
	if err != nil {
		return 0, err
	}
	var loss float64
	for _, l := range f.loss[:b] {
		loss += l
	}
	loss /= float64(b * d)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("cnf: loss %v at step %d", loss, f.st.Step)
	}
	f.adam.LR = f.lr(f.st.Step)
	f.adam.Update(ps.Data, ps.Grad)
	for _, v := range ps.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return loss, fmt.Errorf("cnf: non-finite parameter after step %d", f.st.Step)
		}
	}
	f.st.Step++
	f.st.LossSum += loss
	f.st.LossN++
	return loss, nil
}

func (f *Flow) densityOptions() DensityOptions {
	o := f.Density
	if o.Pool == nil {
		o.Pool = f.pool
	}
	return o
}

// Validate computes the NLL of the first ValRows validation rows with the
// current parameters and keeps them when they are the best so far.
func (f *Flow) Validate(ctx context.Context) (Record, error) {
	rec := Record{Step: f.st.Step, LR: f.lr(max(f.st.Step-1, 0)), Wall: f.st.Wall, ValNLL: math.NaN()}
	if f.st.LossN > 0 {
		rec.Loss = f.st.LossSum / float64(f.st.LossN)
	}
	d := f.cfg.Dim()
	n := min(f.cfg.ValRows, len(f.val)/d)
	if n == 0 {
		copy(f.best, f.field.Params().Data)
		f.st.BestStep = f.st.Step
		rec.Best = true
	} else {
		opt := f.densityOptions()
		opt.Progress = nil
		opt.Probes, opt.Seed = f.cfg.ValProbes, f.cfg.Seed
		logq, st, err := LogDensity(ctx, f.field, f.cfg.Prior(), f.val, n, opt)
		if err != nil {
			return rec, err
		}
		var s float64
		for _, v := range logq {
			s -= v
		}
		rec.ValNLL, rec.Evals, rec.Method, rec.ValRows = s/float64(n), st.Evals, st.Method, n
		if rec.ValNLL < f.st.BestNLL {
			f.st.BestNLL, f.st.BestStep, rec.Best = rec.ValNLL, f.st.Step, true
			copy(f.best, f.field.Params().Data)
		}
	}
	f.st.LossSum, f.st.LossN = 0, 0
	return rec, nil
}

// Train runs the remaining steps of the configuration, validating every
// ValEvery steps and at the end; each record goes to onRecord (when not
// nil), and step(done, total, loss) is called after every step. It stops
// between steps when ctx is done and returns context.Cause(ctx); the state
// is then consistent and can be saved and resumed.
func (f *Flow) Train(ctx context.Context, step func(done, total int, loss float64), onRecord func(Record) error) error {
	c := f.cfg
	for f.st.Step < c.Steps {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		t0 := time.Now()
		loss, err := f.Step()
		f.st.Wall += time.Since(t0).Seconds()
		if err != nil {
			return err
		}
		if step != nil {
			step(f.st.Step, c.Steps, loss)
		}
		if (c.ValEvery > 0 && f.st.Step%c.ValEvery == 0) || f.st.Step == c.Steps {
			t0 := time.Now()
			rec, err := f.Validate(ctx)
			f.st.Wall += time.Since(t0).Seconds()
			rec.Wall = f.st.Wall
			if err != nil {
				return err
			}
			if onRecord != nil {
				if err := onRecord(rec); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// LogDensity returns log q of rows configurations with the current
// parameters (call UseBest first for the selected flow).
func (f *Flow) LogDensity(ctx context.Context, x []float64, rows int, progress func(done, total int)) ([]float64, DensityStats, error) {
	o := f.densityOptions()
	o.Progress = progress
	return LogDensity(ctx, f.field, f.cfg.Prior(), x, rows, o)
}

// Sample draws n configurations with their log q (see the function Sample).
func (f *Flow) Sample(ctx context.Context, n int, seed uint64, progress func(done, total int)) ([]float64, []float64, DensityStats, error) {
	o := f.densityOptions()
	o.Progress = progress
	return Sample(ctx, f.field, f.cfg.Prior(), n, seed, o)
}

// Flow checkpoint: sections config (JSON), state, parameters, Adam, best
// parameters (param encodings), sealed by engine/sealed.
const (
	flowMagic   = "IDEMFLOW"
	flowVersion = 1
)

// ErrCorruptCheckpoint reports a flow checkpoint that is truncated, altered
// or not a flow checkpoint.
var ErrCorruptCheckpoint = errors.New("cnf: corrupt flow checkpoint")

// ErrConfigMismatch reports a checkpoint of another configuration.
var ErrConfigMismatch = errors.New("cnf: checkpoint is from another configuration")

type stateWire struct {
	Step, BestStep         int64
	BestNLL, Wall, LossSum float64
	LossN                  int64
}

// MarshalBinary encodes the complete training state.
func (f *Flow) MarshalBinary() ([]byte, error) {
	cfg, err := json.Marshal(f.cfg)
	if err != nil {
		return nil, err
	}
	var sb bytes.Buffer
	st := f.st
	binary.Write(&sb, binary.LittleEndian, stateWire{int64(st.Step), int64(st.BestStep), st.BestNLL, st.Wall, st.LossSum, int64(st.LossN)})
	ps := f.field.Params()
	params, err := ps.MarshalBinary()
	if err != nil {
		return nil, err
	}
	adam, err := f.adam.MarshalBinary()
	if err != nil {
		return nil, err
	}
	cur := append([]float64(nil), ps.Data...)
	copy(ps.Data, f.best)
	best, err := ps.MarshalBinary()
	copy(ps.Data, cur)
	if err != nil {
		return nil, err
	}
	return sealed.Marshal(flowMagic, flowVersion, cfg, sb.Bytes(), params, adam, best), nil
}

func splitFlow(data []byte) ([][]byte, Config, error) {
	secs, err := sealed.Unmarshal(data, flowMagic, flowVersion, 5)
	if err != nil {
		return nil, Config{}, fmt.Errorf("%w: %v", ErrCorruptCheckpoint, strings.TrimPrefix(err.Error(), sealed.ErrCorrupt.Error()+": "))
	}
	var c Config
	if err := json.Unmarshal(secs[0], &c); err != nil {
		return nil, c, fmt.Errorf("%w: config: %v", ErrCorruptCheckpoint, err)
	}
	return secs, c, nil
}

// UnmarshalBinary restores a state written by MarshalBinary into a flow of
// the same configuration. On any error the flow is unchanged.
func (f *Flow) UnmarshalBinary(data []byte) error {
	secs, c, err := splitFlow(data)
	if err != nil {
		return err
	}
	// The step count may grow between runs (SetSteps); the rest must match.
	steps := c.Steps
	c.Steps = f.cfg.Steps
	want, _ := json.Marshal(f.cfg)
	if got, _ := json.Marshal(c); !bytes.Equal(got, want) {
		return fmt.Errorf("%w: it holds %s, this flow is %s", ErrConfigMismatch, got, want)
	}
	var w stateWire
	if len(secs[1]) != binary.Size(w) || binary.Read(bytes.NewReader(secs[1]), binary.LittleEndian, &w) != nil {
		return fmt.Errorf("%w: state section", ErrCorruptCheckpoint)
	}
	ps := f.field.Params()
	old := append([]float64(nil), ps.Data...)
	if err := ps.UnmarshalBinary(secs[4]); err != nil {
		return fmt.Errorf("%w: best parameters: %v", ErrCorruptCheckpoint, err)
	}
	best := append([]float64(nil), ps.Data...)
	if err := ps.UnmarshalBinary(secs[2]); err != nil {
		copy(ps.Data, old)
		return fmt.Errorf("%w: parameters: %v", ErrCorruptCheckpoint, err)
	}
	adam := *f.adam
	if err := adam.UnmarshalBinary(secs[3]); err != nil || len(adam.M) != ps.Len() {
		copy(ps.Data, old)
		return fmt.Errorf("%w: Adam state: %v", ErrCorruptCheckpoint, err)
	}
	*f.adam = adam
	f.best = best
	f.cfg.Steps = steps
	f.st = State{Step: int(w.Step), BestStep: int(w.BestStep), BestNLL: w.BestNLL, Wall: w.Wall, LossSum: w.LossSum, LossN: int(w.LossN)}
	return nil
}

// Save writes the checkpoint atomically (engine/atomicfile: temporary file,
// fsync, rename, fsync of the directory).
func (f *Flow) Save(path string) error {
	b, err := f.MarshalBinary()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b)
}

func readFlow(path string) ([]byte, error) {
	data, err := sealed.ReadFile(path)
	if errors.Is(err, sealed.ErrCorrupt) {
		return nil, fmt.Errorf("%w: %v", ErrCorruptCheckpoint, err)
	}
	return data, err
}

// ReadConfig returns the configuration in a flow checkpoint after verifying
// its digest.
func ReadConfig(path string) (Config, error) {
	data, err := readFlow(path)
	if err != nil {
		return Config{}, err
	}
	_, c, err := splitFlow(data)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// network is c without its training fields: two flows with equal networks
// can share parameters.
func (c Config) network() Config {
	return Config{Target: c.Target, N: c.N, D: c.D, MeanFree: c.MeanFree, Net: c.Net, Width: c.Width, Layers: c.Layers, Float32: c.Float32, Scale: c.Scale, PriorStd: c.PriorStd}
}

// InitFrom starts an untrained flow from the best parameters of the flow
// checkpoint at path, which must hold the same network (target, shape,
// width, layers, scale, prior). The optimiser, the schedule and the step
// count start afresh, so a finished run can go on under a new learning-rate
// schedule. The checkpoint is named in Config().Init.
func (f *Flow) InitFrom(path string) error {
	if f.st.Step != 0 {
		return fmt.Errorf("cnf: InitFrom after %d training steps", f.st.Step)
	}
	data, err := readFlow(path)
	if err != nil {
		return err
	}
	secs, c, err := splitFlow(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	got, _ := json.Marshal(c.network())
	if want, _ := json.Marshal(f.cfg.network()); !bytes.Equal(got, want) {
		return fmt.Errorf("%s: %w: its network is %s, this flow's %s", path, ErrConfigMismatch, got, want)
	}
	ps := f.field.Params()
	if err := ps.UnmarshalBinary(secs[4]); err != nil { // unchanged on error
		return fmt.Errorf("%s: %w: best parameters: %v", path, ErrCorruptCheckpoint, err)
	}
	copy(f.best, ps.Data)
	f.cfg.Init = fmt.Sprintf("%s (seal sha256 %x)", path, data[len(data)-32:])
	return nil
}

// Load restores the checkpoint at path (see UnmarshalBinary).
func (f *Flow) Load(path string) error {
	data, err := readFlow(path)
	if err != nil {
		return err
	}
	if err := f.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Open builds a flow from the checkpoint at path with the given training and
// validation rows (both may be nil for evaluation only) and restores it.
func Open(path string, data, val []float64, workers int) (*Flow, error) {
	c, err := ReadConfig(path)
	if err != nil {
		return nil, err
	}
	if data == nil {
		c0 := c
		c0.Steps = 0
		if err := c0.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	f, err := newFlow(c, data, val, workers, data == nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Load(path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
