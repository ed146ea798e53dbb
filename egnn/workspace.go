package egnn

import (
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// chunkEdges is the target number of edges per chunk: a chunk's edge block
// of 128-wide rows (about 300 KiB per array) stays in L2 between the
// elementwise passes and the GEMMs that consume it.
const chunkEdges = 300

// maxGroups bounds the number of gradient groups: a batch's chunks are
// split into at most this many contiguous groups, each accumulating its
// parameter gradients into its own buffer (reduced in group order).
const maxGroups = 8

// layerW is one layer's weights as the kernels use them.
type layerW struct {
	idx                layerIdx
	m1a, m1b, m2, x    lin
	h1, h2             lin
	b1, b2, wa, bx, wo []float64
	bh1, bh2           []float64
	ba                 float64
	wr, wat            []float64 // contiguous copies of W_m1's columns 2F (r) and 2F+1 (a)
}

// Workspace evaluates a Model on batches of up to maxBatch configurations.
// It owns every activation buffer, allocated once, so that calls do not
// allocate in steady state. A Workspace is not safe for concurrent use; use
// one per goroutine. Parameters may change between calls.
type Workspace struct {
	m        *Model
	pool     *engine.Pool
	gm       gemmer
	maxBatch int
	cpc      int // configurations per chunk
	lw       []layerW
	scr      []*chunk    // per worker
	gg       [][]float64 // per-group gradient buffers (allocated on first backward)

	// inputs of the last Forward, for Backward
	lastX, lastT []float64
	lastB        int
	lastDOut     []float64
}

// NewWorkspace returns a workspace for batches of at most maxBatch
// configurations, parallelised over pool (nil: a one-worker pool).
func (m *Model) NewWorkspace(maxBatch int, pool *engine.Pool) (*Workspace, error) {
	if maxBatch < 1 {
		return nil, fmt.Errorf("egnn: maxBatch = %d, need at least 1", maxBatch)
	}
	if pool == nil {
		pool = engine.NewPool(1)
	}
	cfg := m.cfg
	N, F := cfg.N, cfg.Hidden
	ws := &Workspace{m: m, pool: pool, maxBatch: maxBatch}
	ws.gm = gemmer{im: m.im, native: m.im.GemmNative()}
	ws.cpc = max(1, min(maxBatch, chunkEdges/(N*(N-1))))
	ps := m.ps
	for _, li := range m.layers {
		nat := ws.gm.native
		w1 := ps.W(li.m1w)
		lw := layerW{idx: li,
			m1a: newLin(w1, 2*F+2, F, F, nat),
			m1b: newLin(w1[F:], 2*F+2, F, F, nat),
			m2:  newLin(ps.W(li.m2w), F, F, F, nat),
			x:   newLin(ps.W(li.xw), F, F, F, nat),
			h1:  newLin(ps.W(li.h1w), 2*F, 2*F, F, nat),
			h2:  newLin(ps.W(li.h2w), F, F, F, nat),
			b1:  ps.W(li.m1b), b2: ps.W(li.m2b), wa: ps.W(li.aw), bx: ps.W(li.xb), wo: ps.W(li.xo),
			bh1: ps.W(li.h1b), bh2: ps.W(li.h2b),
			wr: make([]float64, F), wat: make([]float64, F),
		}
		ws.lw = append(ws.lw, lw)
	}
	for w := 0; w < pool.Workers(); w++ {
		ws.scr = append(ws.scr, newChunk(cfg, ws.cpc))
	}
	d := cfg.Dim()
	ws.lastX = make([]float64, maxBatch*d)
	ws.lastT = make([]float64, maxBatch)
	ws.lastDOut = make([]float64, maxBatch*d)
	return ws, nil
}

// refresh re-reads the parameters into the kernels' layouts.
func (ws *Workspace) refresh() {
	F := ws.m.cfg.Hidden
	for l := range ws.lw {
		lw := &ws.lw[l]
		for _, li := range []*lin{&lw.m1a, &lw.m1b, &lw.m2, &lw.x, &lw.h1, &lw.h2} {
			li.refresh()
		}
		w1 := ws.m.ps.W(lw.idx.m1w)
		for f := 0; f < F; f++ {
			lw.wr[f] = w1[f*(2*F+2)+2*F]
			lw.wat[f] = w1[f*(2*F+2)+2*F+1]
		}
		lw.ba = ws.m.ps.W(lw.idx.ab)[0]
	}
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
	ws.refresh()
	nch := (b + ws.cpc - 1) / ws.cpc
	ws.pool.For(nch, 1, func(w, lo, hi int) {
		c := ws.scr[w]
		for k := lo; k < hi; k++ {
			c0 := k * ws.cpc
			nc := min(ws.cpc, b-c0)
			ws.forwardChunk(c, nc, x[c0*d:], t[c0:], false)
			copy(out[c0*d:(c0+nc)*d], c.out[:nc*d])
		}
	})
	return nil
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
	ws.refresh()
	ps := ws.m.ps
	d := ws.m.cfg.Dim()
	nch := (b + ws.cpc - 1) / ws.cpc
	ng := min(nch, maxGroups)
	for len(ws.gg) < ng {
		ws.gg = append(ws.gg, make([]float64, ps.Len()))
	}
	ws.pool.For(ng, 1, func(w, glo, ghi int) {
		c := ws.scr[w]
		for g := glo; g < ghi; g++ {
			gb := ws.gg[g]
			clear(gb)
			for k := g * nch / ng; k < (g+1)*nch/ng; k++ {
				c0 := k * ws.cpc
				nc := min(ws.cpc, b-c0)
				ws.forwardChunk(c, nc, x[c0*d:], t[c0:], true)
				if out != nil {
					copy(out[c0*d:(c0+nc)*d], c.out[:nc*d])
				}
				grad(c0, c0+nc, c.out[:nc*d], c.dOut[:nc*d])
				var dx []float64
				if dX != nil {
					dx = dX[c0*d : (c0+nc)*d]
				}
				ws.backwardChunk(c, nc, t[c0:], gb, dx)
			}
		}
	})
	// Reduce the groups in order, in parallel over parameter ranges.
	np := ps.Len()
	ws.pool.For(np, 1<<14, func(_, lo, hi int) {
		dst := ps.Grad[lo:hi]
		for g := 0; g < ng; g++ {
			for i, v := range ws.gg[g][lo:hi] {
				dst[i] += v
			}
		}
	})
	return nil
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
	ws.refresh()
	d := ws.m.cfg.Dim()
	nch := (b + ws.cpc - 1) / ws.cpc
	ws.pool.For(nch, 1, func(w, lo, hi int) {
		c := ws.scr[w]
		for k := lo; k < hi; k++ {
			c0 := k * ws.cpc
			nc := min(ws.cpc, b-c0)
			ws.forwardChunk(c, nc, x[c0*d:], t[c0:], true)
			if out != nil {
				copy(out[c0*d:(c0+nc)*d], c.out[:nc*d])
			}
			ws.tangentChunk(c, nc, v[c0*d:(c0+nc)*d], jv[c0*d:(c0+nc)*d])
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
	ws.refresh()
	d := ws.m.cfg.Dim()
	nch := (b + ws.cpc - 1) / ws.cpc
	ws.pool.For(nch, 1, func(w, lo, hi int) {
		c := ws.scr[w]
		for k := lo; k < hi; k++ {
			c0 := k * ws.cpc
			nc := min(ws.cpc, b-c0)
			ws.forwardChunk(c, nc, x[c0*d:], t[c0:], true)
			if out != nil {
				copy(out[c0*d:(c0+nc)*d], c.out[:nc*d])
			}
			v, jv := c.tv[:nc*d], c.tjv[:nc*d]
			clear(div[c0 : c0+nc])
			for q := 0; q < d; q++ {
				clear(v)
				for cc := 0; cc < nc; cc++ {
					v[cc*d+q] = 1
				}
				ws.tangentChunk(c, nc, v, jv)
				for cc := 0; cc < nc; cc++ {
					div[c0+cc] += jv[cc*d+q]
				}
			}
		}
	})
	return nil
}

func sigm(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
