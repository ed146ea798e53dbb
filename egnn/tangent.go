package egnn

import "math"

// tangentChunk propagates the input tangent v (nc·N·D) forward through the
// activations kept by forwardChunk(…, keep=true) and writes the output
// tangent (∂s/∂x)·v into jv.
func (ws *Workspace) tangentChunk(pr *prec[float64], c *chunk[float64], nc int, v, jv []float64) {
	cfg := ws.m.cfg
	N, D, F, L := cfg.N, cfg.D, cfg.Hidden, cfg.Layers
	n1 := N - 1
	NN := nc * N
	E := NN * n1
	F2 := 2 * F
	cr := cfg.CoordsRange / float64(L)

	tx, txn := c.tx[:NN*D], c.txn[:NN*D]
	copy(tx, v[:NN*D])
	thc, thc2 := c.thc[:NN*F2], c.thc2[:NN*F2]
	clear(thc)
	// ȧ_ij = 2(xᵢ⁰−xⱼ⁰)·(vᵢ−vⱼ)
	x0 := c.xs[0][:NN*D]
	for p := 0; p < NN; p++ {
		base := p - p%N
		i := p - base
		for j := 0; j < N; j++ {
			if j == i {
				continue
			}
			e := p*n1 + j
			if j > i {
				e--
			}
			q := base + j
			s := 0.0
			for k := 0; k < D; k++ {
				s += (x0[p*D+k] - x0[q*D+k]) * (v[p*D+k] - v[q*D+k])
			}
			c.tda[e] = 2 * s
		}
	}
	for l := 0; l < L; l++ {
		lw := &pr.lw[l]
		xl := c.xs[l][:NN*D]
		s1, g1, s2, g2, s3, g3 := c.s1[l], c.g1[l], c.s2[l], c.g2[l], c.s3[l], c.g3[l]
		att, phi, rr := c.att[l], c.phi[l], c.r[l]
		last := l == L-1
		zeroH := l == 0 // ḣ⁰ = 0: t carries no tangent
		if !zeroH {
			clear(c.U[:NN*F])
			clear(c.V[:NN*F])
			pr.gm.fwd(NN, thc, F2, &lw.m1a, c.U, F)
			pr.gm.fwd(NN, thc, F2, &lw.m1b, c.V, F)
		}
		wr, wat := lw.wr[:F], lw.wat[:F]
		// ż1 → ṡ1 in tA
		for p := 0; p < NN; p++ {
			base := p - p%N
			i := p - base
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				e := p*n1 + j
				if j > i {
					e--
				}
				q := base + j
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
		// ż2 = W_m2·ṡ1 → tB; ṁ' → tC
		clear(c.tB[:E*F])
		pr.gm.fwd(E, c.tA, F, &lw.m2, c.tB, F)
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
		if !last {
			for p := 0; p < NN; p++ {
				agg := thc[p*F2+F : p*F2+F2]
				clear(agg)
				for e := p * n1; e < (p+1)*n1; e++ {
					for f, w := range c.tC[e*F : e*F+F] {
						agg[f] += w
					}
				}
			}
		}
		// ż3 = W_x·ṁ' → tB; φ̇ and ẋ
		clear(c.tB[:E*F])
		pr.gm.fwd(E, c.tC, F, &lw.x, c.tB, F)
		wo := lw.wo[:F]
		copy(txn, tx)
		for p := 0; p < NN; p++ {
			base := p - p%N
			i := p - base
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				e := p*n1 + j
				if j > i {
					e--
				}
				q := base + j
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
		tx, txn = txn, tx
		if last {
			break
		}
		// ḣ' = ḣ + W_h2·(SiLU'(z4)·W_h1[ḣ; ȧgg])
		dz4 := c.dz4[:NN*F]
		clear(dz4)
		pr.gm.fwd(NN, thc, F2, &lw.h1, dz4, F)
		z4, g4 := c.z4[l], c.g4[l]
		for k := range dz4 {
			dz4[k] *= silup(z4[k], g4[k])
		}
		for p := 0; p < NN; p++ {
			if zeroH {
				clear(thc2[p*F2 : p*F2+F])
			} else {
				copy(thc2[p*F2:p*F2+F], thc[p*F2:p*F2+F])
			}
		}
		pr.gm.fwd(NN, dz4, F, &lw.h2, thc2, F2)
		thc, thc2 = thc2, thc
	}
	// (∂s/∂x)·v = P(ẋ^L − v)
	for b := 0; b < nc; b++ {
		o := jv[b*N*D : (b+1)*N*D]
		for k := range o {
			o[k] = tx[b*N*D+k] - v[b*N*D+k]
		}
		centre(o, N, D)
	}
}
