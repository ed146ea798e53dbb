package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/engine/preset"
)

func runNoise(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("noise", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: idem noise -target T [-ref FILE.npy] [flags]

Measures where the Monte-Carlo score estimator S_K is noisy, to choose the
preset fields k, k_high and t_high: for each diffusion time t and each K it
noises -n reference rows to t with the preset's schedule, draws two clipped
estimates S, S′ with independent samples, and prints the per-coordinate
variance ½‖S − S′‖²/d of one estimate beside the signal ‖S‖²/d (README,
"Where LJ-13's S_K noise is").

`)
		fs.PrintDefaults()
	}
	var (
		name    = fs.String("target", "", "target: gmm40, dw4, lj13 or lj55")
		ref     = fs.String("ref", "", "reference rows .npy in original units (default for gmm40: exact samples; required otherwise)")
		n       = fs.Int("n", 256, "rows to measure on")
		times   = fs.String("t", "0.1,0.3,0.4,0.5,0.6,0.7,0.8,0.9", "comma-separated diffusion times in [0, 1]")
		kList   = fs.String("k", "10,100,1000", "comma-separated sample counts K")
		pname   = fs.String("preset", "paper", "preset whose schedule and clipping are used")
		set     = fs.String("set", "", "override preset fields, as for idem train (e.g. 'mix_sigma=0.2')")
		seed    = fs.Uint64("seed", 1, "seed of the noise and the samples")
		workers = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		asJSON  = fs.Bool("json", false, "print the points as JSON instead of a table")
		skipSum = fs.Bool("skip-checksum", false, "do not check -ref against its .sha256 checksum file (prints a warning)")
	)
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usagef("noise: -target is required")
	}
	p, err := preset.Get(*pname, *name)
	if err != nil {
		return usagef("noise: %v", err)
	}
	if *set != "" {
		if p, err = overridePreset(p, *set); err != nil {
			return usagef("noise: %v", err)
		}
	}
	ts, err := parseList(*times, "t", strconv.ParseFloat)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if !(t >= 0 && t <= 1) {
			return usagef("noise: -t %g is not in [0, 1]", t)
		}
	}
	ks, err := parseList(*kList, "k", func(s string, _ int) (int, error) { return strconv.Atoi(s) })
	if err != nil {
		return err
	}
	if *n < 1 {
		return usagef("noise: -n must be positive")
	}
	tg, err := p.NewTarget()
	if err != nil {
		return err
	}
	d := tg.Dim()
	x := make([]float64, *n*d)
	switch {
	case *ref != "":
		rt, err := parseTarget(*name)
		if err != nil {
			return err
		}
		a, err := readRows(rt, *ref, "reference", rowsOptions{cmd: "noise", skipChecksum: *skipSum, stderr: stderr})
		if err != nil {
			return err
		}
		if a.Rows < *n {
			return fmt.Errorf("noise: reference file %s has %d rows, -n is %d", *ref, a.Rows, *n)
		}
		copy(x, a.Data[:*n*d]) // checked finite and centred by readRows
	case *name == "gmm40":
		gmm.Sample(x, *n, *seed)
	default:
		return usagef("noise: -ref is required for %s", *name)
	}
	for i := range x {
		x[i] /= p.Scale()
	}
	sched, err := p.Schedule()
	if err != nil {
		return err
	}
	hs := make([]float64, len(ts))
	for i, t := range ts {
		hs[i] = sched.H(t)
	}
	pool := engine.NewPool(*workers)
	defer pool.Close()
	cfg := p.Estimator(*seed)
	pts, err := mcscore.NoiseProfile(tg, cfg, pool, x, *n, ts, hs, ks)
	if err != nil {
		return fmt.Errorf("noise: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(pts)
	}
	mix := ""
	if p.MixSigma > 0 {
		mix = fmt.Sprintf(", mixed with the denoising form, mix_sigma %g", p.MixSigma)
	}
	fmt.Fprintf(stdout, "S_K noise on %s (%s preset: σ %g…%g, clip %g%s), %d rows, seed %d; training units\n\n", *name, p.Name, p.SigmaMin, p.SigmaMax, p.M, mix, *n, *seed)
	var sb strings.Builder
	sb.WriteString("| K \\ t (σ) |")
	for i, t := range ts {
		fmt.Fprintf(&sb, " %g (%.3g) |", t, math.Sqrt(hs[i]))
	}
	sb.WriteString("\n|---|" + strings.Repeat("---|", len(ts)) + "\n")
	for j, k := range ks {
		fmt.Fprintf(&sb, "| variance, K = %d |", k)
		for i := range ts {
			fmt.Fprintf(&sb, " %.4g |", pts[j*len(ts)+i].Variance)
		}
		sb.WriteString("\n")
	}
	last := len(ks) - 1
	fmt.Fprintf(&sb, "| signal ‖S‖²/d, K = %d |", ks[last])
	for i := range ts {
		fmt.Fprintf(&sb, " %.4g |", pts[last*len(ts)+i].Signal)
	}
	sb.WriteString("\n")
	_, err = io.WriteString(stdout, sb.String())
	return err
}

// parseList parses a comma-separated list of flag values.
func parseList[T any](s, flagName string, parse func(string, int) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		v, err := parse(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, usagef("noise: -%s %q: %v", flagName, f, err)
		}
		out = append(out, v)
	}
	return out, nil
}
