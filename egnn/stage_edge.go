package egnn

// Edge stages: the fixed edge attribute a_ij = ‖xᵢ⁰ − xⱼ⁰‖² (edgeAttr*) and
// the edge input, the first edge layer with its activation,
//
//	s1_ij = SiLU(U·hᵢ + V·hⱼ + w_r·r_ij + w_a·a_ij + b_m1),  r_ij = ‖xᵢ − xⱼ‖²
//
// factored so that the products U·h (+ b_m1) and V·h are per node
// (edgeInput*). Kernels: asm.EdgeInputF32 and asm.EdgeInputBackF32 in
// float32, edgeInputGo and edgeInputBackGo in float64.

// edgeLengths writes r_e = ‖x_rcv[e] − x_snd[e]‖² for the len(rr) edges.
func edgeLengths[T flt](rr, x []T, rcv, snd []int32, D int) {
	for e := range rr {
		xi := x[int(rcv[e])*D : int(rcv[e])*D+D]
		xj := x[int(snd[e])*D : int(snd[e])*D+D]
		xj = xj[:len(xi)]
		var r T
		for k, v := range xi {
			dv := v - xj[k]
			r += dv * dv
		}
		rr[e] = r
	}
}

// edgeAttrForward writes the fixed edge attribute a_ij = ‖xᵢ⁰ − xⱼ⁰‖² of
// the E edges into c.a.
func edgeAttrForward[T flt](c *chunk[T], x0 []T, E, D int) {
	edgeLengths(c.a[:E], x0, c.rcv[:E], c.snd[:E], D)
}

// edgeAttrBackward adds ∂ℓ/∂x⁰ through a_ij, ∂a_ij = c.da, into dX.
func edgeAttrBackward[T flt](c *chunk[T], dX []float64, NN, D int) {
	x0 := c.xs[0][:NN*D]
	for p := 0; p < NN; p++ {
		xi := x0[p*D : p*D+D]
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			qn := int(c.snd[e])
			xj := x0[qn*D : qn*D+D]
			for k, v := range xi {
				g := float64(2 * (v - xj[k]) * c.da[e])
				dX[p*D+k] += g
				dX[qn*D+k] -= g
			}
		}
	}
}

// edgeAttrTangent writes ȧ_ij = 2(xᵢ⁰−xⱼ⁰)·(vᵢ−vⱼ) into c.tda.
func edgeAttrTangent(c *chunk[float64], v []float64, NN, D int) {
	x0 := c.xs[0][:NN*D]
	for p := 0; p < NN; p++ {
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			q := int(c.snd[e])
			s := 0.0
			for k := 0; k < D; k++ {
				s += (x0[p*D+k] - x0[q*D+k]) * (v[p*D+k] - v[q*D+k])
			}
			c.tda[e] = 2 * s
		}
	}
}

// edgeInputForward computes U = W_m1a·h + b_m1 and V = W_m1b·h per node,
// r_ij, and s1 = SiLU(z1), g1 = σ(z1) for z1 = U_i + V_j + w_r·r + w_a·a.
func edgeInputForward[T flt](lp *layerPass[T]) {
	c, gm, lw := lp.c, lp.gm, lp.lw
	NN, E, F, F2 := lp.NN, lp.E, lp.F, lp.F2
	fillRows(c.U, NN, F, lw.b1)
	clear(c.V[:NN*F])
	gm.fwd(NN, lp.hcl, F2, &lw.m1a, c.U, F)
	gm.fwd(NN, lp.hcl, F2, &lw.m1b, c.V, F)
	rr := lp.rr[:E]
	edgeLengths(rr, lp.xl, c.rcv[:E], c.snd[:E], lp.D)
	s1, g1 := lp.s1[:E*F], lp.g1[:E*F]
	wr, wat := lw.wr[:F], lw.wat[:F]
	if gm.edgeIn != nil {
		gm.edgeIn(s1, g1, c.U[:NN*F], c.V[:NN*F], wr, wat, rr, c.a[:E], c.rcv[:E], c.snd[:E], F)
		return
	}
	edgeInputGo(c.tA[:E*F], c.U[:NN*F], c.V[:NN*F], wr, wat, rr, c.a[:E], c.rcv[:E], c.snd[:E], F)
	gm.silu(s1, g1, c.tA[:E*F])
}

// edgeInputGo writes z_e = u_rcv[e] + v_snd[e] + wr·r_e + wa·a_e (rows of
// F) for the len(r) edges: asm.EdgeInputF32 before its SiLU.
func edgeInputGo[T flt](z, u, v, wr, wa, r, a []T, rcv, snd []int32, F int) {
	for e := range r {
		p, q := int(rcv[e]), int(snd[e])
		zr := z[e*F : e*F+F]
		up, vq := u[p*F:p*F+F], v[q*F:q*F+F]
		re, ae := r[e], a[e]
		// one length for the loop, so that it has no bounds checks
		up, vq, wr, wa := up[:len(zr)], vq[:len(zr)], wr[:len(zr)], wa[:len(zr)]
		for f := range zr {
			zr[f] = up[f] + vq[f] + wr[f]*re + wa[f]*ae
		}
	}
}

// edgeInputBackward back-propagates ∂s1 (c.tC) through the edge input:
// ∂W_m1 (its U, V, w_r and w_a parts), ∂b_m1, ∂x^ℓ through r (with the
// coordinate update's ∂/∂(xᵢ−xⱼ) in c.dd) into c.dx, ∂a into c.da when
// wantDA, and ∂h^ℓ into c.dh (for ℓ = 0 straight into the time embedding,
// edgeInputBackwardH0).
func edgeInputBackward[T flt](lp *layerPass[T], m *Model, gb []T, t []float64, wantDA bool) {
	c, gm, lw := lp.c, lp.gm, lp.lw
	li := lw.idx
	NN, E, F, F2, D := lp.NN, lp.E, lp.F, lp.F2, lp.D
	dU, dV := c.dU[:NN*F], c.dV[:NN*F]
	clear(dU)
	clear(dV)
	dwr, dwa := c.dwr[:F], c.dwa[:F]
	clear(dwr)
	clear(dwa)
	wr, wat := lw.wr[:F], lw.wat[:F]
	s1, g1 := lp.s1[:E*F], lp.g1[:E*F]
	dr, da := c.ce[:E], c.ce2[:E]
	if gm.edgeInBack != nil {
		gm.edgeInBack(c.tC[:E*F], dU, dV, dwr, dwa, dr, da, s1, g1, wr, wat, lp.rr[:E], c.a[:E], c.rcv[:E], c.snd[:E], F)
	} else {
		edgeInputBackGo(c.tC[:E*F], dU, dV, dwr, dwa, dr, da, s1, g1, wr, wat, lp.rr[:E], c.a[:E], c.rcv[:E], c.snd[:E], F)
	}
	// ∂r and ∂(xᵢ−xⱼ) → ∂x^ℓ (c.dx), ∂a → c.da
	xl, dxo := lp.xl, c.dx[:NN*D]
	for p := 0; p < NN; p++ {
		xi := xl[p*D : p*D+D]
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			qn := int(c.snd[e])
			if wantDA {
				c.da[e] += da[e]
			}
			dre := dr[e]
			xj := xl[qn*D : qn*D+D]
			dd := c.dd[e*D : e*D+D]
			for k, v := range xi {
				g := dd[k] + 2*(v-xj[k])*dre
				dxo[p*D+k] += g
				dxo[qn*D+k] -= g
			}
		}
	}
	// ∂b_m1 = Σ_e dz1_e = Σ_p dU_p
	gm.colSumRows(gradView(m.ps, gb, li.m1b), dU, NN, F, F)
	gw1 := gradView(m.ps, gb, li.m1w)
	for f := 0; f < F; f++ {
		gw1[f*(F2+2)+F2] += dwr[f]
		gw1[f*(F2+2)+F2+1] += dwa[f]
	}
	gm.bwdW(NN, dU, F, lp.hcl, F2, &lw.m1a, gw1)
	gm.bwdW(NN, dV, F, lp.hcl, F2, &lw.m1b, gw1[F:])
	if lp.l > 0 {
		dh := c.dh[:NN*F]
		gm.bwdIn(NN, dU, F, &lw.m1a, dh, F)
		gm.bwdIn(NN, dV, F, &lw.m1b, dh, F)
		return
	}
	edgeInputBackwardH0(lp, m, gb, t)
}

// edgeInputBackGo is the plain-Go asm.EdgeInputBackF32: for every edge e,
// with v = dz_e·SiLU'(z1_e), it adds v·r_e to dwr, v·a_e to dwa, v to
// du_rcv[e] and dv_snd[e], and writes dr_e = wrᵀv and da_e = waᵀv.
func edgeInputBackGo[T flt](dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []T, rcv, snd []int32, F int) {
	for e := range r {
		p, q := int(rcv[e]), int(snd[e])
		dup, dvq := du[p*F:p*F+F], dv[q*F:q*F+F]
		sr, gr := s[e*F:e*F+F], g[e*F:e*F+F]
		dzr := dz[e*F : e*F+F]
		sr, gr, dwr, dwa, wr, wa, dup, dvq := sr[:len(dzr)], gr[:len(dzr)], dwr[:len(dzr)], dwa[:len(dzr)], wr[:len(dzr)], wa[:len(dzr)], dup[:len(dzr)], dvq[:len(dzr)]
		re, ae := r[e], a[e]
		var dre, dae T
		for f := range dzr {
			v := dzr[f] * silups(sr[f], gr[f])
			dwr[f] += v * re
			dwa[f] += v * ae
			dre += wr[f] * v
			dae += wa[f] * v
			dup[f] += v
			dvq[f] += v
		}
		dr[e], da[e] = dre, dae
	}
}

// edgeInputBackwardH0 is layer 0's ∂h⁰ of the edge input: ∂h⁰ only feeds
// the time embedding h⁰ = W_e·t + b_e, so instead of the products dU·W_m1a
// and dV·W_m1b (two node GEMMs) it reduces over nodes first, Σ_p t_p·dU_p
// and Σ_p dU_p (and dV), then does one vector-matrix product each into
// ∂W_e and ∂b_e.
func edgeInputBackwardH0[T flt](lp *layerPass[T], m *Model, gb []T, t []float64) {
	c, lw := lp.c, lp.lw
	NN, F := lp.NN, lp.F
	dU, dV := c.dU[:NN*F], c.dV[:NN*F]
	sums := c.t4[:4*F]
	clear(sums)
	su, sv, ou, ov := sums[:F], sums[F:2*F], sums[2*F:3*F], sums[3*F:]
	for p := 0; p < NN; p++ {
		tb := T(t[c.config(p)])
		du, dv := dU[p*F:p*F+F], dV[p*F:p*F+F]
		du, dv = du[:len(su)], dv[:len(su)]
		for f := range su {
			su[f] += tb * du[f]
			sv[f] += tb * dv[f]
			ou[f] += du[f]
			ov[f] += dv[f]
		}
	}
	gwe, gbe := gradView(m.ps, gb, m.ew), gradView(m.ps, gb, m.eb)
	for o := 0; o < F; o++ {
		wa, wb := lw.m1a.w[o*lw.m1a.ldw:o*lw.m1a.ldw+F], lw.m1b.w[o*lw.m1b.ldw:o*lw.m1b.ldw+F]
		wa, wb, gwe, gbe := wa[:F], wb[:F], gwe[:F], gbe[:F]
		for k := range wa {
			gwe[k] += su[o]*wa[k] + sv[o]*wb[k]
			gbe[k] += ou[o]*wa[k] + ov[o]*wb[k]
		}
	}
}

// edgeInputTangent writes ṡ1 = SiLU'(z1)·ż1 into c.tA, with
// ż1 = U·ḣᵢ + V·ḣⱼ + w_r·ṙ + w_a·ȧ (ḣ⁰ = 0 in layer 0).
func edgeInputTangent(lp *layerPass[float64]) {
	c, lw := lp.c, lp.lw
	NN, F, F2, D := lp.NN, lp.F, lp.F2, lp.D
	zeroH := lp.l == 0 // ḣ⁰ = 0: t carries no tangent
	if !zeroH {
		clear(c.U[:NN*F])
		clear(c.V[:NN*F])
		lp.gm.fwd(NN, lp.thc, F2, &lw.m1a, c.U, F)
		lp.gm.fwd(NN, lp.thc, F2, &lw.m1b, c.V, F)
	}
	wr, wat := lw.wr[:F], lw.wat[:F]
	xl, tx := lp.xl, lp.tx
	s1, g1 := lp.s1, lp.g1
	for p := 0; p < NN; p++ {
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			q := int(c.snd[e])
			dr := 0.0
			for k := 0; k < D; k++ {
				dr += (xl[p*D+k] - xl[q*D+k]) * (tx[p*D+k] - tx[q*D+k])
			}
			dr *= 2
			da := c.tda[e]
			sr, gr := s1[e*F:e*F+F], g1[e*F:e*F+F]
			ds := c.tA[e*F : e*F+F]
			if zeroH {
				for f := range ds {
					ds[f] = (wr[f]*dr + wat[f]*da) * silups(sr[f], gr[f])
				}
			} else {
				up, vq := c.U[p*F:p*F+F], c.V[q*F:q*F+F]
				for f := range ds {
					ds[f] = (up[f] + vq[f] + wr[f]*dr + wat[f]*da) * silups(sr[f], gr[f])
				}
			}
		}
	}
}
