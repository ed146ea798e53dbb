package egnn

import "math"

// silup is SiLU'(z) given g = σ(z).
func silup[T flt](z, g T) T { return g * (1 + z*(1-g)) }

// silups is SiLU'(z) given s = SiLU(z) and g = σ(z).
func silups[T flt](s, g T) T { return g + s*(1-g) }

// backwardChunk back-propagates c.dOut through the activations kept by
// forwardChunk(…, keep=true), adding parameter gradients into gb (laid out
// like Params().Grad) and, when dX is not nil, writing ∂ℓ/∂x into it.
func backwardChunk[T flt](ws *Workspace, pr *prec[T], c *chunk[T], nc int, t []float64, gb []T, dX []float64) {
	cfg := ws.m.cfg
	N, D, F, L := cfg.N, cfg.D, cfg.Hidden, cfg.Layers
	n1 := N - 1
	NN := nc * N
	E := NN * n1
	F2 := 2 * F
	cr := T(cfg.CoordsRange / float64(L))
	ps := ws.m.ps
	gm := &pr.gm
	gv := func(i int) []T {
		tt := &ps.Tensors[i]
		return gb[tt.Offset : tt.Offset+tt.Size]
	}

	// ∂/∂x^L = gL = P·dOut. Since x^ℓ⁺¹ = x^ℓ + u_ℓ, ∂/∂x^ℓ = gL + δ^ℓ
	// where δ^ℓ collects the layers' contributions; δ is accumulated on its
	// own (dxo) and the full gradient (dxn) rebuilt per layer, so that
	// ∂/∂x⁰ − P·dOut = δ⁰ needs no cancelling subtraction (which would
	// lose digits in float32).
	gL := c.dOut[:NN*D]
	for b := 0; b < nc; b++ {
		centre(gL[b*N*D:(b+1)*N*D], N, D)
	}
	dxn := c.dxn[:NN*D]
	dxo := c.dx[:NN*D]
	clear(dxo)
	dh := c.dh[:NN*F]
	clear(dh)
	if dX != nil {
		clear(c.da[:E])
	}
	for l := L - 1; l >= 0; l-- {
		lw := &pr.lw[l]
		li := lw.idx
		xl := c.xs[l][:NN*D]
		hcl := c.hc[l]
		s1, g1, s2, g2, s3, g3 := c.s1[l], c.g1[l], c.s2[l], c.g2[l], c.s3[l], c.g3[l]
		att, phi, rr := c.att[l], c.phi[l], c.r[l]
		last := l == L-1
		dhc := c.dhc[:NN*F2]

		if !last {
			// node update h' = h + W_h2·SiLU(z4) + b_h2, z4 = W_h1[h; agg] + b_h1
			gbh2 := gv(li.h2b)
			if gm.colSum != nil {
				gm.colSum(gbh2, dh, NN, F, F)
			}
			for p := 0; p < NN && gm.colSum == nil; p++ {
				row := dh[p*F : p*F+F]
				for f, v := range row {
					gbh2[f] += v
				}
			}
			gm.bwdW(NN, dh, F, c.s4[l], F, &lw.h2, gv(li.h2w))
			dz4 := c.dz4[:NN*F]
			clear(dz4)
			gm.bwdIn(NN, dh, F, &lw.h2, dz4, F)
			z4, g4 := c.z4[l], c.g4[l]
			gbh1 := gv(li.h1b)
			if gm.siluBack != nil {
				gm.siluBack(dz4, gbh1, c.s4[l][:NN*F], g4[:NN*F], F)
			}
			for p := 0; p < NN && gm.siluBack == nil; p++ {
				for f := 0; f < F; f++ {
					k := p*F + f
					v := dz4[k] * silup(z4[k], g4[k])
					dz4[k] = v
					gbh1[f] += v
				}
			}
			gm.bwdW(NN, dz4, F, hcl, F2, &lw.h1, gv(li.h1w))
			clear(dhc)
			gm.bwdIn(NN, dz4, F, &lw.h1, dhc, F2)
			for p := 0; p < NN; p++ {
				row := dh[p*F : p*F+F]
				for f := range row {
					row[f] += dhc[p*F2+f]
				}
			}
		}

		// edge pass B1: through the coordinate update to dz3 (→ tC) and
		// ∂/∂(xᵢ−xⱼ) from ê (→ dd)
		for k, v := range gL {
			dxn[k] = v + dxo[k]
		}
		gwo, gbx := gv(li.xo), gv(li.xb)
		wo := lw.wo[:F]
		for p := 0; p < NN; p++ {
			base := p - p%N
			i := p - base
			xi := xl[p*D : p*D+D]
			dn := dxn[p*D : p*D+D]
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				e := p*n1 + j
				if j > i {
					e--
				}
				xj := xl[(base+j)*D : (base+j)*D+D]
				q := T(math.Sqrt(float64(rr[e]) + 1e-8))
				nrm := q + 1
				ph := phi[e]
				var ed T
				for k, v := range xi {
					ed += (v - xj[k]) * dn[k]
				}
				dphi := cr * ed / nrm
				cd := cr * ph / nrm
				cq := cr * ph * ed / (nrm * nrm * q)
				dd := c.dd[e*D : e*D+D]
				for k, v := range xi {
					dd[k] = cd*dn[k] - (v-xj[k])*cq
				}
				dpre := dphi * (1 - ph*ph)
				if gm.coordBack != nil {
					c.ce[e] = dpre
					continue
				}
				sr := s3[e*F : e*F+F]
				gr := g3[e*F : e*F+F]
				dz := c.tC[e*F : e*F+F]
				// reslice to one length so that the loop has no bounds checks
				gr, dz, gwo, gbx, wo := gr[:len(sr)], dz[:len(sr)], gwo[:len(sr)], gbx[:len(sr)], wo[:len(sr)]
				for f := range sr {
					s, g := sr[f], gr[f]
					gwo[f] += dpre * s
					v := dpre * wo[f] * silups(s, g)
					dz[f] = v
					gbx[f] += v
				}
			}
		}
		if gm.coordBack != nil {
			gm.coordBack(c.tC[:E*F], gwo, gbx, s3[:E*F], g3[:E*F], c.ce[:E], wo, F)
		}
		gm.bwdW(E, c.tC, F, c.mp[l], F, &lw.x, gv(li.xw))
		// ∂m' = ∂agg_i (broadcast) + dz3·W_x → tB
		if last {
			clear(c.tB[:E*F])
		} else {
			for p := 0; p < NN; p++ {
				src := dhc[p*F2+F : p*F2+F2]
				for e := p * n1; e < (p+1)*n1; e++ {
					copy(c.tB[e*F:e*F+F], src)
				}
			}
		}
		gm.bwdIn(E, c.tC, F, &lw.x, c.tB, F)
		// edge pass B2: attention and SiLU(z2) → dz2 in place in tB
		gwa, gba := gv(li.aw), gv(li.ab)
		wa := lw.wa[:F]
		gb2 := gv(li.m2b)
		if gm.attBack != nil {
			gm.attBack(c.tB[:E*F], c.ce[:E], gwa, gb2, s2[:E*F], g2[:E*F], att[:E], wa, F)
			for _, v := range c.ce[:E] {
				gba[0] += v
			}
		}
		for e := 0; e < E && gm.attBack == nil; e++ {
			sr, gr := s2[e*F:e*F+F], g2[e*F:e*F+F]
			dm := c.tB[e*F : e*F+F]
			sr, gr, gwa, wa, gb2 := sr[:len(dm)], gr[:len(dm)], gwa[:len(dm)], wa[:len(dm)], gb2[:len(dm)]
			av := att[e]
			var datt T
			for f, v := range dm {
				datt += v * sr[f]
			}
			dpa := datt * av * (1 - av)
			gba[0] += dpa
			for f := range dm {
				s, g := sr[f], gr[f]
				gwa[f] += dpa * s
				v := (dm[f]*av + dpa*wa[f]) * silups(s, g)
				dm[f] = v
				gb2[f] += v
			}
		}
		gm.bwdW(E, c.tB, F, s1, F, &lw.m2, gv(li.m2w))
		clear(c.tC[:E*F])
		gm.bwdIn(E, c.tB, F, &lw.m2, c.tC, F)
		// edge pass B3: dz1, factored first layer, r and a
		dU, dV := c.dU[:NN*F], c.dV[:NN*F]
		clear(dU)
		clear(dV)
		dwr, dwa := c.dwr[:F], c.dwa[:F]
		clear(dwr)
		clear(dwa)
		wr, wat := lw.wr[:F], lw.wat[:F]
		gb1 := gv(li.m1b)
		fused := gm.edgeInBack != nil
		if fused {
			gm.edgeInBack(c.tC[:E*F], dU, dV, dwr, dwa, c.ce[:E], c.ce2[:E], s1[:E*F], g1[:E*F], wr, wat, rr[:E], c.a[:E], c.rcv[:E], c.snd[:E], F)
		}
		for p := 0; p < NN; p++ {
			base := p - p%N
			i := p - base
			xi := xl[p*D : p*D+D]
			du := dU[p*F : p*F+F]
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				e := p*n1 + j
				if j > i {
					e--
				}
				qn := base + j
				dv := dV[qn*F : qn*F+F]
				sr, gr := s1[e*F:e*F+F], g1[e*F:e*F+F]
				dz := c.tC[e*F : e*F+F]
				sr, gr, dwr, dwa, wr, wat, du, dv := sr[:len(dz)], gr[:len(dz)], dwr[:len(dz)], dwa[:len(dz)], wr[:len(dz)], wat[:len(dz)], du[:len(dz)], dv[:len(dz)]
				r, ae := rr[e], c.a[e]
				var dr, dae T
				if fused {
					dr, dae = c.ce[e], c.ce2[e]
					dz = dz[:0]
				}
				for f := range dz {
					v := dz[f] * silups(sr[f], gr[f])
					dwr[f] += v * r
					dwa[f] += v * ae
					dr += wr[f] * v
					dae += wat[f] * v
					du[f] += v
					dv[f] += v
				}
				if dX != nil {
					c.da[e] += dae
				}
				xj := xl[qn*D : qn*D+D]
				dd := c.dd[e*D : e*D+D]
				for k, v := range xi {
					g := dd[k] + 2*(v-xj[k])*dr
					dxo[p*D+k] += g
					dxo[qn*D+k] -= g
				}
			}
		}
		// ∂b_m1 = Σ_e dz1_e = Σ_p dU_p
		if gm.colSum != nil {
			gm.colSum(gb1, dU, NN, F, F)
		}
		for p := 0; p < NN && gm.colSum == nil; p++ {
			for f, v := range dU[p*F : p*F+F] {
				gb1[f] += v
			}
		}
		gw1 := gv(li.m1w)
		for f := 0; f < F; f++ {
			gw1[f*(F2+2)+F2] += dwr[f]
			gw1[f*(F2+2)+F2+1] += dwa[f]
		}
		gm.bwdW(NN, dU, F, hcl, F2, &lw.m1a, gw1)
		gm.bwdW(NN, dV, F, hcl, F2, &lw.m1b, gw1[F:])
		if l > 0 {
			gm.bwdIn(NN, dU, F, &lw.m1a, dh, F)
			gm.bwdIn(NN, dV, F, &lw.m1b, dh, F)
			continue
		}
		// Layer 0: ∂h⁰ only feeds the time embedding h⁰ = W_e·t + b_e, so
		// instead of the products dU·W_m1a and dV·W_m1b (two node GEMMs)
		// reduce over nodes first: Σ_p t_p·dU_p and Σ_p dU_p (and dV),
		// then one vector-matrix product each.
		sums := c.t4[:4*F]
		clear(sums)
		su, sv, ou, ov := sums[:F], sums[F:2*F], sums[2*F:3*F], sums[3*F:]
		for p := 0; p < NN; p++ {
			tb := T(t[p/N])
			du, dv := dU[p*F:p*F+F], dV[p*F:p*F+F]
			du, dv = du[:len(su)], dv[:len(su)]
			for f := range su {
				su[f] += tb * du[f]
				sv[f] += tb * dv[f]
				ou[f] += du[f]
				ov[f] += dv[f]
			}
		}
		gwe, gbe := gv(ws.m.ew), gv(ws.m.eb)
		for o := 0; o < F; o++ {
			wa, wb := lw.m1a.w[o*lw.m1a.ldw:o*lw.m1a.ldw+F], lw.m1b.w[o*lw.m1b.ldw:o*lw.m1b.ldw+F]
			wa, wb, gwe, gbe := wa[:F], wb[:F], gwe[:F], gbe[:F]
			for k := range wa {
				gwe[k] += su[o]*wa[k] + sv[o]*wb[k]
				gbe[k] += ou[o]*wa[k] + ov[o]*wb[k]
			}
		}
	}
	// time embedding h⁰ = W_e·t + b_e (the rest of ∂h⁰; layer 0's first
	// edge layer was added above)
	gwe, gbe := gv(ws.m.ew), gv(ws.m.eb)
	for p := 0; p < NN; p++ {
		tb := T(t[p/N])
		for f, v := range dh[p*F : p*F+F] {
			gwe[f] += v * tb
			gbe[f] += v
		}
	}
	if dX == nil {
		return
	}
	// ∂/∂x⁰ = (through the layers) − P·dOut + (through a_ij) = δ⁰ + …
	x0 := c.xs[0][:NN*D]
	cvt(dX, dxo)
	for p := 0; p < NN; p++ {
		base := p - p%N
		i := p - base
		xi := x0[p*D : p*D+D]
		for j := 0; j < N; j++ {
			if j == i {
				continue
			}
			e := p*n1 + j
			if j > i {
				e--
			}
			qn := base + j
			xj := x0[qn*D : qn*D+D]
			for k, v := range xi {
				g := float64(2 * (v - xj[k]) * c.da[e])
				dX[p*D+k] += g
				dX[qn*D+k] -= g
			}
		}
	}
}
