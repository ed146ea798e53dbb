package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/cnf"
	"github.com/idem-project/idem/engine/npy"
	"github.com/idem-project/idem/engine/weights"
)

// shuffleStream keys the shuffle of a resampled set: the resampled rows
// of `idem reweight -seed S` are permuted by the stream (S, shuffleStream).
const shuffleStream = 0x73687566 // "shuf"

// logqSource gives log q, the proposal's log density, of the rows of a
// samples file. Every source is one case of logqFromFlags; a new one (such
// as a flow checkpoint that computes log q itself) adds a flag there and a
// function here.
type logqSource struct {
	desc string // where the values come from, for the report
	// eval returns log q of rows configurations x (row-major, centred
	// for molecules), one value per row.
	eval func(ctx context.Context, x []float64, rows int) ([]float64, error)
}

// logqFile returns the source that reads log q from a .npy file of one
// value per row (shape (rows,) or (rows, 1), float32 or float64).
func logqFile(path string, o rowsOptions) *logqSource {
	src := &logqSource{desc: path}
	src.eval = func(_ context.Context, _ []float64, rows int) ([]float64, error) {
		v, err := readColumn(path, "log q", rows, o)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	return src
}

// logqFlow returns the source that computes log q with a flow checkpoint
// (idem flow train), exact trace unless probes > 0.
func logqFlow(path, target string, probes, workers int, quiet bool, stderr io.Writer) (*logqSource, error) {
	cfg, err := cnf.ReadConfig(path)
	if err != nil {
		return nil, fmt.Errorf("reweight: -flow: %w", err)
	}
	if cfg.Target != target {
		return nil, usagef("reweight: -flow %s is a flow of %s, not of %s", path, cfg.Target, target)
	}
	src := &logqSource{desc: fmt.Sprintf("flow %s (%s trace)", path, cnf.DensityOptions{Probes: probes}.MethodName())}
	src.eval = func(ctx context.Context, x []float64, rows int) ([]float64, error) {
		f, err := cnf.Open(path, nil, nil, workers)
		if err != nil {
			return nil, fmt.Errorf("reweight: -flow: %w", err)
		}
		defer f.Close()
		f.UseBest()
		f.Density.Probes = probes
		bar, prog := optionalBar(quiet, stderr, rows, "log q", "rows")
		logq, _, err := f.LogDensity(ctx, x, rows, prog)
		bar.finish()
		if cause := interrupted(ctx); cause != nil {
			return nil, cause
		}
		return logq, err
	}
	return src, nil
}

// logqFromFlags picks the log q source named by the command line: exactly
// one of -logq and -flow must be set.
func logqFromFlags(logqPath, flowPath, target string, probes, workers int, quiet bool, o rowsOptions) (*logqSource, error) {
	switch {
	case logqPath != "" && flowPath != "":
		return nil, usagef("reweight: give -logq or -flow, not both")
	case flowPath != "":
		return logqFlow(flowPath, target, probes, workers, quiet, o.stderr)
	case logqPath == "":
		return nil, usagef("reweight: -logq or -flow is required (a .npy file of log q, one value per sample, or a flow checkpoint)")
	}
	return logqFile(logqPath, o), nil
}

func runReweight(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reweight", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: idem reweight -target T -samples IN.npy (-logq LOGQ.npy | -flow CKPT) [flags]

Self-normalised importance weighting of samples drawn from a proposal q
toward the target p̃ = exp(−E) (GMM-40: the normalised log p in x units):
log wᵢ = log p̃(xᵢ) − log q(xᵢ), with log q read from -logq (one value per
sample row, shape (n,) or (n, 1), float32 or float64; for molecules a density
on the centred subspace) or computed by a flow checkpoint (-flow, exact trace
unless -probes). Prints SPEC §7.6's figures: ess@n = 1/(n·Σ w̄ᵢ²),
elbo = mean log w and logz_is = log mean exp(log w). A row of infinite
energy gets weight zero. Writes the normalised weights (-weights) and/or
-resample N rows drawn ∝ w (systematic resampling, then shuffled) to -out,
each float32 .npy with a .sha256 beside it.

`)
		fs.PrintDefaults()
	}
	var (
		name     = fs.String("target", "", "target: gmm40, dw4, lj13, lj55, ljN or dwN")
		samples  = fs.String("samples", "", "samples .npy file (rows × d, float32 or float64)")
		logqPath = fs.String("logq", "", "log q of every sample row, .npy of shape (n,) or (n, 1)")
		flowPath = fs.String("flow", "", "compute log q with this flow checkpoint (idem flow train) instead of -logq")
		probes   = fs.Int("probes", 0, "with -flow: Hutchinson probes (0: the exact trace)")
		workers  = fs.Int("workers", 0, "with -flow: worker goroutines (0: GOMAXPROCS)")
		quiet    = fs.Bool("quiet", false, "with -flow: no progress bar")
		wOut     = fs.String("weights", "", "write the normalised weights (n × 1, summing to 1) to this .npy file")
		nres     = fs.Int("resample", 0, "draw this many rows ∝ w into -out")
		out      = fs.String("out", "", "output .npy file of the resampled rows (with -resample)")
		seed     = fs.Uint64("seed", 1, "random seed of the resampling")
		batch    = fs.Int("batch", 0, "also report ess@batch, mean ± sd over consecutive batches of this many rows")
		skipSum  = fs.Bool("skip-checksum", false, "do not check the input files against their .sha256 checksum files (prints a warning)")
		maxMem   = maxMemFlag(fs)
	)
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *name == "" || *samples == "" {
		fs.Usage()
		return errUsage
	}
	tg, err := parseTarget(*name)
	if err != nil {
		return usagef("reweight: -target: %v", err)
	}
	ck := &flagChecker{cmd: "reweight"}
	ck.float("max-mem", *maxMem, 0, 1<<20)
	ck.int("resample", *nres, 0, 100_000_000)
	ck.int("batch", *batch, 0, 1<<40)
	if ck.err != nil {
		return ck.err
	}
	switch {
	case *nres > 0 && *out == "":
		return usagef("reweight: -resample needs -out")
	case *nres == 0 && *out != "":
		return usagef("reweight: -out needs -resample N")
	}
	for flagName, p := range map[string]string{"out": *out, "weights": *wOut} {
		if p == "" {
			continue
		}
		if !strings.HasSuffix(p, ".npy") {
			return usagef("reweight: -%s %q must end in .npy", flagName, p)
		}
		ck.writable(flagName, p)
	}
	if *out != "" && *out == *wOut {
		return usagef("reweight: -out and -weights name the same file")
	}
	o := rowsOptions{cmd: "reweight", skipChecksum: *skipSum, stderr: stderr}
	ck.int("probes", *probes, 0, 1000)
	ck.int("workers", *workers, 0, maxWorkers)
	if ck.err != nil {
		return ck.err
	}
	src, err := logqFromFlags(*logqPath, *flowPath, tg.name, *probes, *workers, *quiet, o)
	if err != nil {
		return err
	}
	ck.memory("-resample", 12*f64(*nres)*f64(tg.t.Dim())+8*f64(*nres), *maxMem)
	if ck.err != nil {
		return ck.err
	}
	// The samples, their energies' lane-blocked scratch (2 copies) and the
	// per-row values.
	o.maxValues = int(min(*maxMem*(1<<30)/(8*4), 1<<40))
	a, err := readRows(tg, *samples, "samples", o)
	if err != nil {
		return err
	}
	if *batch > a.Rows {
		return usagef("reweight: -batch %d exceeds the %d sample rows", *batch, a.Rows)
	}
	logq, err := src.eval(ctx, a.Data, a.Rows)
	if err != nil {
		return err
	}
	if err := interrupted(ctx); err != nil {
		return err
	}
	e := energies(tg, a.Data, a.Rows)
	logp := make([]float64, a.Rows)
	for i, v := range e {
		if math.IsNaN(v) {
			return fmt.Errorf("reweight: samples file %s: row %d has energy NaN under %s", *samples, i, tg.name)
		}
		logp[i] = -v
	}
	lw, err := weights.LogWeights(logp, logq)
	if err != nil {
		return fmt.Errorf("reweight: %w", err)
	}
	sm, err := weights.Summarize(lw)
	if err != nil {
		return fmt.Errorf("reweight: %w", err)
	}

	fmt.Fprintf(stdout, "reweight %s (d = %d): samples %s (%d rows, sha256 %s), log q from %s\n", tg.name, a.Cols, *samples, a.Rows, a.SHA256, src.desc)
	fmt.Fprintf(stdout, "ess@%d = %.6g (%.4g effective rows), elbo = %.6g, logz_is = %.6g\n", sm.N, sm.ESS, sm.ESS*float64(sm.N), sm.ELBO, sm.LogZ)
	fmt.Fprintf(stdout, "largest normalised weight %.4g; zero weights (infinite energy) %d\n", sm.MaxWeight, sm.Zero)
	if *batch > 0 {
		var ess []float64
		for lo := 0; lo+*batch <= len(lw); lo += *batch {
			if v, err := weights.ESS(lw[lo : lo+*batch]); err == nil {
				ess = append(ess, v)
			} else {
				ess = append(ess, 0) // a batch of zero weights has no effective row
			}
		}
		m, sd := meanSD(ess)
		fmt.Fprintf(stdout, "ess@%d = %.6g ± %.3g (mean ± sd over %d consecutive batches)\n", *batch, m, sd, len(ess))
	}

	if *wOut != "" {
		w := make([]float64, len(lw))
		if err := weights.Normalize(w, lw); err != nil {
			return fmt.Errorf("reweight: %w", err)
		}
		sum, err := npy.WriteFile(*wOut, &npy.Array{Rows: len(w), Cols: 1, Data: w}, true)
		if err != nil {
			return fmt.Errorf("reweight: %w", err)
		}
		fmt.Fprintf(stdout, "wrote %s: %d × 1 float32 normalised weights, sha256 %s\n", *wOut, len(w), sum)
	}
	if err := interrupted(ctx); err != nil {
		return err
	}
	if *nres > 0 {
		idx, err := weights.Resample(lw, *nres, *seed)
		if err != nil {
			return fmt.Errorf("reweight: %w", err)
		}
		st := engine.NewStream(*seed, shuffleStream)
		for i := len(idx) - 1; i > 0; i-- {
			j := st.IntN(i + 1)
			idx[i], idx[j] = idx[j], idx[i]
		}
		d := a.Cols
		x := make([]float64, len(idx)*d)
		distinct := map[int]bool{}
		for r, i := range idx {
			copy(x[r*d:(r+1)*d], a.Data[i*d:(i+1)*d])
			distinct[i] = true
		}
		sum, err := npy.WriteFile(*out, &npy.Array{Rows: len(idx), Cols: d, Data: x}, true)
		if err != nil {
			return fmt.Errorf("reweight: %w", err)
		}
		fmt.Fprintf(stdout, "wrote %s: %d × %d float32 rows resampled ∝ w (seed %d; %d distinct sample rows), sha256 %s\n",
			*out, len(idx), d, *seed, len(distinct), sum)
	}
	return interrupted(ctx)
}
