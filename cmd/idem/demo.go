package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/figure"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/engine/metrics"
	"github.com/idem-project/idem/engine/npy"
	"github.com/idem-project/idem/engine/train"
)

// paperRow holds the published iDEM figures a demo is set beside
// (SPEC §8.1 x_w2, §8.3 energy_w1), as "value ± sd" strings.
var paperRow = map[string]map[string]string{
	"gmm40": {metrics.NameXW2: "7.42 ± 3.44"},
	"dw4":   {metrics.NameXW2: "2.13 ± 0.04", metrics.NameEnergyW1: "0.435 (P-blog)"},
	"lj13":  {metrics.NameXW2: "4.26 ± 0.03", metrics.NameEnergyW1: "5.204 (P-blog)"},
	"lj55":  {metrics.NameXW2: "16.128 ± 0.071", metrics.NameEnergyW1: "21.704 (P-blog)"},
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o trainOptions
	o.register(fs)
	fs.StringVar(&o.out, "out", "", "run directory (default runs/demo-TARGET)")
	var (
		n       = fs.Int("n", 1000, "samples per evaluation batch")
		batches = fs.Int("batches", 5, "evaluation batches")
		refPath = fs.String("ref", "", "test reference .npy (default: exact samples for gmm40; data/dw4-is-test.npy or the shipped test split for dw4; the shipped test split for lj13)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idem demo [-target gmm40|dw4|lj13] [flags]\n\nTrains the quick preset, samples -batches × -n configurations, evaluates\nthem against the test reference beside the paper's iDEM row, and plots\nthem (GMM-40: over the density's contours).\n\n")
		fs.PrintDefaults()
	}
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	if *n < 2 || *n > metrics.MaxN || *batches < 1 || *batches > 100 {
		return fmt.Errorf("demo: need 2 ≤ -n ≤ %d and 1 ≤ -batches ≤ 100", metrics.MaxN)
	}
	if o.out == "" {
		o.out = filepath.Join("runs", "demo-"+o.target)
	}
	o.force = true // every demo is a fresh run
	tg, err := parseTarget(o.target)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// The test reference, loaded before the training so a missing file
	// fails at once.
	var ref *dataset
	rows := *n * *batches
	switch {
	case *refPath == "" && o.target == "gmm40":
		x := make([]float64, 2*rows)
		gmm.Sample(x, rows, gmmTestSeed)
		ref = &dataset{label: fmt.Sprintf("exact GMM-40 samples (seed %d, n = %d)", gmmTestSeed, rows), rows: rows, x: x}
		if err := ref.finish(tg, "reference"); err != nil {
			return err
		}
	default:
		p := *refPath
		if p == "" {
			switch o.target {
			case "dw4":
				p = firstExisting("data/dw4-is-test.npy", "../shared/data/test_split_DW4.npy")
			case "lj13":
				p = firstExisting("../shared/data/test_split_LJ13-1000.npy")
			}
		}
		if p == "" {
			return fmt.Errorf("demo: give -ref FILE.npy for %s", o.target)
		}
		if ref, err = loadSet(tg, p, "reference", loadOptions{maxValues: 1 << 28, stderr: stderr}); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if ref.rows < rows {
			return fmt.Errorf("demo: reference %s has %d rows, -batches × -n needs %d", p, ref.rows, rows)
		}
	}

	start := time.Now()
	dir, final, err := trainRun(ctx, &o, stdout, stderr)
	if err != nil {
		return err
	}
	ckpt := filepath.Join(dir, "best.ckpt")
	if _, err := os.Stat(ckpt); err != nil {
		ckpt = filepath.Join(dir, "last.ckpt")
	}
	tr, err := train.Open(ckpt, nil, o.workers)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer tr.Close()
	x, err := drawSamples(ctx, tr, rows, 0, o.quiet, stderr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	d := tg.t.Dim()
	samplesPath := filepath.Join(dir, "samples.npy")
	if _, err := npy.WriteFile(samplesPath, &npy.Array{Rows: rows, Cols: d, Data: x}, true); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	gen := &dataset{label: samplesPath, rows: rows, x: x}
	if um, ok := tg.t.(mcscore.Unmasked); ok {
		// GMM-40: energies without the −10⁴ mask, so that a far-off sample
		// counts as a large energy, not +Inf.
		n, sp := tg.t.Shape()
		xb, fb := make([]float64, asm.Len(n, sp, rows)), make([]float64, asm.Len(n, sp, rows))
		asm.Pack(xb, x, n, sp, rows)
		gen.e = make([]float64, rows)
		um.EnergyForceUnmasked(gen.e, fb, xb, rows)
	} else if err := gen.finish(tg, "samples"); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	names := []string{metrics.NameXW2, metrics.NameEnergyW1, metrics.NameEnergyW2}
	if tg.space > 0 {
		names = append(names, metrics.NameDistW2)
	}
	pool := engine.NewPool(o.workers)
	defer pool.Close()
	vals := map[string][]float64{}
	floors := map[string][]float64{}
	for k := 0; k < *batches; k++ {
		gi := seq(k**n, *n)
		ri, err := metrics.SampleIndices(ref.rows, *n, o.seed, uint64(k))
		if err != nil {
			return err
		}
		m, err := metrics.Compute(subset(gen, gi, tg), subset(ref, ri, tg), metrics.Options{Space: tg.space, Metrics: names, Pool: pool})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		for _, name := range names {
			vals[name] = append(vals[name], m[name])
		}
		if tg.pot == nil { // GMM-40: the floor from two fresh exact draws
			a, b := make([]float64, 2**n), make([]float64, 2**n)
			gmm.Sample(a, *n, gmmTestSeed+uint64(1+2*k))
			gmm.Sample(b, *n, gmmTestSeed+uint64(2+2*k))
			da, db := &dataset{rows: *n, x: a}, &dataset{rows: *n, x: b}
			_ = da.finish(tg, "floor")
			_ = db.finish(tg, "floor")
			fm, err := metrics.Compute(da.batch(), db.batch(), metrics.Options{Metrics: names, Pool: pool})
			if err != nil {
				return err
			}
			for _, name := range names {
				floors[name] = append(floors[name], fm[name])
			}
		}
	}
	cfg := tr.Config()
	st := tr.State()
	fmt.Fprintf(stdout, "\n## idem demo: %s, %s preset, %s, %s mode (checkpoint %s, epoch %d of %d)\n\n", o.target, cfg.Preset.Name, cfg.Variant, cfg.Mode, filepath.Base(ckpt), st.Epoch, cfg.Preset.Epochs)
	fmt.Fprintf(stdout, "%d batches of %d samples against %s.\n\n", *batches, *n, ref.label)
	fmt.Fprintln(stdout, "| metric | this run | floor (exact vs exact) | paper iDEM |")
	fmt.Fprintln(stdout, "|---|---|---|---|")
	for _, name := range names {
		s := metrics.Summarize(vals[name])
		fl := "–"
		if f, ok := floors[name]; ok {
			fs := metrics.Summarize(f)
			fl = fmt.Sprintf("%.3f ± %.3f", fs.Mean, fs.SD)
		}
		paper := paperRow[o.target][name]
		if paper == "" {
			paper = "–"
		}
		fmt.Fprintf(stdout, "| %s | %.3f ± %.3f | %s | %s |\n", name, s.Mean, s.SD, fl, paper)
	}
	fmt.Fprintf(stdout, "\ntraining: %d epochs in %s, %.3g energy and %.3g network evaluations (the evaluated checkpoint: epoch %d, %s); whole demo %s on %d workers\n",
		final.Epoch, time.Duration(final.Wall*float64(time.Second)).Round(time.Second), float64(final.EnergyEvals), float64(final.NetEvals),
		st.Epoch, time.Duration(st.Wall*float64(time.Second)).Round(time.Second), time.Since(start).Round(time.Second), pool.Workers())
	fmt.Fprintf(stdout, "samples: %s\n", samplesPath)
	if tg.pot == nil {
		png := filepath.Join(dir, "samples.png")
		plot := x[:2*min(rows, 2000)]
		density := func(a, b float64) float64 { return math.Exp(gmm.LogProb(a, b)) }
		if err := figure.ScatterDensity(png, plot, density, figure.ScatterOptions{
			Title:  fmt.Sprintf("iDEM on GMM-40 (%s preset, epoch %d)", cfg.Preset.Name, st.Epoch),
			XRange: [2]float64{-50, 50}, YRange: [2]float64{-50, 50}, Label: "iDEM samples",
		}); err != nil {
			return fmt.Errorf("demo: plot: %w", err)
		}
		fmt.Fprintf(stdout, "plot: %s\n", png)
	}
	return nil
}

func seq(lo, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = lo + i
	}
	return s
}

// subset returns rows idx of ds as a metrics batch.
func subset(ds *dataset, idx []int, tg *target) metrics.Batch {
	d := tg.t.Dim()
	x := make([]float64, len(idx)*d)
	e := make([]float64, len(idx))
	for r, i := range idx {
		copy(x[r*d:(r+1)*d], ds.x[i*d:(i+1)*d])
		e[r] = ds.e[i]
	}
	return metrics.Batch{X: metrics.Set{Data: x, Dim: d}, Energy: e}
}
