package egnn

// Workspaces: per-precision state (weights in kernel layout, per-worker
// chunk scratch, per-group gradient buffers), the cutting of batches into
// chunks and groups, and the public calls Forward, Backward,
// ForwardBackward, JVP and Divergence, which run the chunk passes
// (pass.go) on the pool.

import (
	"errors"
	"fmt"

	"github.com/idem-project/idem/engine"
)

// chunkEdges64 and chunkEdges32 are the target numbers of edges per chunk in
// float64 and float32. A float64 chunk's edge block of 128-wide rows (about
// 300 KiB per array) stays in L2 between the elementwise passes and the
// GEMMs that consume it. Float32 chunks are larger, so that the node
// products (m = configurations·N rows) and the weight gradients (depth =
// edges) run at full tile efficiency, and so that Sgemm's per-call packing
// of the 128×128 weight panels (paid per chunk) stays small: on DW-4
// (B = 512, one worker) 384-edge chunks spent 11% of the step packing and
// took 111 ms against 106 ms for 768 and 105 ms for 1536 (best of 30
// steps, shared 2-core Zen3). LJ-13 gets 4 configurations (624 edges)
// with 640 and 768 alike.
const (
	chunkEdges64 = 300
	chunkEdges32 = 768
)

// maxGroups bounds the number of gradient groups: a batch's chunks are
// split into at most this many contiguous groups, each accumulating its
// parameter gradients into its own buffer (reduced in group order).
const maxGroups = 8

// Precision selects the arithmetic of a Workspace's activations and
// gradients. Parameters are always the model's float64 set.
type Precision int

const (
	// Float64 is the default and the oracle.
	Float64 Precision = iota
	// Float32 runs Forward, Backward and ForwardBackward in float32 (asm
	// SGEMM and SiLU) on a rounded copy of the parameters, accumulating
	// parameter gradients per group in float32 and reducing them into the
	// float64 Params().Grad. Against Float64 it agrees to about 1e-4
	// relative (see TestFloat32MatchesFloat64). JVP and Divergence always
	// run in float64.
	Float32
	// BFloat16 is Float32 with the operands of the dense products (the
	// weights and the activations they multiply) rounded to bfloat16 and
	// the products summed in float32 (asm.Impl.SgemmBF16): the arithmetic
	// of the AMX tile unit. The weights are rounded once per parameter
	// update. Everything else (the edge kernels, SiLU, the gradient sums,
	// Adam's float64 master parameters) is as in Float32. On machines
	// without an AMX kernel the products run as float32 GEMMs on the
	// rounded operands: bfloat16's precision without its speed.
	BFloat16
	// BFloat16x3 is BFloat16 with each dense product split into three
	// bfloat16 products: an operand x is hi = bf16(x) plus lo = bf16(x −
	// hi) (asm.Impl.ResidualBF16), and C += A·B is summed as C += A_lo·B_hi,
	// C += A_hi·B_lo, C += A_hi·B_hi (A_lo·B_lo, about 2⁻¹⁸ of the
	// product, is dropped). Each product is then good to about 2⁻¹⁶
	// relative instead of bfloat16's 2⁻⁹, at three times the tile work.
	BFloat16x3
)

func (p Precision) String() string {
	switch p {
	case Float64:
		return "f64"
	case Float32:
		return "f32"
	case BFloat16:
		return "bf16"
	case BFloat16x3:
		return "bf16x3"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// ParsePrecision is the inverse of String: "f64", "f32", "bf16" or "bf16x3".
func ParsePrecision(name string) (Precision, error) {
	for p := Float64; p <= BFloat16x3; p++ {
		if p.String() == name {
			return p, nil
		}
	}
	return 0, fmt.Errorf("egnn: unknown precision %q (want f64, f32, bf16 or bf16x3)", name)
}

// layerW is one layer's weights as the kernels use them.
type layerW[T flt] struct {
	idx                layerIdx
	m1a, m1b, m2, x    lin[T]
	h1, h2             lin[T]
	b1, b2, wa, bx, wo []T
	bh1, bh2           []T
	ba                 T
	wr, wat            []T // contiguous copies of W_m1's columns 2F (r) and 2F+1 (a)
	// float32 only: the float64 sources of b1, b2, wa, bx, wo, bh1, bh2
	src [][]float64
}

// vecs lists the bias-like vectors in the order of layerW.src.
func (lw *layerW[T]) vecs() [7]*[]T {
	return [7]*[]T{&lw.b1, &lw.b2, &lw.wa, &lw.bx, &lw.wo, &lw.bh1, &lw.bh2}
}

// prec is a Workspace's state in one precision: weights in kernel layout,
// per-worker chunk scratch and per-group gradient buffers.
type prec[T flt] struct {
	gm gemmer[T]
	// accum adds a group's gradients into the float64 total (asm in
	// float32, where it is exact either way).
	accum func(dst []float64, src []T)
	cpc   int // configurations per chunk
	lw    []layerW[T]
	scr   []*chunk[T]
	gg    [][]T // per-group gradient buffers (allocated on first backward)
}

// split cuts a training batch of b configurations into nch chunks of cpc
// configurations (the last may be shorter; cpc ≤ pr.cpc) and ng gradient
// groups of whole chunks. When there are more chunks than groups, the chunk
// count is rounded up to a multiple of the group count, so that every group
// gets the same number of chunks and workers get equal shares (DW-4 at
// B = 512: 10 uneven chunks → 16 of 32 configurations). The split depends
// on b only, never on the worker count.
func (pr *prec[T]) split(b int) (nch, cpc, ng int) {
	nch = (b + pr.cpc - 1) / pr.cpc
	ng = min(nch, maxGroups)
	nch = (nch + ng - 1) / ng * ng
	cpc = (b + nch - 1) / nch
	nch = (b + cpc - 1) / cpc
	ng = min(nch, ng)
	return nch, cpc, ng
}

// newPrec builds the state of one precision: Float64 with T = float64,
// the others with T = float32.
func newPrec[T flt](m *Model, maxBatch, workers, chunkEdges int, p Precision) *prec[T] {
	cfg := m.cfg
	N, F := cfg.N, cfg.Hidden
	bf16 := p == BFloat16 || p == BFloat16x3
	pr := &prec[T]{gm: newGemmer[T](m.im, bf16, p == BFloat16x3), accum: addInto[T]}
	if f, ok := any(&pr.accum).(*func([]float64, []float32)); ok {
		*f = m.im.AccumF32
	}
	pr.cpc = max(1, min(maxBatch, chunkEdges/(N*(N-1))))
	nat := pr.gm.native != nil || pr.gm.bf16 != nil
	g := &pr.gm
	ps := m.ps
	for _, li := range m.layers {
		w1 := ps.W(li.m1w)
		lw := layerW[T]{idx: li,
			m1a: newLin(w1, 2*F+2, F, F, nat, g),
			m1b: newLin(w1[F:], 2*F+2, F, F, nat, g),
			m2:  newLin(ps.W(li.m2w), F, F, F, nat, g),
			x:   newLin(ps.W(li.xw), F, F, F, nat, g),
			h1:  newLin(ps.W(li.h1w), 2*F, 2*F, F, nat, g),
			h2:  newLin(ps.W(li.h2w), F, F, F, nat, g),
			wr:  make([]T, F), wat: make([]T, F),
		}
		srcs := [][]float64{ps.W(li.m1b), ps.W(li.m2b), ps.W(li.aw), ps.W(li.xb), ps.W(li.xo), ps.W(li.h1b), ps.W(li.h2b)}
		for k, dst := range lw.vecs() {
			if v, ok := any(srcs[k]).([]T); ok {
				*dst = v // float64: alias the parameters
				continue
			}
			*dst = make([]T, len(srcs[k]))
			lw.src = srcs
		}
		pr.lw = append(pr.lw, lw)
	}
	for w := 0; w < workers; w++ {
		c := newChunk[T](cfg, pr.cpc)
		c.gm = pr.gm
		if bf16 {
			// the largest rounded operands: a weight gradient's dC and A,
			// on edges (E rows, F + F columns) or nodes (NN rows, F + 2F)
			NN := pr.cpc * N
			c.gm.scratch = make([]T, max(NN*(N-1)*2*F, NN*3*F))
			if c.gm.pairs != nil {
				// the same products as pairs (rows or columns rounded up to even)
				c.gm.pscr = make([]uint32, max((NN*(N-1)+1)*(F+1), (NN+1)*(3*F+1)))
			}
			if c.gm.residual != nil {
				// the low parts of the split products' operands
				c.gm.lscr = make([]T, len(c.gm.scratch))
				c.gm.plscr = make([]uint32, len(c.gm.pscr))
			}
		}
		pr.scr = append(pr.scr, c)
	}
	return pr
}

// refresh re-reads the parameters into the kernels' layouts, one layer per
// pool item (it is serial work in every step otherwise).
func (pr *prec[T]) refresh(m *Model, pool *engine.Pool) {
	pool.For(len(pr.lw), 1, func(_, lo, hi int) {
		for l := lo; l < hi; l++ {
			pr.refreshLayer(m, l)
		}
	})
}

func (pr *prec[T]) refreshLayer(m *Model, l int) {
	F := m.cfg.Hidden
	lw := &pr.lw[l]
	for _, li := range []*lin[T]{&lw.m1a, &lw.m1b, &lw.m2, &lw.x, &lw.h1, &lw.h2} {
		li.refresh()
	}
	if lw.src != nil {
		for k, dst := range lw.vecs() {
			cvt(*dst, lw.src[k])
		}
	}
	w1 := m.ps.W(lw.idx.m1w)
	for f := 0; f < F; f++ {
		lw.wr[f] = T(w1[f*(2*F+2)+2*F])
		lw.wat[f] = T(w1[f*(2*F+2)+2*F+1])
	}
	lw.ba = T(m.ps.W(lw.idx.ab)[0])
}

// Workspace evaluates a Model on batches of up to maxBatch configurations.
// It owns every activation buffer, allocated once, so that calls do not
// allocate in steady state. A Workspace is not safe for concurrent use; use
// one per goroutine. Parameters may change between calls.
type Workspace struct {
	m        *Model
	pool     *engine.Pool
	maxBatch int
	prec     Precision
	p64      *prec[float64] // Float64 workspaces, and JVP/Divergence (lazily) in the others
	p32      *prec[float32] // Float32 and BFloat16 workspaces

	// inputs of the last Forward, for Backward
	lastX, lastT []float64
	lastB        int
	lastDOut     []float64
}

// NewWorkspace returns a float64 workspace for batches of at most maxBatch
// configurations, parallelised over pool (nil: a one-worker pool).
func (m *Model) NewWorkspace(maxBatch int, pool *engine.Pool) (*Workspace, error) {
	return m.NewWorkspacePrec(maxBatch, pool, Float64)
}

// NewWorkspacePrec is NewWorkspace with an explicit precision.
func (m *Model) NewWorkspacePrec(maxBatch int, pool *engine.Pool, p Precision) (*Workspace, error) {
	if maxBatch < 1 {
		return nil, fmt.Errorf("egnn: maxBatch = %d, need at least 1", maxBatch)
	}
	if p != Float64 && p != Float32 && p != BFloat16 && p != BFloat16x3 {
		return nil, fmt.Errorf("egnn: unknown precision %v", p)
	}
	if pool == nil {
		pool = engine.NewPool(1)
	}
	ws := &Workspace{m: m, pool: pool, maxBatch: maxBatch, prec: p}
	if p == Float64 {
		ws.p64 = newPrec[float64](m, maxBatch, pool.Workers(), chunkEdges64, Float64)
	} else {
		ws.p32 = newPrec[float32](m, maxBatch, pool.Workers(), chunkEdges32, p)
	}
	d := m.cfg.Dim()
	ws.lastX = make([]float64, maxBatch*d)
	ws.lastT = make([]float64, maxBatch)
	ws.lastDOut = make([]float64, maxBatch*d)
	return ws, nil
}

// Precision returns the workspace's precision.
func (ws *Workspace) Precision() Precision { return ws.prec }

// f64 returns the float64 state, creating it on first use in a Float32
// workspace (JVP and Divergence).
func (ws *Workspace) f64() *prec[float64] {
	if ws.p64 == nil {
		ws.p64 = newPrec[float64](ws.m, ws.maxBatch, ws.pool.Workers(), chunkEdges64, Float64)
	}
	return ws.p64
}

func (ws *Workspace) check(b int, x, t []float64, bufs ...[]float64) error {
	d := ws.m.cfg.Dim()
	if b < 0 || b > ws.maxBatch {
		return fmt.Errorf("egnn: batch %d outside [0, %d]", b, ws.maxBatch)
	}
	if len(x) < b*d {
		return fmt.Errorf("egnn: len(x) = %d < b·N·D = %d", len(x), b*d)
	}
	if len(t) < b {
		return fmt.Errorf("egnn: len(t) = %d < b = %d", len(t), b)
	}
	for _, o := range bufs {
		if o != nil && len(o) < b*d {
			return fmt.Errorf("egnn: output length %d < b·N·D = %d", len(o), b*d)
		}
	}
	return nil
}

// Forward writes the scores s(t_k, x_k) of b configurations into out
// (b·N·D). x holds b configurations (b·N·D), t their times (b). It
// remembers x and t for a following Backward.
func (ws *Workspace) Forward(out, x, t []float64, b int) error {
	if out == nil {
		return errors.New("egnn: nil out")
	}
	if err := ws.check(b, x, t, out); err != nil {
		return err
	}
	d := ws.m.cfg.Dim()
	copy(ws.lastX, x[:b*d])
	copy(ws.lastT, t[:b])
	ws.lastB = b
	if ws.p32 != nil {
		forwardBatch(ws, ws.p32, out, x, t, b)
	} else {
		forwardBatch(ws, ws.p64, out, x, t, b)
	}
	return nil
}

func forwardBatch[T flt](ws *Workspace, pr *prec[T], out, x, t []float64, b int) {
	pr.refresh(ws.m, ws.pool)
	d := ws.m.cfg.Dim()
	nch := (b + pr.cpc - 1) / pr.cpc
	ws.pool.For(nch, 1, func(w, lo, hi int) {
		c := pr.scr[w]
		for k := lo; k < hi; k++ {
			c0 := k * pr.cpc
			nc := min(pr.cpc, b-c0)
			forwardChunk(ws, pr, c, nc, x[c0*d:], t[c0:], false)
			copy(out[c0*d:(c0+nc)*d], c.outF[:nc*d])
		}
	})
}

// Backward back-propagates dOut = ∂ℓ/∂s (b·N·D, for the b configurations of
// the last Forward) and adds ∂ℓ/∂θ to the model's Params().Grad. When dX is
// not nil it receives ∂ℓ/∂x (b·N·D, overwritten). It recomputes the forward
// activations chunk by chunk rather than storing them for the whole batch.
func (ws *Workspace) Backward(dOut, dX []float64) error {
	b := ws.lastB
	d := ws.m.cfg.Dim()
	if len(dOut) < b*d {
		return fmt.Errorf("egnn: len(dOut) = %d < b·N·D = %d", len(dOut), b*d)
	}
	copy(ws.lastDOut, dOut[:b*d])
	return ws.ForwardBackward(nil, ws.lastX, ws.lastT, b, func(lo, hi int, _, dst []float64) {
		copy(dst, ws.lastDOut[lo*d:hi*d])
	}, dX)
}

// LossGrad fills dOut = ∂ℓ/∂s for configurations [lo, hi) given their
// scores out (both (hi−lo)·N·D). ForwardBackward calls it from several
// goroutines at once, for disjoint ranges.
type LossGrad func(lo, hi int, out, dOut []float64)

// ForwardBackward is one fused training pass: per chunk it computes the
// scores (into out when not nil), asks grad for ∂ℓ/∂s, and back-propagates
// it at once, adding ∂ℓ/∂θ to Params().Grad and, when dX is not nil,
// writing ∂ℓ/∂x into dX. It does the work of one Forward plus Backward's
// back-propagation, without recomputation.
func (ws *Workspace) ForwardBackward(out, x, t []float64, b int, grad LossGrad, dX []float64) error {
	if err := ws.check(b, x, t, out, dX); err != nil {
		return err
	}
	if grad == nil {
		return errors.New("egnn: nil LossGrad")
	}
	if b == 0 {
		return nil
	}
	if ws.p32 != nil {
		forwardBackwardBatch(ws, ws.p32, out, x, t, b, grad, dX)
	} else {
		forwardBackwardBatch(ws, ws.p64, out, x, t, b, grad, dX)
	}
	return nil
}

func forwardBackwardBatch[T flt](ws *Workspace, pr *prec[T], out, x, t []float64, b int, grad LossGrad, dX []float64) {
	pr.refresh(ws.m, ws.pool)
	ps := ws.m.ps
	d := ws.m.cfg.Dim()
	nch, cpc, ng := pr.split(b)
	for len(pr.gg) < ng {
		pr.gg = append(pr.gg, make([]T, ps.Len()))
	}
	ws.pool.For(ng, 1, func(w, glo, ghi int) {
		c := pr.scr[w]
		for g := glo; g < ghi; g++ {
			gb := pr.gg[g]
			clear(gb)
			for k := g * nch / ng; k < (g+1)*nch/ng; k++ {
				c0 := k * cpc
				nc := min(cpc, b-c0)
				forwardChunk(ws, pr, c, nc, x[c0*d:], t[c0:], true)
				if out != nil {
					copy(out[c0*d:(c0+nc)*d], c.outF[:nc*d])
				}
				grad(c0, c0+nc, c.outF[:nc*d], c.dOutF[:nc*d])
				cvt(c.dOut, c.dOutF[:nc*d])
				var dx []float64
				if dX != nil {
					dx = dX[c0*d : (c0+nc)*d]
				}
				backwardChunk(ws, pr, c, nc, t[c0:], gb, dx)
			}
		}
	})
	// Reduce the groups in order, in parallel over parameter ranges.
	np := ps.Len()
	// Blocks of 1024 stay in L1 while every group is added (in group
	// order, as before).
	ws.pool.For(np, 1<<14, func(_, lo, hi int) {
		for b0 := lo; b0 < hi; b0 += 1024 {
			dst := ps.Grad[b0:min(b0+1024, hi)]
			for g := 0; g < ng; g++ {
				pr.accum(dst, pr.gg[g][b0:b0+len(dst)])
			}
		}
	})
}

// JVP writes the scores into out (when not nil) and the input-Jacobian
// products jv_k = (∂s/∂x)(t_k, x_k)·v_k into jv (both b·N·D), for tangents
// v (b·N·D). It costs about two forward passes.
func (ws *Workspace) JVP(out, jv, x, t, v []float64, b int) error {
	if err := ws.check(b, x, t, out, jv, v); err != nil {
		return err
	}
	if jv == nil || v == nil {
		return errors.New("egnn: nil jv or v")
	}
	pr := ws.f64()
	pr.refresh(ws.m, ws.pool)
	d := ws.m.cfg.Dim()
	nch := (b + pr.cpc - 1) / pr.cpc
	ws.pool.For(nch, 1, func(w, lo, hi int) {
		c := pr.scr[w]
		for k := lo; k < hi; k++ {
			c0 := k * pr.cpc
			nc := min(pr.cpc, b-c0)
			forwardChunk(ws, pr, c, nc, x[c0*d:], t[c0:], true)
			if out != nil {
				copy(out[c0*d:(c0+nc)*d], c.outF[:nc*d])
			}
			tangentChunk(ws, pr, c, nc, v[c0*d:(c0+nc)*d], jv[c0*d:(c0+nc)*d])
		}
	})
	return nil
}

// Divergence writes the scores into out (when not nil) and the exact
// divergence ∇·s = Σ_k ∂s_k/∂x_k of each configuration into div (b). It does
// one forward pass and N·D tangent passes (one per coordinate) per chunk.
func (ws *Workspace) Divergence(out, div, x, t []float64, b int) error {
	if err := ws.check(b, x, t, out); err != nil {
		return err
	}
	if len(div) < b {
		return fmt.Errorf("egnn: len(div) = %d < b = %d", len(div), b)
	}
	pr := ws.f64()
	pr.refresh(ws.m, ws.pool)
	d := ws.m.cfg.Dim()
	nch := (b + pr.cpc - 1) / pr.cpc
	ws.pool.For(nch, 1, func(w, lo, hi int) {
		c := pr.scr[w]
		for k := lo; k < hi; k++ {
			c0 := k * pr.cpc
			nc := min(pr.cpc, b-c0)
			forwardChunk(ws, pr, c, nc, x[c0*d:], t[c0:], true)
			if out != nil {
				copy(out[c0*d:(c0+nc)*d], c.outF[:nc*d])
			}
			v, jv := c.tv[:nc*d], c.tjv[:nc*d]
			clear(div[c0 : c0+nc])
			for q := 0; q < d; q++ {
				clear(v)
				for cc := 0; cc < nc; cc++ {
					v[cc*d+q] = 1
				}
				tangentChunk(ws, pr, c, nc, v, jv)
				for cc := 0; cc < nc; cc++ {
					div[c0+cc] += jv[cc*d+q]
				}
			}
		}
	})
	return nil
}

// addInto is dst[i] += float64(src[i]).
func addInto[T flt](dst []float64, src []T) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += float64(v)
	}
}
