package figure

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	vgdraw "gonum.org/v1/plot/vg/draw"
)

// Series is one named curve: points (X[i], Y[i]).
type Series struct {
	Label string
	X, Y  []float64
}

// CurveOptions configures a line figure of quality against cost.
type CurveOptions struct {
	Title, XLabel, YLabel string
	// HLines draws labelled horizontal reference lines (a published value,
	// a floor).
	HLines []Series // each uses Y[0] and its Label
	LogY   bool
	Width  int // pixels; 0 means DefaultWidth
	Height int // pixels; 0 means DefaultHeight
}

// Curves writes a line figure of the series to path as a PNG.
func Curves(path string, series []Series, opt CurveOptions) error {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = opt.Title, opt.XLabel, opt.YLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = preciseTicks{}, preciseTicks{}
	if opt.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{}
	}
	p.Legend.Top = true
	n := 0
	xmin, xmax := 0.0, 0.0
	for i, s := range series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("%w: series %q has %d x and %d y values", ErrOption, s.Label, len(s.X), len(s.Y))
		}
		if err := checkFinite(s.Label, s.X); err != nil {
			return err
		}
		if err := checkFinite(s.Label, s.Y); err != nil {
			return err
		}
		if len(s.X) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(s.X))
		for j := range s.X {
			pts[j].X, pts[j].Y = s.X[j], s.Y[j]
			if n == 0 || s.X[j] < xmin {
				xmin = s.X[j]
			}
			if n == 0 || s.X[j] > xmax {
				xmax = s.X[j]
			}
			n++
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(i)
		sc.Color = plotutil.Color(i)
		sc.Shape = vgdraw.CircleGlyph{}
		p.Add(l, sc)
		p.Legend.Add(s.Label, l, sc)
	}
	if n == 0 {
		return ErrEmpty
	}
	for i, h := range opt.HLines {
		if len(h.Y) == 0 {
			continue
		}
		if err := checkFinite(h.Label, h.Y[:1]); err != nil {
			return err
		}
		l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: h.Y[0]}, {X: xmax, Y: h.Y[0]}})
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(len(series) + i)
		l.Dashes = plotutil.Dashes(1 + i)
		p.Add(l)
		p.Legend.Add(h.Label, l)
	}
	return SavePNG(p, path, opt.Width, opt.Height)
}

// preciseTicks are plot.DefaultTicks with labels that keep the decimals
// their values need: DefaultTicks labels ticks at 18.35, 18.45 and 18.55 as
// "18", "18" and "19".
type preciseTicks struct{}

// Ticks implements plot.Ticker.
func (preciseTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	step := math.Inf(1)
	prev := math.NaN()
	for _, t := range ts {
		if t.Label == "" {
			continue
		}
		if !math.IsNaN(prev) {
			step = min(step, t.Value-prev)
		}
		prev = t.Value
	}
	if !(step > 0) || math.IsInf(step, 1) {
		return ts
	}
	dec := max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	exact := func(d int) bool { // every label reads back as its tick
		for _, t := range ts {
			v, _ := strconv.ParseFloat(strconv.FormatFloat(t.Value, 'f', d, 64), 64)
			if t.Label != "" && math.Abs(v-t.Value) > 1e-9*max(1, math.Abs(t.Value)) {
				return false
			}
		}
		return true
	}
	for dec < 12 && !exact(dec) {
		dec++
	}
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', dec, 64)
		}
	}
	return ts
}
