package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/idem-project/idem/engine/figure"
)

// runCurve is one run's validation rounds: a metric against wall-clock.
type runCurve struct {
	label      string
	epoch      []int
	minutes    []float64
	value      []float64
	nonFinite  int     // rounds whose value was NaN or ±Inf (left out)
	lastMinute float64 // the last round's wall-clock
}

// readCurve reads a run's curve.csv (a run directory or the file itself)
// and keeps the column metric against wall_s.
func readCurve(arg, metric string) (*runCurve, error) {
	label, path, ok := strings.Cut(arg, "=")
	if !ok {
		label, path = "", arg
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "curve.csv")
	}
	if label == "" {
		label = strings.TrimSuffix(filepath.Base(path), ".csv")
		if label == "curve" {
			label = filepath.Base(filepath.Dir(path))
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no validation rounds", path)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	wc, okW := col["wall_s"]
	mc, okM := col[metric]
	if !okW || !okM {
		return nil, fmt.Errorf("%s: needs the columns wall_s and %s (it has %s)", path, metric, strings.Join(rows[0], ", "))
	}
	ec, okE := col["epoch"]
	c := &runCurve{label: label}
	for i, r := range rows[1:] {
		w, err := strconv.ParseFloat(r[wc], 64)
		if err != nil || w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%s: line %d: wall_s %q is not a time", path, i+2, r[wc])
		}
		c.lastMinute = w / 60
		if r[mc] == "" {
			continue
		}
		v, err := strconv.ParseFloat(r[mc], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %s %q is not a number", path, i+2, metric, r[mc])
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			c.nonFinite++
			continue
		}
		ep := i + 1
		if okE {
			if ep, err = strconv.Atoi(r[ec]); err != nil {
				return nil, fmt.Errorf("%s: line %d: epoch %q is not an integer", path, i+2, r[ec])
			}
		}
		c.epoch, c.minutes, c.value = append(c.epoch, ep), append(c.minutes, w/60), append(c.value, v)
	}
	if len(c.value) == 0 {
		return nil, fmt.Errorf("%s: no finite %s", path, metric)
	}
	return c, nil
}

// best returns the index of the lowest value.
func (c *runCurve) best() int {
	b := 0
	for i, v := range c.value {
		if v < c.value[b] {
			b = i
		}
	}
	return b
}

// firstBelow returns the index of the first value ≤ v, or −1.
func (c *runCurve) firstBelow(v float64) int {
	for i, x := range c.value {
		if x <= v {
			return i
		}
	}
	return -1
}

// clipAbove returns a copy of v with values above top set to top, and how
// many there were.
func clipAbove(v []float64, top float64) ([]float64, int) {
	y := make([]float64, len(v))
	n := 0
	for i, x := range v {
		y[i] = x
		if x > top {
			y[i] = top
			n++
		}
	}
	return y, n
}

func runCurves(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("curves", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		metric = fs.String("metric", "energy_w1", "column of curve.csv to compare (x_w2, energy_w1, energy_w2, dist_w2, val_loss)")
		below  = fs.Float64("below", math.NaN(), "also report when each run's validation first reached this value or lower (e.g. the paper's)")
		out    = fs.String("out", "", "write the figure (PNG) here")
		title  = fs.String("title", "", "figure title")
		linY   = fs.Bool("linear", false, "linear y axis (default: logarithmic when every value is positive)")
		yMax   = fs.Float64("ymax", math.NaN(), "in the figure, draw values above this at this value (the legend counts them), so that a few wild rounds do not flatten the rest")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: idem curves [-metric M] [-below V] [-out FILE.png] [LABEL=]RUN ...\n\nCompares training runs by a validation metric against wall-clock: for each\nrun (a run directory of idem train, or its curve.csv) the best round and,\nwith -below, the time its validation first reached the value; with -out,\none figure of all of them.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	if *out != "" {
		if err := checkWritable(filepath.Dir(*out)); err != nil {
			return fmt.Errorf("curves: -out %s: directory not writable: %w", *out, err)
		}
	}
	var curves []*runCurve
	for _, a := range fs.Args() {
		c, err := readCurve(a, *metric)
		if err != nil {
			return fmt.Errorf("curves: %w", err)
		}
		curves = append(curves, c)
	}
	hasBelow := !math.IsNaN(*below)
	head := fmt.Sprintf("| run | rounds | best %s | at epoch | at minute | run minutes |", *metric)
	sep := "|---|---|---|---|---|---|"
	if hasBelow {
		head += fmt.Sprintf(" first ≤ %g: epoch, minute |", *below)
		sep += "---|"
	}
	fmt.Fprintln(stdout, head)
	fmt.Fprintln(stdout, sep)
	series := make([]figure.Series, len(curves))
	positive := true
	for i, c := range curves {
		b := c.best()
		rounds := strconv.Itoa(len(c.value))
		if c.nonFinite > 0 {
			rounds += fmt.Sprintf(" (+%d non-finite)", c.nonFinite)
		}
		line := fmt.Sprintf("| %s | %s | %.4g | %d | %.1f | %.1f |", c.label, rounds, c.value[b], c.epoch[b], c.minutes[b], c.lastMinute)
		if hasBelow {
			if j := c.firstBelow(*below); j >= 0 {
				line += fmt.Sprintf(" %d, %.1f |", c.epoch[j], c.minutes[j])
			} else {
				line += " never |"
			}
		}
		fmt.Fprintln(stdout, line)
		series[i] = figure.Series{Label: c.label, X: c.minutes, Y: c.value}
		if !math.IsNaN(*yMax) {
			y, above := clipAbove(c.value, *yMax)
			series[i].Y = y
			if above > 0 {
				series[i].Label += fmt.Sprintf(" (%d above %g, drawn at it)", above, *yMax)
			}
		}
		for _, v := range series[i].Y {
			positive = positive && v > 0
		}
	}
	if *out == "" {
		return nil
	}
	opt := figure.CurveOptions{Title: *title, XLabel: "training wall-clock (minutes)", YLabel: "validation " + *metric, LogY: positive && !*linY}
	if opt.Title == "" {
		opt.Title = "validation " + *metric + " against wall-clock"
	}
	if hasBelow {
		opt.HLines = []figure.Series{{Label: fmt.Sprintf("%s = %g", *metric, *below), Y: []float64{*below}}}
	}
	if err := figure.Curves(*out, series, opt); err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}
