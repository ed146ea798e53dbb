package egnn

// Node update stage (every layer but the last, whose h the output never
// reads):
//
//	hᵢ ← hᵢ + W_h2·SiLU(W_h1[hᵢ; Σ_j m'_ij] + b_h1) + b_h2
//
// Node-level products throughout; kernels: asm.SiLUBackF32 and ColSumF32
// in float32, siluBackGo and gemmer.colSumRows's loop in float64.

import "github.com/idem-project/idem/engine/param"

// nodeForward computes z4 = W_h1[h; agg] + b_h1, s4 = SiLU(z4), g4 = σ(z4)
// and h^ℓ⁺¹ = h^ℓ + W_h2·s4 + b_h2 (into the h half of c.hc[ℓ+1]).
func nodeForward[T flt](lp *layerPass[T]) {
	c, gm, lw, l := lp.c, lp.gm, lp.lw, lp.l
	NN, F, F2 := lp.NN, lp.F, lp.F2
	hcl := lp.hcl
	z4, g4, s4 := c.z4[l], c.g4[l], c.s4[l]
	fillRows(z4, NN, F, lw.bh1)
	gm.fwd(NN, hcl, F2, &lw.h1, z4, F)
	gm.silu(s4[:NN*F], g4[:NN*F], z4[:NN*F])
	hn := c.hc[l+1]
	for p := 0; p < NN; p++ {
		dst := hn[p*F2 : p*F2+F]
		src := hcl[p*F2 : p*F2+F]
		for f := range dst {
			dst[f] = src[f] + lw.bh2[f]
		}
	}
	gm.fwd(NN, s4, F, &lw.h2, hn, F2)
}

// nodeBackward back-propagates ∂h^ℓ⁺¹ (c.dh) through the node update:
// ∂W_h1, ∂b_h1, ∂W_h2, ∂b_h2, ∂[h; agg] into c.dhc, and c.dh += ∂h (the
// skip connection's share is c.dh itself).
func nodeBackward[T flt](lp *layerPass[T], ps *param.Set, gb []T) {
	c, gm, lw, l := lp.c, lp.gm, lp.lw, lp.l
	li := lw.idx
	NN, F, F2 := lp.NN, lp.F, lp.F2
	dh := c.dh[:NN*F]
	gm.colSumRows(gradView(ps, gb, li.h2b), dh, NN, F, F)
	gm.bwdW(NN, dh, F, c.s4[l], F, &lw.h2, gradView(ps, gb, li.h2w))
	dz4 := c.dz4[:NN*F]
	clear(dz4)
	gm.bwdIn(NN, dh, F, &lw.h2, dz4, F)
	gbh1 := gradView(ps, gb, li.h1b)
	if gm.siluBack != nil {
		gm.siluBack(dz4, gbh1, c.s4[l][:NN*F], c.g4[l][:NN*F], F)
	} else {
		siluBackGo(dz4, gbh1, c.z4[l][:NN*F], c.g4[l][:NN*F], F)
	}
	gm.bwdW(NN, dz4, F, lp.hcl, F2, &lw.h1, gradView(ps, gb, li.h1w))
	dhc := c.dhc[:NN*F2]
	clear(dhc)
	gm.bwdIn(NN, dz4, F, &lw.h1, dhc, F2)
	for p := 0; p < NN; p++ {
		row := dh[p*F : p*F+F]
		for f := range row {
			row[f] += dhc[p*F2+f]
		}
	}
}

// siluBackGo is asm.SiLUBackF32 from z instead of s: for every row of dz
// (len(dz)/F rows), dz ← dz·SiLU'(z) and gb += dz.
func siluBackGo[T flt](dz, gb, z, g []T, F int) {
	for p := 0; p < len(dz)/F; p++ {
		for f := 0; f < F; f++ {
			k := p*F + f
			v := dz[k] * silup(z[k], g[k])
			dz[k] = v
			gb[f] += v
		}
	}
}

// nodeTangent writes [ḣ^ℓ⁺¹ | ·] into lp.thc2: ḣ' = ḣ + W_h2·(SiLU'(z4)·
// W_h1[ḣ; ȧgg]) (ḣ⁰ = 0 in layer 0).
func nodeTangent(lp *layerPass[float64]) {
	c, lw, l := lp.c, lp.lw, lp.l
	NN, F, F2 := lp.NN, lp.F, lp.F2
	thc, thc2 := lp.thc, lp.thc2
	dz4 := c.dz4[:NN*F]
	clear(dz4)
	lp.gm.fwd(NN, thc, F2, &lw.h1, dz4, F)
	z4, g4 := c.z4[l], c.g4[l]
	for k := range dz4 {
		dz4[k] *= silup(z4[k], g4[k])
	}
	for p := 0; p < NN; p++ {
		if l == 0 {
			clear(thc2[p*F2 : p*F2+F])
		} else {
			copy(thc2[p*F2:p*F2+F], thc[p*F2:p*F2+F])
		}
	}
	lp.gm.fwd(NN, dz4, F, &lw.h2, thc2, F2)
}
