package egnn

// Coordinate update stage:
//
//	φ_ij = tanh(w_xᵀSiLU(W_x·m'_ij + b_x)),  xᵢ ← xᵢ + c·Σ_j ê_ij·φ_ij
//
// with ê_ij = (xᵢ − xⱼ)/(√(r_ij + 10⁻⁸) + 1); the displacement is also
// accumulated in c.disp. Kernels: asm.SiLUDotF32 and CoordBackF32 in
// float32, dotRowsGo and coordBackGo in float64; the per-edge geometry is
// plain Go in both.

import (
	"math"

	"github.com/idem-project/idem/engine/param"
)

// coordForward computes z3 = W_x·m' + b_x, s3 = SiLU(z3), g3 = σ(z3), φ and
// x^ℓ⁺¹.
func coordForward[T flt](lp *layerPass[T]) {
	c, gm, lw := lp.c, lp.gm, lp.lw
	NN, E, F, D := lp.NN, lp.E, lp.F, lp.D
	fillRows(c.tC, E, F, lw.bx)
	gm.fwd(E, lp.mp, F, &lw.x, c.tC, F)
	wo := lw.wo[:F]
	xl, xn := lp.xl, lp.xn
	copy(xn, xl)
	disp := c.disp[:NN*D]
	if lp.l == 0 {
		clear(disp)
	}
	// φ's pre-activation w_xᵀSiLU(z3) → phi
	s3, g3, phi := lp.s3[:E*F], lp.g3[:E*F], lp.phi[:E]
	if gm.siluDot != nil {
		gm.siluDot(s3, g3, phi, c.tC[:E*F], wo, F)
	} else {
		gm.silu(s3, g3, c.tC[:E*F])
		dotRowsGo(phi, s3, wo, F)
	}
	// φ = tanh(·) and the x update
	rr, cr := lp.rr, lp.cr
	for p := 0; p < NN; p++ {
		xi := xl[p*D : p*D+D]
		xo := xn[p*D : p*D+D]
		dp := disp[p*D : p*D+D]
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			q := int(c.snd[e])
			ph := T(math.Tanh(float64(phi[e])))
			phi[e] = ph
			xj := xl[q*D : q*D+D]
			sc := cr * ph / T(math.Sqrt(float64(rr[e])+1e-8)+1)
			for k := range xo {
				u := (xi[k] - xj[k]) * sc
				xo[k] += u
				dp[k] += u
			}
		}
	}
}

// dotRowsGo writes d_e = wᵀs_e for the len(d) rows s_e of s: the
// projection of asm.SiLUDotF32.
func dotRowsGo[T flt](d, s, w []T, F int) {
	for e := range d {
		sr := s[e*F : e*F+F]
		w := w[:len(sr)]
		var sum T
		for f, v := range sr {
			sum += w[f] * v
		}
		d[e] = sum
	}
}

// coordBackward back-propagates ∂x^ℓ⁺¹ (rebuilt as c.dxn = P·dOut + c.dx)
// through the coordinate update: ∂/∂(xᵢ−xⱼ) through ê into c.dd, ∂z3 into
// c.tC, and ∂w_x, ∂b_x, ∂W_x. (∂m' = ∂z3·W_x is formed by
// attentionBackward, after the aggregate's share.)
func coordBackward[T flt](lp *layerPass[T], ps *param.Set, gb []T) {
	c, gm, lw := lp.c, lp.gm, lp.lw
	li := lw.idx
	NN, E, F, D := lp.NN, lp.E, lp.F, lp.D
	gL, dxo, dxn := c.dOut[:NN*D], c.dx[:NN*D], c.dxn[:NN*D]
	for k, v := range gL {
		dxn[k] = v + dxo[k]
	}
	// geometry: ∂(xᵢ−xⱼ) → dd, ∂ of φ's pre-activation → dpre
	xl, rr, phi, cr := lp.xl, lp.rr, lp.phi, lp.cr
	dpre := c.ce[:E]
	for p := 0; p < NN; p++ {
		xi := xl[p*D : p*D+D]
		dn := dxn[p*D : p*D+D]
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			qn := int(c.snd[e])
			xj := xl[qn*D : qn*D+D]
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
			dpre[e] = dphi * (1 - ph*ph)
		}
	}
	gwo, gbx := gradView(ps, gb, li.xo), gradView(ps, gb, li.xb)
	s3, g3, wo := lp.s3[:E*F], lp.g3[:E*F], lw.wo[:F]
	if gm.coordBack != nil {
		gm.coordBack(c.tC[:E*F], gwo, gbx, s3, g3, dpre, wo, F)
	} else {
		coordBackGo(c.tC[:E*F], gwo, gbx, s3, g3, dpre, wo, F)
	}
	gm.bwdW(E, c.tC, F, lp.mp, F, &lw.x, gradView(ps, gb, li.xw))
}

// coordBackGo is the plain-Go asm.CoordBackF32: for every edge e with
// dpre = c_e, gw += dpre·s_e, dz_e = dpre·w·SiLU'(z_e), gb += dz_e.
func coordBackGo[T flt](dz, gw, gb, s, g, c, w []T, F int) {
	for e, dpre := range c {
		sr := s[e*F : e*F+F]
		gr := g[e*F : e*F+F]
		dzr := dz[e*F : e*F+F]
		// reslice to one length so that the loop has no bounds checks
		gr, dzr, gw, gb, w := gr[:len(sr)], dzr[:len(sr)], gw[:len(sr)], gb[:len(sr)], w[:len(sr)]
		for f := range sr {
			s, g := sr[f], gr[f]
			gw[f] += dpre * s
			v := dpre * w[f] * silups(s, g)
			dzr[f] = v
			gb[f] += v
		}
	}
}

// coordTangent writes ẋ^ℓ⁺¹ into lp.txn from ṁ' (c.tC) and ẋ^ℓ (lp.tx),
// through ż3 = W_x·ṁ' (c.tB).
func coordTangent(lp *layerPass[float64]) {
	c, lw := lp.c, lp.lw
	NN, E, F, D := lp.NN, lp.E, lp.F, lp.D
	clear(c.tB[:E*F])
	lp.gm.fwd(E, c.tC, F, &lw.x, c.tB, F)
	wo := lw.wo[:F]
	xl, tx, txn := lp.xl, lp.tx, lp.txn
	s3, g3, phi, rr, cr := lp.s3, lp.g3, lp.phi, lp.rr, lp.cr
	copy(txn, tx)
	for p := 0; p < NN; p++ {
		lo, hi := c.edges(p)
		for e := lo; e < hi; e++ {
			q := int(c.snd[e])
			sr, gr := s3[e*F:e*F+F], g3[e*F:e*F+F]
			dz := c.tB[e*F : e*F+F]
			s := 0.0
			for f := range dz {
				s += wo[f] * dz[f] * silups(sr[f], gr[f])
			}
			ph := phi[e]
			dphi := (1 - ph*ph) * s
			qq := math.Sqrt(rr[e] + 1e-8)
			nrm := qq + 1
			dd := 0.0
			for k := 0; k < D; k++ {
				dd += (xl[p*D+k] - xl[q*D+k]) * (tx[p*D+k] - tx[q*D+k])
			}
			cq := dd / (nrm * nrm * qq)
			for k := 0; k < D; k++ {
				diff := xl[p*D+k] - xl[q*D+k]
				ddiff := tx[p*D+k] - tx[q*D+k]
				de := ddiff/nrm - diff*cq
				txn[p*D+k] += cr * (de*ph + diff/nrm*dphi)
			}
		}
	}
}
