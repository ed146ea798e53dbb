package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/npy"
)

// qualityRow is the row.json of one row of a quality table; idem-bench
// -groups quality reads it with the row's eval.json and flow.json.
type qualityRow struct {
	Label       string  `json:"label"`
	Kind        string  `json:"kind"` // engine, refine, mcmc, reference-flow
	Target      string  `json:"target"`
	EnergyEvals float64 `json:"energy_evals"`
	NetEvals    float64 `json:"net_evals"`
	WallSeconds float64 `json:"wall_s"`
	Samples     string  `json:"samples,omitempty"`
	Test        string  `json:"test"`
	Note        string  `json:"note,omitempty"`
}

// qualityRefs are the reference files a target's table is measured against.
type qualityRefs struct {
	test, val, train string // train: equilibrium samples for the reference flow
	shipped          string // DW-4: the shipped (biased) test split, labelled
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func runQuality(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quality", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		tgName      = fs.String("target", "gmm40", "target: gmm40, dw4 or lj13")
		dir         = fs.String("dir", filepath.Join("runs", "quality"), "directory of the tables' runs (stages whose outputs exist are skipped)")
		variants    = fs.String("variants", "idem,pdem", "sampler variants to train with the quick preset")
		flowSamples = fs.Int("flow-samples", 20000, "sampler samples the NLL flow is trained on (SPEC: 100000)")
		flowSteps   = fs.Int("flow-steps", 0, "flow training steps (0: the target's default)")
		refineSteps = fs.Int("refine-steps", 0, "MALA steps of the refine row (0: the target's default)")
		workers     = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		seed        = fs.Uint64("seed", 1, "seed of the sampler runs")
		set         = fs.String("set", "", "override quick-preset fields of the sampler runs, as for idem train (name=value,…)")
		flowWidth   = fs.Int("flow-width", 128, "flow network width")
		essN        = fs.Int("ess-n", 1000, "flow samples per ESS batch")
		flowLRFinal = fs.Float64("flow-lr-final", 1e-5, "cosine-anneal the flows' learning rate from 10⁻³ to this (0: constant, as SPEC §7.6)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idem quality [-target T] [-dir DIR]\n\nRuns, or continues, the pipeline behind one quality table (issue [quality]):\nfor each variant, quick-preset training, samples, metrics, a flow-matching CNF\non the samples and its NLL/ESS; iDEM + MALA refinement; the reference MCMC at\nthe iDEM run's energy-evaluation budget; and a CNF trained on equilibrium\nsamples (the pipeline's best case). Each stage writes into DIR/TARGET/ROW/;\nstages whose outputs exist are skipped, so an interrupted run continues.\nPrint the tables with: go run ./cmd/idem-bench -groups quality\n\n")
		fs.PrintDefaults()
	}
	if err := parseCommand(fs, args); err != nil {
		return err
	}
	var ck flagChecker
	ck.int("-flow-samples", *flowSamples, 1000, 10_000_000)
	ck.int("-flow-steps", *flowSteps, 0, 10_000_000)
	ck.int("-refine-steps", *refineSteps, 0, 10_000_000)
	if ck.err != nil {
		return ck.err
	}
	defaults := map[string][2]int{"gmm40": {40000, 100}, "dw4": {6000, 100}, "lj13": {3000, 150}}
	def, ok := defaults[*tgName]
	if !ok {
		return usagef("quality: -target %q: want gmm40, dw4 or lj13", *tgName)
	}
	if *flowSteps == 0 {
		*flowSteps = def[0]
	}
	if *refineSteps == 0 {
		*refineSteps = def[1]
	}
	vs := strings.Split(*variants, ",")
	for _, v := range vs {
		if v != "idem" && v != "pdem" {
			return usagef("quality: -variants: unknown variant %q", v)
		}
	}
	root := filepath.Join(*dir, *tgName)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("quality: %w", err)
	}
	if err := checkWritable(root); err != nil {
		return fmt.Errorf("quality: -dir %s is not writable: %w", *dir, err)
	}
	w := strconv.Itoa(*workers)
	q := &qualityRun{ctx: ctx, root: root, target: *tgName, stdout: stdout, stderr: stderr, workers: w, set: *set,
		flowWidth: strconv.Itoa(*flowWidth), essN: strconv.Itoa(*essN), flowLRFinal: strconv.FormatFloat(*flowLRFinal, 'g', -1, 64)}
	refs, err := q.references()
	if err != nil {
		return fmt.Errorf("quality: %w", err)
	}
	q.refs = refs
	// Sampler rows.
	var idemRow *qualityRow
	for _, v := range vs {
		row, err := q.samplerRow(v, *seed, *flowSamples, *flowSteps)
		if err != nil {
			return fmt.Errorf("quality: %s: %w", v, err)
		}
		if v == "idem" {
			idemRow = row
		}
	}
	if idemRow != nil {
		if err := q.refineRow(idemRow, *refineSteps); err != nil {
			return fmt.Errorf("quality: refine: %w", err)
		}
		if err := q.mcmcRow(idemRow); err != nil {
			return fmt.Errorf("quality: mcmc: %w", err)
		}
	}
	if refs.train != "" {
		if err := q.referenceFlowRow(*flowSteps); err != nil {
			return fmt.Errorf("quality: reference flow: %w", err)
		}
	}
	fmt.Fprintf(stdout, "quality: %s done in %s; print the tables with: go run ./cmd/idem-bench -groups quality -quality-dir %s\n", *tgName, root, *dir)
	return nil
}

type qualityRun struct {
	ctx            context.Context
	root, target   string
	refs           qualityRefs
	stdout, stderr io.Writer
	workers        string
	set            string // preset overrides of the sampler runs
	flowWidth      string
	essN           string
	flowLRFinal    string
}

// cmd runs one idem command line, its standard output going to out (a file
// path, or the quality command's stdout when empty).
func (q *qualityRun) cmd(out string, args ...string) error {
	fmt.Fprintf(q.stderr, "idem quality: idem %s\n", strings.Join(args, " "))
	var buf bytes.Buffer
	w := io.Writer(&buf)
	if out == "" {
		w = q.stdout
	}
	if err := run(q.ctx, args, w, q.stderr); err != nil {
		return fmt.Errorf("idem %s: %w", args[0], err)
	}
	if out != "" {
		return atomicfile.WriteFile(out, buf.Bytes())
	}
	return nil
}

func (q *qualityRun) references() (qualityRefs, error) {
	var r qualityRefs
	switch q.target {
	case "gmm40":
		for _, f := range []struct {
			path string
			n    int
			seed string
		}{{"ref-test.npy", 1000, "103"}, {"ref-val.npy", 2000, "102"}, {"ref-train.npy", 100000, "101"}} {
			p := filepath.Join(q.root, f.path)
			if !exists(p) {
				if err := q.cmd(filepath.Join(q.root, f.path+".txt"), "reference", "-target", "gmm40", "-method", "exact", "-n", strconv.Itoa(f.n), "-seed", f.seed, "-out", p); err != nil {
					return r, err
				}
			}
		}
		r.test, r.val, r.train = filepath.Join(q.root, "ref-test.npy"), filepath.Join(q.root, "ref-val.npy"), filepath.Join(q.root, "ref-train.npy")
	case "dw4":
		r.test, r.val = "data/dw4-is-test.npy", "data/dw4-is-reference.npy"
		if !exists(r.test) || !exists(r.val) {
			return r, errors.New("the DW-4 equilibrium reference sets are missing: run make reference-dw4-is (SPEC §7.4)")
		}
		r.train = filepath.Join(q.root, "ref-train.npy")
		if !exists(r.train) {
			if err := q.cmd(r.train+".txt", "reference", "-target", "dw4", "-n", "100000", "-chains", "10000", "-keep", "10", "-thin", "400", "-seed", "201", "-progress=false", "-workers", q.workers, "-out", r.train); err != nil {
				return r, err
			}
		}
		if p := "../shared/data/test_split_DW4.npy"; exists(p) {
			r.shipped = p
		}
	case "lj13":
		r.test, r.val = "../shared/data/test_split_LJ13-1000.npy", "../shared/data/val_split_LJ13-1000.npy"
		if !exists(r.test) || !exists(r.val) {
			return r, errors.New("the shipped LJ-13 splits are missing from ../shared/data")
		}
	}
	return r, nil
}

// lastEpoch reads the evaluation counts and wall-clock of a training log.
func lastEpoch(logPath string) (energy, net, wall float64, err error) {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		var r struct {
			Type   string  `json:"type"`
			Energy float64 `json:"energy_evals"`
			Net    float64 `json:"net_evals"`
			Wall   float64 `json:"wall_s"`
		}
		if json.Unmarshal(line, &r) == nil && r.Type == "epoch" {
			energy, net, wall = r.Energy, r.Net, r.Wall
		}
	}
	return energy, net, wall, nil
}

func writeRow(dir string, row *qualityRow) error {
	b, err := json.MarshalIndent(row, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "row.json"), append(b, '\n'))
}

// evalStage writes dir/eval.json (and eval-shipped.json for DW-4).
func (q *qualityRun) evalStage(dir, samples string) error {
	if p := filepath.Join(dir, "eval.json"); !exists(p) {
		args := []string{"eval", "-target", q.target, "-samples", samples, "-format", "json", "-workers", q.workers}
		if q.target != "gmm40" {
			args = append(args, "-ref", q.refs.test)
		}
		if err := q.cmd(p, args...); err != nil {
			return err
		}
	}
	if q.refs.shipped != "" {
		if p := filepath.Join(dir, "eval-shipped.json"); !exists(p) {
			if err := q.cmd(p, "eval", "-target", q.target, "-samples", samples, "-format", "json", "-ref", q.refs.shipped, "-workers", q.workers); err != nil {
				return err
			}
		}
	}
	return nil
}

// flowStage trains a flow on samples and evaluates it into dir/flow.json.
func (q *qualityRun) flowStage(dir, samples string, steps int) error {
	fdir := filepath.Join(dir, "flow")
	ckpt := filepath.Join(fdir, "flow.ckpt")
	if !exists(filepath.Join(fdir, "curve.png")) {
		args := []string{"flow", "train", "-quiet", "-target", q.target, "-data", samples, "-val", q.refs.val, "-out", fdir,
			"-steps", strconv.Itoa(steps), "-val-every", strconv.Itoa(max(steps/10, 1)), "-width", q.flowWidth, "-lr-final", q.flowLRFinal, "-workers", q.workers}
		if exists(ckpt) {
			args = append(args, "-resume")
		}
		if err := q.cmd("", args...); err != nil {
			return err
		}
	}
	if p := filepath.Join(dir, "flow.json"); !exists(p) {
		if err := q.cmd(filepath.Join(dir, "flow-eval.txt"), "flow", "eval", "-quiet", "-flow", ckpt, "-test", q.refs.test, "-ess-n", q.essN, "-json", p, "-workers", q.workers); err != nil {
			return err
		}
	}
	return nil
}

func (q *qualityRun) samplerRow(variant string, seed uint64, nFlow, flowSteps int) (*qualityRow, error) {
	dir := filepath.Join(q.root, variant)
	tdir := filepath.Join(dir, "train")
	best := filepath.Join(tdir, "best.ckpt")
	if !exists(filepath.Join(tdir, "curve.png")) {
		args := []string{"train", "-quiet", "-target", q.target, "-preset", "quick", "-variant", variant, "-seed", strconv.FormatUint(seed, 10), "-out", tdir, "-workers", q.workers}
		if q.set != "" {
			args = append(args, "-set", q.set)
		}
		if q.target != "gmm40" {
			args = append(args, "-val", q.refs.val)
		}
		if exists(filepath.Join(tdir, "last.ckpt")) {
			args = []string{"train", "-quiet", "-resume", filepath.Join(tdir, "last.ckpt"), "-workers", q.workers}
			if q.target != "gmm40" {
				args = append(args, "-val", q.refs.val)
			}
		}
		if err := q.cmd("", args...); err != nil {
			return nil, err
		}
	}
	energy, net, wall, err := lastEpoch(filepath.Join(tdir, "log.jsonl"))
	if err != nil {
		return nil, err
	}
	samples := filepath.Join(dir, "samples.npy")
	if !exists(samples) {
		t0 := time.Now()
		if err := q.cmd(filepath.Join(dir, "sample.txt"), "sample", "-quiet", "-ckpt", best, "-n", strconv.Itoa(nFlow), "-out", samples, "-workers", q.workers); err != nil {
			return nil, err
		}
		os.WriteFile(filepath.Join(dir, "sample-seconds.txt"), []byte(fmt.Sprintf("%.3f\n", time.Since(t0).Seconds())), 0o644)
	}
	if err := q.evalStage(dir, samples); err != nil {
		return nil, err
	}
	if err := q.flowStage(dir, samples, flowSteps); err != nil {
		return nil, err
	}
	row := &qualityRow{Label: variant + " (quick preset, this engine)", Kind: "engine", Target: q.target,
		EnergyEvals: energy, NetEvals: net, WallSeconds: wall, Samples: samples, Test: q.refs.test,
		Note: fmt.Sprintf("training only; the flow is trained on %d samples", nFlow)}
	return row, writeRow(dir, row)
}

func (q *qualityRun) refineRow(base *qualityRow, steps int) error {
	dir := filepath.Join(q.root, "idem-refine")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	out := filepath.Join(dir, "samples.npy")
	first := filepath.Join(dir, "start.npy")
	if !exists(out) {
		// Refine the first rows of the sampler's file.
		if _, err := headRows(base.Samples, first, 5000); err != nil {
			return err
		}
		t0 := time.Now()
		if err := q.cmd(filepath.Join(dir, "refine.txt"), "refine", "-progress=false", "-target", q.target, "-samples", first, "-steps", strconv.Itoa(steps), "-out", out, "-workers", q.workers); err != nil {
			return err
		}
		os.WriteFile(filepath.Join(dir, "refine-seconds.txt"), []byte(fmt.Sprintf("%.3f\n", time.Since(t0).Seconds())), 0o644)
	}
	if err := q.evalStage(dir, out); err != nil {
		return err
	}
	secs := readSeconds(filepath.Join(dir, "refine-seconds.txt"))
	a, err := npy.ReadFile(out)
	if err != nil {
		return err
	}
	rows := a.Rows
	row := &qualityRow{Label: fmt.Sprintf("idem + refine (%d MALA steps)", steps), Kind: "refine", Target: q.target,
		EnergyEvals: base.EnergyEvals + float64(rows*(steps+1)), NetEvals: base.NetEvals, WallSeconds: base.WallSeconds + secs,
		Samples: out, Test: q.refs.test, Note: fmt.Sprintf("%d rows of the idem samples, each refined by %d steps", rows, steps)}
	return writeRow(dir, row)
}

func readSeconds(p string) float64 {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	return v
}

// mcmcRow runs the reference sampler with the idem row's energy budget
// spread over 5000 chains (SPEC §7.5 recipe otherwise).
func (q *qualityRun) mcmcRow(base *qualityRow) error {
	dir := filepath.Join(q.root, "mcmc")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tg, err := parseTarget(q.target)
	if err != nil {
		return err
	}
	const chains = 5000
	r := tg.defaultRecipe()
	warm := 0
	if r.ladderK > 0 {
		warm = r.ladderK * r.warmSteps
	}
	steps := int(base.EnergyEvals/chains) - warm - 1
	if steps < 1 {
		return fmt.Errorf("the budget %.3g energy evaluations does not cover the warm-up of %d chains", base.EnergyEvals, chains)
	}
	out := filepath.Join(dir, "samples.npy")
	if !exists(out) {
		t0 := time.Now()
		if err := q.cmd(filepath.Join(dir, "reference.txt"), "reference", "-progress=false", "-target", q.target, "-n", strconv.Itoa(chains), "-chains", strconv.Itoa(chains),
			"-steps", strconv.Itoa(steps), "-seed", "301", "-out", out, "-workers", q.workers); err != nil {
			return err
		}
		os.WriteFile(filepath.Join(dir, "seconds.txt"), []byte(fmt.Sprintf("%.3f\n", time.Since(t0).Seconds())), 0o644)
	}
	if err := q.evalStage(dir, out); err != nil {
		return err
	}
	row := &qualityRow{Label: "reference MCMC, same energy budget as idem", Kind: "mcmc", Target: q.target,
		EnergyEvals: float64(chains * (steps + warm + 1)), WallSeconds: readSeconds(filepath.Join(dir, "seconds.txt")),
		Samples: out, Test: q.refs.test, Note: fmt.Sprintf("%d chains × (%d warm-up + %d production steps), SPEC §7.5 recipe", chains, warm, steps)}
	return writeRow(dir, row)
}

func (q *qualityRun) referenceFlowRow(steps int) error {
	dir := filepath.Join(q.root, "reference-flow")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := q.flowStage(dir, q.refs.train, steps); err != nil {
		return err
	}
	row := &qualityRow{Label: "CNF on equilibrium samples (the pipeline's best case)", Kind: "reference-flow", Target: q.target,
		Samples: q.refs.train, Test: q.refs.test, Note: "no sampler: the flow is trained on reference samples"}
	return writeRow(dir, row)
}

// headRows writes the first n rows of a .npy file (all when it has fewer)
// to out, with a checksum.
func headRows(in, out string, n int) (int, error) {
	a, err := npy.ReadFile(in)
	if err != nil {
		return 0, err
	}
	n = min(n, a.Rows)
	_, err = npy.WriteFile(out, &npy.Array{Rows: n, Cols: a.Cols, Data: a.Data[:n*a.Cols]}, true)
	return n, err
}
