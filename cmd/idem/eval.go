package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/figure"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/metrics"
	"github.com/idem-project/idem/engine/npy"
)

// floorSeedMix separates the floor draws from the value draws of one seed.
const floorSeedMix = 0x666c6f6f72 // "floor"

// plotRows caps the configurations per side that go into distance
// histograms and scatter plots.
const plotRows = 2000

// dataset is a set of configurations with their energies.
type dataset struct {
	label string // file path or a description
	sha   string // hex SHA-256 of the file ("" for generated sets)
	rows  int
	x     []float64 // row-major; molecules centred
	e     []float64 // E(x) in kT
}

func (d *dataset) batch() metrics.Batch {
	return metrics.Batch{X: metrics.Set{Data: d.x, Dim: len(d.x) / d.rows}, Energy: d.e}
}

// loadOptions says how loadSet reads files.
type loadOptions struct {
	cmd          string // command name for warnings ("eval" when empty)
	skipChecksum bool
	maxValues    int       // bound on rows × columns
	stderr       io.Writer // warnings
}

// loadSet reads a samples or reference file for tg and checks its
// checksum sidecar, shape, dtype and values, with errors that name the file
// and what was expected.
func loadSet(tg *target, path, what string, lo loadOptions) (*dataset, error) {
	a, err := npy.ReadFileOptions(path, npy.Options{SkipChecksum: lo.skipChecksum, MaxValues: lo.maxValues})
	if err != nil {
		if strings.Contains(err.Error(), "exceeds the limit") {
			err = fmt.Errorf("%w (raise -max-mem)", err)
		}
		return nil, fmt.Errorf("%s file: %w", what, err)
	}
	cmd := cmp.Or(lo.cmd, "eval")
	switch {
	case lo.skipChecksum:
		fmt.Fprintf(lo.stderr, "idem %s: warning: -skip-checksum: %s file %s is not checked against %s\n", cmd, what, path, atomicfile.SidecarPath(path))
	case a.Checksum == atomicfile.Missing:
		fmt.Fprintf(lo.stderr, "idem %s: warning: %s file %s has no checksum file %s; its content is unchecked\n", cmd, what, path, atomicfile.SidecarPath(path))
	}
	d := tg.t.Dim()
	if a.Cols != d {
		hint := ""
		if tg.space > 0 {
			hint = fmt.Sprintf(" (%d particles × %d dimensions, flattened)", tg.n, tg.space)
		}
		return nil, fmt.Errorf("%s file %s has shape (%d, %d), but target %s needs (rows, %d)%s", what, path, a.Rows, a.Cols, tg.name, d, hint)
	}
	if a.Rows == 0 {
		return nil, fmt.Errorf("%s file %s holds no configurations", what, path)
	}
	for i, v := range a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s file %s: row %d holds a non-finite value", what, path, i/d)
		}
	}
	ds := &dataset{label: path, sha: a.SHA256, rows: a.Rows, x: a.Data}
	if err := ds.finish(tg, what); err != nil {
		return nil, err
	}
	return ds, nil
}

// finish centres molecules and computes the energies.
func (ds *dataset) finish(tg *target, what string) error {
	if tg.space > 0 {
		engine.Centre(ds.x, tg.n, tg.space, ds.rows)
	}
	ds.e = make([]float64, ds.rows)
	engine.EnergyGrad(tg.t, ds.e, nil, ds.x, ds.rows)
	bad := 0
	for _, v := range ds.e {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%s %s: %d of %d configurations have a non-finite energy under %s (outside the masked support?)", what, ds.label, bad, ds.rows, tg.name)
	}
	return nil
}

// evalOutput is the JSON form of an evaluation.
type evalOutput struct {
	Samples       string          `json:"samples"`
	SamplesSHA256 string          `json:"samples_sha256"`
	SamplesRows   int             `json:"samples_rows"`
	RefRows       int             `json:"ref_rows"`
	FloorBatches  int             `json:"floor_batches"`
	WithinFloor   map[string]bool `json:"within_floor"`
	Report        json.RawMessage `json:"report"`
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: idem eval -target T -samples FILE.npy [-ref FILE.npy] [flags]

Computes the SPEC §7.1 metrics of -batches random batches of -n samples
against -n reference samples, each next to its finite-sample floor (two
disjoint reference batches, rotation-randomised for molecules, SPEC §7.3).
GMM-40 without -ref uses exact samples. A metric is "within floor" when its
mean is at most floor mean + 2·√(sd_value² + sd_floor²).

`)
		fs.PrintDefaults()
	}
	var (
		name      = fs.String("target", "", "target: gmm40, dw4, lj13, lj55, ljN or dwN")
		samples   = fs.String("samples", "", "samples .npy file (rows × d, float32 or float64)")
		refPath   = fs.String("ref", "", "reference .npy file (required except for gmm40)")
		n         = fs.Int("n", 1000, "samples per side of every batch")
		batches   = fs.Int("batches", 5, "generated-vs-reference batch pairs")
		floorB    = fs.Int("floor-batches", 10, "reference-vs-reference batch pairs for the floors")
		seed      = fs.Uint64("seed", 0, "random seed of the batch draws")
		protocol  = fs.String("protocol", "all", "metric set: p-dem, p-as, p-blog or all")
		format    = fs.String("format", "markdown", "output: markdown or json")
		plots     = fs.String("plots", "", "directory for energy/distance histograms (GMM-40: scatter) PNGs")
		workers   = fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS)")
		gmmRef    = fs.Int("gmm-ref-n", 10000, "exact GMM-40 reference samples when -ref is not given")
		rotateRef = fs.Bool("rotate-ref", false, "also rotation-randomise the reference batches of the values (floors always are)")
		skipSum   = fs.Bool("skip-checksum", false, "do not check the files against their .sha256 checksum files (prints a warning)")
		maxMem    = maxMemFlag(fs)
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageExtra("eval", fs.Args())
	}
	if *name == "" || *samples == "" {
		fs.Usage()
		return errUsage
	}
	if *format != "markdown" && *format != "json" {
		return usagef("eval: -format %q: want markdown or json", *format)
	}
	ck := &flagChecker{cmd: "eval"}
	ck.float("max-mem", *maxMem, 0, 1<<20)
	ck.int("n", *n, 2, metrics.MaxN)
	ck.int("batches", *batches, 1, 100000)
	ck.int("floor-batches", *floorB, 1, 100000)
	ck.int("workers", *workers, 0, maxWorkers)
	ck.int("gmm-ref-n", *gmmRef, 0, 100_000_000)
	if ck.err != nil {
		return ck.err
	}
	tg, err := parseTarget(*name)
	if err != nil {
		return usagef("eval: -target: %v", err)
	}
	var mlist []string
	if *protocol == "all" {
		mlist = metrics.DefaultMetrics(tg.space)
	} else if mlist, err = metrics.ProtocolMetrics(*protocol, tg.space); err != nil {
		return usagef("eval: -protocol: %v", err)
	}
	if *refPath == "" && tg.pot != nil {
		return usagef("eval: -ref is required for target %s", tg.name)
	}
	// A loaded set holds its values, their energies and, for the plots, a
	// copy; two sets share -max-mem.
	maxValues := int(min(*maxMem*(1<<30)/(2*8*3), 1<<40))
	ck.memory("-gmm-ref-n", 8*f64(max(*gmmRef, 2**n))*(2+1), *maxMem)
	if *plots != "" {
		if err := os.MkdirAll(*plots, 0o755); err != nil {
			return usagef("eval: -plots %s: %v", *plots, err)
		}
		ck.writable("plots", filepath.Join(*plots, tg.name+"_energy.png"))
	}
	if ck.err != nil {
		return ck.err
	}
	lo := loadOptions{skipChecksum: *skipSum, maxValues: maxValues, stderr: stderr}

	gen, err := loadSet(tg, *samples, "samples", lo)
	if err != nil {
		return err
	}
	var ref *dataset
	switch {
	case *refPath != "":
		if ref, err = loadSet(tg, *refPath, "reference", lo); err != nil {
			return err
		}
	case tg.pot == nil:
		m := max(*gmmRef, 2**n)
		x := make([]float64, 2*m)
		gmm.Sample(x, m, *seed)
		ref = &dataset{label: fmt.Sprintf("exact GMM-40 samples (gmm.Sample, seed %d, n = %d)", *seed, m), rows: m, x: x}
		if err := ref.finish(tg, "reference"); err != nil {
			return err
		}
	default:
		return fmt.Errorf("eval: -ref is required for target %s", tg.name)
	}
	if gen.rows < *n {
		return fmt.Errorf("eval: samples file %s has %d rows, fewer than -n %d", gen.label, gen.rows, *n)
	}
	if ref.rows < 2**n {
		return fmt.Errorf("eval: the floors need 2·n = %d reference rows, %s has %d; lower -n", 2**n, ref.label, ref.rows)
	}
	if w := energyMismatch(gen.e, ref.e); w != "" {
		fmt.Fprintf(stderr, "idem eval: warning: %s; are these samples of %s?\n", w, tg.name)
	}

	pool := engine.NewPool(*workers)
	defer pool.Close()
	opt := metrics.Options{Space: tg.space, Metrics: mlist, Pool: pool}
	genB, refB := gen.batch(), ref.batch()
	values := make([]map[string]float64, *batches)
	for k := range values {
		if err := interrupted(ctx); err != nil {
			return err
		}
		gi, err := metrics.SampleIndices(gen.rows, *n, *seed, uint64(2*k))
		if err != nil {
			return err
		}
		ri, err := metrics.SampleIndices(ref.rows, *n, *seed, uint64(2*k+1))
		if err != nil {
			return err
		}
		rb := refB.Subset(ri)
		if *rotateRef && tg.space > 0 {
			if rb.X, err = metrics.RotateEach(rb.X, tg.space, *seed, uint64(2*k+1)); err != nil {
				return err
			}
		}
		if values[k], err = metrics.Compute(genB.Subset(gi), rb, opt); err != nil {
			return fmt.Errorf("eval: batch %d: %w", k, err)
		}
	}
	fseed := *seed ^ floorSeedMix
	floors, err := metrics.Floor(refB, metrics.Batch{}, metrics.FloorOptions{N: *n, Batches: *floorB, Seed: fseed, Rotate: tg.space > 0}, opt)
	if err := interrupted(ctx); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("eval: floors: %w", err)
	}
	rep := &metrics.Report{Target: tg.name, Protocol: *protocol, RefFile: ref.label, RefSHA256: ref.sha,
		Seeds: []uint64{*seed, fseed}, FloorRotated: tg.space > 0}
	// Report every metric the batches returned (Compute adds the TVD's
	// dropped fraction), in the requested order.
	reported := slices.Clone(mlist)
	for k := range values[0] {
		if !slices.Contains(reported, k) {
			reported = append(reported, k)
		}
	}
	if err := rep.Add(reported, values, floors, *n, *n); err != nil {
		return err
	}
	within := withinFloor(rep)

	if *plots != "" {
		if err := writePlots(*plots, tg, gen, ref); err != nil {
			return err
		}
		if err := interrupted(ctx); err != nil {
			return err
		}
	}

	if *format == "json" {
		js, err := rep.JSON()
		if err != nil {
			return err
		}
		out, err := json.MarshalIndent(evalOutput{Samples: gen.label, SamplesSHA256: gen.sha, SamplesRows: gen.rows, RefRows: ref.rows,
			FloorBatches: *floorB, WithinFloor: within, Report: js}, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", out)
		return nil
	}
	fmt.Fprintf(stdout, "- samples: %s (%d rows)\n- samples sha256: %s\n- reference rows: %d\n", gen.label, gen.rows, gen.sha, ref.rows)
	fmt.Fprintf(stdout, "- n per side: %d generated, %d reference; %d value batches (seed %d), %d floor batches (seed %d)\n",
		*n, *n, *batches, *seed, *floorB, fseed)
	fmt.Fprint(stdout, rep.Markdown())
	names := make([]string, 0, len(within))
	for k := range within {
		names = append(names, k)
	}
	sort.Strings(names)
	var above []string
	for _, k := range names {
		if !within[k] {
			above = append(above, k)
		}
	}
	if len(above) == 0 {
		fmt.Fprintf(stdout, "\nall %d metrics within their floors (mean ≤ floor + 2σ)\n", len(names))
	} else {
		fmt.Fprintf(stdout, "\nabove floor (mean > floor + 2σ): %s\n", strings.Join(above, ", "))
	}
	return nil
}

// withinFloor reports, per metric with a floor, whether the value's mean is
// at most the floor's mean plus twice their combined standard deviation.
func withinFloor(rep *metrics.Report) map[string]bool {
	out := map[string]bool{}
	for _, e := range rep.Entries {
		if e.Floor == nil {
			continue
		}
		out[e.Metric] = e.Value.Mean <= e.Floor.Mean+2*math.Hypot(e.Value.SD, e.Floor.SD)
	}
	return out
}

// energyMismatch returns a warning when the median energies of the samples
// and the reference are far apart compared with the reference's spread, as
// when a file of another target with the same dimension is passed.
func energyMismatch(gen, ref []float64) string {
	mg, mr := median(gen), median(ref)
	q1, q3 := quantile(ref, 0.25), quantile(ref, 0.75)
	spread := max(q3-q1, 1e-9)
	if math.Abs(mg-mr) > 20*spread {
		return fmt.Sprintf("median energy of the samples is %.4g, of the reference %.4g (reference IQR %.4g)", mg, mr, spread)
	}
	return ""
}

func median(v []float64) float64 { return quantile(v, 0.5) }

func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// writePlots writes the energy histogram and the interatomic-distance
// histogram (molecules) or the scatter over the density (GMM-40).
func writePlots(dir string, tg *target, gen, ref *dataset) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("eval: -plots: %w", err)
	}
	if err := figure.EnergyHistogram(filepath.Join(dir, tg.name+"_energy.png"), gen.e, ref.e,
		figure.HistOptions{Title: tg.name + " energy", RefLabel: "reference"}); err != nil {
		return fmt.Errorf("eval: energy histogram: %w", err)
	}
	gx := gen.x[:min(gen.rows, plotRows)*tg.t.Dim()]
	if tg.space == 0 {
		density := func(x, y float64) float64 { return math.Exp(gmm.LogProb(x, y)) }
		err := figure.ScatterDensity(filepath.Join(dir, tg.name+"_scatter.png"), gx, density,
			figure.ScatterOptions{Title: tg.name + " samples", XRange: [2]float64{-50, 50}, YRange: [2]float64{-50, 50}})
		if err != nil {
			return fmt.Errorf("eval: scatter: %w", err)
		}
		return nil
	}
	rx := ref.x[:min(ref.rows, plotRows)*tg.t.Dim()]
	gd, err := metrics.PairDistances(metrics.Set{Data: gx, Dim: tg.t.Dim()}, tg.space)
	if err != nil {
		return err
	}
	rd, err := metrics.PairDistances(metrics.Set{Data: rx, Dim: tg.t.Dim()}, tg.space)
	if err != nil {
		return err
	}
	if err := figure.DistanceHistogram(filepath.Join(dir, tg.name+"_distance.png"), gd, rd,
		figure.HistOptions{Title: tg.name + " interatomic distances", RefLabel: "reference"}); err != nil {
		return fmt.Errorf("eval: distance histogram: %w", err)
	}
	return nil
}
