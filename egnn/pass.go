package egnn

// The three passes over a chunk: forwardChunk, backwardChunk and
// tangentChunk run the stages of stage_*.go layer by layer (edge input,
// message, attention, coordinate update, node update; time embedding, edge
// attribute and output around them).

// forwardChunk evaluates nc configurations x (nc·N·D), t (nc) into c.out
// and c.outF. With keep, every layer's edge activations are kept for
// backwardChunk or tangentChunk.
func forwardChunk[T flt](ws *Workspace, pr *prec[T], c *chunk[T], nc int, x, t []float64, keep bool) {
	cfg := ws.m.cfg
	NN := nc * cfg.N
	x0 := c.xs[0][:NN*cfg.D]
	cvt(x0, x[:NN*cfg.D])
	embedForward(ws, c, NN, t)
	edgeAttrForward(c, x0, NN*(cfg.N-1), cfg.D)
	for l := 0; l < cfg.Layers; l++ {
		es := 0
		if keep {
			es = l
		}
		lp := c.layerPass(ws, pr, nc, l, es)
		edgeInputForward(&lp)
		messageForward(&lp)
		attentionForward(&lp)
		coordForward(&lp)
		if lp.last {
			break
		}
		nodeForward(&lp)
	}
	outputForward(c, nc, cfg.N, cfg.D)
}

// backwardChunk back-propagates c.dOut through the activations kept by
// forwardChunk(…, keep=true), adding parameter gradients into gb (laid out
// like Params().Grad) and, when dX is not nil, writing ∂ℓ/∂x into it.
//
// ∂/∂x^L = gL = P·dOut. Since x^ℓ⁺¹ = x^ℓ + u_ℓ, ∂/∂x^ℓ = gL + δ^ℓ where δ^ℓ
// collects the layers' contributions; δ is accumulated on its own (c.dx)
// and the full gradient (c.dxn) rebuilt per layer, so that
// ∂/∂x⁰ − P·dOut = δ⁰ needs no cancelling subtraction (which would lose
// digits in float32).
func backwardChunk[T flt](ws *Workspace, pr *prec[T], c *chunk[T], nc int, t []float64, gb []T, dX []float64) {
	cfg := ws.m.cfg
	NN := nc * cfg.N
	E := NN * (cfg.N - 1)
	outputBackward(c, nc, cfg.N, cfg.D)
	clear(c.dx[:NN*cfg.D])
	clear(c.dh[:NN*cfg.Hidden])
	if dX != nil {
		clear(c.da[:E])
	}
	for l := cfg.Layers - 1; l >= 0; l-- {
		lp := c.layerPass(ws, pr, nc, l, l)
		if !lp.last {
			nodeBackward(&lp, ws.m.ps, gb)
		}
		coordBackward(&lp, ws.m.ps, gb)
		attentionBackward(&lp, ws.m.ps, gb)
		messageBackward(&lp, ws.m.ps, gb)
		edgeInputBackward(&lp, ws.m, gb, t, dX != nil)
	}
	embedBackward(ws.m, c, NN, t, gb)
	if dX == nil {
		return
	}
	// ∂/∂x⁰ = (through the layers) − P·dOut + (through a_ij) = δ⁰ + …
	cvt(dX, c.dx[:NN*cfg.D])
	edgeAttrBackward(c, dX, NN, cfg.D)
}

// tangentChunk propagates the input tangent v (nc·N·D) forward through the
// activations kept by forwardChunk(…, keep=true) and writes the output
// tangent (∂s/∂x)·v into jv.
func tangentChunk(ws *Workspace, pr *prec[float64], c *chunk[float64], nc int, v, jv []float64) {
	cfg := ws.m.cfg
	N, D, F2 := cfg.N, cfg.D, 2*cfg.Hidden
	NN := nc * N
	tx, txn := c.tx[:NN*D], c.txn[:NN*D]
	copy(tx, v[:NN*D])
	thc, thc2 := c.thc[:NN*F2], c.thc2[:NN*F2]
	clear(thc) // ḣ⁰ = 0: t carries no tangent
	edgeAttrTangent(c, v, NN, D)
	for l := 0; l < cfg.Layers; l++ {
		lp := c.layerPass(ws, pr, nc, l, l)
		lp.tx, lp.txn, lp.thc, lp.thc2 = tx, txn, thc, thc2
		edgeInputTangent(&lp)
		messageTangent(&lp)
		attentionTangent(&lp)
		coordTangent(&lp)
		tx, txn = txn, tx
		if lp.last {
			break
		}
		nodeTangent(&lp)
		thc, thc2 = thc2, thc
	}
	outputTangent(tx, v, jv, nc, N, D)
}
