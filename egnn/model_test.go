package egnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// testModel builds a model whose parameters are redrawn at O(1) scale so
// that every path (including the tiny-initialised coordinate head) carries
// a gradient well above finite-difference noise.
func testModel(t *testing.T, cfg Config, im *asm.Impl, seed uint64) *Model {
	t.Helper()
	m, err := NewWithImpl(cfg, seed, im)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	for i := range m.ps.Data {
		m.ps.Data[i] = 0.4 * (2*rng.Float64() - 1)
	}
	return m
}

func randBatch(rng *rand.Rand, b, N, D int) (x, t []float64) {
	x = make([]float64, b*N*D)
	for i := range x {
		x[i] = 1.5 * rng.NormFloat64()
	}
	t = make([]float64, b)
	for i := range t {
		t[i] = rng.Float64()
	}
	return x, t
}

func forward(t *testing.T, ws *Workspace, x, tt []float64, b int) []float64 {
	t.Helper()
	out := make([]float64, b*ws.m.cfg.Dim())
	if err := ws.Forward(out, x, tt, b); err != nil {
		t.Fatal(err)
	}
	return out
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// fdCheck compares an analytic derivative with a central difference.
func fdCheck(t *testing.T, name string, got, want, scale float64) {
	t.Helper()
	if d := math.Abs(got - want); d > 1e-6*(scale+math.Abs(want)) {
		t.Errorf("%s: analytic %.12g, finite difference %.12g (diff %.3g)", name, got, want, d)
	}
}

// richardson extrapolates a central difference d(h) = f' + O(h²) from steps
// 2h₀ and h₀ to O(h⁴).
func richardson(d func(h float64) float64) float64 {
	const h0 = 1e-4
	return (4*d(h0) - d(2*h0)) / 3
}

func TestGradientsFiniteDifference(t *testing.T) {
	for _, im := range asm.Impls() {
		for _, cfg := range []Config{
			{N: 4, D: 2, Layers: 3, Hidden: 8},
			{N: 5, D: 3, Layers: 2, Hidden: 13}, // exercises GEMM edge tiles
		} {
			t.Run(fmt.Sprintf("impl=%s/N=%d/D=%d/F=%d", im.Name(), cfg.N, cfg.D, cfg.Hidden), func(t *testing.T) {
				testGradients(t, cfg, im)
			})
		}
	}
}

func testGradients(t *testing.T, cfg Config, im *asm.Impl) {
	m := testModel(t, cfg, im, 7)
	rng := rand.New(rand.NewPCG(3, 4))
	const b = 3
	d := cfg.Dim()
	x, tt := randBatch(rng, b, cfg.N, cfg.D)
	w := make([]float64, b*d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	ws, err := m.NewWorkspace(b, engine.NewPool(2))
	if err != nil {
		t.Fatal(err)
	}
	loss := func() float64 { return dot(w, forward(t, ws, x, tt, b)) }
	out := forward(t, ws, x, tt, b)
	ps := m.Params()
	ps.ZeroGrad()
	dX := make([]float64, b*d)
	if err := ws.Backward(w, dX); err != nil {
		t.Fatal(err)
	}
	// ForwardBackward gives the same out and twice the gradient.
	out2 := make([]float64, b*d)
	if err := ws.ForwardBackward(out2, x, tt, b, func(lo, hi int, _, dst []float64) { copy(dst, w[lo*d:hi*d]) }, nil); err != nil {
		t.Fatal(err)
	}
	for i := range out {
		if out[i] != out2[i] {
			t.Fatalf("ForwardBackward out[%d] = %v, Forward %v", i, out2[i], out[i])
		}
	}
	grad := make([]float64, len(ps.Grad))
	for i, g := range ps.Grad {
		grad[i] = g / 2
	}
	const h = 1e-5
	last := cfg.Layers - 1
	for ti, tn := range ps.Tensors {
		wv := ps.W(ti)
		picks := []int{0, tn.Size - 1, rng.IntN(tn.Size), rng.IntN(tn.Size)}
		nonzero := false
		for _, k := range picks {
			fd := richardson(func(h float64) float64 {
				old := wv[k]
				wv[k] = old + h
				lp := loss()
				wv[k] = old - h
				lm := loss()
				wv[k] = old
				return (lp - lm) / (2 * h)
			})
			g := grad[tn.Offset+k]
			fdCheck(t, fmt.Sprintf("%s[%d]", tn.Name, k), g, fd, 1e-3)
			if g != 0 {
				nonzero = true
			}
		}
		isLastNode := false
		for _, pre := range []string{"node1", "node2"} {
			if tn.Name == fmt.Sprintf("layer%d.%s.w", last, pre) || tn.Name == fmt.Sprintf("layer%d.%s.b", last, pre) {
				isLastNode = true
			}
		}
		if !nonzero && !isLastNode {
			t.Errorf("%s: all checked gradients are zero", tn.Name)
		}
	}
	// input gradient
	for k := 0; k < b*d; k++ {
		fd := richardson(func(h float64) float64 {
			old := x[k]
			x[k] = old + h
			lp := loss()
			x[k] = old - h
			lm := loss()
			x[k] = old
			return (lp - lm) / (2 * h)
		})
		fdCheck(t, fmt.Sprintf("dX[%d]", k), dX[k], fd, 1e-3)
	}
	// JVP against a central difference along a random direction, and
	// against the VJP: wᵀ(J·v) = (Jᵀw)ᵀv = dXᵀv.
	v := make([]float64, b*d)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	jv := make([]float64, b*d)
	if err := ws.JVP(nil, jv, x, tt, v, b); err != nil {
		t.Fatal(err)
	}
	xp := append([]float64(nil), x...)
	xm := append([]float64(nil), x...)
	dir := func(h float64) []float64 {
		for i := range x {
			xp[i] = x[i] + h*v[i]
			xm[i] = x[i] - h*v[i]
		}
		sp, sm := forward(t, ws, xp, tt, b), forward(t, ws, xm, tt, b)
		for i := range sp {
			sp[i] = (sp[i] - sm[i]) / (2 * h)
		}
		return sp
	}
	d1, d2 := dir(2*h), dir(h)
	for i := range jv {
		fdCheck(t, fmt.Sprintf("JVP[%d]", i), jv[i], (4*d2[i]-d1[i])/3, 1e-3)
	}
	fdCheck(t, "wᵀJv vs dXᵀv", dot(w, jv), dot(dX, v), 1e-3)
	// Divergence against the trace of finite-difference Jacobian columns.
	div := make([]float64, b)
	if err := ws.Divergence(nil, div, x, tt, b); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, b)
	for q := 0; q < d; q++ {
		copy(xp, x)
		copy(xm, x)
		for c := 0; c < b; c++ {
			xp[c*d+q] += h
			xm[c*d+q] -= h
		}
		sp, sm := forward(t, ws, xp, tt, b), forward(t, ws, xm, tt, b)
		for c := 0; c < b; c++ {
			want[c] += (sp[c*d+q] - sm[c*d+q]) / (2 * h)
		}
	}
	for c := range div {
		fdCheck(t, fmt.Sprintf("div[%d]", c), div[c], want[c], 1e-2)
	}
}
