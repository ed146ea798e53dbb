package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/mcmc"
	"github.com/idem-project/idem/engine/npy"
	"github.com/idem-project/idem/lj"
)

// refineStep returns the default step size of `idem refine` for method m:
// the SPEC §7.5 random-walk step for RWM. For MALA on LJ-13, 0.03 (acceptance
// ≈ 0.7) gave the lowest energy W1 after 100–150 steps from iDEM samples
// (README, "Refinement and reweighting"; 0.035 and 0.04 were within the
// noise, 0.05 and above worse); for other LJ-n it is scaled geometrically in
// n toward LJ-55's 0.018, whose measured acceptance is the same 0.7
// (engine/mcmc documentation). DW-n takes 0.25, the measured best MALA step
// of DW-4, and GMM-40 (x units, component sd 1.31) 2.0 (acceptance 0.61
// from near-exact samples; 1.0 gives 0.94).
func (tg *target) refineStep(m mcmc.Method) float64 {
	if m == mcmc.RWM {
		return tg.defaultRecipe().step
	}
	switch {
	case tg.pot == nil:
		return 2.0
	case tg.pot.Kind() == lj.DoubleWell:
		return 0.25
	case tg.n == 13:
		return 0.03
	default:
		return 0.03 * math.Pow(float64(tg.n)/13, math.Log(0.018/0.03)/math.Log(55.0/13))
	}
}

func runRefine(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("refine", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: idem refine -target T -samples IN.npy -steps S -out OUT.npy [flags]

Refines samples from another sampler (e.g. 'idem sample') by S Metropolis
steps at kT = 1 per row, MALA by default or the SPEC §7.5 random walk, and
writes the final state of every row (or -keep states per row, -thin steps
apart) as float32 .npy with a .sha256 beside it. Row i of the output
continues row i of the input; molecules are centred, not rotated. Both
kernels leave exp(−E) invariant. Energy evaluations are counted (one per row
for the start, one per row per step) so that the refined sampler can be
compared with others at an equal energy budget.

`)
		fs.PrintDefaults()
	}
	var (
		name     = fs.String("target", "", "target: gmm40, dw4, lj13, lj55, ljN or dwN")
		samples  = fs.String("samples", "", "samples .npy file to refine (rows × d, float32 or float64)")
		out      = fs.String("out", "", "output .npy file (required)")
		steps    = fs.Int("steps", 0, "Metropolis steps per row (required; 0 evaluates the start only)")
		method   = fs.String("method", "mala", "proposal: mala or rwm (the SPEC random walk)")
		step     = fs.Float64("step", 0, "step size s > 0 (default: the target's measured MALA step, or the SPEC RWM step)")
		clip     = fs.Float64("drift-clip", -1, "MALA: truncate every particle's drift (s²/2)·F to this length (truncated MALA, still exact; 0: none; -1: the step size s)")
		seed     = fs.Uint64("seed", 1, "random seed")
		workers  = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		keep     = fs.Int("keep", 1, "states kept per row (the last one and Keep−1 before it, -thin steps apart)")
		thin     = fs.Int("thin", 0, "steps between kept states of a row")
		progress = fs.Bool("progress", true, "draw a progress bar on stderr")
		skipSum  = fs.Bool("skip-checksum", false, "do not check -samples against its .sha256 checksum file (prints a warning)")
		maxMem   = maxMemFlag(fs)
	)
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *name == "" || *samples == "" || *out == "" || !set["steps"] {
		fs.Usage()
		return errUsage
	}
	if !strings.HasSuffix(*out, ".npy") {
		return usagef("refine: -out %q must end in .npy", *out)
	}
	tg, err := parseTarget(*name)
	if err != nil {
		return usagef("refine: -target: %v", err)
	}
	m, err := mcmc.ParseMethod(*method)
	if err != nil {
		return usagef("refine: -method: %v", err)
	}
	s := tg.refineStep(m)
	if set["step"] {
		if !(*step > 0) || math.IsInf(*step, 0) {
			return usagef("refine: -step %v: want a positive finite step size", *step)
		}
		s = *step
	}
	dc := *clip
	switch {
	case dc == -1:
		dc = s
	case !(dc >= 0) || math.IsInf(dc, 0):
		return usagef("refine: -drift-clip %v: want a finite length ≥ 0 (or -1 for the step size)", dc)
	}
	if m != mcmc.MALA {
		if set["drift-clip"] {
			return usagef("refine: -drift-clip applies to -method mala only")
		}
		dc = 0
	}
	const maxInt = int(^uint(0) >> 1)
	ck := &flagChecker{cmd: "refine"}
	ck.float("max-mem", *maxMem, 0, 1<<20)
	ck.int("steps", *steps, 0, maxInt)
	ck.int("workers", *workers, 0, maxWorkers)
	ck.int("keep", *keep, 1, 1<<20)
	ck.int("thin", *thin, 0, maxInt)
	if ck.err != nil {
		return ck.err
	}
	if *keep > 1 && *thin == 0 {
		return usagef("refine: -keep > 1 needs -thin")
	}
	if f64(*keep-1)*f64(*thin) > f64(*steps) {
		return usagef("refine: -keep %d states -thin %d apart need at least %d steps, -steps is %d", *keep, *thin, (*keep-1)**thin, *steps)
	}
	ck.writable("out", *out)
	if ck.err != nil {
		return ck.err
	}
	maxValues := int(min(*maxMem*(1<<30)/(8*float64(6+2**keep)), 1<<40))
	a, err := readRows(tg, *samples, "samples", rowsOptions{cmd: "refine", skipChecksum: *skipSum, maxValues: maxValues, stderr: stderr})
	if err != nil {
		return err
	}
	rows, d := a.Rows, a.Cols
	// The input, the chains' state, proposals and forces (4 lane-padded
	// copies), the kept rows and their float32 encoding.
	ck.memory("-samples and -keep", 8*f64(rows)*f64(d)*(1+4+f64(*keep))+4*f64(rows)*f64(d)*f64(*keep)+8*4*f64(rows), *maxMem)
	if ck.err != nil {
		return ck.err
	}

	pool := engine.NewPool(*workers)
	defer pool.Close()
	cfg := mcmc.Config{Target: tg.t, Chains: rows, Seed: *seed, Method: m, Step: s, DriftClip: dc, Steps: *steps, Start: a.Data,
		Keep: *keep, Thin: *thin, Trap: -1, Pool: pool, Context: ctx}
	var bar *progressBar
	if *progress && *steps > 0 {
		bar = newBar(stderr, *steps, fmt.Sprintf("refine %s: %d rows", tg.name, rows), "steps")
	}
	res, wall, err := runChains(ctx, cfg, bar, "refine")
	if err != nil {
		return err
	}
	sum, err := npy.WriteFile(*out, &npy.Array{Rows: res.Rows, Cols: d, Data: res.Samples}, true)
	if err != nil {
		return fmt.Errorf("refine: %w", err)
	}
	if err := interrupted(ctx); err != nil {
		return err
	}
	kernel := fmt.Sprintf("%s s = %g", m, s)
	if dc > 0 {
		kernel += fmt.Sprintf(" (drift clipped to %g per particle)", dc)
	}
	fmt.Fprintf(stdout, "refine %s (d = %d): %s, %d rows (sha256 %s), %s, %d steps, seed %d, %d workers\n",
		tg.name, d, *samples, rows, a.SHA256, kernel, *steps, *seed, pool.Workers())
	fmt.Fprintf(stdout, "wrote %s: %d × %d float32 (%d per row), sha256 %s\n", *out, res.Rows, d, *keep, sum)
	fmt.Fprintf(stdout, "energy E before: %s\n", energyLine(res.StartEnergies))
	fmt.Fprintf(stdout, "energy E after:  %s\n", energyLine(res.Energies[res.Rows-rows:]))
	fmt.Fprintf(stdout, "acceptance %.4f; rows that accepted no proposal: %d of %d\n", res.Prod.Accept, res.Unmoved, rows)
	fmt.Fprintf(stdout, "energy evaluations %d (%.3g): %d per row (1 at the start + %d steps); wall-clock %.2f s (%.3g evaluations/s)\n",
		res.Evals, float64(res.Evals), res.Evals/int64(rows), *steps, wall.Seconds(), float64(res.Evals)/wall.Seconds())
	if *steps > 0 && res.Unmoved > rows/100 {
		fmt.Fprintf(stdout, "warning: %d rows never moved; a smaller -step (or -method rwm, which ignores forces) may free them\n", res.Unmoved)
	}
	return nil
}
