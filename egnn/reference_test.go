package egnn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/param"
)

// This file holds a deliberately naive float64 transcription of SPEC §5.2,
// one edge at a time, written from the spec text. It uses no egnn code
// except to read the parameters out of the model's param.Set by name.

// refTensor returns the named tensor's values after checking its shape,
// [out][in] row-major for weight matrices.
func refTensor(t *testing.T, ps *param.Set, name string, shape ...int) []float64 {
	t.Helper()
	i, ok := ps.Lookup(name)
	if !ok {
		t.Fatalf("no tensor %q", name)
	}
	if got := ps.Tensors[i].Shape; fmt.Sprint(got) != fmt.Sprint(shape) {
		t.Fatalf("tensor %q has shape %v, want %v", name, got, shape)
	}
	return ps.W(i)
}

// refLinear is y = W·in + b for W stored [len(b)][len(in)].
func refLinear(w, b, in []float64) []float64 {
	out := make([]float64, len(b))
	for o := range out {
		s := b[o]
		for k, v := range in {
			s += w[o*len(in)+k] * v
		}
		out[o] = s
	}
	return out
}

func refSigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func refSiLU(v []float64) []float64 {
	out := make([]float64, len(v))
	for k, z := range v {
		out[k] = z * refSigmoid(z)
	}
	return out
}

// refLayer holds one layer's tensors.
type refLayer struct {
	m1w, m1b, m2w, m2b, aw, ab, xw, xb, xo, h1w, h1b, h2w, h2b []float64
}

// refEGNN is SPEC §5.2 with F = 128, L layers and per-layer coordinate
// range c (15/L in the spec).
type refEGNN struct {
	N, D, L int
	c       float64
	ew, eb  []float64
	layers  []refLayer
	maxArg  float64 // largest |w_xᵀ·SiLU(W_x·m + b_x)| seen (is the tanh non-linear?)
}

func newRefEGNN(t *testing.T, ps *param.Set, N, D, L int, c float64) *refEGNN {
	t.Helper()
	const F = 128
	r := &refEGNN{N: N, D: D, L: L, c: c}
	r.ew = refTensor(t, ps, "emb.w", F, 1)
	r.eb = refTensor(t, ps, "emb.b", F)
	for l := 0; l < L; l++ {
		p := fmt.Sprintf("layer%d.", l)
		r.layers = append(r.layers, refLayer{
			m1w: refTensor(t, ps, p+"edge1.w", F, 2*F+2), m1b: refTensor(t, ps, p+"edge1.b", F),
			m2w: refTensor(t, ps, p+"edge2.w", F, F), m2b: refTensor(t, ps, p+"edge2.b", F),
			aw: refTensor(t, ps, p+"att.w", 1, F), ab: refTensor(t, ps, p+"att.b", 1),
			xw: refTensor(t, ps, p+"coord1.w", F, F), xb: refTensor(t, ps, p+"coord1.b", F),
			xo:  refTensor(t, ps, p+"coord2.w", 1, F),
			h1w: refTensor(t, ps, p+"node1.w", F, 2*F), h1b: refTensor(t, ps, p+"node1.b", F),
			h2w: refTensor(t, ps, p+"node2.w", F, F), h2b: refTensor(t, ps, p+"node2.b", F),
		})
	}
	if len(ps.Tensors) != 2+13*L {
		t.Fatalf("%d tensors, want %d", len(ps.Tensors), 2+13*L)
	}
	return r
}

// forward returns s = P(x^L − x⁰) for one configuration x (N·D) at time tm.
func (r *refEGNN) forward(x0 []float64, tm float64) []float64 {
	N, D := r.N, r.D
	// hᵢ⁰ = W_e·t + b_e for every node.
	h := make([][]float64, N)
	for i := range h {
		h[i] = refLinear(r.ew, r.eb, []float64{tm})
	}
	xi := func(x []float64, i int) []float64 { return x[i*D : (i+1)*D] }
	sqdist := func(x []float64, i, j int) float64 {
		s := 0.0
		for k := 0; k < D; k++ {
			d := xi(x, i)[k] - xi(x, j)[k]
			s += d * d
		}
		return s
	}
	// a_ij from the input coordinates, fixed across layers.
	a := make([][]float64, N)
	for i := range a {
		a[i] = make([]float64, N)
		for j := range a[i] {
			a[i][j] = sqdist(x0, i, j)
		}
	}
	x := append([]float64(nil), x0...)
	for _, ly := range r.layers {
		xNew := append([]float64(nil), x...)
		hNew := make([][]float64, N)
		for i := 0; i < N; i++ {
			msum := make([]float64, len(h[i]))
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				// 1. geometry
				rij := sqdist(x, i, j)
				den := math.Sqrt(rij+1e-8) + 1
				// 2. message
				in := append(append(append([]float64(nil), h[i]...), h[j]...), rij, a[i][j])
				m := refSiLU(refLinear(ly.m2w, ly.m2b, refSiLU(refLinear(ly.m1w, ly.m1b, in))))
				// 3. attention
				att := refSigmoid(refLinear(ly.aw, ly.ab, m)[0])
				for k := range m {
					m[k] *= att
				}
				// 4. coordinates (w_x has no bias)
				arg := refLinear(ly.xo, []float64{0}, refSiLU(refLinear(ly.xw, ly.xb, m)))[0]
				r.maxArg = max(r.maxArg, math.Abs(arg))
				phi := math.Tanh(arg)
				for k := 0; k < D; k++ {
					e := (xi(x, i)[k] - xi(x, j)[k]) / den
					xNew[i*D+k] += e * phi * r.c
				}
				for k := range m {
					msum[k] += m[k]
				}
			}
			// 5. nodes, residual
			in := append(append([]float64(nil), h[i]...), msum...)
			upd := refLinear(ly.h2w, ly.h2b, refSiLU(refLinear(ly.h1w, ly.h1b, in)))
			hNew[i] = make([]float64, len(h[i]))
			for k := range upd {
				hNew[i][k] = h[i][k] + upd[k]
			}
		}
		x, h = xNew, hNew
	}
	// s = P(x^L − x⁰): displacement minus its mean over particles.
	s := make([]float64, N*D)
	for k := 0; k < D; k++ {
		mean := 0.0
		for i := 0; i < N; i++ {
			s[i*D+k] = x[i*D+k] - x0[i*D+k]
			mean += s[i*D+k]
		}
		mean /= float64(N)
		for i := 0; i < N; i++ {
			s[i*D+k] -= mean
		}
	}
	return s
}

// relErr is max|got − want| / max|want|.
func relErr(got, want []float64) float64 {
	var d, s float64
	for i := range want {
		d = max(d, math.Abs(got[i]-want[i]))
		s = max(s, math.Abs(want[i]))
	}
	return d / s
}

// TestForwardMatchesSpecTranscription compares Workspace.Forward (Float64
// and Float32, every implementation) with the transcription on DW-4 and
// LJ-13 shapes at default initialisation except w_x ~ U(±1.2) (DW-4) or U(±0.6)
// (LJ-13), so that the coordinate update is O(1) and its tanh non-linear
// but not saturated (checked). It also shows that the
// comparison detects the coordinate range: with c·1.01 the transcription
// disagrees far beyond the tolerance.
func TestForwardMatchesSpecTranscription(t *testing.T) {
	const tol64, tol32 = 1e-12, 1e-4
	for _, tc := range []struct {
		name    string
		N, D, L int
		b       int
		spread  float64 // input coordinates ~ N(0, spread²)
		wx      float64 // w_x ~ U(±wx)
	}{
		{"DW-4", 4, 2, 3, 4, 1.5, 1.2},
		{"LJ-13", 13, 3, 5, 2, 1.0, 0.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.N), 5))
			d := tc.N * tc.D
			x := make([]float64, tc.b*d)
			for i := range x {
				x[i] = tc.spread * rng.NormFloat64()
			}
			times := []float64{0.05, 0.7, 1, 2.5}[:tc.b]
			if tc.b == 2 {
				times = []float64{0.3, 1.7}
			}
			cfg := egnn.Config{N: tc.N, D: tc.D, Layers: tc.L}
			// Weights are drawn once (from the generic model) and copied into
			// each implementation's model.
			m0, err := egnn.NewWithImpl(cfg, 11, asm.Generic())
			if err != nil {
				t.Fatal(err)
			}
			ps0 := m0.Params()
			for l := 0; l < tc.L; l++ {
				w := refTensor(t, ps0, fmt.Sprintf("layer%d.coord2.w", l), 1, 128)
				for k := range w {
					w[k] = tc.wx * (2*rng.Float64() - 1)
				}
			}
			c := 15 / float64(tc.L)
			ref := newRefEGNN(t, ps0, tc.N, tc.D, tc.L, c)
			off := newRefEGNN(t, ps0, tc.N, tc.D, tc.L, 1.01*c)
			want := make([]float64, tc.b*d)
			wrong := make([]float64, tc.b*d)
			for k := 0; k < tc.b; k++ {
				copy(want[k*d:], ref.forward(x[k*d:(k+1)*d], times[k]))
				copy(wrong[k*d:], off.forward(x[k*d:(k+1)*d], times[k]))
			}
			if !(ref.maxArg > 0.5 && ref.maxArg < 5) {
				t.Fatalf("largest tanh argument %.3g: the coordinate head is nearly linear or saturated", ref.maxArg)
			}
			if s := maxAbsRef(want); s < 0.1 {
				t.Fatalf("max|s| = %.3g: the coordinate update barely matters", s)
			}
			for _, im := range asm.Impls() {
				m, err := egnn.NewWithImpl(cfg, 11, im)
				if err != nil {
					t.Fatal(err)
				}
				copy(m.Params().Data, ps0.Data)
				for _, p := range []struct {
					prec egnn.Precision
					tol  float64
				}{{egnn.Float64, tol64}, {egnn.Float32, tol32}} {
					ws, err := m.NewWorkspacePrec(tc.b, engine.NewPool(2), p.prec)
					if err != nil {
						t.Fatal(err)
					}
					got := make([]float64, tc.b*d)
					if err := ws.Forward(got, x, times, tc.b); err != nil {
						t.Fatal(err)
					}
					e := relErr(got, want)
					if !(e <= p.tol) {
						t.Errorf("impl=%s %v: max|Forward − spec| = %.3g·max|s|, tolerance %.0e", im.Name(), p.prec, e, p.tol)
					}
					// The same comparison fails for a 1% wrong coordinate range.
					if ew := relErr(got, wrong); !(ew > 100*p.tol && ew > 1e-3) {
						t.Errorf("impl=%s %v: transcription with c·1.01 is only %.3g·max|s| away (tolerance %.0e): the test cannot see c", im.Name(), p.prec, ew, p.tol)
					}
					t.Logf("impl=%s %v: err %.3g, with c·1.01 %.3g (max|s| %.3g, max tanh arg %.3g)", im.Name(), p.prec, e, relErr(got, wrong), maxAbsRef(want), ref.maxArg)
				}
			}
		})
	}
}

func maxAbsRef(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s = max(s, math.Abs(x))
	}
	return s
}
