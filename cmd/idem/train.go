package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/figure"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/engine/metrics"
	"github.com/idem-project/idem/engine/npy"
	"github.com/idem-project/idem/engine/preset"
	"github.com/idem-project/idem/engine/train"
	"github.com/klauspost/cpuid/v2"
)

// gmmValSeed and gmmTestSeed key the exact GMM-40 validation and test sets.
const (
	gmmValSeed  = 1001
	gmmTestSeed = 2002
	gmmValRows  = 2000
)

// version names the build for run logs.
func version() string {
	rev := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
	}
	return rev
}

// validationSet returns the reference rows (original units) that
// reference-data mode validates against, and where they came from.
func validationSet(target, path string) ([]float64, string, error) {
	if path == "" {
		switch target {
		case "gmm40":
			x := make([]float64, 2*gmmValRows)
			gmm.Sample(x, gmmValRows, gmmValSeed)
			return x, fmt.Sprintf("exact GMM-40 samples (seed %d, n = %d)", gmmValSeed, gmmValRows), nil
		case "dw4":
			path = firstExisting("data/dw4-is-reference.npy", "../shared/data/val_split_DW4.npy")
		case "lj13":
			path = firstExisting("../shared/data/val_split_LJ13-1000.npy")
		case "lj55":
			path = firstExisting("data/lj55-reference.npy")
		}
		if path == "" {
			return nil, "", fmt.Errorf("no validation set for %s: give -val FILE.npy, or use -mode data-free", target)
		}
	}
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("validation set: %w", err)
	}
	p, _ := preset.Paper(target)
	tg, err := p.NewTarget()
	if err != nil {
		return nil, "", err
	}
	if a.Cols != tg.Dim() {
		return nil, "", fmt.Errorf("validation set %s has %d columns, %s needs %d", path, a.Cols, target, tg.Dim())
	}
	return a.Data, fmt.Sprintf("%s (sha256 %s, n = %d)", path, a.SHA256, a.Rows), nil
}

func firstExisting(paths ...string) string {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// runLog is the JSON-lines run log: one config record, then one record per
// epoch. It is rewritten atomically with every checkpoint, so that log and
// checkpoint always agree.
type runLog struct {
	path  string
	lines [][]byte
}

func (l *runLog) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	l.lines = append(l.lines, b)
	return nil
}

func (l *runLog) flush() error {
	return atomicfile.WriteFile(l.path, append(bytes.Join(l.lines, []byte("\n")), '\n'))
}

// load keeps the records of an earlier run up to the first record of type
// typ whose field key exceeds upto (train: "epoch"/"epoch"; flow train:
// "val"/"step").
func (l *runLog) load(typ, key string, upto int) error {
	f, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r map[string]json.RawMessage
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		var t string
		var v int
		if json.Unmarshal(r["type"], &t) == nil && t == typ && json.Unmarshal(r[key], &v) == nil && v > upto {
			break
		}
		l.lines = append(l.lines, append([]byte(nil), sc.Bytes()...))
	}
	return sc.Err()
}

// trainOptions are the flags shared by train and demo.
type trainOptions struct {
	target, presetName, variant, mode, val, out, resume string
	seed                                                uint64
	set, precision                                      string
	workers, epochs, ckptEvery                          int
	quiet, force                                        bool
}

func (o *trainOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.target, "target", "gmm40", "target: gmm40, dw4, lj13 or lj55")
	fs.StringVar(&o.presetName, "preset", "quick", "settings: quick (fastest to the paper's quality on 2 cores) or paper (SPEC §6.1)")
	fs.StringVar(&o.variant, "variant", "idem", "idem (x₀ from the replay buffer) or pdem (x₀ from the prior)")
	fs.StringVar(&o.mode, "mode", string(train.RefData), "validation: reference-data (the paper) or data-free (no reference data anywhere)")
	fs.StringVar(&o.val, "val", "", "validation set .npy for reference-data mode (default: exact samples for gmm40, data/dw4-is-reference.npy or the shipped split for dw4, the shipped split for lj13, data/lj55-reference.npy (make reference-lj55) for lj55)")
	fs.Uint64Var(&o.seed, "seed", 1, "run seed: the same seed gives the same bits for any -workers")
	fs.IntVar(&o.workers, "workers", 0, "worker goroutines (0: GOMAXPROCS)")
	fs.IntVar(&o.epochs, "epochs", 0, "override the preset's epoch count (0: keep); with -resume, continue a run without a cosine schedule to this many epochs")
	fs.IntVar(&o.ckptEvery, "ckpt-every", 1, "write last.ckpt every this many epochs")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.StringVar(&o.set, "set", "", "override preset fields, e.g. 'lr=2e-3,k=100,sde_steps=200' (names as in the run log's config)")
	fs.StringVar(&o.precision, "precision", "", "network arithmetic of every pass: f64, f32, bf16 (bfloat16 dense products, the AMX unit's arithmetic) or bf16x3 (each dense product as three bfloat16 products on split operands: near float32 accuracy); default the preset's (-set sample_bf16=true: f32 training, bf16 sampling; precision schedules: -precision bf16 -set f32_epochs=N runs epochs 1–N in f32, -set bf16_epochs=N with f32 epochs 1–N in bf16)")
}

func (o *trainOptions) config() (train.Config, error) {
	p, err := preset.Get(o.presetName, o.target)
	if err != nil {
		return train.Config{}, err
	}
	if o.epochs < 0 {
		return train.Config{}, fmt.Errorf("-epochs %d: must be ≥ 0", o.epochs)
	}
	if o.epochs > 0 {
		p.Epochs = o.epochs
	}
	if o.precision != "" {
		if err := p.SetPrecision(o.precision); err != nil {
			return train.Config{}, fmt.Errorf("-precision: %w", err)
		}
	}
	if o.set != "" {
		if p, err = overridePreset(p, o.set); err != nil {
			return train.Config{}, err
		}
	}
	cfg := train.Config{Preset: p, Variant: train.Variant(o.variant), Mode: train.Mode(o.mode), Seed: o.seed}
	return cfg, cfg.Validate()
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o trainOptions
	o.register(fs)
	fs.StringVar(&o.out, "out", "", "run directory for log.jsonl, last.ckpt and best.ckpt (default runs/TARGET-PRESET-VARIANT-MODE)")
	fs.StringVar(&o.resume, "resume", "", "continue from this checkpoint (its configuration wins over the flags)")
	fs.BoolVar(&o.force, "force", false, "start a new run in a directory that holds checkpoints of an earlier run (they are replaced)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idem train -target T -preset quick|paper [-out DIR] [-resume CKPT] [flags]\n\nTrains an iDEM (or pDEM) sampler (SPEC §6). SIGINT or SIGTERM writes a\ncheckpoint at the next safe point and exits.\n\n")
		fs.PrintDefaults()
	}
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	_, _, err := trainRun(ctx, &o, stdout, stderr)
	return err
}

// trainRun runs or resumes training as o says and returns the run directory.
func trainRun(ctx context.Context, o *trainOptions, stdout, stderr io.Writer) (string, train.State, error) {
	if o.ckptEvery < 1 {
		return "", train.State{}, fmt.Errorf("train: -ckpt-every %d: must be ≥ 1", o.ckptEvery)
	}
	cfg, err := o.config()
	if err != nil {
		return "", train.State{}, fmt.Errorf("train: %w", err)
	}
	if o.resume != "" {
		if cfg, err = train.ReadConfig(o.resume); err != nil {
			return "", train.State{}, fmt.Errorf("train: -resume: %w", err)
		}
	}
	p := cfg.Preset
	if o.out == "" && o.resume != "" {
		o.out = filepath.Dir(o.resume) // the run's own directory
	}
	if o.out == "" {
		o.out = filepath.Join("runs", fmt.Sprintf("%s-%s-%s-%s", p.Target, p.Name, cfg.Variant, cfg.Mode))
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return "", train.State{}, fmt.Errorf("train: -out: %w", err)
	}
	if err := checkWritable(o.out); err != nil {
		return "", train.State{}, fmt.Errorf("train: -out %s is not writable: %w", o.out, err)
	}
	last, best := filepath.Join(o.out, "last.ckpt"), filepath.Join(o.out, "best.ckpt")
	if o.resume == "" {
		for _, f := range []string{last, best} {
			if _, err := os.Stat(f); err == nil {
				if !o.force {
					return "", train.State{}, usagef("train: %s holds an earlier run (%s); continue it with -resume %s, or start over with -force", o.out, filepath.Base(f), last)
				}
				if err := os.Remove(f); err != nil {
					return "", train.State{}, fmt.Errorf("train: %w", err)
				}
			}
		}
	}
	var val []float64
	valDesc := "none (data-free)"
	if cfg.Mode == train.RefData {
		if val, valDesc, err = validationSet(p.Target, o.val); err != nil {
			return "", train.State{}, fmt.Errorf("train: %w", err)
		}
		if o.resume == "" {
			cfg.Validation = valDesc
		} else if cfg.Validation != valDesc {
			return "", train.State{}, fmt.Errorf("train: -resume: the run validated against %s, now %s; give the same -val", cfg.Validation, valDesc)
		}
	}
	tr, err := train.New(cfg, val, o.workers)
	if err != nil {
		return "", train.State{}, fmt.Errorf("train: %w", err)
	}
	defer tr.Close()
	lg := &runLog{path: filepath.Join(o.out, "log.jsonl")}
	if o.resume != "" {
		if err := tr.Load(o.resume); err != nil {
			return "", train.State{}, fmt.Errorf("train: -resume: %w", err)
		}
		if o.epochs > 0 && o.epochs != p.Epochs {
			if err := tr.SetEpochs(o.epochs); err != nil {
				return "", train.State{}, fmt.Errorf("train: -resume with -epochs: %w", err)
			}
			cfg = tr.Config()
			p = cfg.Preset
		}
		if err := lg.load("epoch", "epoch", tr.State().Epoch); err != nil {
			return "", train.State{}, fmt.Errorf("train: reading %s: %w", lg.path, err)
		}
		st := tr.State()
		_ = lg.add(map[string]any{"type": "resume", "from": o.resume, "epoch": st.Epoch, "inner": st.Inner, "epochs": p.Epochs, "version": version()})
		fmt.Fprintf(stdout, "resumed %s at epoch %d, step %d\n", o.resume, st.Epoch, st.Step)
	} else {
		_ = lg.add(map[string]any{"type": "config", "config": cfg, "seed": cfg.Seed, "version": version(), "go": runtime.Version(),
			"cpu": cpuid.CPU.BrandName, "workers": o.workers, "validation": valDesc, "params": tr.Params().Len(),
			"precision": cfg.Preset.Precision(), "sample_precision": cfg.Preset.SamplePrecision(), "impl": asm.MustDefault().Name()})
	}
	save := func(path string) error {
		if err := tr.Save(path); err != nil {
			return err
		}
		return lg.flush()
	}
	prec := p.Precision()
	if sp := p.SamplePrecision(); sp != prec {
		prec += ", sampling " + sp
	}
	if lp, n := p.Lead(); n > 0 {
		prec = fmt.Sprintf("%s in epochs 1–%d, then %s", lp, n, prec)
	}
	ks := fmt.Sprint(p.K)
	if p.KHigh > 0 {
		ks = fmt.Sprintf("%d below t = %g, %d above", p.K, p.THigh, p.KHigh)
	}
	fmt.Fprintf(stdout, "idem train: %s/%s, %s, %s mode, seed %d, %d parameters (%s), %d epochs × %d steps (B = %d, K = %s), %d SDE steps × %d samples per epoch\n",
		p.Target, p.Name, cfg.Variant, cfg.Mode, cfg.Seed, tr.Params().Len(), prec, p.Epochs, p.Inner, p.Batch, ks, p.SDESteps, p.NewPerEp)
	est := "S_K, force form"
	if p.MixSigma > 0 {
		est = fmt.Sprintf("S_K mixed with its denoising form, mix_sigma %g", p.MixSigma)
	}
	switch p.Clip {
	case mcscore.ClipPerParticle:
		est += fmt.Sprintf(", clipped per particle at %g", p.M)
	case mcscore.ClipWhole:
		est += fmt.Sprintf(", clipped at norm %g", p.M)
	}
	if p.Clip != mcscore.ClipNone && p.ClipTLow > 0 {
		est += fmt.Sprintf(" (at %g below t = %g)", p.MLow, p.ClipTLow)
	}
	ts := "U[0, 1)"
	if p.TFocusFrac > 0 {
		ts = fmt.Sprintf("%g of each batch from [%g, %g), the rest U[0, 1)", p.TFocusFrac, p.TFocusLo, p.TFocusHi)
	}
	fmt.Fprintf(stdout, "training target: %s; t: %s\n", est, ts)
	fmt.Fprintf(stdout, "validation: %s\nrun directory: %s\n", valDesc, o.out)

	var bar *progressBar
	total := p.Epochs * p.Inner
	if !o.quiet {
		bar = newBar(stderr, total, "training", "steps")
		bar.Resume(tr.State().Epoch*p.Inner + tr.State().Inner)
	}
	lastVal := ""
	var curve []train.Record
	for _, line := range lg.lines { // a resumed run keeps its earlier rounds
		var r struct {
			Type string `json:"type"`
			train.Record
		}
		if json.Unmarshal(line, &r) == nil && r.Type == "epoch" && (r.Val != nil || r.ValLoss != nil) {
			curve = append(curve, r.Record)
		}
	}
	hooks := train.Hooks{
		Step: func(epoch, inner int, loss float64) {
			if bar != nil {
				bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4g%s", epoch+1, p.Epochs, loss, lastVal))
				bar.Set(epoch*p.Inner + inner)
			}
		},
		Sampling: func(epoch, done, total int) {
			// LJ-55's 1000 SDE steps take minutes: say where the epoch is.
			if bar != nil && (done%10 == 0 || done == total) {
				bar.Describe(fmt.Sprintf("epoch %d/%d new samples: SDE step %d/%d%s", epoch+1, p.Epochs, done, total, lastVal))
			}
		},
		Epoch: func(r train.Record) error {
			if r.Val != nil {
				lastVal = fmt.Sprintf(" | val x_w2 %.3f", r.Val["x_w2"])
				if e, ok := r.Val["energy_w1"]; ok && p.Target != "gmm40" {
					lastVal += fmt.Sprintf(" E-W1 %.3f", e)
				}
			} else if r.ValLoss != nil {
				lastVal = fmt.Sprintf(" | val loss %.4g", *r.ValLoss)
			}
			if r.Val != nil || r.ValLoss != nil {
				curve = append(curve, r)
				if err := writeCurve(o.out, p.Target, curve); err != nil {
					return err
				}
			}
			if err := lg.add(struct {
				Type string `json:"type"`
				train.Record
			}{"epoch", r}); err != nil {
				return err
			}
			if r.Best {
				if err := save(best); err != nil {
					return err
				}
			}
			if r.Epoch%o.ckptEvery == 0 || r.Epoch == p.Epochs {
				return save(last)
			}
			return nil
		},
	}
	runErr := tr.Run(ctx, hooks)
	if bar != nil {
		bar.finish()
	}
	if cause := interrupted(ctx); cause != nil && (runErr == nil || errors.Is(runErr, context.Canceled)) {
		if err := save(last); err != nil {
			return o.out, train.State{}, fmt.Errorf("train: writing the checkpoint after the interrupt: %w", err)
		}
		st := tr.State()
		fmt.Fprintf(stderr, "idem train: %v: checkpoint %s at epoch %d, step %d; resume with -resume %s\n", cause, last, st.Epoch, st.Inner, last)
		return o.out, train.State{}, cause
	}
	if runErr != nil {
		return o.out, train.State{}, fmt.Errorf("%w (last good checkpoint: %s)", runErr, last)
	}
	if err := lg.flush(); err != nil {
		return o.out, train.State{}, fmt.Errorf("train: %w", err)
	}
	st := tr.State()
	fmt.Fprintf(stdout, "done: %d epochs in %s, %.3g energy evaluations, %.3g network evaluations; best validation %s %.4g at epoch %d\n",
		st.Epoch, time.Duration(st.Wall*float64(time.Second)).Round(time.Second), float64(st.EnergyEvals), float64(st.NetEvals),
		map[train.Mode]string{train.RefData: cfg.Preset.SelectMetric(), train.DataFree: "loss"}[cfg.Mode], st.BestMetric, st.BestEpoch)
	fmt.Fprintf(stdout, "checkpoints: %s, %s; log: %s\n", last, best, lg.path)
	return o.out, st, nil
}

// checkWritable creates and removes a file in dir.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".idem-write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func runSample(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		ckpt    = fs.String("ckpt", "", "checkpoint written by idem train")
		n       = fs.Int("n", 1000, "samples to draw")
		out     = fs.String("out", "", "output .npy (float32, rows × d, original units)")
		call    = fs.Uint64("call", 0, "sample stream: different values give independent samples")
		workers = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		quiet   = fs.Bool("quiet", false, "no progress bar")
		steps   = fs.Int("sde-steps", 0, "reverse-SDE steps (0: the preset's evaluation steps)")
		eta     = fs.Float64("eta", 0, "η of the reverse SDE's noise (0: the preset's; SPEC §4.2: 1 GMM/DW-4, 0.9 LJ-13, 0.5 LJ-55)")
		prec    = fs.String("precision", "", "network arithmetic for sampling: f64, f32, bf16 or bf16x3 (default: the checkpoint's)")
		mcBelow = fs.Float64("mc-below", -1, "diagnostic: the Monte-Carlo estimator instead of the network at t ≤ this (-1: off)")
		mcK     = fs.Int("mc-k", 0, "with -mc-below: Monte-Carlo samples per point (0: the preset's K)")
		mcClip  = fs.Float64("mc-clip", 0, "with -mc-below: clipping norm (0: the preset's; +Inf: none)")
		mcMix   = fs.Float64("mc-mix", 0, "with -mc-below: mix_sigma of the estimator (0: the force form)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idem sample -ckpt CKPT -n N -out FILE.npy\n\nDraws samples with the reverse SDE (SPEC §4.2, negative time where the\npreset uses it) and writes them with a .sha256 beside them.\n\n")
		fs.PrintDefaults()
	}
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *ckpt == "" || *out == "" {
		fs.Usage()
		return errUsage
	}
	if *steps < 0 || *steps > 100000 {
		return usagef("sample: -sde-steps %d: must be in [0, 100000]", *steps)
	}
	const maxSamples = 10_000_000
	if *n < 1 || *n > maxSamples {
		return fmt.Errorf("sample: -n %d: must be in [1, %d]", *n, maxSamples)
	}
	if err := checkWritable(filepath.Dir(*out)); err != nil {
		return fmt.Errorf("sample: -out %s: directory not writable: %w", *out, err)
	}
	var tr *train.Trainer
	var err error
	if *prec != "" {
		tr, err = train.OpenPrecision(*ckpt, nil, *workers, *prec)
	} else {
		tr, err = train.Open(*ckpt, nil, *workers)
	}
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	defer tr.Close()
	_ = tr.SetEvalSDESteps(*steps)
	if err := tr.SetEvalEta(*eta); err != nil {
		return fmt.Errorf("sample: -eta: %w", err)
	}
	if *mcBelow != -1 {
		c := train.MCBelow{Tau: *mcBelow, K: *mcK, M: *mcClip, MixSigma: *mcMix}
		if err := tr.SetMCBelow(&c); err != nil {
			return usagef("sample: -mc-below: %v", err)
		}
		fmt.Fprintf(stderr, "diagnostic samples: the Monte-Carlo estimator drives the steps at t ≤ %g\n", *mcBelow)
	} else if *mcK != 0 || *mcClip != 0 || *mcMix != 0 {
		return usagef("sample: -mc-k, -mc-clip and -mc-mix need -mc-below")
	}
	x, err := drawSamples(ctx, tr, *n, *call, *quiet, stderr)
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	d := len(x) / *n
	sum, err := npy.WriteFile(*out, &npy.Array{Rows: *n, Cols: d, Data: x}, true)
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	cfg := tr.Config()
	fmt.Fprintf(stdout, "wrote %s: %d × %d float32 samples of %s (%s/%s, epoch %d), sha256 %s\n", *out, *n, d, cfg.Preset.Target, cfg.Preset.Name, cfg.Variant, tr.State().Epoch, sum)
	return nil
}

// drawSamples samples n rows with a progress bar, honouring SIGINT/SIGTERM.
func drawSamples(ctx context.Context, tr *train.Trainer, n int, call uint64, quiet bool, stderr io.Writer) ([]float64, error) {
	var bar *progressBar
	if !quiet {
		bar = newBar(stderr, n, "sampling", "samples")
	}
	var prog func(done, total int)
	if bar != nil {
		prog = bar.set
	}
	x, err := tr.Sample(ctx, n, call, prog)
	if bar != nil {
		bar.finish()
	}
	if cause := interrupted(ctx); cause != nil {
		return nil, cause
	}
	if err != nil {
		return nil, err
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("sample %d is not finite", i/(len(x)/n))
		}
	}
	return x, nil
}

// presetFields is the set of preset.Preset's JSON field names (those left
// out of the JSON when zero included).
var presetFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[preset.Preset]()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = true
	}
	return m
}()

// overridePreset sets the preset fields named in spec ("name=value,…"),
// by their JSON names.
func overridePreset(p preset.Preset, spec string) (preset.Preset, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return p, err
	}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return p, fmt.Errorf("-set: %q is not name=value", kv)
		}
		if !presetFields[k] || k == "name" || k == "target" {
			return p, fmt.Errorf("-set: unknown or fixed preset field %q", k)
		}
		if !json.Valid([]byte(v)) {
			return p, fmt.Errorf("-set: %s=%s: not a number or boolean", k, v)
		}
		m[k] = json.RawMessage(v)
	}
	raw, _ = json.Marshal(m)
	var out preset.Preset
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return p, fmt.Errorf("-set: %w", err)
	}
	for _, f := range []float64{out.LR, out.SigmaMin, out.SigmaMax, out.M, out.GradClip, out.Eta} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return p, errors.New("-set: values must be finite")
		}
	}
	return out, out.Validate()
}

// paperXW2 and paperEnergyW1 are the published iDEM figures drawn as
// reference lines on the curves (SPEC §8.1, §8.3).
var (
	paperXW2      = map[string]float64{"gmm40": 7.42, "dw4": 2.13, "lj13": 4.26, "lj55": 16.128}
	paperEnergyW1 = map[string]float64{"dw4": 0.435, "lj13": 5.204, "lj55": 21.704}
)

// writeCurve writes curve.csv (one row per validation round) and, in
// reference-data mode, curve.png: validation x_w2 (and energy_w1 for
// molecules) against training wall-clock, beside the paper's iDEM values.
func writeCurve(dir, target string, recs []train.Record) error {
	cols := []string{metrics.NameXW2, metrics.NameEnergyW1, metrics.NameEnergyW2, metrics.NameDistW2}
	var b strings.Builder
	b.WriteString("epoch,wall_s,energy_evals,net_evals,lr,val_loss")
	for _, c := range cols {
		b.WriteString("," + c)
	}
	b.WriteString("\n")
	var xs, ys, es []float64
	for _, r := range recs {
		vl := math.NaN()
		if r.ValLoss != nil {
			vl = *r.ValLoss
		}
		fmt.Fprintf(&b, "%d,%.3f,%d,%d,%g,%g", r.Epoch, r.WallSeconds, r.EnergyEvals, r.NetEvals, r.LR, vl)
		for _, c := range cols {
			v, ok := r.Val[c]
			if !ok {
				b.WriteString(",")
				continue
			}
			fmt.Fprintf(&b, ",%g", v)
		}
		b.WriteString("\n")
		if v, ok := r.Val[metrics.NameXW2]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			xs = append(xs, r.WallSeconds/60)
			ys = append(ys, v)
			if e, ok := r.Val[metrics.NameEnergyW1]; ok && target != "gmm40" && !math.IsInf(e, 0) && !math.IsNaN(e) {
				es = append(es, e)
			}
		}
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "curve.csv"), []byte(b.String())); err != nil {
		return err
	}
	if len(xs) == 0 {
		return nil
	}
	series := []figure.Series{{Label: "validation x_w2", X: xs, Y: ys}}
	hl := []figure.Series{{Label: fmt.Sprintf("paper iDEM x_w2 %.3g", paperXW2[target]), Y: []float64{paperXW2[target]}}}
	if len(es) == len(xs) {
		series = append(series, figure.Series{Label: "validation energy_w1", X: xs, Y: es})
		hl = append(hl, figure.Series{Label: fmt.Sprintf("published iDEM energy_w1 %.3g", paperEnergyW1[target]), Y: []float64{paperEnergyW1[target]}})
	}
	return figure.Curves(filepath.Join(dir, "curve.png"), series, figure.CurveOptions{
		Title: "iDEM on " + target + ": quality against wall-clock", XLabel: "training wall-clock (minutes)", YLabel: "metric (lower is better)",
		HLines: hl, LogY: len(es) == len(xs),
	})
}

// parseCommand parses a command's flags: a bad flag (already printed by fs)
// or an extra argument is a usage error, exit status 2.
func parseCommand(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected arguments %q", fs.Name(), fs.Args())
	}
	return nil
}
