package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/cnf"
	"github.com/idem-project/idem/engine/figure"
	"github.com/idem-project/idem/engine/npy"
	"github.com/idem-project/idem/engine/weights"
)

const flowUsage = `usage: idem flow <train|eval> [flags]

  train   fit a flow-matching CNF (SPEC §7.6) to a samples file
  eval    NLL of a test set and ESS of the flow's own samples

Run 'idem flow <sub> -h' for the flags.
`

func runFlow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, flowUsage)
		return errUsage
	}
	switch args[0] {
	case "train":
		return runFlowTrain(ctx, args[1:], stdout, stderr)
	case "eval":
		return runFlowEval(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, flowUsage)
		return nil
	}
	fmt.Fprintf(stderr, "idem flow: unknown subcommand %q\n\n%s", args[0], flowUsage)
	return errUsage
}

// loadRows reads a samples file for the target with the checks of idem eval.
func loadRows(tg *target, path, what, cmd string, skipChecksum bool, stderr io.Writer) (*dataset, error) {
	return loadSet(tg, path, what, loadOptions{cmd: cmd, skipChecksum: skipChecksum, maxValues: 1 << 30, stderr: stderr})
}

func runFlowTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("flow train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		tgName   = fs.String("target", "", "target: gmm40, dw4, lj13, lj55 or ljN")
		dataPath = fs.String("data", "", "training samples (.npy, rows × d, original units)")
		valPath  = fs.String("val", "", "validation samples for checkpoint selection by NLL (optional)")
		out      = fs.String("out", "", "run directory (default runs/flow-TARGET)")
		steps    = fs.Int("steps", -1, "optimiser steps (-1: the default, 10000)")
		batch    = fs.Int("batch", 512, "samples per step")
		lr       = fs.Float64("lr", 1e-3, "Adam learning rate")
		lrFinal  = fs.Float64("lr-final", 0, "cosine-anneal the learning rate to this value (0: constant, as SPEC §7.6)")
		valEvery = fs.Int("val-every", -1, "steps between validation rounds (-1: the default, 1000)")
		valRows  = fs.Int("val-rows", -1, "validation rows the NLL is over (-1: the target's default)")
		valProbe = fs.Int("val-probes", -1, "Hutchinson probes of the validation NLL (0: exact trace; -1: the target's default, exact except LJ)")
		width    = fs.Int("width", 128, "network width")
		layers   = fs.Int("layers", 0, "MLP blocks or EGNN layers (0: the target's default)")
		precName = fs.String("precision", "f32", "arithmetic of the EGNN's training passes: f32, bf16 (bfloat16 products, AMX tiles where present) or f64; densities are always float64")
		seed     = fs.Uint64("seed", 1, "seed of the initial weights and of every draw")
		workers  = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		resume   = fs.Bool("resume", false, "continue the run in -out")
		initCkpt = fs.String("init", "", "start from the best parameters of this flow checkpoint (same network), with a fresh optimiser and schedule")
		force    = fs.Bool("force", false, "start over, replacing an earlier run in -out")
		quiet    = fs.Bool("quiet", false, "no progress bar")
		skipSum  = fs.Bool("skip-checksum", false, "do not check -data and -val against their .sha256 checksum files (prints a warning)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idem flow train -target T -data FILE.npy [-val FILE.npy] [-out DIR]\n\nFits a velocity field by conditional flow matching (σ = 0) from the SPEC §7.6\nprior to the samples, keeps the parameters with the best validation NLL, and\nwrites DIR/flow.ckpt, DIR/log.jsonl and DIR/curve.png.\n\n")
		fs.PrintDefaults()
	}
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *tgName == "" || *dataPath == "" {
		fs.Usage()
		return errUsage
	}
	if *resume && *initCkpt != "" {
		return usagef("flow train: -init starts a new run; -resume continues one (its start is in its checkpoint)")
	}
	cfg, err := cnf.Default(*tgName)
	if err != nil {
		return usagef("flow train: -target: %v", err)
	}
	if *steps >= 0 {
		cfg.Steps = *steps
	}
	if *valEvery >= 0 {
		cfg.ValEvery = *valEvery
	}
	if *valRows >= 0 {
		cfg.ValRows = *valRows
	}
	if *valProbe >= 0 {
		cfg.ValProbes = *valProbe
	}
	if *layers > 0 {
		cfg.Layers = *layers
	}
	cfg.Batch, cfg.LR, cfg.LRFinal, cfg.Width, cfg.Seed = *batch, *lr, *lrFinal, *width, *seed
	prec, err := egnn.ParsePrecision(*precName)
	if err == nil {
		err = cfg.SetTrainPrecision(prec)
	}
	if err != nil {
		return usagef("flow train: -precision: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		return usagef("flow train: %v", err)
	}
	tg, err := parseTarget(*tgName)
	if err != nil {
		return usagef("flow train: %v", err)
	}
	if *out == "" {
		*out = filepath.Join("runs", "flow-"+*tgName)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("flow train: -out: %w", err)
	}
	if err := checkWritable(*out); err != nil {
		return fmt.Errorf("flow train: -out %s is not writable: %w", *out, err)
	}
	ckpt := filepath.Join(*out, "flow.ckpt")
	if _, err := os.Stat(ckpt); err == nil && !*resume && !*force {
		return usagef("flow train: %s holds an earlier run; continue it with -resume, or start over with -force", *out)
	}
	data, err := loadRows(tg, *dataPath, "training", "flow train", *skipSum, stderr)
	if err != nil {
		return fmt.Errorf("flow train: %w", err)
	}
	cfg.Data = fmt.Sprintf("%s (sha256 %s)", *dataPath, data.sha)
	var val []float64
	if *valPath != "" {
		vs, err := loadRows(tg, *valPath, "validation", "flow train", *skipSum, stderr)
		if err != nil {
			return fmt.Errorf("flow train: %w", err)
		}
		val = vs.x
		cfg.Val = fmt.Sprintf("%s (sha256 %s)", *valPath, vs.sha)
	}
	var f *cnf.Flow
	if *resume {
		old, err := cnf.ReadConfig(ckpt)
		if err != nil {
			return fmt.Errorf("flow train: -resume: %w", err)
		}
		if old.Data != cfg.Data || old.Val != cfg.Val {
			return fmt.Errorf("flow train: -resume: the run used %q / %q, now %q / %q", old.Data, old.Val, cfg.Data, cfg.Val)
		}
		if f, err = cnf.Open(ckpt, data.x, val, *workers); err != nil {
			return fmt.Errorf("flow train: -resume: %w", err)
		}
		if *steps >= 0 {
			if err := f.SetSteps(*steps); err != nil {
				f.Close()
				return fmt.Errorf("flow train: -resume: %w", err)
			}
		}
		cfg = f.Config()
	} else {
		if f, err = cnf.New(cfg, data.x, val, *workers); err != nil {
			return fmt.Errorf("flow train: %w", err)
		}
		if *initCkpt != "" {
			if err := f.InitFrom(*initCkpt); err != nil {
				f.Close()
				return fmt.Errorf("flow train: -init: %w", err)
			}
			cfg = f.Config()
		}
	}
	defer f.Close()
	lg := &runLog{path: filepath.Join(*out, "log.jsonl")}
	if *resume {
		if err := lg.load("val", "step", f.State().Step); err != nil {
			return fmt.Errorf("flow train: log: %w", err)
		}
	} else {
		lg.add(map[string]any{"type": "config", "version": version(), "config": cfg, "data_rows": data.rows, "val_rows": len(val) / cfg.Dim()})
	}
	var bar *progressBar
	if !*quiet {
		bar = newBar(stderr, cfg.Steps, "flow "+*tgName, "steps")
		bar.Resume(f.State().Step)
	}
	var recs []cnf.Record
	onRecord := func(r cnf.Record) error {
		recs = append(recs, r)
		lg.add(struct {
			Type string `json:"type"`
			cnf.Record
		}{"val", r})
		if err := f.Save(ckpt); err != nil {
			return err
		}
		if bar != nil {
			bar.Describe(fmt.Sprintf("flow %s (val NLL %.4g)", *tgName, r.ValNLL))
		}
		return lg.flush()
	}
	err = f.Train(ctx, func(done, _ int, loss float64) {
		if bar != nil {
			bar.Set(done)
		}
	}, onRecord)
	bar.finish()
	if cause := interrupted(ctx); cause != nil {
		if serr := f.Save(ckpt); serr != nil {
			return errors.Join(cause, serr)
		}
		fmt.Fprintf(stderr, "idem flow train: stopped at step %d; checkpoint %s (continue with -resume)\n", f.State().Step, ckpt)
		return cause
	}
	if err != nil {
		return fmt.Errorf("flow train: %w", err)
	}
	if err := f.Save(ckpt); err != nil {
		return fmt.Errorf("flow train: %w", err)
	}
	if err := lg.flush(); err != nil {
		return fmt.Errorf("flow train: %w", err)
	}
	if err := flowCurve(filepath.Join(*out, "curve.png"), *tgName, lg); err != nil {
		fmt.Fprintf(stderr, "idem flow train: warning: curve: %v\n", err)
	}
	st := f.State()
	sel := fmt.Sprintf("best validation NLL %.4f at step %d", st.BestNLL, st.BestStep)
	if math.IsInf(st.BestNLL, 1) {
		sel = fmt.Sprintf("no validation rows, so the selected parameters are those of step %d", st.BestStep)
	}
	fmt.Fprintf(stdout, "flow %s: %d steps in %.1f s; %s; wrote %s\n", *tgName, st.Step, st.Wall, sel, ckpt)
	return nil
}

// flowCurve plots validation NLL against training seconds from the log.
func flowCurve(path, target string, lg *runLog) error {
	var s figure.Series
	s.Label = "validation NLL"
	for _, line := range lg.lines {
		var r struct {
			Type   string  `json:"type"`
			ValNLL float64 `json:"val_nll"`
			Wall   float64 `json:"wall_s"`
		}
		if json.Unmarshal(line, &r) == nil && r.Type == "val" && !math.IsNaN(r.ValNLL) {
			s.X = append(s.X, r.Wall/60)
			s.Y = append(s.Y, r.ValNLL)
		}
	}
	if len(s.X) == 0 {
		return nil
	}
	return figure.Curves(path, []figure.Series{s}, figure.CurveOptions{Title: "flow " + target, XLabel: "training minutes", YLabel: "NLL (nats)"})
}

// flowEval is the JSON output of idem flow eval.
type flowEval struct {
	Flow       string     `json:"flow"`
	Target     string     `json:"target"`
	Step       int        `json:"flow_step"`
	Trace      string     `json:"trace"`
	Tol        float64    `json:"tol"` // dopri5 atol = rtol
	Test       string     `json:"test,omitempty"`
	TestRows   int        `json:"test_rows"`
	FirstRow   int        `json:"first_row,omitempty"`
	NLL        *float64   `json:"nll,omitempty"`
	NLLSE      *float64   `json:"nll_se,omitempty"`
	NLLSeconds float64    `json:"nll_seconds"`
	NLLEvals   int        `json:"nll_ode_nfe"`
	Fallbacks  int        `json:"fallbacks"`
	ESS        []essStats `json:"ess,omitempty"`
	ELBO       *float64   `json:"elbo_cnf,omitempty"`
	LogZIS     *float64   `json:"logz_is,omitempty"`
	Samples    int        `json:"flow_samples"`
	SampleSecs float64    `json:"sample_seconds"`
}

type essStats struct {
	Name    string  `json:"name"`
	Mean    float64 `json:"mean"`
	SD      float64 `json:"sd"`
	Batches int     `json:"batches"`
}

func fptr(v float64) *float64 { return &v }

func runFlowEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("flow eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		ckpt      = fs.String("flow", "", "flow checkpoint written by idem flow train")
		testPath  = fs.String("test", "", "test set for the NLL (.npy; every row is used unless -max-rows)")
		maxRows   = fs.Int("max-rows", 0, "use at most this many test rows (0: all)")
		firstRow  = fs.Int("first-row", 0, "start at this test row (0-based), so that a long split can be evaluated in parts; with -rows dividing it, each row's log q is that of a whole-split run")
		essN      = fs.Int("ess-n", 1000, "flow samples per ESS batch for ess_cnf@n (0: no ESS)")
		essB      = fs.Int("ess-batches", 5, "ESS batches (ess_cnf@16 uses the same samples in batches of 16)")
		probes    = fs.Int("probes", 0, "Hutchinson probes (0: the exact trace)")
		rows      = fs.Int("rows", 500, "rows integrated together")
		tol       = fs.Float64("tol", 1e-5, "dopri5 atol = rtol (SPEC §7.6: 1e-5; DEM's LJ-55 flow used 1e-3)")
		seed      = fs.Uint64("seed", 1, "seed of the flow samples and of the probes")
		workers   = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		jsonOut   = fs.String("json", "", "also write the figures as JSON to this file")
		logqOut   = fs.String("logq", "", "also write log q of each test row to this .npy (n × 1 float32, with a .sha256)")
		quiet     = fs.Bool("quiet", false, "no progress bar")
		latest    = fs.Bool("latest", false, "use the last parameters, not the best validated ones")
		maxMemGiB = maxMemFlag(fs)
		skipSum   = fs.Bool("skip-checksum", false, "do not check -test against its .sha256 checksum file (prints a warning)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idem flow eval -flow CKPT [-test FILE.npy] [-ess-n N -ess-batches K]\n\nPrints nll (−mean log q over the test set, nats per configuration), and the\nESS of self-normalised importance weights log p̃ − log q of the flow's own\nsamples as ess_cnf@16 and ess_cnf@N (mean ± sd over batches), elbo_cnf (mean\nlog w) and logz_is (log-mean-exp of log w), named as SPEC §7.6.\n\n")
		fs.PrintDefaults()
	}
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *ckpt == "" {
		fs.Usage()
		return errUsage
	}
	c := &flagChecker{cmd: "flow eval"}
	c.int("max-rows", *maxRows, 0, 100_000_000)
	c.int("first-row", *firstRow, 0, 100_000_000)
	c.int("ess-n", *essN, 0, 10_000_000)
	c.int("ess-batches", *essB, 1, 10_000)
	c.int("probes", *probes, 0, 1000)
	c.int("rows", *rows, 1, 100_000)
	c.float("tol", *tol, 1e-12, 0.1)
	c.memory("flow samples", 8*f64(*essN)*f64(*essB)*200, *maxMemGiB)
	if c.err != nil {
		return c.err
	}
	if *logqOut != "" && *testPath == "" {
		return usagef("flow eval: -logq needs -test")
	}
	if *firstRow > 0 && *testPath == "" {
		return usagef("flow eval: -first-row needs -test")
	}
	for _, p := range []struct{ flag, path string }{{"-json", *jsonOut}, {"-logq", *logqOut}} {
		if p.path == "" {
			continue
		}
		if err := checkWritable(filepath.Dir(p.path)); err != nil {
			return fmt.Errorf("flow eval: %s %s: directory not writable: %w", p.flag, p.path, err)
		}
	}
	f, err := cnf.Open(*ckpt, nil, nil, *workers)
	if err != nil {
		return fmt.Errorf("flow eval: %w", err)
	}
	defer f.Close()
	cfg := f.Config()
	if !*latest {
		f.UseBest()
	}
	f.Density.Probes, f.Density.Seed, f.Density.Rows = *probes, *seed, *rows
	f.Density.Atol, f.Density.Rtol = *tol, *tol
	tg, err := parseTarget(cfg.Target)
	if err != nil {
		return fmt.Errorf("flow eval: %w", err)
	}
	res := flowEval{Flow: *ckpt, Target: cfg.Target, Step: f.State().BestStep, Trace: f.Density.MethodName(), Tol: *tol}
	if *latest {
		res.Step = f.State().Step
	}
	fmt.Fprintf(stdout, "flow %s (%s), step %d, trace %s, tol %g, %d rows per solve\n", *ckpt, cfg.Target, res.Step, res.Trace, *tol, *rows)
	if *testPath != "" {
		ds, err := loadRows(tg, *testPath, "test", "flow eval", *skipSum, stderr)
		if err != nil {
			return fmt.Errorf("flow eval: %w", err)
		}
		if *firstRow >= ds.rows {
			return usagef("flow eval: -first-row %d, but %s has %d rows", *firstRow, *testPath, ds.rows)
		}
		n := ds.rows - *firstRow
		if *maxRows > 0 {
			n = min(n, *maxRows)
		}
		res.Test, res.TestRows, res.FirstRow = fmt.Sprintf("%s (sha256 %s)", *testPath, ds.sha), n, *firstRow
		x := ds.x[*firstRow*tg.t.Dim():]
		bar, prog := optionalBar(*quiet, stderr, n, "NLL", "rows")
		t0 := time.Now()
		logq, st, err := f.LogDensity(ctx, x, n, prog)
		bar.finish()
		if cause := interrupted(ctx); cause != nil {
			return cause
		}
		if err != nil {
			return fmt.Errorf("flow eval: NLL: %w", err)
		}
		res.NLLSeconds, res.NLLEvals, res.Fallbacks = time.Since(t0).Seconds(), st.Evals, st.Fallbacks
		m, sd := meanSD(logq)
		res.NLL, res.NLLSE = fptr(-m), fptr(sd/math.Sqrt(float64(n)))
		span := fmt.Sprintf("%d test rows", n)
		if *firstRow > 0 {
			span = fmt.Sprintf("%d test rows (%d … %d)", n, *firstRow, *firstRow+n-1)
		}
		fmt.Fprintf(stdout, "nll %.4f ± %.4f (standard error) over %s; %.1f s, %d field evaluations, %d Euler fallbacks\n", -m, *res.NLLSE, span, res.NLLSeconds, st.Evals, st.Fallbacks)
		if *logqOut != "" {
			sum, err := npy.WriteFile(*logqOut, &npy.Array{Rows: n, Cols: 1, Data: logq[:n]}, true)
			if err != nil {
				return fmt.Errorf("flow eval: %w", err)
			}
			fmt.Fprintf(stdout, "wrote %s: %d × 1 float32 log q (%s trace), sha256 %s\n", *logqOut, n, res.Trace, sum)
		}
	}
	if *essN > 0 {
		n := *essN * *essB
		bar, prog := optionalBar(*quiet, stderr, n, "flow samples", "samples")
		t0 := time.Now()
		x, logq, _, err := f.Sample(ctx, n, *seed, prog)
		bar.finish()
		if cause := interrupted(ctx); cause != nil {
			return cause
		}
		if err != nil {
			return fmt.Errorf("flow eval: sampling: %w", err)
		}
		res.SampleSecs, res.Samples = time.Since(t0).Seconds(), n
		logw, err := logWeights(tg, x, logq, n)
		if err != nil {
			return fmt.Errorf("flow eval: %w", err)
		}
		sizes := []int{16}
		if *essN != 16 {
			sizes = append(sizes, *essN)
		}
		for _, b := range sizes {
			if b > n {
				continue
			}
			var vals []float64
			for lo := 0; lo+b <= n; lo += b {
				e, err := weights.ESS(logw[lo : lo+b])
				if err != nil {
					return fmt.Errorf("flow eval: ess_cnf@%d: %w", b, err)
				}
				vals = append(vals, e)
			}
			m, sd := meanSD(vals)
			res.ESS = append(res.ESS, essStats{Name: fmt.Sprintf("ess_cnf@%d", b), Mean: m, SD: sd, Batches: len(vals)})
			fmt.Fprintf(stdout, "ess_cnf@%d %.4f ± %.4f (sd over %d batches)\n", b, m, sd, len(vals))
		}
		elbo, err1 := weights.ELBO(logw)
		lz, err2 := weights.LogZ(logw)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("flow eval: %w", err)
		}
		res.ELBO, res.LogZIS = fptr(elbo), fptr(lz)
		fmt.Fprintf(stdout, "elbo_cnf %.4f, logz_is %.4f over %d flow samples (%.1f s)\n", elbo, lz, n, res.SampleSecs)
	}
	if *jsonOut != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(*jsonOut, append(b, '\n')); err != nil {
			return fmt.Errorf("flow eval: %w", err)
		}
	}
	return nil
}

// logWeights returns log p̃(x) − log q(x) with log p̃ = −E (GMM-40: the
// normalised log p in x units). Configurations outside the support get −∞.
func logWeights(tg *target, x, logq []float64, n int) ([]float64, error) {
	e := make([]float64, n)
	engine.EnergyGrad(tg.t, e, nil, x, n)
	logw := make([]float64, n)
	for i := range logw {
		if math.IsNaN(e[i]) || math.IsNaN(logq[i]) {
			return nil, fmt.Errorf("flow sample %d: NaN energy or log q", i)
		}
		logw[i] = -e[i] - logq[i]
	}
	return logw, nil
}

// optionalBar returns a progress bar and its callback, or nils when quiet.
func optionalBar(quiet bool, w io.Writer, total int, desc, units string) (*progressBar, func(int, int)) {
	if quiet {
		return nil, nil
	}
	b := newBar(w, total, desc, units)
	return b, b.set
}
