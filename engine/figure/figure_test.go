package figure

import (
	"errors"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/idem-project/idem/engine"
)

func normals(n int, mu, sd float64, seed uint64) []float64 {
	st := engine.NewStream(seed)
	x := make([]float64, n)
	for i := range x {
		x[i] = mu + sd*st.Norm()
	}
	return x
}

// mixtureDensity is a four-mode 2-D Gaussian mixture at (±20, ±20).
func mixtureDensity(x, y float64) float64 {
	var p float64
	for _, c := range [][2]float64{{-20, -20}, {-20, 20}, {20, -20}, {20, 20}} {
		dx, dy := (x-c[0])/4, (y-c[1])/4
		p += math.Exp(-(dx*dx + dy*dy) / 2)
	}
	return p / (4 * 2 * math.Pi * 16)
}

func mixturePoints(n int, seed uint64) []float64 {
	st := engine.NewStream(seed)
	xy := make([]float64, 2*n)
	for i := range n {
		k := st.IntN(4)
		xy[2*i] = 20*float64(2*(k&1)-1) + 4*st.Norm()
		xy[2*i+1] = 20*float64(2*(k>>1)-1) + 4*st.Norm()
	}
	return xy
}

// readPNG decodes path and checks its pixel size.
func readPNG(t *testing.T, path string, w, h int) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: not a valid PNG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("%s: %d×%d pixels, want %d×%d", path, b.Dx(), b.Dy(), w, h)
	}
	return img
}

// countPixels counts pixels for which keep returns true (8-bit channels).
func countPixels(img image.Image, keep func(r, g, b uint8) bool) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if keep(uint8(r>>8), uint8(g>>8), uint8(bl>>8)) {
				n++
			}
		}
	}
	return n
}

func isRed(r, g, b uint8) bool  { return r > 180 && g < 90 && b < 90 }
func isBlue(r, g, b uint8) bool { return b > 150 && r < 170 && int(b) > int(r)+40 }

// noTemps fails if a temporary file was left in dir.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestHistogramFiles(t *testing.T) {
	dir := t.TempDir()
	ref := normals(5000, -40, 3, 1)
	gen := append(normals(2000, -38, 4, 2), 1e6) // one far outlier
	e := filepath.Join(dir, "energy.png")
	if err := EnergyHistogram(e, gen, ref, HistOptions{}); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, e, DefaultWidth, DefaultHeight)
	if r, b := countPixels(img, isRed), countPixels(img, isBlue); r < 200 || b < 2000 {
		t.Fatalf("expected a red sample outline and a blue reference fill: %d red, %d blue pixels", r, b)
	}
	d := filepath.Join(dir, "dist.png")
	if err := DistanceHistogram(d, normals(3000, 1.1, 0.1, 3), normals(3000, 1.12, 0.1, 4), HistOptions{Width: 640, Height: 480, Bins: 50, Range: [2]float64{0.5, 2.5}}); err != nil {
		t.Fatal(err)
	}
	readPNG(t, d, 640, 480)
	// Overwriting an existing figure works and stays atomic.
	if err := Histogram(d, ref, ref, HistOptions{Width: 300, Height: 200}); err != nil {
		t.Fatal(err)
	}
	readPNG(t, d, 300, 200)
	noTemps(t, dir)
}

// Outside-range mass is reported in the legend: check the plot's legend
// text through HistogramPlot.
func TestHistogramPlotLegend(t *testing.T) {
	p, err := HistogramPlot([]float64{0, 1, 2, 50}, []float64{0, 1, 2, 3}, HistOptions{Range: [2]float64{0, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min != 0 || p.X.Max != 3 {
		t.Fatalf("x range [%v, %v]", p.X.Min, p.X.Max)
	}
	if got := withOutside("samples", 4, 0.25); got != "samples (n = 4), 25.0% outside" {
		t.Fatalf("legend %q", got)
	}
	hb, out := densityBins([]float64{0, 1, 2, 3, 50}, 0, 4, 4)
	if out != 0.2 || hb[3].Weight != 0.2 || hb[0].Weight != 0.2 {
		t.Fatalf("densityBins: %+v, outside %v", hb, out)
	}
	var area float64
	for _, b := range hb {
		area += b.Weight * (b.Max - b.Min)
	}
	if math.Abs(area-0.8) > 1e-15 {
		t.Fatalf("area %v, want the in-range fraction 0.8", area)
	}
}

func TestScatterDensityFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gmm.png")
	opt := ScatterOptions{Title: "GMM", XRange: [2]float64{-50, 50}, YRange: [2]float64{-50, 50}, Width: 600, Height: 600}
	if err := ScatterDensity(path, mixturePoints(1000, 1), mixtureDensity, opt); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path, 600, 600)
	dark := countPixels(img, func(r, g, b uint8) bool { return r < 100 && g < 100 && b < 100 })
	warm := countPixels(img, func(r, g, b uint8) bool { return r > 150 && b < 100 && g < 220 })
	if dark < 1000 || warm < 200 {
		t.Fatalf("expected dark sample points and warm contour lines: %d dark, %d warm pixels", dark, warm)
	}
	lin := filepath.Join(dir, "lin.png")
	if err := ScatterDensity(lin, mixturePoints(100, 2), mixtureDensity, ScatterOptions{LinearDensity: true}); err != nil {
		t.Fatal(err)
	}
	readPNG(t, lin, DefaultWidth, DefaultHeight)
	noTemps(t, dir)
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	ok := []float64{1, 2, 3}
	good := filepath.Join(dir, "x.png")
	histCases := []struct {
		name     string
		path     string
		gen, ref []float64
		opt      HistOptions
		want     error
	}{
		{"empty gen", good, nil, ok, HistOptions{}, ErrEmpty},
		{"empty ref", good, ok, []float64{}, HistOptions{}, ErrEmpty},
		{"NaN", good, []float64{1, math.NaN()}, ok, HistOptions{}, ErrNonFinite},
		{"Inf", good, ok, []float64{math.Inf(1)}, HistOptions{}, ErrNonFinite},
		{"bins", good, ok, ok, HistOptions{Bins: -1}, ErrOption},
		{"range", good, ok, ok, HistOptions{Range: [2]float64{2, 1}}, ErrOption},
		{"size", good, ok, ok, HistOptions{Width: 10}, ErrOption},
		{"huge", good, ok, ok, HistOptions{Height: MaxPixels + 1}, ErrOption},
		{"missing dir", filepath.Join(dir, "no", "x.png"), ok, ok, HistOptions{}, nil},
		{"path is a directory", dir, ok, ok, HistOptions{}, nil},
	}
	for _, c := range histCases {
		err := Histogram(c.path, c.gen, c.ref, c.opt)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(good); err == nil {
		t.Error("a failed call wrote its output")
	}
	noTemps(t, dir)
	pts := mixturePoints(10, 1)
	scatterCases := []struct {
		name    string
		xy      []float64
		density func(x, y float64) float64
		opt     ScatterOptions
		want    error
	}{
		{"nil density", pts, nil, ScatterOptions{}, ErrOption},
		{"odd xy", pts[:5], mixtureDensity, ScatterOptions{}, ErrOption},
		{"empty", nil, mixtureDensity, ScatterOptions{}, ErrEmpty},
		{"NaN point", []float64{0, math.NaN()}, mixtureDensity, ScatterOptions{}, ErrNonFinite},
		{"NaN density", pts, func(x, y float64) float64 { return math.NaN() }, ScatterOptions{}, ErrNonFinite},
		{"negative density", pts, func(x, y float64) float64 { return -1 }, ScatterOptions{}, ErrNonFinite},
		{"zero density", pts, func(x, y float64) float64 { return 0 }, ScatterOptions{}, ErrOption},
		{"range", pts, mixtureDensity, ScatterOptions{XRange: [2]float64{1, 1}}, ErrOption},
		{"grid", pts, mixtureDensity, ScatterOptions{Grid: 1}, ErrOption},
		{"size", pts, mixtureDensity, ScatterOptions{Width: -5}, ErrOption},
	}
	for _, c := range scatterCases {
		if err := ScatterDensity(good, c.xy, c.density, c.opt); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestCurves(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/c.png"
	s := []Series{{Label: "a", X: []float64{0, 1, 2}, Y: []float64{3, 2, 1}}}
	if err := Curves(path, s, CurveOptions{Title: "t", HLines: []Series{{Label: "paper", Y: []float64{1.5}}}}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) < 1000 || string(b[1:4]) != "PNG" {
		t.Fatalf("no PNG written: %v", err)
	}
	if err := Curves(path, []Series{{Label: "bad", X: []float64{0}, Y: []float64{math.NaN()}}}, CurveOptions{}); !errors.Is(err, ErrNonFinite) {
		t.Fatalf("NaN: %v", err)
	}
	if err := Curves(path, nil, CurveOptions{}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
}

// TestPreciseTicks: every labelled tick of a narrow range has its own label
// (DefaultTicks gives "18", "18", "19" on [18.33, 18.56]), labels keep the
// decimals of their spacing, and wide ranges keep integer labels.
func TestPreciseTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string // one label that must appear
	}{{18.33, 18.56, "18.45"}, {1.86, 2.2, "2.0"}, {0.5, 14.1, "8"}, {4000, 550000, "300000"}} {
		seen := map[string]bool{}
		for _, tk := range (preciseTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label == "" {
				continue
			}
			if seen[tk.Label] {
				t.Errorf("[%g, %g]: label %q twice", c.lo, c.hi, tk.Label)
			}
			seen[tk.Label] = true
			if v, err := strconv.ParseFloat(tk.Label, 64); err != nil || math.Abs(v-tk.Value) > 1e-9*math.Max(1, math.Abs(tk.Value)) {
				t.Errorf("[%g, %g]: label %q for tick %g", c.lo, c.hi, tk.Label, tk.Value)
			}
		}
		if !seen[c.want] {
			t.Errorf("[%g, %g]: labels %v lack %q", c.lo, c.hi, seen, c.want)
		}
	}
}
