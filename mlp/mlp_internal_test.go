package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// small is a cheap configuration with every feature of the general case:
// d = 3, distinct scales, two blocks.
func small() Config {
	return Config{InDim: 3, Scales: []float64{2, 3, 0.5}, TimeScale: 1.5, EmbedSize: 6, Width: 5, Blocks: 2}
}

func randSlice(r *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * (2*r.Float64() - 1)
	}
	return v
}

func mustNew(t testing.TB, cfg Config, seed uint64, workers int) *Model {
	t.Helper()
	m, err := New(cfg, seed, engine.NewPool(workers))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// refForward is a scalar transcription of SPEC §5.1 for one row, used as
// the oracle for the GEMM-based forward pass.
func refForward(m *Model, x []float64, t float64) []float64 {
	c := m.cfg
	half := c.EmbedSize / 2
	var z []float64
	for i := 0; i <= c.InDim; i++ {
		u, sc := t, c.TimeScale
		if i < c.InDim {
			u, sc = x[i], c.Scales[i]
		}
		sn := make([]float64, half)
		cs := make([]float64, half)
		for k := 0; k < half; k++ {
			om := math.Exp(-float64(k) * math.Log(1e4) / float64(half-1))
			sn[k] = math.Sin(sc * u * om)
			cs[k] = math.Cos(sc * u * om)
		}
		z = append(append(z, sn...), cs...)
	}
	linear := func(l int, in []float64) []float64 {
		t := m.Params.Tensors[m.wIdx[l]]
		w, b := m.Params.W(m.wIdx[l]), m.Params.W(m.bIdx[l])
		out := make([]float64, t.Shape[0])
		for o := range out {
			s := b[o]
			for i, v := range in {
				s += w[o*t.Shape[1]+i] * v
			}
			out[o] = s
		}
		return out
	}
	gelu := func(a float64) float64 { return 0.5 * a * (1 + math.Erf(a/math.Sqrt2)) }
	h := linear(0, z)
	for i := range h {
		h[i] = gelu(h[i])
	}
	for l := 1; l <= c.Blocks; l++ {
		a := linear(l, h)
		for i := range h {
			h[i] += gelu(a[i])
		}
	}
	return linear(c.Blocks+1, h)
}

func TestNumParams(t *testing.T) {
	m := mustNew(t, GMM(), 1, 1)
	if got := m.Params.Len(); got != 99074 {
		t.Fatalf("GMM network has %d parameters, want 99,074", got)
	}
	if got := GMM().NumParams(); got != 99074 {
		t.Fatalf("Config.NumParams = %d, want 99,074", got)
	}
	want := map[string][]int{"in.w": {128, 384}, "in.b": {128}, "block1.w": {128, 128}, "block3.b": {128}, "out.w": {2, 128}, "out.b": {2}}
	for name, shape := range want {
		i, ok := m.Params.Lookup(name)
		if !ok || fmt.Sprint(m.Params.Tensors[i].Shape) != fmt.Sprint(shape) {
			t.Errorf("tensor %s: found %v shape %v, want %v", name, ok, m.Params.Tensors[i].Shape, shape)
		}
	}
	s := small()
	if ms := mustNew(t, s, 1, 1); ms.Params.Len() != s.NumParams() {
		t.Fatalf("small: %d parameters, NumParams says %d", ms.Params.Len(), s.NumParams())
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.InDim = 0 },
		func(c *Config) { c.Scales = c.Scales[:1] },
		func(c *Config) { c.EmbedSize = 7 },
		func(c *Config) { c.EmbedSize = 2 },
		func(c *Config) { c.Width = 0 },
		func(c *Config) { c.Blocks = -1 },
		func(c *Config) { c.Scales = []float64{1, math.NaN()} },
		func(c *Config) { c.TimeScale = math.Inf(1) },
	}
	for i, f := range bad {
		c := GMM()
		f(&c)
		if _, err := New(c, 1, nil); err == nil {
			t.Errorf("case %d: New accepted invalid config %+v", i, c)
		}
	}
	c := GMM()
	c.Blocks = 0
	if _, err := New(c, 1, nil); err != nil {
		t.Errorf("zero blocks rejected: %v", err)
	}
}

func TestInit(t *testing.T) {
	m := mustNew(t, GMM(), 7, 1)
	for i, tn := range m.Params.Tensors {
		fanIn := tn.Shape[len(tn.Shape)-1]
		if len(tn.Shape) == 1 {
			fanIn = m.Params.Tensors[i-1].Shape[1]
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		w := m.Params.W(i)
		var s, s2, lo, hi float64
		for _, v := range w {
			if math.Abs(v) > bound {
				t.Fatalf("%s: |%v| > bound %v", tn.Name, v, bound)
			}
			s += v
			s2 += v * v
			lo, hi = min(lo, v), max(hi, v)
		}
		n := float64(len(w))
		mean, vr := s/n, s2/n
		wantVar := bound * bound / 3
		// Mean within 5 standard errors; variance within 5 standard errors
		// (Var(v²) = b⁴(1/5 − 1/9) for U(−b, b)).
		if se := math.Sqrt(wantVar / n); math.Abs(mean) > 5*se {
			t.Errorf("%s: mean %v, |mean| > 5·%v", tn.Name, mean, se)
		}
		if se := bound * bound * math.Sqrt((1.0/5-1.0/9)/n); math.Abs(vr-wantVar) > 5*se {
			t.Errorf("%s: E[v²] = %v, want %v ± %v", tn.Name, vr, wantVar, 5*se)
		}
		if n >= 100 && (hi < 0.9*bound || lo > -0.9*bound) {
			t.Errorf("%s: range [%v, %v] does not fill ±%v", tn.Name, lo, hi, bound)
		}
	}
	m2 := mustNew(t, GMM(), 7, 1)
	m3 := mustNew(t, GMM(), 8, 1)
	same, diff := true, 0
	for i, v := range m.Params.Data {
		same = same && v == m2.Params.Data[i]
		if v != m3.Params.Data[i] {
			diff++
		}
	}
	if !same {
		t.Error("same seed gave different parameters")
	}
	if diff < len(m.Params.Data)*99/100 {
		t.Errorf("different seeds share %d of %d parameters", len(m.Params.Data)-diff, len(m.Params.Data))
	}
}

func naiveGemm(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for l := 0; l < k; l++ {
				var av, bv float64
				if tA {
					av = a[l*lda+i]
				} else {
					av = a[i*lda+l]
				}
				if tB {
					bv = b[j*ldb+l]
				} else {
					bv = b[l*ldb+j]
				}
				s += av * bv
			}
			c[i*ldc+j] = beta*c[i*ldc+j] + s
		}
	}
}

// TestGemm checks the tiled wrapper against a naive loop and against one
// untiled blas64 call, over sizes that cross the tile edges. (The untiled
// call is not a bitwise oracle: gonum's parallel path also blocks k.)
func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	g := gemm{impl: blas64.Implementation()}
	for _, sz := range [][3]int{{1, 1, 1}, {3, 2, 5}, {64, 128, 7}, {65, 129, 3}, {130, 257, 11}, {200, 40, 384}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, op := range []string{"nt", "nn", "tn"} {
			for _, beta := range []float64{0, 1} {
				t.Run(fmt.Sprintf("%s/m=%d/n=%d/k=%d/beta=%v", op, m, n, k, beta), func(t *testing.T) {
					lda, ldb, ldc := k+1, n+2, n+3 // padded leading dimensions
					tA, tB := op == "tn", op == "nt"
					if tA {
						lda = m + 1
					}
					if tB {
						ldb = k + 2
					}
					rowsA, rowsB := m, k
					if tA {
						rowsA = k
					}
					if tB {
						rowsB = n
					}
					a := randSlice(r, rowsA*lda, 1)
					b := randSlice(r, rowsB*ldb, 1)
					c0 := randSlice(r, m*ldc, 1)
					got := append([]float64(nil), c0...)
					want := append([]float64(nil), c0...)
					oracle := append([]float64(nil), c0...)
					switch op {
					case "nt":
						g.nt(m, n, k, a, lda, b, ldb, beta, got, ldc)
					case "nn":
						g.nn(m, n, k, a, lda, b, ldb, beta, got, ldc)
					case "tn":
						g.tn(m, n, k, a, lda, b, ldb, beta, got, ldc)
					}
					naiveGemm(tA, tB, m, n, k, a, lda, b, ldb, beta, want, ldc)
					ta, tb := blas.NoTrans, blas.NoTrans
					if tA {
						ta = blas.Trans
					}
					if tB {
						tb = blas.Trans
					}
					blas64.Implementation().Dgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, beta, oracle, ldc)
					for i := 0; i < m; i++ {
						for j := 0; j < ldc; j++ {
							idx := i*ldc + j
							if j >= n {
								if got[idx] != c0[idx] {
									t.Fatalf("padding C[%d][%d] overwritten", i, j)
								}
								continue
							}
							if d := math.Abs(got[idx] - want[idx]); d > 1e-13*float64(k) {
								t.Fatalf("C[%d][%d] = %v, naive %v", i, j, got[idx], want[idx])
							}
							if d := math.Abs(got[idx] - oracle[idx]); d > 1e-13*float64(k) {
								t.Fatalf("C[%d][%d] = %v, untiled blas64 %v", i, j, got[idx], oracle[idx])
							}
						}
					}
				})
			}
		}
	}
}

func TestForwardMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, im := range asm.Impls() {
		for _, cfg := range []Config{GMM(), small()} {
			m := mustNew(t, cfg, 11, 2)
			m.SetImpl(im)
			const b = 70
			d := cfg.InDim
			x := randSlice(r, b*d, 1)
			ts := randSlice(r, b, 0.5)
			for i := range ts {
				ts[i] += 0.5
			}
			out := make([]float64, b*d)
			m.Forward(x, ts, out)
			for row := 0; row < b; row++ {
				ref := refForward(m, x[row*d:(row+1)*d], ts[row])
				for j := range ref {
					if got := out[row*d+j]; math.Abs(got-ref[j]) > 1e-12*(1+math.Abs(ref[j])) {
						t.Fatalf("impl=%s d=%d row %d out %d: %v, reference %v", im, d, row, j, got, ref[j])
					}
				}
			}
		}
	}
}

// lossAt evaluates L = Σ g⊙s(x, t).
func lossAt(m *Model, x, ts, g []float64) float64 {
	out := make([]float64, len(x))
	m.Forward(x, ts, out)
	var s float64
	for i, v := range out {
		s += g[i] * v
	}
	return s
}

func closeFD(an, fd, scale float64) bool {
	return math.Abs(an-fd) <= 1e-6*scale+1e-5*math.Abs(an)
}

// checkParamGrads compares Backward's parameter gradients against central
// differences for every element of every tensor (stride 1) or a sample.
func checkParamGrads(t *testing.T, cfg Config, b, perTensor int) {
	r := rand.New(rand.NewPCG(5, 6))
	m := mustNew(t, cfg, 13, 1)
	d := cfg.InDim
	x := randSlice(r, b*d, 0.8)
	ts := randSlice(r, b, 0.5)
	g := randSlice(r, b*d, 1)
	out := make([]float64, b*d)
	m.Params.ZeroGrad()
	m.Forward(x, ts, out)
	m.Backward(g, nil)
	an := append([]float64(nil), m.Params.Grad...)
	scale := 0.0
	for _, v := range an {
		scale = max(scale, math.Abs(v))
	}
	const h = 1e-5
	for ti, tn := range m.Params.Tensors {
		idx := make([]int, 0, tn.Size)
		if perTensor <= 0 || perTensor >= tn.Size {
			for i := 0; i < tn.Size; i++ {
				idx = append(idx, i)
			}
		} else {
			for range perTensor {
				idx = append(idx, r.IntN(tn.Size))
			}
		}
		w := m.Params.W(ti)
		for _, i := range idx {
			old := w[i]
			w[i] = old + h
			lp := lossAt(m, x, ts, g)
			w[i] = old - h
			lm := lossAt(m, x, ts, g)
			w[i] = old
			fd := (lp - lm) / (2 * h)
			if a := an[tn.Offset+i]; !closeFD(a, fd, scale) {
				t.Errorf("%s[%d]: backward %v, central difference %v", tn.Name, i, a, fd)
			}
		}
	}
}

func TestParamGradFD(t *testing.T) {
	t.Run("small/all", func(t *testing.T) { checkParamGrads(t, small(), 5, 0) })
	t.Run("gmm/sampled", func(t *testing.T) { checkParamGrads(t, GMM(), 3, 12) })
}

// TestInputGradFD checks ∂L/∂x from Backward, the JVP and the divergence
// against central differences in x.
func TestInputGradFD(t *testing.T) {
	for _, cfg := range []Config{small(), GMM()} {
		t.Run(fmt.Sprintf("d=%d", cfg.InDim), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 8))
			m := mustNew(t, cfg, 17, 1)
			const b = 4
			d := cfg.InDim
			x := randSlice(r, b*d, 0.5)
			ts := randSlice(r, b, 0.5)
			g := randSlice(r, b*d, 1)
			v := randSlice(r, b*d, 1)
			out := make([]float64, b*d)
			gx := make([]float64, b*d)
			m.Params.ZeroGrad()
			m.Forward(x, ts, out)
			m.Backward(g, gx)
			jv := make([]float64, b*d)
			out2 := make([]float64, b*d)
			m.JVP(x, ts, v, out2, jv)
			div := make([]float64, b)
			out3 := make([]float64, b*d)
			m.Divergence(x, ts, out3, div)
			for i := range out {
				if out2[i] != out[i] || out3[i] != out[i] {
					t.Fatalf("JVP/Divergence output %d differs from Forward", i)
				}
			}
			// Full Jacobian by central differences, J[row][j][i] = ∂s_j/∂x_i.
			const h = 1e-6
			jac := make([]float64, b*d*d)
			op, om := make([]float64, b*d), make([]float64, b*d)
			for i := 0; i < d; i++ {
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				for row := 0; row < b; row++ {
					xp[row*d+i] += h
					xm[row*d+i] -= h
				}
				m.Forward(xp, ts, op)
				m.Forward(xm, ts, om)
				for row := 0; row < b; row++ {
					for j := 0; j < d; j++ {
						jac[(row*d+j)*d+i] = (op[row*d+j] - om[row*d+j]) / (2 * h)
					}
				}
			}
			scale := 0.0
			for _, v := range jac {
				scale = max(scale, math.Abs(v))
			}
			if scale < 1e-3 {
				t.Fatalf("Jacobian scale %v too small for a meaningful test", scale)
			}
			for row := 0; row < b; row++ {
				var tr float64
				for i := 0; i < d; i++ {
					var vjp, jvp float64
					for j := 0; j < d; j++ {
						vjp += g[row*d+j] * jac[(row*d+j)*d+i]
						jvp += jac[(row*d+i)*d+j] * v[row*d+j]
					}
					tr += jac[(row*d+i)*d+i]
					if !closeFD(gx[row*d+i], vjp, scale) {
						t.Errorf("row %d: ∂L/∂x%d = %v, FD %v", row, i, gx[row*d+i], vjp)
					}
					if !closeFD(jv[row*d+i], jvp, scale) {
						t.Errorf("row %d: (Jv)%d = %v, FD %v", row, i, jv[row*d+i], jvp)
					}
				}
				if !closeFD(div[row], tr, scale) {
					t.Errorf("row %d: divergence %v, FD trace %v", row, div[row], tr)
				}
			}
		})
	}
}

func TestBackwardAccumulates(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	m := mustNew(t, small(), 1, 1)
	const b = 6
	x, ts, g := randSlice(r, b*3, 1), randSlice(r, b, 1), randSlice(r, b*3, 1)
	out := make([]float64, b*3)
	m.Params.ZeroGrad()
	m.Forward(x, ts, out)
	m.Backward(g, nil)
	once := append([]float64(nil), m.Params.Grad...)
	// Adding a sum into a non-zero accumulator rounds differently from
	// starting at zero; for an element whose batch sum cancels, that shows
	// relative to the element, so the bound also has an absolute part.
	var scale float64
	for _, v := range once {
		scale = max(scale, math.Abs(v))
	}
	m.Backward(g, nil)
	for i, v := range m.Params.Grad {
		if math.Abs(v-2*once[i]) > 1e-14*math.Abs(once[i])+1e-15*scale {
			t.Fatalf("grad %d after two Backward calls: %v, want %v", i, v, 2*once[i])
		}
	}
}

// TestDeterminism requires bit-identical outputs and gradients for 1, 2
// and 8 workers, and batch-size independence of each row's output.
func TestDeterminism(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const b = 200 // several chunks and a tail
	x, ts, g := randSlice(r, b*2, 1), randSlice(r, b, 1), randSlice(r, b*2, 1)
	type result struct{ out, gx, grad, div []float64 }
	run := func(im *asm.Impl, workers int) result {
		m := mustNew(t, GMM(), 21, workers)
		m.SetImpl(im)
		var res result
		res.out = make([]float64, b*2)
		res.gx = make([]float64, b*2)
		res.div = make([]float64, b)
		m.Params.ZeroGrad()
		m.Forward(x, ts, res.out)
		m.Backward(g, res.gx)
		res.grad = append([]float64(nil), m.Params.Grad...)
		o := make([]float64, b*2)
		m.Divergence(x, ts, o, res.div)
		return res
	}
	var ref result
	for _, im := range asm.Impls() {
		ref = run(im, 1)
		for _, w := range []int{2, 8} {
			got := run(im, w)
			for name, pair := range map[string][2][]float64{"out": {ref.out, got.out}, "gx": {ref.gx, got.gx}, "grad": {ref.grad, got.grad}, "div": {ref.div, got.div}} {
				for i := range pair[0] {
					if math.Float64bits(pair[0][i]) != math.Float64bits(pair[1][i]) {
						t.Fatalf("impl=%s workers=%d: %s[%d] = %v, 1 worker gave %v", im, w, name, i, pair[1][i], pair[0][i])
					}
				}
			}
		}
	}
	// Growing and shrinking the batch does not change a row's output on the
	// gonum path. (A native asm.Gemm may round a row differently when it
	// falls in a partial register tile, so there only worker-count
	// independence is promised.)
	m := mustNew(t, GMM(), 21, 2)
	m.SetImpl(asm.Generic())
	m.Forward(x, ts, ref.out)
	o5 := make([]float64, 10)
	m.Forward(x[:10], ts[:5], o5)
	for i := range o5 {
		if o5[i] != ref.out[i] {
			t.Fatalf("batch of 5: out[%d] = %v, batch of %d gave %v", i, o5[i], b, ref.out[i])
		}
	}
}

func TestPanics(t *testing.T) {
	m := mustNew(t, small(), 1, 1)
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	mustPanic("Backward before Forward", func() { m.Backward(make([]float64, 3), nil) })
	mustPanic("short x", func() { m.Forward(make([]float64, 5), make([]float64, 2), make([]float64, 6)) })
	mustPanic("short out", func() { m.Forward(make([]float64, 6), make([]float64, 2), make([]float64, 5)) })
	mustPanic("short div", func() { m.Divergence(make([]float64, 6), make([]float64, 2), make([]float64, 6), make([]float64, 1)) })
}
