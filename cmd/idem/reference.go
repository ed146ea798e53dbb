package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/mcmc"
	"github.com/idem-project/idem/engine/metrics"
	"github.com/idem-project/idem/engine/npy"
)

// rotationStream keys the output rotations: configuration i of a reference
// run with seed S is rotated by the stream (S, rotationStream, i).
const rotationStream = 0x726f74 // "rot"

func runReference(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reference", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: idem reference -target T -out FILE.npy [flags]

Runs the MCMC reference sampler of SPEC §7.5 (annealed-SMC warm-up, then
Metropolis) and writes one configuration per chain (or -keep per chain,
-thin steps apart), centred and randomly rotated, as float32 .npy with a
.sha256 beside it. Flags left at their zero value take the target's
SPEC recipe.

-method is replaces the chains by sampling-importance-resampling from
-proposals uniform proposals on the box [−box, box] of the free coordinates
(relative positions for molecules): no Markov chain, so an independent check
of the MCMC sets on low-dimensional targets (DW-4, GMM-40).

`)
		fs.PrintDefaults()
	}
	var (
		name      = fs.String("target", "", "target: gmm40, dw4, lj13, lj55, ljN or dwN")
		n         = fs.Int("n", 10000, "configurations to write")
		seed      = fs.Uint64("seed", 1, "random seed")
		out       = fs.String("out", "", "output .npy file (required)")
		workers   = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		chains    = fs.Int("chains", 0, "chains (0: n/keep)")
		keep      = fs.Int("keep", 1, "configurations kept per chain")
		thin      = fs.Int("thin", 0, "steps between kept configurations of a chain")
		steps     = fs.Int("steps", -1, "production steps per chain (-1: the target's default)")
		warmSteps = fs.Int("warm-steps", -1, "Metropolis steps per warm-up stage (-1: 1000)")
		step      = fs.Float64("step", 0, "production step size s (0: the SPEC value)")
		warmMax   = fs.Float64("warm-max-step", 0, "warm-up step cap s_max (0: the SPEC value)")
		ladder    = fs.Int("ladder", -1, "warm-up ladder 0, 1/k, …, 1 (-1: SPEC's k; 0: no warm-up)")
		method    = fs.String("method", "rwm", "production proposal: rwm (SPEC recipe), mala, is (importance resampling, no chains) or exact (gmm40 only: independent exact draws)")
		box       = fs.Float64("box", 0, "with -method is: half-width of the proposal box (0: the target's default)")
		proposals = fs.Int("proposals", 100_000_000, "with -method is: uniform proposals")
		warmMeth  = fs.String("warm-method", "rwm", "warm-up proposal: rwm (SPEC recipe) or mala")
		trace     = fs.Int("trace", 0, "record the energies of this many chains and report their autocorrelation time")
		progress  = fs.Bool("progress", true, "draw a progress bar on stderr")
		rotate    = fs.Bool("rotate", true, "rotate every molecular configuration by an independent uniform random rotation")
		maxMem    = maxMemFlag(fs)
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageExtra("reference", fs.Args())
	}
	if *name == "" || *out == "" {
		fs.Usage()
		return errUsage
	}
	if !strings.HasSuffix(*out, ".npy") {
		return usagef("reference: -out %q must end in .npy", *out)
	}
	tg, err := parseTarget(*name)
	if err != nil {
		return usagef("reference: -target: %v", err)
	}
	const maxInt = int(^uint(0) >> 1)
	ck := &flagChecker{cmd: "reference"}
	ck.float("max-mem", *maxMem, 0, 1<<20)
	ck.int("n", *n, 1, maxInt)
	ck.int("workers", *workers, 0, maxWorkers)
	ck.int("chains", *chains, 0, maxInt)
	ck.int("keep", *keep, 1, maxInt)
	ck.int("thin", *thin, 0, maxInt)
	ck.int("steps", *steps, -1, maxInt)
	ck.int("warm-steps", *warmSteps, -1, maxInt)
	ck.float("step", *step, 0, math.MaxFloat64)
	ck.float("warm-max-step", *warmMax, 0, math.MaxFloat64)
	ck.int("ladder", *ladder, -1, 100000)
	ck.float("box", *box, 0, 1e6)
	ck.int("proposals", *proposals, 1, maxInt)
	ck.int("trace", *trace, 0, maxInt)
	d := tg.t.Dim()
	// What writeSet needs for n rows: the rows, a rotated copy, their
	// gradients, the float32 encoding and (molecules) the pair distances.
	outBytes := 8*f64(*n)*(3*f64(d)+2) + 4*f64(*n)*f64(d) + 8*f64(*n)*f64(tg.n*(tg.n-1)/2)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *method == "exact" {
		if tg.pot != nil {
			return usagef("reference: -method exact exists for gmm40 only (molecules have no exact sampler)")
		}
		ck.memory("-n", outBytes, *maxMem)
		ck.writable("out", *out)
		if ck.err != nil {
			return ck.err
		}
		x := make([]float64, *n*d)
		gmm.Sample(x, *n, *seed)
		e := make([]float64, *n)
		engine.EnergyGrad(tg.t, e, nil, x, *n)
		return writeSet(tg, x, e, *n, d, *seed, false, *out, fmt.Sprintf("idem reference: %d exact GMM-40 samples (seed %d)", *n, *seed), stdout)
	}
	if *method == "is" {
		for _, name := range []string{"chains", "keep", "thin", "steps", "warm-steps", "step", "warm-max-step", "ladder", "warm-method", "trace"} {
			if set[name] {
				return usagef("reference: -%s applies to the Markov chains, not to -method is", name)
			}
		}
		// Per block of proposals one blockStats (5 words); per row the
		// sample, its energy and its uniform draw.
		ck.memory("-n and -proposals", outBytes+40*f64(*proposals)/1024+8*f64(*n)*(f64(d)+2), *maxMem)
		ck.writable("out", *out)
		if ck.err != nil {
			return ck.err
		}
		return runImportance(ctx, tg, *n, *seed, *box, *proposals, *workers, *progress, *rotate, *out, stdout, stderr)
	}
	for _, name := range []string{"box", "proposals"} {
		if set[name] {
			return usagef("reference: -%s applies to -method is only", name)
		}
	}
	m, err := mcmc.ParseMethod(*method)
	if err != nil {
		return usagef("reference: -method: %v", err)
	}
	wm, err := mcmc.ParseMethod(*warmMeth)
	if err != nil {
		return usagef("reference: -warm-method: %v", err)
	}
	if ck.err != nil {
		return ck.err
	}
	r := tg.defaultRecipe()
	if *step > 0 {
		r.step = *step
	}
	if *warmMax > 0 {
		r.warmMax = *warmMax
	}
	if *steps >= 0 {
		r.steps = *steps
	}
	if *warmSteps >= 0 {
		r.warmSteps = *warmSteps
	}
	if *ladder >= 0 {
		r.ladderK = *ladder
	}
	if *keep > 1 && *thin == 0 {
		return usagef("reference: -keep > 1 needs -thin")
	}
	c := *chains
	if c == 0 {
		c = (*n + *keep - 1) / *keep
	}
	if f64(c)*f64(*keep) < f64(*n) {
		return usagef("reference: %d chains × %d kept give fewer than -n %d configurations", c, *keep, *n)
	}
	// The chains' state, proposals and forces (4 lane-padded copies), the
	// kept rows and the energy trace, then what writeSet needs.
	rowsKept := f64(c) * f64(*keep)
	ck.memory("-n, -chains, -keep and -trace", 8*(4*(f64(c)+8)*f64(d)+4*f64(c)+rowsKept*(f64(d)+1)+f64(r.steps)*f64(min(*trace, c)))+outBytes, *maxMem)
	ck.writable("out", *out)
	if ck.err != nil {
		return ck.err
	}
	pool := engine.NewPool(*workers)
	defer pool.Close()
	cfg := mcmc.Config{
		Target: tg.t, Chains: c, Seed: *seed, Method: m, WarmMethod: wm, Step: r.step, Steps: r.steps,
		Init: r.init, InitScale: r.initScale, InitResample: r.resample,
		Ladder: mcmc.UniformLadder(r.ladderK), WarmSteps: r.warmSteps, WarmMaxStep: r.warmMax, Trap: -1,
		Keep: *keep, Thin: *thin, Trace: min(*trace, c), Pool: pool, Context: ctx,
	}
	var bar *progressBar
	if *progress {
		total := r.steps + max(len(cfg.Ladder)-1, 0)*r.warmSteps
		bar = newBar(stderr, total, fmt.Sprintf("%s: %d chains", tg.name, c), "steps")
	}
	res, wall, err := runChains(ctx, cfg, bar, "reference")
	if err != nil {
		return err
	}

	// The first n rows: one per chain from the last keep slot backwards.
	rows := *n
	start0 := (res.Rows - rows) * res.Dim // slots are stored oldest first
	data := res.Samples[start0:]
	energies := res.Energies[res.Rows-rows:]
	head := fmt.Sprintf("target %s (d = %d), method %s (warm-up %s), seed %d, %d workers", tg.name, res.Dim, m, wm, *seed, pool.Workers())
	if err := writeSet(tg, data, energies, rows, res.Dim, *seed, *rotate, *out, head, stdout); err != nil {
		return err
	}
	if err := interrupted(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "chains %d, kept %d per chain (thin %d), production %d steps of s = %g\n", c, *keep, *thin, r.steps, r.step)
	if res.Init.ESS != 1 {
		fmt.Fprintf(stdout, "start resampled ∝ exp(−E): ESS %.4f\n", res.Init.ESS)
	}
	for _, st := range res.Warm {
		fmt.Fprintf(stdout, "warm-up β = %.2f: ESS %.4f before, %d steps of s = %.4g, acceptance %.4f\n", st.Beta, st.ESS, st.Steps, st.Step, st.Accept)
	}
	fmt.Fprintf(stdout, "production acceptance %.4f\n", res.Prod.Accept)
	if cfg.Trace > 0 {
		tau, w, err := mcmc.IAT(res.Trace, cfg.Trace)
		switch {
		case errors.Is(err, mcmc.ErrWindow):
			fmt.Fprintf(stdout, "energy autocorrelation time τ > %.1f steps (window not reached in %d steps of %d chains)\n", tau, r.steps, cfg.Trace)
		case err != nil:
			fmt.Fprintf(stdout, "energy autocorrelation time: %v\n", err)
		default:
			fmt.Fprintf(stdout, "energy autocorrelation time τ = %.1f steps (window %d, %d chains × %d steps; %.1f τ per production run)\n",
				tau, w, cfg.Trace, r.steps, float64(r.steps)/tau)
		}
	}
	fmt.Fprintf(stdout, "energy evaluations %d (%.3g), wall-clock %.1f s (%.3g evaluations/s)\n",
		res.Evals, float64(res.Evals), wall.Seconds(), float64(res.Evals)/wall.Seconds())
	return nil
}

// runImportance is `idem reference -method is`.
func runImportance(ctx context.Context, tg *target, n int, seed uint64, box float64, proposals, workers int, progress, rotate bool, out string, stdout, stderr io.Writer) error {
	if box == 0 {
		box = tg.defaultBox()
	}
	pool := engine.NewPool(workers)
	defer pool.Close()
	cfg := mcmc.ImportanceConfig{Target: tg.t, HalfWidth: box, Proposals: proposals, N: n, Seed: seed, Pool: pool, Context: ctx}
	var bar *progressBar
	if progress {
		bar = newBar(stderr, proposals, tg.name+": importance sampling", "proposals")
		cfg.Progress = bar.set
	}
	start := time.Now()
	res, err := mcmc.ImportanceResample(cfg)
	bar.finish()
	if err := interrupted(ctx); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	wall := time.Since(start)
	head := fmt.Sprintf("target %s (d = %d), method is (box ±%g, %d proposals), seed %d, %d workers", tg.name, res.Dim, box, proposals, seed, pool.Workers())
	if err := writeSet(tg, res.Samples, res.Energies, n, res.Dim, seed, rotate, out, head, stdout); err != nil {
		return err
	}
	if err := interrupted(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "importance weights: ESS %.4g (%.3g of the proposals, %.3g per resampled row), largest weight %.3g, weight near the box faces %.3g\n",
		res.ESS, res.ESS/float64(proposals), res.ESS/float64(n), res.MaxWeight, res.EdgeWeight)
	fmt.Fprintf(stdout, "log ∫ exp(−E) over the free coordinates in the box: %.4f\n", res.LogZ)
	if res.ESS < 10*float64(n) {
		fmt.Fprintf(stdout, "warning: ESS < 10·n, the resampled rows repeat proposals; raise -proposals\n")
	}
	if res.EdgeWeight > 1e-6 {
		fmt.Fprintf(stdout, "warning: weight near the box faces %.3g; raise -box\n", res.EdgeWeight)
	}
	fmt.Fprintf(stdout, "energy evaluations %d (%.3g), wall-clock %.1f s (%.3g evaluations/s)\n",
		res.Evals, float64(res.Evals), wall.Seconds(), float64(res.Evals)/wall.Seconds())
	return nil
}

// progressBar draws a bar on a terminal. Written elsewhere (a file, a
// pipe) it prints one plain line at most every lineEvery instead, so that
// the logs of long runs stay readable.
type progressBar struct {
	pb *progressbar.ProgressBar // nil in line mode
	w  io.Writer
	// line mode
	total       int
	desc, units string
	done, base  int // base: the units run before this process (Resume)
	start, last time.Time
	lineEvery   time.Duration
}

// barLineEvery is the interval of line-mode progress lines.
const barLineEvery = 30 * time.Second

// newBar returns a bar of total units on w.
func newBar(w io.Writer, total int, desc, units string) *progressBar {
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		now := time.Now()
		return &progressBar{w: w, total: total, desc: desc, units: units, start: now, last: now, lineEvery: barLineEvery}
	}
	return &progressBar{w: w, pb: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString(units),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30),
	)}
}

// Set moves the bar to done units.
func (b *progressBar) Set(done int) {
	if b.pb != nil {
		_ = b.pb.Set(done)
		return
	}
	b.done = done
	b.tick()
}

// Resume starts the bar at done units already run (a resumed run), which
// the line mode's time left does not count.
func (b *progressBar) Resume(done int) {
	if b.pb != nil {
		_ = b.pb.Set(done)
		return
	}
	b.base, b.done = done, done
}

// tick prints a line-mode line when lineEvery has passed since the last.
func (b *progressBar) tick() {
	if now := time.Now(); now.Sub(b.last) >= b.lineEvery {
		b.last = now
		b.line(now)
	}
}

// Describe replaces the bar's description.
func (b *progressBar) Describe(desc string) {
	if b.pb != nil {
		b.pb.Describe(desc)
		return
	}
	b.desc = desc
	b.tick()
}

// line prints the line-mode state: description, count, share, elapsed
// time and the remaining time at the mean rate since the bar started.
func (b *progressBar) line(now time.Time) {
	el := now.Sub(b.start)
	pct := 0.0
	if b.total > 0 {
		pct = 100 * float64(b.done) / float64(b.total)
	}
	eta := "?"
	if ran := b.done - b.base; ran > 0 && b.done <= b.total {
		eta = (time.Duration(float64(el) * float64(b.total-b.done) / float64(ran))).Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "%s: %d/%d %s (%.0f%%), %s elapsed, %s left\n", b.desc, b.done, b.total, b.units, pct, el.Round(time.Second), eta)
}

// set is a progress callback of package mcmc.
func (b *progressBar) set(done, _ int) { b.Set(done) }

// finish ends the bar's line (line mode: prints the last state); a nil bar
// does nothing.
func (b *progressBar) finish() {
	switch {
	case b == nil:
	case b.pb != nil:
		_ = b.pb.Finish()
		fmt.Fprintln(b.w)
	default:
		b.line(time.Now())
	}
}

// writeSet rotates (molecules, when asked) and writes rows configurations
// as float32 .npy with a checksum, then prints the header line head, the
// file and the energy, virial and pair-distance summaries.
func writeSet(tg *target, data, energies []float64, rows, dim int, seed uint64, rotate bool, out, head string, stdout io.Writer) error {
	if tg.space > 0 && rotate {
		set, err := metrics.RotateEach(metrics.Set{Data: data, Dim: dim}, tg.space, seed, rotationStream)
		if err != nil {
			return err
		}
		data = set.Data
	}
	sum, err := npy.WriteFile(out, &npy.Array{Rows: rows, Cols: dim, Data: data}, true)
	if err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	fmt.Fprintln(stdout, head)
	fmt.Fprintf(stdout, "wrote %s: %d × %d float32, sha256 %s\n", out, rows, dim, sum)
	em, es := meanSD(energies)
	fmt.Fprintf(stdout, "energy E: mean %.4f, sd %.4f (n = %d, standard error of the mean ≥ %.4f)\n", em, es, rows, es/math.Sqrt(float64(rows)))
	if tg.space > 0 {
		vir, se := virial(tg.t, data, rows)
		fmt.Fprintf(stdout, "virial ⟨x·∇E⟩ = %.4f ± %.4f (standard error), (N−1)·D = %d\n", vir, se, (tg.n-1)*tg.space)
		if dist, err := metrics.PairDistances(metrics.Set{Data: data, Dim: dim}, tg.space); err == nil {
			dm, _ := meanSD(dist)
			fmt.Fprintf(stdout, "pair distance mean %.4f, min %.4f, max %.4f\n", dm, slices.Min(dist), slices.Max(dist))
		}
	}
	return nil
}

// virial returns ⟨x·∇E⟩ over rows row-major configurations and its
// standard error (rows treated as independent), with x centred (E is
// translation invariant, so ∇E sums to zero over particles and the value
// does not depend on the centring).
func virial(t engine.Target, x []float64, rows int) (float64, float64) {
	d := t.Dim()
	e := make([]float64, rows)
	g := make([]float64, rows*d)
	engine.EnergyGrad(t, e, g, x, rows)
	v := make([]float64, rows)
	for r := range v {
		for j := r * d; j < (r+1)*d; j++ {
			v[r] += x[j] * g[j]
		}
	}
	m, sd := meanSD(v)
	return m, sd / math.Sqrt(float64(rows))
}

// meanSD returns the mean and the sample standard deviation of v.
func meanSD(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	if len(v) == 1 {
		return m, 0
	}
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

// runChains runs mcmc.Run with the bar (when not nil) as its progress, and
// returns the result and its wall-clock; an interrupt wins over the error.
func runChains(ctx context.Context, cfg mcmc.Config, bar *progressBar, cmd string) (*mcmc.Result, time.Duration, error) {
	if bar != nil {
		cfg.Progress = bar.set
	}
	start := time.Now()
	res, err := mcmc.Run(cfg)
	bar.finish()
	if err := interrupted(ctx); err != nil {
		return nil, 0, err
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", cmd, err)
	}
	return res, time.Since(start), nil
}
