package mlp

import (
	"fmt"
	"math"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/param"
	"gonum.org/v1/gonum/blas/blas64"
)

// Row-chunk and weight-gradient panel sizes. Results do not depend on the
// worker count: chunk and panel boundaries are functions of the batch size
// and the configuration only, every parameter-gradient element is one sum
// over the batch in row order, and each chunk or panel writes only its own
// outputs. (With a native asm.Gemm a row's rounding may depend on where it
// falls in the 6-row register tiles, so the chunking must not depend on the
// worker count; it does not.)
const (
	rowChunks = 4  // row chunks per batch: two per worker on two cores, so a
	minChunk  = 48 // descheduled worker leaves work to steal; ≥ 48 rows each
	panelRows = 64 // target output features per weight-gradient panel
	unitCols  = 128
	// unitCols is the number of input features per asm.Gemm call in a panel:
	// a 128×128 block of the layer input (128 KiB) stays in L2 across row
	// tiles.
	gemmMR = 6 // asm.Gemm's register tile: rows…
	gemmNR = 8 // …and columns
)

// roundUp rounds n up to a multiple of q.
func roundUp(n, q int) int { return (n + q - 1) / q * q }

// rowGrain is the number of batch rows per chunk for a batch of b rows: about
// b/rowChunks, a multiple of asm.Gemm's 6-row tile, and at least minChunk.
func rowGrain(b int) int {
	return max(roundUp((b+rowChunks-1)/rowChunks, gemmMR), minChunk)
}

// packLd is the row stride of the packed ∂L/∂a panel for up to n rows: an
// odd number of 64-byte lines, so that the panel's rows fall in distinct L1
// sets while they are written column by column (a stride of 512 doubles
// put them all in one set and made packing cost as much as a third of the
// panel's GEMM).
func packLd(n int) int { return roundUp(n, 16) + 8 }

// gradUnit is one panel of the parameter-gradient phase: output features
// [lo, hi) of layer l (l = Blocks+1 is the output layer). Units are listed
// by layer, input layer (the largest) first, so that dynamic claiming
// balances the workers.
type gradUnit struct{ layer, lo, hi int }

// Model is the sinusoidal-embedding residual MLP. It is not safe for
// concurrent use: Forward caches activations for Backward, and all scratch
// lives in the Model. Params is the parameter set (tensor order: in.w, in.b,
// block1.w, block1.b, …, out.w, out.b; weights are [out][in] as in PyTorch).
type Model struct {
	Params *param.Set

	cfg     Config
	pool    *engine.Pool
	mm      gemm
	omega   []float64 // ω_k, k < EmbedSize/2
	scales  []float64 // InDim coordinate scales, then the time scale
	wIdx    []int     // weight tensor per layer 0…Blocks+1
	bIdx    []int     // bias tensor per layer
	units   []gradUnit
	unitMax int         // most rows in a unit
	wT      [][]float64 // transposed weights [in][ldT(l)], native GEMM path only
	packA   [][]float64 // per worker: a unit's ∂L/∂a columns, transposed (native path)
	packC   [][]float64 // per worker: a padded 6-row gradient tile (native path)
	oPad    []float64   // [cap][8]: the output layer's padded result (native path)

	// Activations and scratch, capacity rows each; grown on demand.
	cap   int
	batch int // rows of the last Forward; 0 before any
	z     []float64
	pre   [][]float64 // per hidden layer 0…Blocks: pre-activation a = Wx + b
	gd    [][]float64 // GELU′(a), from asm.GELU with the activation
	h     [][]float64 // hidden state after layer ℓ
	dpre  [][]float64 // ∂L/∂a per hidden layer
	dh    []float64
	dz    []float64
	tz    []float64 // tangent of z (InDim·EmbedSize columns)
	th    []float64
	tp    []float64

	// Arguments of the running call, read by the chunk functions.
	argX, argT, argOut, argV, argRes, argG, argGX []float64

	fwdFn, bwdFn, gradFn, divFn, jvpFn, wtFn func(w, lo, hi int)
}

// New builds a model for cfg with PyTorch-default initialisation from seed
// (see Init). pool supplies the batch parallelism; nil means one worker.
// Matrix products use asm.Default() (honouring $IDEM_IMPL) when it has a
// native GEMM, else gonum's blas64; see SetImpl.
func New(cfg Config, seed uint64, pool *engine.Pool) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	im, err := asm.Default()
	if err != nil {
		return nil, err
	}
	if pool == nil {
		pool = engine.NewPool(1)
	}
	m := &Model{cfg: cfg, pool: pool}
	m.cfg.Scales = append([]float64(nil), cfg.Scales...)
	half := cfg.EmbedSize / 2
	m.omega = make([]float64, half)
	for k := range m.omega {
		m.omega[k] = math.Exp(-float64(k) * math.Log(1e4) / float64(half-1))
	}
	m.scales = append(append([]float64(nil), cfg.Scales...), cfg.TimeScale)

	ps := &param.Set{}
	L := cfg.Blocks
	for l := 0; l <= L+1; l++ {
		name := fmt.Sprintf("block%d", l)
		in, out := cfg.Width, cfg.Width
		switch l {
		case 0:
			name, in = "in", cfg.EmbedDim()
		case L + 1:
			name, out = "out", cfg.InDim
		}
		m.wIdx = append(m.wIdx, ps.Add(name+".w", out, in))
		m.bIdx = append(m.bIdx, ps.Add(name+".b", out))
		// Panels of about panelRows features (whole register tiles but
		// the last), so every GEMM has at least 48 rows where the layer
		// does.
		np := (out + panelRows - 1) / panelRows
		size := roundUp((out+np-1)/np, gemmMR)
		for lo := 0; lo < out; lo += size {
			m.units = append(m.units, gradUnit{l, lo, min(lo+size, out)})
			m.unitMax = max(m.unitMax, min(size, out-lo))
		}
	}
	ps.Finish()
	m.Params = ps
	m.Init(seed)
	m.SetImpl(im)

	m.pre = make([][]float64, L+1)
	m.gd = make([][]float64, L+1)
	m.h = make([][]float64, L+1)
	m.dpre = make([][]float64, L+1)
	m.fwdFn = func(_, lo, hi int) { m.forwardRows(lo, hi) }
	m.bwdFn = func(_, lo, hi int) { m.backwardRows(lo, hi) }
	m.gradFn = func(w, lo, hi int) {
		for u := lo; u < hi; u++ {
			m.gradUnit(w, m.units[u])
		}
	}
	m.divFn = func(_, lo, hi int) { m.divRows(lo, hi) }
	m.wtFn = func(_, lo, hi int) { m.transposeLayers(lo, hi) }
	m.jvpFn = func(_, lo, hi int) { m.jvpRows(lo, hi) }
	return m, nil
}

// SetImpl pins the kernel implementation: its native Gemm if it has one,
// gonum's blas64 Dgemm otherwise (asm.Generic() therefore selects gonum).
// Results differ between implementations only by rounding.
func (m *Model) SetImpl(im *asm.Impl) {
	m.mm = gemm{impl: blas64.Implementation(), im: im, native: im.GemmNative()}
	m.wT, m.packA, m.packC, m.oPad = nil, nil, nil, nil
	if m.mm.native {
		for l := range m.wIdx {
			m.wT = append(m.wT, make([]float64, m.Params.Tensors[m.wIdx[l]].Shape[1]*m.ldT(l)))
		}
		c := m.cfg
		for range m.pool.Workers() {
			m.packA = append(m.packA, nil) // sized by ensure
			m.packC = append(m.packC, make([]float64, gemmMR*max(c.EmbedDim(), c.Width)))
		}
		if m.cap > 0 {
			m.ensurePack()
		}
	}
}

// ldT is the leading dimension of wT[l]: the layer's output count, padded
// with zero columns to a whole register tile for narrow layers (the output
// layer), so that asm.Gemm never takes its scalar path there.
func (m *Model) ldT(l int) int { return max(m.Params.Tensors[m.wIdx[l]].Shape[0], gemmNR) }

// ensurePack sizes the native path's per-worker scratch for m.cap rows.
func (m *Model) ensurePack() {
	for w := range m.packA {
		m.packA[w] = make([]float64, max(m.unitMax, gemmMR)*packLd(m.cap))
	}
	m.oPad = make([]float64, m.cap*gemmNR)
}

// refreshWT copies the weights into their transposes (native path only),
// the input layer on one worker and the others on another.
func (m *Model) refreshWT() {
	if len(m.wT) > 0 {
		m.parFor(2, 1, m.wtFn)
	}
}

// transposeLayers refreshes wT for parts [lo, hi): part 0 is the input
// layer, part 1 the others (about as many weights).
func (m *Model) transposeLayers(lo, hi int) {
	for part := lo; part < hi; part++ {
		l0, l1 := 0, 1
		if part == 1 {
			l0, l1 = 1, len(m.wT)
		}
		for l := l0; l < l1; l++ {
			m.transposeLayer(l)
		}
	}
}

// transposeLayer copies W_l into wT[l], eight outputs at a time so that
// each write fills a cache line of wT rather than striding one element per
// line.
func (m *Model) transposeLayer(l int) {
	wt := m.wT[l]
	t := m.Params.Tensors[m.wIdx[l]]
	nout, nin := t.Shape[0], t.Shape[1]
	ld := m.ldT(l)
	w := m.Params.W(m.wIdx[l])
	o := 0
	for ; o+8 <= nout; o += 8 {
		r := w[o*nin : (o+8)*nin]
		for i := 0; i < nin; i++ {
			d := wt[i*ld+o : i*ld+o+8]
			d[0], d[1], d[2], d[3] = r[i], r[nin+i], r[2*nin+i], r[3*nin+i]
			d[4], d[5], d[6], d[7] = r[4*nin+i], r[5*nin+i], r[6*nin+i], r[7*nin+i]
		}
	}
	for ; o < nout; o++ {
		for i, v := range w[o*nin : (o+1)*nin] {
			wt[i*ld+o] = v
		}
	}
}

// linear computes out = in·W_l[:, k0:k0+kn]ᵀ (+ b_l when bias is set) for
// rows lo…lo+n−1: in (starting at row lo) has leading dimension lda, out
// has ldo. The bias is written first and the product accumulated onto it,
// so there is no separate bias pass.
func (m *Model) linear(lo, n, l int, in []float64, lda, k0, kn int, out []float64, ldo int, bias bool) {
	t := m.Params.Tensors[m.wIdx[l]]
	nout, nin := t.Shape[0], t.Shape[1]
	if m.mm.native {
		ld := m.ldT(l)
		if ld == nout {
			m.initRows(l, n, out, ldo, nout, bias)
			m.mm.nn(n, nout, kn, in, lda, m.wT[l][k0*ld:], ld, 1, out, ldo)
			return
		}
		// Narrow layer: a whole-tile product into the padded rows of oPad.
		pad := m.oPad[lo*ld : (lo+n)*ld]
		m.initRows(l, n, pad, ld, ld, bias)
		m.mm.nn(n, ld, kn, in, lda, m.wT[l][k0*ld:], ld, 1, pad, ld)
		for r := 0; r < n; r++ {
			copy(out[r*ldo:r*ldo+nout], pad[r*ld:r*ld+nout])
		}
		return
	}
	beta := 0.0
	if bias {
		m.initRows(l, n, out, ldo, nout, true)
		beta = 1
	}
	m.mm.nt(n, nout, kn, in, lda, m.Params.W(m.wIdx[l])[k0:], nin, beta, out, ldo)
}

// initRows sets the first cols columns of n rows of c (leading dimension
// ldc) to layer l's bias, zero-padded past its length, or to zero.
func (m *Model) initRows(l, n int, c []float64, ldc, cols int, bias bool) {
	var b []float64
	if bias {
		b = m.Params.W(m.bIdx[l])
	}
	for r := 0; r < n; r++ {
		row := c[r*ldc : r*ldc+cols]
		k := copy(row, b)
		clear(row[k:])
	}
}

// Config returns the model's configuration.
func (m *Model) Config() Config {
	c := m.cfg
	c.Scales = append([]float64(nil), c.Scales...)
	return c
}

// Pool returns the worker pool the model runs on.
func (m *Model) Pool() *engine.Pool { return m.pool }

// Init sets every weight and bias to U(−1/√fan_in, 1/√fan_in), PyTorch's
// default for nn.Linear, drawing tensor i from engine.NewStream(seed, i).
func (m *Model) Init(seed uint64) {
	ps := m.Params
	for i, t := range ps.Tensors {
		fanIn := t.Shape[len(t.Shape)-1]
		if len(t.Shape) == 1 { // bias: fan_in of its weight
			fanIn = ps.Tensors[i-1].Shape[1]
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		s := engine.NewStream(seed, uint64(i))
		w := ps.W(i)
		for j := range w {
			w[j] = (2*s.Float64() - 1) * bound
		}
	}
}

// ensure grows the activation buffers to hold b rows.
func (m *Model) ensure(b int) {
	if b <= m.cap {
		return
	}
	c := m.cfg
	w := c.Width
	m.cap = b
	m.z = make([]float64, b*c.EmbedDim())
	for l := range m.pre {
		m.pre[l] = make([]float64, b*w)
		m.gd[l] = make([]float64, b*w)
		m.h[l] = make([]float64, b*w)
		m.dpre[l] = make([]float64, b*w)
	}
	m.dh = make([]float64, b*w)
	if m.mm.native {
		m.ensurePack()
	}
	m.dz = nil
	m.tz, m.th, m.tp = nil, nil, nil
}

func (m *Model) ensureTangent(b int) {
	m.ensure(b)
	if m.tz != nil {
		return
	}
	c := m.cfg
	m.tz = make([]float64, m.cap*c.InDim*c.EmbedSize)
	m.th = make([]float64, m.cap*c.Width)
	m.tp = make([]float64, m.cap*c.Width)
}

func (m *Model) checkIO(x, t, out []float64) int {
	b := len(t)
	d := m.cfg.InDim
	if len(x) != b*d {
		panic(fmt.Sprintf("mlp: len(x) = %d, want len(t)·InDim = %d", len(x), b*d))
	}
	if len(out) != b*d {
		panic(fmt.Sprintf("mlp: len(out) = %d, want len(t)·InDim = %d", len(out), b*d))
	}
	return b
}

// Forward evaluates s = net(t, x) for a batch: x is row-major [B][InDim],
// t has length B, out receives [B][InDim]. The activations are kept for
// Backward. It panics on mismatched lengths.
func (m *Model) Forward(x, t, out []float64) {
	b := m.checkIO(x, t, out)
	m.ensure(b)
	m.batch = b
	m.argX, m.argT, m.argOut = x, t, out
	m.refreshWT()
	m.parFor(b, rowGrain(b), m.fwdFn)
	m.argX, m.argT, m.argOut = nil, nil, nil
}

// Backward back-propagates gout = ∂L/∂s ([B][InDim]) through the last
// Forward, adding ∂L/∂θ to Params.Grad (it accumulates, like PyTorch; call
// Params.ZeroGrad first). If gx is not nil it receives ∂L/∂x ([B][InDim]).
// The result is bit-identical for any number of workers.
func (m *Model) Backward(gout, gx []float64) {
	b := m.batch
	if b == 0 {
		panic("mlp: Backward before Forward")
	}
	d := m.cfg.InDim
	if len(gout) != b*d {
		panic(fmt.Sprintf("mlp: len(gout) = %d, want %d", len(gout), b*d))
	}
	if gx != nil {
		if len(gx) != b*d {
			panic(fmt.Sprintf("mlp: len(gx) = %d, want %d", len(gx), b*d))
		}
		if m.dz == nil {
			m.dz = make([]float64, m.cap*m.cfg.EmbedDim())
		}
	}
	m.argG, m.argGX = gout, gx
	m.parFor(b, rowGrain(b), m.bwdFn)
	m.parFor(len(m.units), 1, m.gradFn)
	m.argG, m.argGX = nil, nil
}

// JVP evaluates out = s(t, x) and the Jacobian-vector product
// jv = (∂s/∂x)·v row by row (v and jv are [B][InDim]) in one forward-mode
// pass. It replaces the activations cached for Backward by those of (x, t).
func (m *Model) JVP(x, t, v, out, jv []float64) {
	b := m.checkIO(x, t, out)
	if len(v) != len(x) || len(jv) != len(x) {
		panic("mlp: JVP: len(v) and len(jv) must equal len(x)")
	}
	m.ensureTangent(b)
	m.batch = b
	m.argX, m.argT, m.argOut, m.argV, m.argRes = x, t, out, v, jv
	m.refreshWT()
	m.parFor(b, rowGrain(b), m.jvpFn)
	m.argX, m.argT, m.argOut, m.argV, m.argRes = nil, nil, nil, nil, nil
}

// Divergence evaluates out = s(t, x) and the exact divergence
// div[b] = Σᵢ ∂sᵢ/∂xᵢ, using InDim forward-mode tangent passes (each costs
// about one forward pass with EmbedSize instead of EmbedDim input columns).
// It replaces the activations cached for Backward by those of (x, t).
func (m *Model) Divergence(x, t, out, div []float64) {
	b := m.checkIO(x, t, out)
	if len(div) != b {
		panic(fmt.Sprintf("mlp: len(div) = %d, want %d", len(div), b))
	}
	m.ensureTangent(b)
	m.batch = b
	m.argX, m.argT, m.argOut, m.argRes = x, t, out, div
	m.refreshWT()
	m.parFor(b, rowGrain(b), m.divFn)
	m.argX, m.argT, m.argOut, m.argRes = nil, nil, nil, nil
}

// parFor is m.pool.For, run inline with the same chunks when the pool has
// one worker: engine.Pool.For currently allocates once per call even on its
// inline path (its grain parameter escapes into the worker closure).
func (m *Model) parFor(n, grain int, fn func(w, lo, hi int)) {
	if m.pool.Workers() > 1 {
		m.pool.For(n, grain, fn)
		return
	}
	for lo := 0; lo < n; lo += grain {
		fn(0, lo, min(lo+grain, n))
	}
}

// embedRows fills z for rows [lo, hi).
func (m *Model) embedRows(lo, hi int) {
	c := m.cfg
	d, E, half := c.InDim, c.EmbedSize, c.EmbedSize/2
	nz := c.EmbedDim()
	x, t := m.argX, m.argT
	for r := lo; r < hi; r++ {
		zr := m.z[r*nz : (r+1)*nz]
		for i := 0; i <= d; i++ {
			var v float64
			if i < d {
				v = m.scales[i] * x[r*d+i]
			} else {
				v = m.scales[d] * t[r]
			}
			blk := zr[i*E : (i+1)*E]
			sn, cs := blk[:half], blk[half:]
			for k, om := range m.omega {
				sn[k] = v * om
			}
			m.mm.im.SinCos(sn, cs, sn)
		}
	}
}

func (m *Model) forwardRows(lo, hi int) {
	c := m.cfg
	n, w, nz, d, L := hi-lo, c.Width, c.EmbedDim(), c.InDim, c.Blocks
	m.embedRows(lo, hi)
	for l := 0; l <= L; l++ {
		in, ld := m.z, nz
		if l > 0 {
			in, ld = m.h[l-1], w
		}
		pre := m.pre[l][lo*w : hi*w]
		m.linear(lo, n, l, in[lo*ld:], ld, 0, ld, pre, w, true)
		h := m.h[l][lo*w : hi*w]
		m.mm.im.GELU(h, m.gd[l][lo*w:hi*w], pre)
		if l > 0 {
			prev := m.h[l-1][lo*w : hi*w]
			for i, v := range prev[:len(h)] {
				h[i] += v
			}
		}
	}
	out := m.argOut[lo*d : hi*d]
	m.linear(lo, n, L+1, m.h[L][lo*w:], w, 0, w, out, d, true)
}

func (m *Model) backwardRows(lo, hi int) {
	c := m.cfg
	n, w, nz, d, L := hi-lo, c.Width, c.EmbedDim(), c.InDim, c.Blocks
	ps := m.Params
	dh := m.dh[lo*w : hi*w]
	m.mm.nn(n, w, d, m.argG[lo*d:], d, ps.W(m.wIdx[L+1]), w, 0, dh, w)
	for l := L; l >= 0; l-- {
		gd := m.gd[l][lo*w : hi*w]
		dp := m.dpre[l][lo*w : hi*w]
		for i, g := range gd[:len(dp)] {
			dp[i] = dh[i] * g
		}
		if l > 0 {
			// dh ← dh + dp·W_l (the residual path keeps dh).
			m.mm.nn(n, w, w, dp, w, ps.W(m.wIdx[l]), w, 1, dh, w)
		}
	}
	gx := m.argGX
	if gx == nil {
		return
	}
	dz := m.dz[lo*nz : hi*nz]
	m.mm.nn(n, nz, w, m.dpre[0][lo*w:], w, ps.W(m.wIdx[0]), nz, 0, dz, nz)
	E, half := c.EmbedSize, c.EmbedSize/2
	for r := 0; r < n; r++ {
		zr, dzr := m.z[(lo+r)*nz:(lo+r+1)*nz], dz[r*nz:(r+1)*nz]
		for i := 0; i < d; i++ {
			sn, cs := zr[i*E:i*E+half], zr[i*E+half:(i+1)*E]
			ds, dc := dzr[i*E:i*E+half], dzr[i*E+half:(i+1)*E]
			var acc float64
			for k, om := range m.omega {
				acc += om * (ds[k]*cs[k] - dc[k]*sn[k])
			}
			gx[(lo+r)*d+i] = m.scales[i] * acc
		}
	}
}

// gradUnit adds ∂L/∂W and ∂L/∂b for output features [u.lo, u.hi) of layer
// u.layer; w is the worker. Each element is one sum over the batch in row
// order, so the result does not depend on how units are spread over
// workers.
func (m *Model) gradUnit(w int, u gradUnit) {
	c := m.cfg
	b, wd, L := m.batch, c.Width, c.Blocks
	ps := m.Params
	var dp, in []float64
	nout, nin := wd, wd
	switch u.layer {
	case 0:
		dp, in, nin = m.dpre[0], m.z, c.EmbedDim()
	case L + 1:
		dp, in, nout = m.argG, m.h[L], c.InDim
	default:
		dp, in = m.dpre[u.layer], m.h[u.layer-1]
	}
	nu := u.hi - u.lo
	gw := ps.G(m.wIdx[u.layer])[u.lo*nin : u.hi*nin]
	gb := ps.G(m.bIdx[u.layer])[u.lo:u.hi]
	if !m.mm.native {
		m.mm.tn(nu, nin, b, dp[u.lo:], nout, in, nin, 1, gw, nin)
		for r := 0; r < b; r++ {
			row := dp[r*nout+u.lo : r*nout+u.hi]
			for o, v := range row {
				gb[o] += v
			}
		}
		return
	}
	// Native: pack the unit's columns of ∂L/∂a as rows (pa[i][r]), so that
	// asm.Gemm reads A row-major (its fast case) rather than transposed.
	// The bias gradient is summed in the same pass, in row order.
	ld := packLd(b)
	pa := m.packA[w][:max(nu, gemmMR)*ld]
	r := 0
	for ; r+4 <= b; r += 4 { // four rows at a time: 32-byte writes
		d0 := dp[r*nout+u.lo : r*nout+u.hi]
		d1 := dp[(r+1)*nout+u.lo : (r+1)*nout+u.hi]
		d2 := dp[(r+2)*nout+u.lo : (r+2)*nout+u.hi]
		d3 := dp[(r+3)*nout+u.lo : (r+3)*nout+u.hi]
		d1, d2, d3 = d1[:len(d0)], d2[:len(d0)], d3[:len(d0)]
		gb := gb[:len(d0)]
		for i, v0 := range d0 {
			v1, v2, v3 := d1[i], d2[i], d3[i]
			p := pa[i*ld+r : i*ld+r+4]
			p[0], p[1], p[2], p[3] = v0, v1, v2, v3
			gb[i] = gb[i] + v0 + v1 + v2 + v3 // in row order
		}
	}
	for ; r < b; r++ {
		for i, v := range dp[r*nout+u.lo : r*nout+u.hi] {
			pa[i*ld+r] = v
			gb[i] += v
		}
	}
	if nu < gemmMR {
		// Fewer rows than a register tile (the output layer): zero rows pad
		// the product to whole tiles in packC; the real rows are added to G.
		clear(pa[nu*ld:])
		pc := m.packC[w][:gemmMR*nin]
		clear(pc)
		for c0 := 0; c0 < nin; c0 += unitCols {
			nc := min(unitCols, nin-c0)
			m.mm.im.Gemm(gemmMR, nc, b, pa, ld, 1, in[c0:], nin, pc[c0:], nin)
		}
		for i, v := range pc[:nu*nin] {
			gw[i] += v
		}
		return
	}
	for c0 := 0; c0 < nin; c0 += unitCols {
		nc := min(unitCols, nin-c0)
		m.mm.im.Gemm(nu, nc, b, pa, ld, 1, in[c0:], nin, gw[c0:], nin)
	}
}

// tangentRows propagates the tangent already in m.tp (layer-0
// pre-activation tangent, rows [lo, hi)) through the hidden layers, leaving
// the last hidden tangent in m.th. It needs m.gd from forwardRows.
func (m *Model) tangentRows(lo, hi int) {
	c := m.cfg
	n, w, L := hi-lo, c.Width, c.Blocks
	th, tp := m.th[lo*w:hi*w], m.tp[lo*w:hi*w]
	g0 := m.gd[0][lo*w : hi*w]
	for i := range th {
		th[i] = g0[i] * tp[i]
	}
	for l := 1; l <= L; l++ {
		m.linear(lo, n, l, th, w, 0, w, tp, w, false)
		gl := m.gd[l][lo*w : hi*w]
		for i := range th {
			th[i] += gl[i] * tp[i]
		}
	}
}

func (m *Model) divRows(lo, hi int) {
	m.forwardRows(lo, hi)
	c := m.cfg
	n, w, nz, d, L := hi-lo, c.Width, c.EmbedDim(), c.InDim, c.Blocks
	E, half := c.EmbedSize, c.EmbedSize/2
	ps := m.Params
	div := m.argRes[lo:hi]
	clear(div)
	tz := m.tz[lo*E : hi*E]
	wout := ps.W(m.wIdx[L+1])
	for j := 0; j < d; j++ {
		// ż for direction e_j: only block j of z moves.
		for r := 0; r < n; r++ {
			zr := m.z[(lo+r)*nz+j*E : (lo+r)*nz+(j+1)*E]
			tr := tz[r*E : (r+1)*E]
			for k, om := range m.omega {
				f := m.scales[j] * om
				tr[k] = f * zr[half+k]
				tr[half+k] = -f * zr[k]
			}
		}
		m.linear(lo, n, 0, tz, E, j*E, E, m.tp[lo*w:hi*w], w, false)
		m.tangentRows(lo, hi)
		wj := wout[j*w : (j+1)*w]
		for r := 0; r < n; r++ {
			tr := m.th[(lo+r)*w : (lo+r+1)*w]
			var s float64
			for o, v := range tr {
				s += v * wj[o]
			}
			div[r] += s
		}
	}
}

func (m *Model) jvpRows(lo, hi int) {
	m.forwardRows(lo, hi)
	c := m.cfg
	n, w, nz, d, L := hi-lo, c.Width, c.EmbedDim(), c.InDim, c.Blocks
	E, half := c.EmbedSize, c.EmbedSize/2
	nt := d * E
	tz := m.tz[lo*nt : hi*nt]
	for r := 0; r < n; r++ {
		for j := 0; j < d; j++ {
			zr := m.z[(lo+r)*nz+j*E : (lo+r)*nz+(j+1)*E]
			tr := tz[r*nt+j*E : r*nt+(j+1)*E]
			vj := m.argV[(lo+r)*d+j] * m.scales[j]
			for k, om := range m.omega {
				f := vj * om
				tr[k] = f * zr[half+k]
				tr[half+k] = -f * zr[k]
			}
		}
	}
	m.linear(lo, n, 0, tz, nt, 0, nt, m.tp[lo*w:hi*w], w, false)
	m.tangentRows(lo, hi)
	m.linear(lo, n, L+1, m.th[lo*w:], w, 0, w, m.argRes[lo*d:hi*d], d, false)
}
