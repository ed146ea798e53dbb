package lj

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/optimize"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
	"github.com/idem-project/idem/engine"
)

// targets returns every potential under test, for each implementation.
func targets(t *testing.T) []*Potential {
	var out []*Potential
	for _, im := range asmtest.Impls(t) {
		for _, n := range []int{2, 4, 13, 55} {
			p, err := New(n, WithImpl(im))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		for _, dim := range []int{2, 3} {
			for _, n := range []int{2, 4, 13} {
				p, err := NewDW(n, dim, WithImpl(im))
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, p)
			}
		}
	}
	return out
}

func randomConfig(rng *rand.Rand, p *Potential) []float64 {
	n, dim := p.Shape()
	x := make([]float64, p.Dim())
	spacing := 1.1
	if p.Kind() == DoubleWell {
		spacing = 3.5
	}
	asmtest.Lattice(rng, x, n, dim, 1, spacing, 0.25)
	return x
}

func grad(p *Potential, x []float64) (float64, []float64) {
	e := make([]float64, 1)
	g := make([]float64, len(x))
	engine.EnergyGrad(p, e, g, x, 1)
	return e[0], g
}

func TestForcesMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, p := range targets(t) {
		t.Run(p.Name()+"/impl="+p.Impl().Name(), func(t *testing.T) {
			x := randomConfig(rng, p)
			_, g := grad(p, x)
			const h = 1e-5
			for i := range x {
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				xp[i] += h
				xm[i] -= h
				fd := (p.Energy(xp) - p.Energy(xm)) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-5*math.Max(1, math.Abs(g[i])) {
					t.Fatalf("∂E/∂x[%d]: analytic %.10g, finite difference %.10g", i, g[i], fd)
				}
			}
		})
	}
}

func rotation(rng *rand.Rand, dim int, reflect bool) [][]float64 {
	// Gram–Schmidt on a random matrix.
	r := make([][]float64, dim)
	for i := range r {
		r[i] = make([]float64, dim)
		for j := range r[i] {
			r[i][j] = rng.NormFloat64()
		}
		for k := 0; k < i; k++ {
			dot := 0.0
			for j := range r[i] {
				dot += r[i][j] * r[k][j]
			}
			for j := range r[i] {
				r[i][j] -= dot * r[k][j]
			}
		}
		norm := 0.0
		for j := range r[i] {
			norm += r[i][j] * r[i][j]
		}
		for j := range r[i] {
			r[i][j] /= math.Sqrt(norm)
		}
	}
	if reflect {
		for j := range r[0] {
			r[0][j] = -r[0][j]
		}
	}
	return r
}

func TestInvariancesAndZeroNetForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, p := range targets(t) {
		t.Run(p.Name()+"/impl="+p.Impl().Name(), func(t *testing.T) {
			n, dim := p.Shape()
			x := randomConfig(rng, p)
			e0, g := grad(p, x)
			tol := 1e-10 * math.Max(1, math.Abs(e0))
			for d := 0; d < dim; d++ {
				s := 0.0
				for i := 0; i < n; i++ {
					s += g[i*dim+d]
				}
				if math.Abs(s) > 1e-9*math.Max(1, math.Abs(e0)) {
					t.Fatalf("forces sum to %g in dim %d", s, d)
				}
			}
			shift := make([]float64, len(x))
			for i := range x {
				shift[i] = x[i] + []float64{7.5, -3.25, 1.125}[i%dim]
			}
			if e := p.Energy(shift); math.Abs(e-e0) > tol*100 {
				t.Fatalf("translation changed E: %.15g -> %.15g", e0, e)
			}
			for _, refl := range []bool{false, true} {
				r := rotation(rng, dim, refl)
				rot := make([]float64, len(x))
				for i := 0; i < n; i++ {
					for a := 0; a < dim; a++ {
						for b := 0; b < dim; b++ {
							rot[i*dim+a] += r[a][b] * x[i*dim+b]
						}
					}
				}
				if e := p.Energy(rot); math.Abs(e-e0) > tol*100 {
					t.Fatalf("rotation (reflect=%v) changed E: %.15g -> %.15g", refl, e0, e)
				}
			}
			perm := rng.Perm(n)
			px := make([]float64, len(x))
			for i, j := range perm {
				copy(px[i*dim:(i+1)*dim], x[j*dim:(j+1)*dim])
			}
			if e := p.Energy(px); math.Abs(e-e0) > tol*100 {
				t.Fatalf("permutation changed E: %.15g -> %.15g", e0, e)
			}
		})
	}
}

func TestLJDimerMinimum(t *testing.T) {
	p, err := New(2, WithTrap(0))
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0, 0, 0, 1.3, 0.1, -0.2}
	e, fmax, err := Minimize(p, x, 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	r := math.Sqrt((x[3]-x[0])*(x[3]-x[0]) + (x[4]-x[1])*(x[4]-x[1]) + (x[5]-x[2])*(x[5]-x[2]))
	// d = √(r² + 10⁻⁶) = 1 at the minimum, where the doubled energy is −2.
	if want := math.Sqrt(1 - asm.LJEps); math.Abs(r-want) > 1e-9 {
		t.Fatalf("dimer distance %.12f, want %.12f", r, want)
	}
	if math.Abs(e+2) > 1e-12 || fmax > 1e-10 {
		t.Fatalf("dimer energy %.15g (want −2), |F|∞ %g", e, fmax)
	}
}

func TestMackayMinimaBenchmarkConvention(t *testing.T) {
	for _, tc := range []struct {
		shells int
		want   float64
	}{{1, -83.089666}, {2, -491.641560}} {
		x, err := Mackay(tc.shells, 1.0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := New(len(x) / 3)
		if err != nil {
			t.Fatal(err)
		}
		e, fmax, err := Minimize(p, x, 1e-10)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e-tc.want) > 1e-5 {
			t.Fatalf("LJ-%d relaxed Mackay icosahedron: E = %.6f, want %.6f (|F|∞ %g)", p.n, e, tc.want, fmax)
		}
	}
}

// standardLJ is the single-counted LJ energy without trap or 10⁻⁶, the
// Cambridge Cluster Database convention, with its gradient.
func standardLJ(x, g []float64) float64 {
	n := len(x) / 3
	for i := range g {
		g[i] = 0
	}
	e := 0.0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			var d [3]float64
			r2 := 0.0
			for k := 0; k < 3; k++ {
				d[k] = x[i*3+k] - x[j*3+k]
				r2 += d[k] * d[k]
			}
			s := 1 / (r2 * r2 * r2)
			e += s*s - 2*s
			c := -12 * (s*s - s) / r2
			for k := 0; k < 3; k++ {
				g[i*3+k] += c * d[k]
				g[j*3+k] -= c * d[k]
			}
		}
	}
	return e
}

func TestMackayMinimaStandardConvention(t *testing.T) {
	for _, tc := range []struct {
		shells int
		want   float64
	}{{1, -44.326801}, {2, -279.248470}} {
		x, err := Mackay(tc.shells, 1.0)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, len(x))
		prob := optimize.Problem{
			Func: func(y []float64) float64 { return standardLJ(y, g) },
			Grad: func(gr, y []float64) { standardLJ(y, gr) },
		}
		res, err := optimize.Minimize(prob, x, &optimize.Settings{GradientThreshold: 1e-10,
			Converger: &optimize.FunctionConverge{Iterations: 1000}}, &optimize.LBFGS{Store: 30})
		if res == nil {
			t.Fatal(err)
		}
		if math.Abs(res.F-tc.want) > 1e-5 {
			t.Fatalf("%d shells: standard LJ minimum %.6f, want %.6f", tc.shells, res.F, tc.want)
		}
	}
}

func TestDWCoincidentPairHasNoForce(t *testing.T) {
	p, err := NewDW(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0, 0, 0, 0, 3, 1}
	e, g := grad(p, x)
	// φ(0) = 0.9·256 − 4·16 = 166.4 for the coincident pair.
	d := math.Sqrt(10)
	want := 166.4 + 2*(0.9*math.Pow(d-4, 4)-4*math.Pow(d-4, 2))
	if math.Abs(e-want) > 1e-12 {
		t.Fatalf("E = %.15g, want %.15g", e, want)
	}
	for i, v := range g {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("gradient component %d is %v", i, v)
		}
	}
	// Particles 0 and 1 coincide, so both feel only particle 2's pull.
	if math.Abs(g[0]-g[2]) > 1e-12 || math.Abs(g[1]-g[3]) > 1e-12 {
		t.Fatalf("coincident particles got different forces: %v", g)
	}
}

func TestConstructorsRejectBadInput(t *testing.T) {
	if _, err := New(1); err == nil {
		t.Fatal("New(1) should fail")
	}
	if _, err := NewDW(4, 4); err == nil {
		t.Fatal("NewDW(4, 4) should fail")
	}
	if _, err := Mackay(3, 1); err == nil {
		t.Fatal("Mackay(3) should fail")
	}
}

// sharedData returns ../shared/data relative to the module root, or skips.
func sharedData(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "data", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("reference data %s not present", path)
	}
	return path
}

func TestReferenceSetMeanEnergies(t *testing.T) {
	for _, tc := range []struct {
		file   string
		n, dim int
		sha    string
		mean   float64
	}{
		{"test_split_LJ13-1000.npy", 13, 3, "c5064a56282e96441f1ff2f1babb13c241a99cd1077aee3667951d06055a785b", -43.127},
		{"test_split_DW4.npy", 4, 2, "ef4466793b3502b2fe405aad22d3ae43b34827971594c5bab28684771d828244", -22.450},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := sharedData(t, tc.file)
			var p *Potential
			var err error
			if tc.n == 13 {
				p, err = New(13)
			} else {
				p, err = NewDW(tc.n, tc.dim)
			}
			if err != nil {
				t.Fatal(err)
			}
			x, sum, err := Load(path, p)
			if err != nil {
				t.Fatal(err)
			}
			if sum != tc.sha {
				t.Fatalf("checksum %s, want %s", sum, tc.sha)
			}
			b := len(x) / p.Dim()
			e := make([]float64, b)
			engine.EnergyGrad(p, e, nil, x, b)
			mean := 0.0
			for _, v := range e {
				mean += v
			}
			mean /= float64(b)
			if math.Abs(mean-tc.mean) > 0.005 {
				t.Fatalf("mean energy %.4f, want %.3f ± 0.005", mean, tc.mean)
			}
			t.Logf("%s: n=%d mean E = %.4f", tc.file, b, mean)
		})
	}
}

func TestLoadRejectsWrongShape(t *testing.T) {
	path := sharedData(t, "test_split_DW4.npy")
	p, _ := New(13)
	if _, _, err := Load(path, p); err == nil {
		t.Fatal("loading DW-4 data as LJ-13 should fail")
	}
}
