package egnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// f32Tol is the stated agreement of the Float32 path with the Float64
// oracle: per output array (scores, ∂ℓ/∂x) and per parameter tensor,
// max|a₃₂ − a₆₄| ≤ f32Tol·max|a₆₄|.
const f32Tol = 1e-4

// runFB does one ForwardBackward with the loss ℓ = Σ w·s and returns the
// scores, ∂ℓ/∂x and the parameter gradient.
func runFB(t *testing.T, m *Model, p Precision, workers int, x, tt, w []float64, b int) (out, dX, grad []float64) {
	t.Helper()
	d := m.cfg.Dim()
	ws, err := m.NewWorkspacePrec(b, engine.NewPool(workers), p)
	if err != nil {
		t.Fatal(err)
	}
	m.Params().ZeroGrad()
	out = make([]float64, b*d)
	dX = make([]float64, b*d)
	if err := ws.ForwardBackward(out, x, tt, b, func(lo, hi int, _, dst []float64) { copy(dst, w[lo*d:hi*d]) }, dX); err != nil {
		t.Fatal(err)
	}
	return out, dX, append([]float64(nil), m.Params().Grad...)
}

func maxAbs(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s = max(s, math.Abs(x))
	}
	return s
}

func checkClose(t *testing.T, name string, got, want []float64, tol float64) float64 {
	t.Helper()
	scale := maxAbs(want)
	worst := 0.0
	for i := range want {
		worst = max(worst, math.Abs(got[i]-want[i]))
	}
	if !(worst <= tol*scale) {
		t.Errorf("%s: max|f32 − f64| = %.3g > %.0e·max|f64| (%.3g)", name, worst, tol, scale)
	}
	return worst / scale
}

// TestFloat32MatchesFloat64: the float32 path (Forward, ForwardBackward
// with scores, ∂ℓ/∂x and every parameter tensor's gradient) agrees with the
// float64 oracle within f32Tol, for every implementation, on DW-4 and LJ-13
// shapes at the default initialisation and with O(1) parameters.
func TestFloat32MatchesFloat64(t *testing.T) {
	for _, im := range asm.Impls() {
		for _, tc := range []struct {
			cfg  Config
			b    int
			wide bool // O(1) parameters instead of the default initialisation
		}{
			{Config{N: 4, D: 2, Layers: 3}, 37, false},
			{Config{N: 13, D: 3, Layers: 5}, 9, false},
			{Config{N: 13, D: 3, Layers: 2, Hidden: 20}, 7, true},
			{Config{N: 5, D: 3, Layers: 2, Hidden: 13}, 11, true},
		} {
			name := fmt.Sprintf("impl=%s/N=%d/L=%d/F=%d/wide=%v", im.Name(), tc.cfg.N, tc.cfg.Layers, tc.cfg.Hidden, tc.wide)
			t.Run(name, func(t *testing.T) {
				var m *Model
				if tc.wide {
					m = testModel(t, tc.cfg, im, 4)
				} else {
					var err error
					if m, err = NewWithImpl(tc.cfg, 4, im); err != nil {
						t.Fatal(err)
					}
				}
				rng := rand.New(rand.NewPCG(5, 6))
				d := m.cfg.Dim()
				x, tt := randBatch(rng, tc.b, tc.cfg.N, tc.cfg.D)
				w := make([]float64, tc.b*d)
				for i := range w {
					w[i] = rng.NormFloat64()
				}
				o64, dx64, g64 := runFB(t, m, Float64, 1, x, tt, w, tc.b)
				o32, dx32, g32 := runFB(t, m, Float32, 2, x, tt, w, tc.b)
				worst := checkClose(t, "scores", o32, o64, f32Tol)
				worst = max(worst, checkClose(t, "dX", dx32, dx64, f32Tol))
				for _, ten := range m.Params().Tensors {
					sl := func(v []float64) []float64 { return v[ten.Offset : ten.Offset+ten.Size] }
					if maxAbs(sl(g64)) == 0 {
						// last layer's node MLP: no gradient in either path
						if maxAbs(sl(g32)) != 0 {
							t.Errorf("%s: f32 gradient not zero", ten.Name)
						}
						continue
					}
					worst = max(worst, checkClose(t, "grad "+ten.Name, sl(g32), sl(g64), f32Tol))
				}
				ws, _ := m.NewWorkspacePrec(tc.b, nil, Float32)
				f32 := forward(t, ws, x, tt, tc.b)
				worst = max(worst, checkClose(t, "Forward", f32, o64, f32Tol))
				t.Logf("worst relative deviation %.2g", worst)
			})
		}
	}
}

// TestFloat32Determinism: the float32 and bfloat16 paths give
// bit-identical scores, input gradients and parameter gradients for 1, 2
// and 3 workers.
func TestFloat32Determinism(t *testing.T) {
	cfg := Config{N: 13, D: 3, Layers: 2}
	m := testModel(t, cfg, asm.MustDefault(), 3)
	rng := rand.New(rand.NewPCG(8, 9))
	const b = 29 // several chunks and groups, with a short last chunk
	d := cfg.Dim()
	x, tt := randBatch(rng, b, cfg.N, cfg.D)
	w := make([]float64, b*d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	for _, p := range []Precision{Float32, BFloat16} {
		var ref [3][]float64
		for _, workers := range []int{1, 2, 3} {
			o, dx, g := runFB(t, m, p, workers, x, tt, w, b)
			got := [3][]float64{o, dx, g}
			if workers == 1 {
				ref = got
				continue
			}
			for k := range got {
				for i := range got[k] {
					if math.Float64bits(got[k][i]) != math.Float64bits(ref[k][i]) {
						t.Fatalf("%v, workers=%d: array %d element %d = %v, 1 worker %v", p, workers, k, i, got[k][i], ref[k][i])
					}
				}
			}
		}
	}
}

// TestFloat32JVP: JVP and Divergence on Float32 and BFloat16 workspaces
// run in float64 and match a Float64 workspace exactly.
func TestFloat32JVP(t *testing.T) {
	cfg := Config{N: 4, D: 2, Layers: 2, Hidden: 16}
	m := testModel(t, cfg, asm.MustDefault(), 5)
	rng := rand.New(rand.NewPCG(3, 3))
	const b = 6
	x, tt := randBatch(rng, b, cfg.N, cfg.D)
	v, _ := randBatch(rng, b, cfg.N, cfg.D)
	d := cfg.Dim()
	var ref []float64
	for _, p := range []Precision{Float64, Float32, BFloat16} {
		ws, err := m.NewWorkspacePrec(b, nil, p)
		if err != nil {
			t.Fatal(err)
		}
		jv := make([]float64, b*d)
		div := make([]float64, b)
		if err := ws.JVP(nil, jv, x, tt, v, b); err != nil {
			t.Fatal(err)
		}
		if err := ws.Divergence(nil, div, x, tt, b); err != nil {
			t.Fatal(err)
		}
		got := append(jv, div...)
		if ref == nil {
			ref = got
			continue
		}
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("%v: element %d = %v, float64 workspace %v", p, i, got[i], ref[i])
			}
		}
	}
}

// TestFloat32Allocs: in steady state a one-worker float32 ForwardBackward
// allocates no more than the float64 one (the pool closures only).
func TestFloat32Allocs(t *testing.T) {
	cfg := Config{N: 4, D: 2, Layers: 2}
	m, _ := New(cfg, 1)
	if !m.Impl().SgemmNative() {
		t.Skip("the blas32 fallback allocates inside gonum's Sgemm")
	}
	ws, _ := m.NewWorkspacePrec(8, engine.NewPool(1), Float32)
	rng := rand.New(rand.NewPCG(1, 1))
	x, tt := randBatch(rng, 8, cfg.N, cfg.D)
	out := make([]float64, 8*cfg.Dim())
	grad := func(lo, hi int, s, d []float64) { copy(d, s) }
	fb := func() {
		if err := ws.ForwardBackward(out, x, tt, 8, grad, nil); err != nil {
			t.Fatal(err)
		}
	}
	fb()
	if a := testing.AllocsPerRun(5, fb); a > 4 {
		t.Errorf("ForwardBackward: %v allocations per call", a)
	}
	if a := testing.AllocsPerRun(5, func() { _ = ws.Forward(out, x, tt, 8) }); a > 2 {
		t.Errorf("Forward: %v allocations per call", a)
	}
}
