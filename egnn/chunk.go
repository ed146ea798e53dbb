package egnn

import "math"

// chunk is one worker's scratch for up to cfgs configurations. Node arrays
// are row-major [node][feature] with node p = config·N + i; edge arrays are
// [edge][feature] with edge e = p·(N−1) + j' for receiver p and sender j
// (j' = j, or j−1 when j > i), so a receiver's edges are contiguous.
type chunk struct {
	cfgs int
	// per layer ℓ (node arrays, always kept)
	xs [][]float64 // L+1 × NN·D: x^ℓ
	hc [][]float64 // L × NN·2F: [h^ℓ | Σ_j m_ij]
	z4 [][]float64 // L × NN·F (node MLP pre-activation)
	g4 [][]float64 // σ(z4)
	s4 [][]float64 // SiLU(z4)
	// per layer edge arrays (only slot 0 when not kept for backward)
	z1, g1, z2, g2, z3, g3 [][]float64 // E·F
	att, phi, r            [][]float64 // E
	a                      []float64   // E: edge attribute ‖xᵢ⁰−xⱼ⁰‖²
	U, V                   []float64   // NN·F
	tA, tB, tC             []float64   // E·F temporaries
	out, dOut              []float64   // cfgs·N·D

	// backward
	dh, dU, dV, dz4 []float64 // NN·F
	dhc             []float64 // NN·2F
	dx, dxn         []float64 // NN·D
	dd              []float64 // E·D: ∂/∂(xᵢ−xⱼ)
	da              []float64 // E
	dwr, dwa        []float64 // F

	// tangent
	thc, thc2 []float64 // NN·2F: [ḣ | Σ_j ṁ_ij]
	tx, txn   []float64 // NN·D
	tda       []float64 // E
	tv, tjv   []float64 // cfgs·N·D (Divergence)
}

func newChunk(cfg Config, cfgs int) *chunk {
	N, D, F, L := cfg.N, cfg.D, cfg.Hidden, cfg.Layers
	NN := cfgs * N
	E := NN * (N - 1)
	mk := func(k, n int) [][]float64 {
		s := make([][]float64, k)
		for i := range s {
			s[i] = make([]float64, n)
		}
		return s
	}
	c := &chunk{cfgs: cfgs,
		xs: mk(L+1, NN*D), hc: mk(L, NN*2*F), z4: mk(L, NN*F), g4: mk(L, NN*F), s4: mk(L, NN*F),
		z1: mk(L, E*F), g1: mk(L, E*F), z2: mk(L, E*F), g2: mk(L, E*F), z3: mk(L, E*F), g3: mk(L, E*F),
		att: mk(L, E), phi: mk(L, E), r: mk(L, E),
		a: make([]float64, E), U: make([]float64, NN*F), V: make([]float64, NN*F),
		tA: make([]float64, E*F), tB: make([]float64, E*F), tC: make([]float64, E*F),
		out: make([]float64, NN*D), dOut: make([]float64, NN*D),
		dh: make([]float64, NN*F), dU: make([]float64, NN*F), dV: make([]float64, NN*F), dz4: make([]float64, NN*F),
		dhc: make([]float64, NN*2*F), dx: make([]float64, NN*D), dxn: make([]float64, NN*D),
		dd: make([]float64, E*D), da: make([]float64, E), dwr: make([]float64, F), dwa: make([]float64, F),
		thc: make([]float64, NN*2*F), thc2: make([]float64, NN*2*F),
		tx: make([]float64, NN*D), txn: make([]float64, NN*D), tda: make([]float64, E),
		tv: make([]float64, NN*D), tjv: make([]float64, NN*D),
	}
	return c
}

// fillRows sets each of rows rows of c (leading dimension ldc) to v.
func fillRows(c []float64, rows, ldc int, v []float64) {
	for p := 0; p < rows; p++ {
		copy(c[p*ldc:p*ldc+len(v)], v)
	}
}

// forwardChunk evaluates nc configurations x (nc·N·D), t (nc) into c.out.
// With keep, every layer's edge activations are kept for backwardChunk or
// tangentChunk.
func (ws *Workspace) forwardChunk(c *chunk, nc int, x, t []float64, keep bool) {
	cfg := ws.m.cfg
	N, D, F, L := cfg.N, cfg.D, cfg.Hidden, cfg.Layers
	n1 := N - 1
	NN := nc * N
	E := NN * n1
	F2 := 2 * F
	cr := cfg.CoordsRange / float64(L)
	ps := ws.m.ps
	we, be := ps.W(ws.m.ew), ps.W(ws.m.eb)
	im := ws.m.im

	x0 := c.xs[0][:NN*D]
	copy(x0, x[:NN*D])
	h0 := c.hc[0]
	for p := 0; p < NN; p++ {
		tb := t[p/N]
		row := h0[p*F2 : p*F2+F]
		for f := range row {
			row[f] = we[f]*tb + be[f]
		}
	}
	// fixed edge attribute
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
			xj := x0[(base+j)*D : (base+j)*D+D]
			s := 0.0
			for k, v := range xi {
				dv := v - xj[k]
				s += dv * dv
			}
			c.a[e] = s
		}
	}

	for l := 0; l < L; l++ {
		lw := &ws.lw[l]
		es := 0
		if keep {
			es = l
		}
		xl, xn := c.xs[l][:NN*D], c.xs[l+1][:NN*D]
		hcl := c.hc[l]
		z1, g1, z2, g2, z3, g3 := c.z1[es], c.g1[es], c.z2[es], c.g2[es], c.z3[es], c.g3[es]
		att, phi, rr := c.att[es], c.phi[es], c.r[es]
		last := l == L-1

		// U = W_m1a·h + b_m1, V = W_m1b·h (per node)
		fillRows(c.U, NN, F, lw.b1)
		clear(c.V[:NN*F])
		ws.gm.fwd(NN, hcl, F2, &lw.m1a, c.U, F)
		ws.gm.fwd(NN, hcl, F2, &lw.m1b, c.V, F)

		// edge pass 1: z1 = U_i + V_j + w_r·r + w_a·a, s1 = SiLU(z1) → tA
		wr, wat := lw.wr[:F], lw.wat[:F]
		for p := 0; p < NN; p++ {
			base := p - p%N
			i := p - base
			xi := xl[p*D : p*D+D]
			up := c.U[p*F : p*F+F]
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				e := p*n1 + j
				if j > i {
					e--
				}
				q := base + j
				xj := xl[q*D : q*D+D]
				r := 0.0
				for k, v := range xi {
					dv := v - xj[k]
					r += dv * dv
				}
				rr[e] = r
				ae := c.a[e]
				vq := c.V[q*F : q*F+F]
				zr := z1[e*F : e*F+F]
				for f := range zr {
					zr[f] = up[f] + vq[f] + wr[f]*r + wat[f]*ae
				}
			}
		}
		im.SiLU(c.tA[:E*F], g1[:E*F], z1[:E*F])
		// z2 = W_m2·s1 + b_m2
		fillRows(z2, E, F, lw.b2)
		ws.gm.fwd(E, c.tA, F, &lw.m2, z2, F)
		// edge pass 2: m = SiLU(z2), attention, m' → tB; aggregate
		wa := lw.wa[:F]
		im.SiLU(c.tB[:E*F], g2[:E*F], z2[:E*F])
		for e := 0; e < E; e++ {
			mr := c.tB[e*F : e*F+F]
			s := lw.ba
			for f, mv := range mr {
				s += wa[f] * mv
			}
			av := sigm(s)
			att[e] = av
			for f := range mr {
				mr[f] *= av
			}
		}
		if !last {
			for p := 0; p < NN; p++ {
				agg := hcl[p*F2+F : p*F2+F2]
				clear(agg)
				for e := p * n1; e < (p+1)*n1; e++ {
					mr := c.tB[e*F : e*F+F]
					for f := range agg {
						agg[f] += mr[f]
					}
				}
			}
		}
		// z3 = W_x·m' + b_x
		fillRows(z3, E, F, lw.bx)
		ws.gm.fwd(E, c.tB, F, &lw.x, z3, F)
		// edge pass 3: φ = tanh(w_x·SiLU(z3)), x update
		wo := lw.wo[:F]
		copy(xn, xl)
		im.SiLU(c.tC[:E*F], g3[:E*F], z3[:E*F])
		for p := 0; p < NN; p++ {
			base := p - p%N
			i := p - base
			xi := xl[p*D : p*D+D]
			xo := xn[p*D : p*D+D]
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				e := p*n1 + j
				if j > i {
					e--
				}
				s := 0.0
				for f, v := range c.tC[e*F : e*F+F] {
					s += wo[f] * v
				}
				ph := math.Tanh(s)
				phi[e] = ph
				xj := xl[(base+j)*D : (base+j)*D+D]
				sc := cr * ph / (math.Sqrt(rr[e]+1e-8) + 1)
				for k := range xo {
					xo[k] += (xi[k] - xj[k]) * sc
				}
			}
		}
		if last {
			break
		}
		// node update: h' = h + W_h2·SiLU(W_h1[h; agg] + b_h1) + b_h2
		z4, g4, s4 := c.z4[l], c.g4[l], c.s4[l]
		fillRows(z4, NN, F, lw.bh1)
		ws.gm.fwd(NN, hcl, F2, &lw.h1, z4, F)
		im.SiLU(s4[:NN*F], g4[:NN*F], z4[:NN*F])
		hn := c.hc[l+1]
		for p := 0; p < NN; p++ {
			dst := hn[p*F2 : p*F2+F]
			src := hcl[p*F2 : p*F2+F]
			for f := range dst {
				dst[f] = src[f] + lw.bh2[f]
			}
		}
		ws.gm.fwd(NN, s4, F, &lw.h2, hn, F2)
	}
	// s = P(x^L − x⁰)
	xL := c.xs[L][:NN*D]
	for b := 0; b < nc; b++ {
		o := c.out[b*N*D : (b+1)*N*D]
		for k := range o {
			o[k] = xL[b*N*D+k] - x0[b*N*D+k]
		}
		centre(o, N, D)
	}
}

// centre removes the mean over the N particles of v (N·D) in place.
func centre(v []float64, N, D int) {
	for k := 0; k < D; k++ {
		s := 0.0
		for i := 0; i < N; i++ {
			s += v[i*D+k]
		}
		s /= float64(N)
		for i := 0; i < N; i++ {
			v[i*D+k] -= s
		}
	}
}
