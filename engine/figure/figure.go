package figure

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/idem-project/idem/engine/atomicfile"
)

// Default and maximum image sizes in pixels.
const (
	DefaultWidth  = 800
	DefaultHeight = 600
	MaxPixels     = 8000 // per side
	dpi           = 96
)

// Errors for bad input, wrapped with details; test with errors.Is.
var (
	ErrEmpty     = errors.New("figure: no data")
	ErrNonFinite = errors.New("figure: NaN or Inf in input")
	ErrOption    = errors.New("figure: invalid option")
)

var (
	refColor = color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0x80} // translucent blue
	genColor = color.NRGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff} // red
)

func checkFinite(name string, x []float64) error {
	if len(x) == 0 {
		return fmt.Errorf("%w: %s is empty", ErrEmpty, name)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s[%d] = %v", ErrNonFinite, name, i, v)
		}
	}
	return nil
}

func size(w, h int) (int, int, error) {
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	if w < 100 || h < 100 || w > MaxPixels || h > MaxPixels {
		return 0, 0, fmt.Errorf("%w: image size %d×%d pixels (want 100…%d per side)", ErrOption, w, h, MaxPixels)
	}
	return w, h, nil
}

// SavePNG renders p into a width×height pixel PNG (0 means the default
// size) and writes it atomically to path: a temporary file in the same
// directory is written, synced and renamed over path (engine/atomicfile).
func SavePNG(p *plot.Plot, path string, width, height int) error {
	w, h, err := size(width, height)
	if err != nil {
		return err
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	c := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(dpi))
	p.Draw(vgdraw.New(c))
	if err := atomicfile.WriteFunc(path, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return nil
}

// HistOptions configures a histogram figure. The zero value is usable.
type HistOptions struct {
	Title    string
	XLabel   string     // the quantity and its unit
	Bins     int        // number of equal bins; 0 means 80
	Range    [2]float64 // x range; the zero value means automatic (see Histogram)
	GenLabel string     // legend entry of the samples; "" means "samples"
	RefLabel string     // legend entry of the reference; "" means "reference"
	Width    int        // pixels; 0 means DefaultWidth
	Height   int        // pixels; 0 means DefaultHeight
}

// quantile returns the q-quantile of sorted x (linear interpolation).
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

// densityBins returns the normalised-density histogram of x on the given
// edges (count / (len(x)·width)) and the fraction of x outside them. The
// last bin includes its right edge.
func densityBins(x []float64, lo, hi float64, bins int) ([]plotter.HistogramBin, float64) {
	width := (hi - lo) / float64(bins)
	counts := make([]int, bins)
	out := 0
	for _, v := range x {
		if v < lo || v > hi {
			out++
			continue
		}
		k := min(int((v-lo)/width), bins-1)
		counts[k]++
	}
	hb := make([]plotter.HistogramBin, bins)
	for k := range hb {
		hb[k] = plotter.HistogramBin{
			Min:    lo + float64(k)*width,
			Max:    lo + float64(k+1)*width,
			Weight: float64(counts[k]) / (float64(len(x)) * width),
		}
	}
	return hb, float64(out) / float64(len(x))
}

// HistogramPlot builds the overlaid density histograms of gen (red step
// outline) and ref (translucent blue bars) on common bins. Without an
// explicit Range the x range spans the 0.5 %–99.5 % quantiles of both sets
// together, padded by 5 %, so one far outlier does not flatten the figure;
// the legend reports the fraction of each set outside the plotted range.
func HistogramPlot(gen, ref []float64, opt HistOptions) (*plot.Plot, error) {
	if err := checkFinite("generated values", gen); err != nil {
		return nil, err
	}
	if err := checkFinite("reference values", ref); err != nil {
		return nil, err
	}
	bins := opt.Bins
	if bins == 0 {
		bins = 80
	}
	if bins < 1 || bins > 100000 {
		return nil, fmt.Errorf("%w: %d bins", ErrOption, bins)
	}
	lo, hi := opt.Range[0], opt.Range[1]
	if lo == 0 && hi == 0 {
		sg, sr := slices.Sorted(slices.Values(gen)), slices.Sorted(slices.Values(ref))
		lo = math.Min(quantile(sg, 0.005), quantile(sr, 0.005))
		hi = math.Max(quantile(sg, 0.995), quantile(sr, 0.995))
		pad := 0.05 * (hi - lo)
		if pad == 0 {
			pad = 0.5 * math.Max(1, math.Abs(lo))
		}
		lo, hi = lo-pad, hi+pad
	}
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("%w: range [%v, %v]", ErrOption, lo, hi)
	}
	genLabel, refLabel := opt.GenLabel, opt.RefLabel
	if genLabel == "" {
		genLabel = "samples"
	}
	if refLabel == "" {
		refLabel = "reference"
	}
	width := (hi - lo) / float64(bins)
	rb, rout := densityBins(ref, lo, hi, bins)
	gb, gout := densityBins(gen, lo, hi, bins)
	rh := &plotter.Histogram{Bins: rb, Width: width, FillColor: refColor}
	rh.LineStyle = vgdraw.LineStyle{Color: color.Transparent, Width: 0}
	// The samples are drawn as one step outline over the bins.
	steps := make(plotter.XYs, bins+1)
	ymax := 0.0
	for k, b := range gb {
		steps[k].X, steps[k].Y = b.Min, b.Weight
		ymax = math.Max(ymax, math.Max(b.Weight, rb[k].Weight))
	}
	steps[bins].X, steps[bins].Y = hi, gb[bins-1].Weight
	gh, err := plotter.NewLine(steps)
	if err != nil {
		return nil, err
	}
	gh.StepStyle = plotter.PostStep
	gh.LineStyle = vgdraw.LineStyle{Color: genColor, Width: vg.Points(1.5)}

	p := plot.New()
	p.Title.Text = opt.Title
	p.X.Label.Text = opt.XLabel
	p.Y.Label.Text = "density"
	p.X.Min, p.X.Max = lo, hi
	p.Add(plotter.NewGrid(), rh, gh)
	p.Y.Min, p.Y.Max = 0, 1.2*ymax // headroom for the legend
	if ymax == 0 {
		p.Y.Max = 1
	}
	p.Legend.Add(withOutside(refLabel, len(ref), rout), rh)
	p.Legend.Add(withOutside(genLabel, len(gen), gout), gh)
	p.Legend.Top = true
	return p, nil
}

func withOutside(label string, n int, out float64) string {
	s := fmt.Sprintf("%s (n = %d)", label, n)
	if out > 0 {
		s += fmt.Sprintf(", %.1f%% outside", 100*out)
	}
	return s
}

// Histogram writes the overlaid density histograms of HistogramPlot to path
// as a PNG.
func Histogram(path string, gen, ref []float64, opt HistOptions) error {
	if _, _, err := size(opt.Width, opt.Height); err != nil {
		return err
	}
	p, err := HistogramPlot(gen, ref, opt)
	if err != nil {
		return err
	}
	return SavePNG(p, path, opt.Width, opt.Height)
}

// EnergyHistogram is Histogram of sample energies against reference
// energies, with the axis label "energy E(x) [kT]" and the title "Energy"
// unless opt sets them.
func EnergyHistogram(path string, gen, ref []float64, opt HistOptions) error {
	if opt.XLabel == "" {
		opt.XLabel = "energy E(x) [kT]"
	}
	if opt.Title == "" {
		opt.Title = "Energy"
	}
	return Histogram(path, gen, ref, opt)
}

// DistanceHistogram is Histogram of pooled interatomic distances ‖x_i − x_j‖
// (i < j) of samples against the reference, with the axis label
// "interatomic distance r" and the title "Interatomic distances" unless opt
// sets them.
func DistanceHistogram(path string, gen, ref []float64, opt HistOptions) error {
	if opt.XLabel == "" {
		opt.XLabel = "interatomic distance r"
	}
	if opt.Title == "" {
		opt.Title = "Interatomic distances"
	}
	return Histogram(path, gen, ref, opt)
}

// ScatterOptions configures a scatter-over-density figure.
type ScatterOptions struct {
	Title  string
	XLabel string // "" means "x₁"
	YLabel string // "" means "x₂"
	// XRange and YRange bound the figure and the density grid; the zero
	// value means the samples' range padded by 5 %. GMM-40 uses [−50, 50].
	XRange, YRange [2]float64
	Grid           int // density evaluations per axis; 0 means 150
	Levels         int // contour levels; 0 means 12
	// LinearDensity contours the density itself; by default contours are on
	// log density over the top LogDepth nats, which suits multimodal targets.
	LinearDensity bool
	LogDepth      float64 // 0 means 20
	Label         string  // legend entry of the samples; "" means "samples"
	Width, Height int     // pixels; 0 means the defaults
}

// grid implements plotter.GridXYZ over a regular grid.
type grid struct {
	x0, dx, y0, dy float64
	nx, ny         int
	z              []float64 // row r (y), column c (x)
	zmin, zmax     float64
}

func (g *grid) Dims() (c, r int)   { return g.nx, g.ny }
func (g *grid) Z(c, r int) float64 { return g.z[r*g.nx+c] }
func (g *grid) X(c int) float64    { return g.x0 + float64(c)*g.dx }
func (g *grid) Y(r int) float64    { return g.y0 + float64(r)*g.dy }
func (g *grid) Min() float64       { return g.zmin }
func (g *grid) Max() float64       { return g.zmax }

func autoRange(r [2]float64, v []float64) ([2]float64, error) {
	if r[0] == 0 && r[1] == 0 {
		lo, hi := slices.Min(v), slices.Max(v)
		pad := 0.05 * (hi - lo)
		if pad == 0 {
			pad = 1
		}
		r = [2]float64{lo - pad, hi + pad}
	}
	if !(r[0] < r[1]) || math.IsInf(r[0], 0) || math.IsInf(r[1], 0) || math.IsNaN(r[0]) || math.IsNaN(r[1]) {
		return r, fmt.Errorf("%w: range [%v, %v]", ErrOption, r[0], r[1])
	}
	return r, nil
}

// ScatterPlot builds a scatter of the 2-D points xy (x₀, y₀, x₁, y₁, …) over
// the contours of density, evaluated on a Grid×Grid lattice spanning the
// figure. density must return finite values ≥ 0 (0 is allowed with the log
// contours: it is drawn below the lowest level).
func ScatterPlot(xy []float64, density func(x, y float64) float64, opt ScatterOptions) (*plot.Plot, error) {
	if density == nil {
		return nil, fmt.Errorf("%w: nil density", ErrOption)
	}
	if err := checkFinite("points", xy); err != nil {
		return nil, err
	}
	if len(xy)%2 != 0 {
		return nil, fmt.Errorf("%w: %d coordinates is not a whole number of 2-D points", ErrOption, len(xy))
	}
	n := len(xy) / 2
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range n {
		xs[i], ys[i] = xy[2*i], xy[2*i+1]
	}
	xr, err := autoRange(opt.XRange, xs)
	if err != nil {
		return nil, err
	}
	yr, err := autoRange(opt.YRange, ys)
	if err != nil {
		return nil, err
	}
	gn, levels, depth := opt.Grid, opt.Levels, opt.LogDepth
	if gn == 0 {
		gn = 150
	}
	if levels == 0 {
		levels = 12
	}
	if depth == 0 {
		depth = 20
	}
	if gn < 2 || gn > 2000 || levels < 1 || levels > 1000 || !(depth > 0) {
		return nil, fmt.Errorf("%w: grid %d, levels %d, log depth %v", ErrOption, gn, levels, depth)
	}
	g := &grid{x0: xr[0], dx: (xr[1] - xr[0]) / float64(gn-1), y0: yr[0], dy: (yr[1] - yr[0]) / float64(gn-1), nx: gn, ny: gn, z: make([]float64, gn*gn)}
	for r := range gn {
		for c := range gn {
			v := density(g.X(c), g.Y(r))
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("%w: density(%v, %v) = %v", ErrNonFinite, g.X(c), g.Y(r), v)
			}
			g.z[r*gn+c] = v
		}
	}
	zmax := slices.Max(g.z)
	if !(zmax > 0) {
		return nil, fmt.Errorf("%w: density is zero on the whole grid", ErrOption)
	}
	var lv []float64
	if opt.LinearDensity {
		g.zmin, g.zmax = slices.Min(g.z), zmax
		for k := range levels {
			lv = append(lv, zmax*float64(k+1)/float64(levels+1))
		}
	} else {
		top := math.Log(zmax)
		floor := top - 2*depth
		for i, v := range g.z {
			g.z[i] = math.Max(math.Log(v), floor) // log 0 = −Inf is clamped
		}
		g.zmin, g.zmax = floor, top
		for k := range levels {
			lv = append(lv, top-depth+depth*float64(k)/float64(levels))
		}
	}
	ct := plotter.NewContour(g, lv, palette.Heat(levels, 1))
	pts := make(plotter.XYs, n)
	for i := range n {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Radius = vg.Points(1.2)
	sc.GlyphStyle.Color = color.NRGBA{A: 0xb0}
	sc.GlyphStyle.Shape = vgdraw.CircleGlyph{}

	p := plot.New()
	p.Title.Text = opt.Title
	p.X.Label.Text, p.Y.Label.Text = opt.XLabel, opt.YLabel
	if p.X.Label.Text == "" {
		p.X.Label.Text = "x₁"
	}
	if p.Y.Label.Text == "" {
		p.Y.Label.Text = "x₂"
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xr[0], xr[1], yr[0], yr[1]
	p.Add(ct, sc)
	label := opt.Label
	if label == "" {
		label = "samples"
	}
	p.Legend.Add(fmt.Sprintf("%s (n = %d)", label, n), sc)
	thumb := lineThumb{vgdraw.LineStyle{Color: palette.Heat(levels, 1).Colors()[levels/2], Width: vg.Points(1.5)}}
	if opt.LinearDensity {
		p.Legend.Add("density contours", thumb)
	} else {
		p.Legend.Add(fmt.Sprintf("log-density contours (top %g nats)", depth), thumb)
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = font.Length(10)
	return p, nil
}

// ScatterDensity writes the figure of ScatterPlot to path as a PNG.
func ScatterDensity(path string, xy []float64, density func(x, y float64) float64, opt ScatterOptions) error {
	if _, _, err := size(opt.Width, opt.Height); err != nil {
		return err
	}
	p, err := ScatterPlot(xy, density, opt)
	if err != nil {
		return err
	}
	return SavePNG(p, path, opt.Width, opt.Height)
}

// lineThumb draws a contour's legend entry: a horizontal line.
type lineThumb struct{ style vgdraw.LineStyle }

func (l lineThumb) Thumbnail(c *vgdraw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}
