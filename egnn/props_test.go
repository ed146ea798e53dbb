package egnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

func TestParamCounts(t *testing.T) {
	if got := ParamsPerLayer(128); got != 115841 {
		t.Errorf("ParamsPerLayer(128) = %d, want 115841", got)
	}
	for _, tc := range []struct {
		cfg  Config
		want int
	}{
		{Config{N: 4, D: 2, Layers: 3}, 347779},
		{Config{N: 13, D: 3, Layers: 5}, 579461},
		{Config{N: 55, D: 3, Layers: 5}, 579461},
	} {
		m, err := New(tc.cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Params().Len(); got != tc.want {
			t.Errorf("%+v: %d parameters, want %d", tc.cfg, got, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{N: 1, D: 3, Layers: 1}, {N: 3, D: 0, Layers: 1}, {N: 3, D: 3, Layers: 0}, {N: 3, D: 3, Layers: 1, CoordsRange: math.NaN()}} {
		if _, err := New(cfg, 1); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	m, _ := New(Config{N: 3, D: 2, Layers: 1}, 1)
	ws, _ := m.NewWorkspace(2, nil)
	if err := ws.Forward(make([]float64, 18), make([]float64, 18), make([]float64, 3), 3); err == nil {
		t.Error("batch above maxBatch: no error")
	}
	if err := ws.Forward(make([]float64, 12), make([]float64, 11), make([]float64, 2), 2); err == nil {
		t.Error("short x: no error")
	}
}

// TestInit checks PyTorch's U(±1/√fan_in) for weights and biases and the
// Xavier-uniform (gain 0.001) output weight w_x: support, mean and variance.
func TestInit(t *testing.T) {
	m, err := New(Config{N: 13, D: 3, Layers: 5}, 42)
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Params()
	bound := map[string]float64{
		"edge1": 1 / math.Sqrt(258), "edge2": 1 / math.Sqrt(128), "att": 1 / math.Sqrt(128),
		"coord1": 1 / math.Sqrt(128), "coord2": 2.1567e-4, "node1": 1 / math.Sqrt(256), "node2": 1 / math.Sqrt(128),
	}
	for i, tn := range ps.Tensors {
		var want float64
		var part string
		if tn.Name == "emb.w" || tn.Name == "emb.b" {
			want = 1
		} else {
			var l int
			var rest string
			fmt.Sscanf(tn.Name, "layer%d.%s", &l, &rest)
			for k := range rest {
				if rest[k] == '.' {
					part = rest[:k]
					break
				}
			}
			want = bound[part]
		}
		if part == "coord2" {
			if math.Abs(want-0.001*math.Sqrt(6.0/129)) > 1e-7 {
				t.Fatalf("coord2 bound %g", want)
			}
			if _, ok := ps.Lookup(fmt.Sprintf("layer0.coord2.b")); ok {
				t.Error("coord2 has a bias")
			}
		}
		w := ps.W(i)
		mx, mean, sq := 0.0, 0.0, 0.0
		for _, v := range w {
			mx = math.Max(mx, math.Abs(v))
			mean += v
			sq += v * v
		}
		n := float64(len(w))
		mean /= n
		vr := sq/n - mean*mean
		if mx > want {
			t.Errorf("%s: max |w| = %g > bound %g", tn.Name, mx, want)
		}
		if n >= 128 {
			// U(±a): mean 0 ± a/√(3n)·5, variance a²/3 within 25% (n ≥ 128)
			if math.Abs(mean) > 5*want/math.Sqrt(3*n) {
				t.Errorf("%s: mean %g too far from 0 (bound %g, n %g)", tn.Name, mean, want, n)
			}
			if math.Abs(vr/(want*want/3)-1) > 0.25 {
				t.Errorf("%s: variance %g, want %g", tn.Name, vr, want*want/3)
			}
			if mx < 0.9*want {
				t.Errorf("%s: max |w| = %g, far below bound %g", tn.Name, mx, want)
			}
		}
	}
}

// randOrth returns a random D×D orthogonal matrix (Gram–Schmidt on a
// Gaussian matrix), with a reflection when reflect is set.
func randOrth(rng *rand.Rand, D int, reflect bool) []float64 {
	q := make([]float64, D*D)
	for i := 0; i < D; i++ {
		row := q[i*D : i*D+D]
		for k := range row {
			row[k] = rng.NormFloat64()
		}
		for j := 0; j < i; j++ {
			pj := q[j*D : j*D+D]
			s := dot(row, pj)
			for k := range row {
				row[k] -= s * pj[k]
			}
		}
		n := math.Sqrt(dot(row, row))
		for k := range row {
			row[k] /= n
		}
	}
	if reflect {
		for k := 0; k < D; k++ {
			q[k] = -q[k]
		}
	}
	return q
}

// TestEquivariance checks s(g·x) = g·s(x) for random rotations, reflections,
// translations and particle permutations, and that the output's centre of
// mass is zero.
func TestEquivariance(t *testing.T) {
	for _, im := range asm.Impls() {
		for _, cfg := range []Config{{N: 4, D: 2, Layers: 3}, {N: 13, D: 3, Layers: 2}} {
			t.Run(fmt.Sprintf("impl=%s/N=%d/D=%d", im.Name(), cfg.N, cfg.D), func(t *testing.T) {
				m := testModel(t, cfg, im, 11)
				// O(1) coordinate updates but keep the network's scale sane.
				ps := m.Params()
				for i, tn := range ps.Tensors {
					w := ps.W(i)
					s := 1 / math.Sqrt(float64(tn.Shape[len(tn.Shape)-1]))
					for k := range w {
						w[k] *= 2 * s
					}
				}
				rng := rand.New(rand.NewPCG(5, 6))
				N, D := cfg.N, cfg.D
				d := cfg.Dim()
				const b = 4
				x, tt := randBatch(rng, b, N, D)
				ws, _ := m.NewWorkspace(b, engine.NewPool(1))
				s := forward(t, ws, x, tt, b)
				scale := 0.0
				for _, v := range s {
					scale = math.Max(scale, math.Abs(v))
				}
				if scale < 1e-3 {
					t.Fatalf("output scale %g too small for a meaningful test", scale)
				}
				for c := 0; c < b; c++ {
					for k := 0; k < D; k++ {
						com := 0.0
						for i := 0; i < N; i++ {
							com += s[c*d+i*D+k]
						}
						if math.Abs(com) > 1e-12*scale*float64(N) {
							t.Errorf("config %d: centre of mass %g", c, com)
						}
					}
				}
				for trial := 0; trial < 4; trial++ {
					q := randOrth(rng, D, trial%2 == 1)
					shift := make([]float64, D)
					for k := range shift {
						shift[k] = 3 * rng.NormFloat64()
					}
					perm := rng.Perm(N)
					gx := make([]float64, len(x))
					want := make([]float64, len(x))
					for c := 0; c < b; c++ {
						for i := 0; i < N; i++ {
							src := c*d + perm[i]*D
							for k := 0; k < D; k++ {
								var a, o float64
								for l := 0; l < D; l++ {
									a += q[k*D+l] * x[src+l]
									o += q[k*D+l] * s[src+l]
								}
								gx[c*d+i*D+k] = a + shift[k]
								want[c*d+i*D+k] = o
							}
						}
					}
					got := forward(t, ws, gx, tt, b)
					for i := range got {
						if math.Abs(got[i]-want[i]) > 1e-10*math.Max(1, scale) {
							t.Fatalf("trial %d: s(g·x)[%d] = %.15g, g·s(x) = %.15g", trial, i, got[i], want[i])
						}
					}
				}
			})
		}
	}
}

// TestDeterminism: outputs, parameter gradients and input gradients are
// bit-identical for 1, 2 and 3 workers.
func TestDeterminism(t *testing.T) {
	cfg := Config{N: 13, D: 3, Layers: 2}
	m := testModel(t, cfg, asm.MustDefault(), 3)
	rng := rand.New(rand.NewPCG(8, 9))
	const b = 21
	d := cfg.Dim()
	x, tt := randBatch(rng, b, cfg.N, cfg.D)
	w := make([]float64, b*d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	var ref [3][]float64
	for _, workers := range []int{1, 2, 3} {
		ws, err := m.NewWorkspace(b, engine.NewPool(workers))
		if err != nil {
			t.Fatal(err)
		}
		m.Params().ZeroGrad()
		out := make([]float64, b*d)
		dX := make([]float64, b*d)
		if err := ws.ForwardBackward(out, x, tt, b, func(lo, hi int, _, dst []float64) { copy(dst, w[lo*d:hi*d]) }, dX); err != nil {
			t.Fatal(err)
		}
		got := [3][]float64{out, dX, append([]float64(nil), m.Params().Grad...)}
		if workers == 1 {
			ref = got
			continue
		}
		for k := range got {
			for i := range got[k] {
				if math.Float64bits(got[k][i]) != math.Float64bits(ref[k][i]) {
					t.Fatalf("workers=%d: array %d element %d = %v, 1 worker %v", workers, k, i, got[k][i], ref[k][i])
				}
			}
		}
	}
}

// TestImplsAgree: the native GEMM path matches the blas64 path closely.
func TestImplsAgree(t *testing.T) {
	cfg := Config{N: 13, D: 3, Layers: 5}
	rng := rand.New(rand.NewPCG(1, 1))
	x, tt := randBatch(rng, 5, cfg.N, cfg.D)
	var ref []float64
	for _, im := range asm.Impls() {
		m, _ := NewWithImpl(cfg, 9, im)
		ws, _ := m.NewWorkspace(5, nil)
		s := forward(t, ws, x, tt, 5)
		if ref == nil {
			ref = s
			continue
		}
		for i := range s {
			if math.Abs(s[i]-ref[i]) > 1e-12 {
				t.Errorf("impl=%s: s[%d] = %v, generic %v", im.Name(), i, s[i], ref[i])
			}
		}
	}
}

// TestAllocs: after the first call (which allocates the gradient groups), a
// one-worker Forward or ForwardBackward allocates only the small closures
// handed to the pool (measured: 4 and 1 objects), never activation buffers.
func TestAllocs(t *testing.T) {
	cfg := Config{N: 4, D: 2, Layers: 2}
	m, _ := New(cfg, 1)
	if !m.Impl().GemmNative() {
		t.Skip("the blas64 fallback allocates inside gonum's Dgemm")
	}
	ws, _ := m.NewWorkspace(8, engine.NewPool(1))
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
