package egnn

// Attention stage: m = SiLU(z2), the gate att = σ(w_aᵀm + b_a), m' = m·att
// and, except in the last layer, the aggregate Σ_j m'_ij into the second
// half of [h | Σ_j m'] (the node update's input). Kernels: asm.SiLUDotF32,
// AttScaleF32 and AttBackF32 in float32; attentionGo, aggregateGo and
// attentionBackGo in float64.

import "github.com/idem-project/idem/engine/param"

// attentionForward turns z2 (c.tC) into s2 = SiLU(z2), g2 = σ(z2), att,
// m' and, unless last, Σ_j m'_ij.
func attentionForward[T flt](lp *layerPass[T]) {
	c, gm, lw := lp.c, lp.gm, lp.lw
	E, F, F2 := lp.E, lp.F, lp.F2
	s2, g2, att, mp := lp.s2[:E*F], lp.g2[:E*F], lp.att[:E], lp.mp[:E*F]
	wa := lw.wa[:F]
	if gm.siluDot != nil {
		// fused: SiLU and wₐᵀm in one pass, then m' and Σ_j m'_ij
		gm.siluDot(s2, g2, att, c.tC[:E*F], wa, F)
		for e := range att {
			att[e] = sigm(att[e] + lw.ba)
		}
		n1a := c.n1
		if lp.last {
			n1a = 0
		}
		gm.attScale(mp, lp.hcl[F:], s2, att, n1a, F, F2)
		return
	}
	gm.silu(s2, g2, c.tC[:E*F])
	attentionGo(mp, att, s2, wa, lw.ba, F)
	if !lp.last {
		aggregateGo(lp.hcl, mp, c, lp.NN, F, F2)
	}
}

// attentionGo writes att_e = σ(b_a + waᵀm_e) and m'_e = m_e·att_e for the
// len(att) edges (m in s): asm.SiLUDotF32's projection, the σ and
// AttScaleF32's scaling.
func attentionGo[T flt](mp, att, s, wa []T, ba T, F int) {
	for e := range att {
		mr := s[e*F : e*F+F]
		wa := wa[:len(mr)]
		sum := ba
		for f, mv := range mr {
			sum += wa[f] * mv
		}
		av := sigm(sum)
		att[e] = av
		mpr := mp[e*F : e*F+F]
		mpr = mpr[:len(mr)]
		for f, mv := range mr {
			mpr[f] = mv * av
		}
	}
}

// aggregateGo overwrites the second half of each row of hc (NN rows of
// F2 = 2F) with Σ_j m_ij over the node's edges (rows of m): AttScaleF32's
// sum.
func aggregateGo[T flt](hc, m []T, c *chunk[T], NN, F, F2 int) {
	for p := 0; p < NN; p++ {
		agg := hc[p*F2+F : p*F2+F2]
		clear(agg)
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			mr := m[e*F : e*F+F]
			mr = mr[:len(agg)]
			for f := range agg {
				agg[f] += mr[f]
			}
		}
	}
}

// attentionBackward assembles ∂m' (c.tB) from its two consumers, the
// aggregate (∂Σ_j m'_ij broadcast over the node's edges; none in the last
// layer) and the coordinate update (dz3·W_x, dz3 in c.tC from
// coordBackward), in that order, then back-propagates it through m' and
// SiLU(z2) into ∂z2 (in place in c.tB), adding ∂w_a, ∂b_a and ∂b_m2.
func attentionBackward[T flt](lp *layerPass[T], ps *param.Set, gb []T) {
	c, gm, lw := lp.c, lp.gm, lp.lw
	li := lw.idx
	NN, E, F, F2 := lp.NN, lp.E, lp.F, lp.F2
	if lp.last {
		clear(c.tB[:E*F])
	} else {
		dhc := c.dhc[:NN*F2]
		for p := 0; p < NN; p++ {
			src := dhc[p*F2+F : p*F2+F2]
			lo, hi := c.edges(p)
			for e := lo; e < hi; e++ {
				copy(c.tB[e*F:e*F+F], src)
			}
		}
	}
	gm.bwdIn(E, c.tC, F, &lw.x, c.tB, F)
	gwa, gba := gradView(ps, gb, li.aw), gradView(ps, gb, li.ab)
	gb2 := gradView(ps, gb, li.m2b)
	s2, g2, att := lp.s2[:E*F], lp.g2[:E*F], lp.att[:E]
	wa := lw.wa[:F]
	if gm.attBack != nil {
		gm.attBack(c.tB[:E*F], c.ce[:E], gwa, gb2, s2, g2, att, wa, F)
		for _, v := range c.ce[:E] {
			gba[0] += v
		}
		return
	}
	attentionBackGo(c.tB[:E*F], gwa, gba, gb2, s2, g2, att, wa, F)
}

// attentionBackGo is the plain-Go asm.AttBackF32 with the ∂b_a sum: for
// every edge, dm_e (∂m') becomes ∂z2_e, and ∂w_a, ∂b_a (gba[0]) and ∂b_m2
// (gb) are accumulated.
func attentionBackGo[T flt](dm, gwa, gba, gb, s, g, att, wa []T, F int) {
	for e, av := range att {
		sr, gr := s[e*F:e*F+F], g[e*F:e*F+F]
		dmr := dm[e*F : e*F+F]
		sr, gr, gwa, wa, gb := sr[:len(dmr)], gr[:len(dmr)], gwa[:len(dmr)], wa[:len(dmr)], gb[:len(dmr)]
		var datt T
		for f, v := range dmr {
			datt += v * sr[f]
		}
		dpa := datt * av * (1 - av)
		gba[0] += dpa
		for f := range dmr {
			s, g := sr[f], gr[f]
			gwa[f] += dpa * s
			v := (dmr[f]*av + dpa*wa[f]) * silups(s, g)
			dmr[f] = v
			gb[f] += v
		}
	}
}

// attentionTangent writes ṁ' (c.tC) from ż2 (c.tB, overwritten with ṁ)
// and, unless last, Σ_j ṁ'_ij into the second half of lp.thc.
func attentionTangent(lp *layerPass[float64]) {
	c, lw := lp.c, lp.lw
	E, F := lp.E, lp.F
	s2, g2, att := lp.s2, lp.g2, lp.att
	wa := lw.wa[:F]
	for e := 0; e < E; e++ {
		sr, gr := s2[e*F:e*F+F], g2[e*F:e*F+F]
		dz := c.tB[e*F : e*F+F]
		dmp := c.tC[e*F : e*F+F]
		s := 0.0
		for f := range dz {
			dm := dz[f] * silups(sr[f], gr[f])
			dz[f] = dm
			s += wa[f] * dm
		}
		av := att[e]
		datt := av * (1 - av) * s
		for f := range dmp {
			dmp[f] = dz[f]*av + sr[f]*datt
		}
	}
	if !lp.last {
		aggregateGo(lp.thc, c.tC, c, lp.NN, F, lp.F2)
	}
}
