// Command idem-bench runs idem's benchmark cases (package bench, shared with
// `go test -bench`) and prints tables: the pair kernels per implementation
// against the generic path and against this machine's FMA peak, measured in
// the same run; the Monte-Carlo score estimator with 1 and 2 workers; and,
// with -groups, the networks and the training loop (group Train: an inner
// step against S_K plus a forward+backward pass, an SDE step against a
// network forward).
//
//	idem-bench                      # kernels and estimator
//	idem-bench -groups all          # everything, networks included
//	idem-bench -groups Train -filter workers=2   # training-loop overheads
//	idem-bench -filter n=55 -format bench | benchstat -
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/klauspost/cpuid/v2"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/bench"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &ue): // a bad command line: exit 2, message printed once
		if ue != "" {
			fmt.Fprintln(os.Stderr, "idem-bench:", ue)
		}
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "idem-bench:", err)
		os.Exit(1)
	}
}

// usageError is a bad command line; "" when the flag package printed it.
type usageError string

func (e usageError) Error() string { return string(e) }

type result struct {
	c bench.Case
	r testing.BenchmarkResult
}

func (r result) metric(name string) float64 { return r.r.Extra[name] }

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("idem-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	groups := fs.String("groups", "PairLJ,PairDW,MCScore", "comma-separated groups to run (PairLJ, PairDW, MCScore, MCScoreImpl, TrainStep, Sample, Dgemm, Sgemm, EGNNImpl, Train, Flow), or all; or quality alone: the quality tables of `idem quality` runs")
	filter := fs.String("filter", "", "comma-separated substrings every case name must contain, e.g. n=55")
	benchtime := fs.String("benchtime", "500ms", "run time per case, as for go test: a duration (1s) or a count (3x)")
	format := fs.String("format", "table", "output: table, or bench (benchstat-readable lines)")
	implName := fs.String("impl", "", "run kernel cases only for this implementation and generic (e.g. avx2)")
	qualityDir := fs.String("quality-dir", filepath.Join("runs", "quality"), "with -groups quality: the runs of `idem quality`; the tables are written there too")
	withLJ13 := fs.Bool("lj13", false, "with -groups quality: add the LJ-13 table")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("") // fs printed it
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("unexpected arguments %q", fs.Args()))
	}
	if *format != "table" && *format != "bench" {
		return usageError(fmt.Sprintf("unknown -format %q (want table or bench)", *format))
	}
	if *implName != "" {
		if _, err := asm.ByName(*implName); err != nil {
			return err
		}
	}
	if strings.EqualFold(*groups, "quality") {
		targets := []string{"gmm40", "dw4"}
		if *withLJ13 {
			targets = append(targets, "lj13")
		}
		return qualityTables(stdout, *qualityDir, targets)
	}
	testing.Init()
	if err := flag.CommandLine.Set("test.benchtime", *benchtime); err != nil {
		return fmt.Errorf("bad -benchtime %q: %v", *benchtime, err)
	}
	var gl []string
	if !strings.EqualFold(*groups, "all") {
		gl = strings.Split(*groups, ",")
		for _, g := range gl {
			if len(bench.Select(bench.All(), []string{g}, "")) == 0 {
				return usageError(fmt.Sprintf("-groups: unknown group %q (want PairLJ, PairDW, MCScore, MCScoreImpl, TrainStep, Sample, Dgemm, Sgemm, EGNNImpl, Train, Flow, or all; or quality alone)", g))
			}
		}
	}
	cases := bench.Select(bench.All(), gl, *filter)
	if *implName != "" {
		var kept []bench.Case
		for _, c := range cases {
			if strings.HasPrefix(c.Name, "impl=") && !strings.HasPrefix(c.Name, "impl=generic/") && !strings.HasPrefix(c.Name, "impl="+*implName+"/") {
				continue
			}
			kept = append(kept, c)
		}
		cases = kept
	}
	if len(cases) == 0 {
		return fmt.Errorf("no benchmark case matches -groups %q -filter %q", *groups, *filter)
	}

	header(stdout)
	fmt.Fprintln(stderr, "measuring the FMA peak…")
	peak1 := bench.FMAPeak(time.Second)
	peak2 := bench.FMAPeakParallel(2, time.Second)
	best := asm.Impls()[len(asm.Impls())-1]
	fmt.Fprintf(stdout, "FMA peak (float64, %s loop, %d-lane registers): %.1f GFLOP/s on 1 thread, %.1f on 2 threads (scaling %.2f×)\n\n",
		best.Name(), best.FMALanes(), peak1, peak2, peak2/peak1)

	var results []result
	for i, c := range cases {
		fmt.Fprintf(stderr, "[%d/%d] %s/%s\n", i+1, len(cases), c.Group, c.Name)
		r := testing.Benchmark(c.Run)
		if r.N == 0 {
			return fmt.Errorf("case %s/%s failed (see above)", c.Group, c.Name)
		}
		results = append(results, result{c, r})
	}
	if *format == "bench" {
		for _, r := range results {
			fmt.Fprintf(stdout, "Benchmark%s/%s-%d\t%s\n", r.c.Group, r.c.Name, runtime.GOMAXPROCS(0), r.r.String())
		}
		return nil
	}
	pairTable(stdout, results, "PairLJ", peak1)
	pairTable(stdout, results, "PairDW", peak1)
	scoreTable(stdout, results, peak1, peak2)
	otherTable(stdout, results, peak1)
	return nil
}

func header(w io.Writer) {
	c := cpuid.CPU
	rev := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	var impls []string
	for _, im := range asm.Impls() {
		impls = append(impls, im.Name())
	}
	fmt.Fprintf(w, "idem-bench  %s  revision %s\n", runtime.Version(), rev)
	fmt.Fprintf(w, "CPU: %s (family %d model %d), %d cores / %d threads; L1d %d KiB, L2 %d KiB, L3 %d KiB\n",
		c.BrandName, c.Family, c.Model, c.PhysicalCores, c.LogicalCores, c.Cache.L1D/1024, c.Cache.L2/1024, c.Cache.L3/1024)
	fmt.Fprintf(w, "units found: %v; GOMAXPROCS=%d\n", asm.Detect(), runtime.GOMAXPROCS(0))
	var absent []string
	for _, name := range asm.ImplNames() {
		if err := asm.Unavailable(name); err != nil {
			absent = append(absent, fmt.Sprintf("%s (%s)", name, strings.TrimPrefix(err.Error(), fmt.Sprintf("asm: implementation %q is not available: ", name))))
		}
	}
	var used string
	if im, err := asm.Default(); err != nil {
		used = "none: " + err.Error()
	} else {
		used = im.Name()
		if os.Getenv(asm.EnvImpl) != "" {
			used += " (forced by " + asm.EnvImpl + ")"
		}
	}
	fmt.Fprintf(w, "implementations: %s; used by the networks and estimators: %s", strings.Join(impls, ", "), used)
	if len(absent) > 0 {
		fmt.Fprintf(w, "; absent: %s", strings.Join(absent, ", "))
	}
	fmt.Fprintln(w)
	bf16 := "float32 SGEMM on bfloat16-rounded operands (no native bfloat16 product here)"
	if im, err := asm.Default(); err == nil {
		switch {
		case im.HasBF16Tiles():
			bf16 = "AMX tile GEMM (TDPBF16PS)"
		case im.HasGemmBF16Pairs():
			bf16 = "VDPBF16PS pair GEMM (AVX512_BF16)"
		}
	}
	fmt.Fprintf(w, "bf16 precision (-precision bf16) runs its dense products on: %s\n", bf16)
}

// field returns the value of key in a case name like "impl=avx2/n=55/b=1024".
func field(name, key string) string {
	for _, part := range strings.Split(name, "/") {
		if v, ok := strings.CutPrefix(part, key+"="); ok {
			return v
		}
	}
	return ""
}

func pairTable(w io.Writer, results []result, group string, peak float64) {
	var rows []result
	generic := map[string]float64{}
	for _, r := range results {
		if r.c.Group != group {
			continue
		}
		rows = append(rows, r)
		if field(r.c.Name, "impl") == "generic" {
			generic[field(r.c.Name, "n")+"/"+field(r.c.Name, "b")] = r.metric("pairs/ns")
		}
	}
	if len(rows) == 0 {
		return
	}
	target := "LJ-n (3-D, benchmark convention)"
	if group == "PairDW" {
		target = "DW-n (2-D)"
	}
	fmt.Fprintf(w, "%s: %s energy + forces, single thread; %% peak counts %d flops per pair\n", group, target, bench.PairFlops)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "impl\tn\tb\tconfigs/s\tpairs/ns\tvs generic\t% FMA peak\t")
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].c.Name < rows[j].c.Name })
	for _, r := range rows {
		pn := r.metric("pairs/ns")
		g := generic[field(r.c.Name, "n")+"/"+field(r.c.Name, "b")]
		speed := "–"
		if g > 0 {
			speed = fmt.Sprintf("%.2f×", pn/g)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4g\t%.3f\t%s\t%.1f%%\t\n", field(r.c.Name, "impl"), field(r.c.Name, "n"), field(r.c.Name, "b"),
			r.metric("configs/s"), pn, speed, 100*pn*bench.PairFlops/peak)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func scoreTable(w io.Writer, results []result, peak1, peak2 float64) {
	type row struct{ one, two result }
	byTarget := map[string]*row{}
	var order []string
	for _, r := range results {
		if r.c.Group != "MCScore" {
			continue
		}
		key := field(r.c.Name, "target") + " K=" + field(r.c.Name, "K") + " B=" + field(r.c.Name, "B")
		if byTarget[key] == nil {
			byTarget[key] = &row{}
			order = append(order, key)
		}
		if field(r.c.Name, "workers") == "1" {
			byTarget[key].one = r
		} else {
			byTarget[key].two = r
		}
	}
	if len(order) == 0 {
		return
	}
	fmt.Fprintf(w, "MCScore: Monte-Carlo score estimator S_K (energy+force evaluations per point = K)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tpoints/s 1w\tpoints/s 2w\tevals/s 2w\t2w/1w\tFMA loop 2t/1t\t")
	for _, k := range order {
		r := byTarget[k]
		one, two := r.one.metric("points/s"), r.two.metric("points/s")
		ratio := "–"
		if one > 0 && two > 0 {
			ratio = fmt.Sprintf("%.2f×", two/one)
		}
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%.4g\t%s\t%.2f×\t\n", k, one, two, r.two.metric("evals/s"), ratio, peak2/peak1)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func otherTable(w io.Writer, results []result, peak float64) {
	var rows []result
	for _, r := range results {
		switch r.c.Group {
		case "PairLJ", "PairDW", "MCScore":
		default:
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "Networks and other cases")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\ttime/op\tmetrics\t")
	for _, r := range rows {
		var keys []string
		for k := range r.r.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var ms []string
		for _, k := range keys {
			ms = append(ms, fmt.Sprintf("%.4g %s", r.r.Extra[k], k))
		}
		fmt.Fprintf(tw, "%s/%s\t%s\t%s\t\n", r.c.Group, r.c.Name, time.Duration(r.r.NsPerOp()), strings.Join(ms, ", "))
	}
	tw.Flush()
	fmt.Fprintf(w, "(float64 FMA peak of one thread for reference: %.1f GFLOP/s)\n\n", peak)
}

// qualityTables prints the quality tables (issue [quality]) from the runs in
// dir and writes them there as Markdown, CSV and JSON.
func qualityTables(stdout io.Writer, dir string, targets []string) error {
	tables, err := bench.LoadQuality(dir, targets)
	if err != nil {
		return err
	}
	for _, t := range tables {
		fmt.Fprintln(stdout, t.Markdown())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := bench.WriteQuality(dir, tables); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s/quality.{md,csv,json}\n", dir)
	return nil
}
