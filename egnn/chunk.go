package egnn

import "math"

// chunk is one worker's scratch for up to cfgs configurations, in the
// workspace's precision T. Node arrays are row-major [node][feature] with
// node p = config·N + i; edge arrays are [edge][feature] with edge
// e = p·(N−1) + j' for receiver p and sender j (j' = j, or j−1 when j > i),
// so a receiver's edges are contiguous.
type chunk[T flt] struct {
	cfgs int
	// per layer ℓ (node arrays, always kept)
	xs [][]T // L+1 × NN·D: x^ℓ
	hc [][]T // L × NN·2F: [h^ℓ | Σ_j m_ij]
	z4 [][]T // L × NN·F (node MLP pre-activation)
	g4 [][]T // σ(z4)
	s4 [][]T // SiLU(z4)
	// per layer edge arrays (only slot 0 when not kept for backward)
	// SiLU(z) and σ(z) of the three edge pre-activations (z itself is not
	// kept: z·σ(z) = s and SiLU'(z) = g + s·(1−g))
	s1, g1, s2, g2, s3, g3 [][]T // E·F
	mp                     [][]T // E·F: m' = SiLU(z2)·att (input of W_x)
	att, phi, r            [][]T // E
	a                      []T   // E: edge attribute ‖xᵢ⁰−xⱼ⁰‖²
	U, V                   []T   // NN·F
	tA, tB, tC             []T   // E·F temporaries
	out, dOut              []T   // cfgs·N·D
	disp                   []T   // NN·D: x^ℓ − x⁰, accumulated (no cancellation in float32)
	outF, dOutF            []float64

	// backward
	dh, dU, dV, dz4 []T // NN·F
	dhc             []T // NN·2F
	dx, dxn         []T // NN·D
	dd              []T // E·D: ∂/∂(xᵢ−xⱼ)
	da              []T // E
	dwr, dwa        []T // F

	// tangent
	thc, thc2 []T // NN·2F: [ḣ | Σ_j ṁ_ij]
	tx, txn   []T // NN·D
	tda       []T // E
	tv, tjv   []T // cfgs·N·D (Divergence)

	// float32 kernels (asm EGNN edge kernels)
	rcv, snd []int32 // E: receiver p and sender node of edge e
	ce, ce2  []T     // E: per-edge scalars
	t4       []T     // 4F: layer-0 node sums (backward)
}

func newChunk[T flt](cfg Config, cfgs int) *chunk[T] {
	N, D, F, L := cfg.N, cfg.D, cfg.Hidden, cfg.Layers
	NN := cfgs * N
	E := NN * (N - 1)
	mk := func(k, n int) [][]T {
		s := make([][]T, k)
		for i := range s {
			s[i] = make([]T, n)
		}
		return s
	}
	c := &chunk[T]{cfgs: cfgs,
		xs: mk(L+1, NN*D), hc: mk(L, NN*2*F), z4: mk(L, NN*F), g4: mk(L, NN*F), s4: mk(L, NN*F),
		s1: mk(L, E*F), g1: mk(L, E*F), s2: mk(L, E*F), g2: mk(L, E*F), s3: mk(L, E*F), g3: mk(L, E*F),
		mp:  mk(L, E*F),
		att: mk(L, E), phi: mk(L, E), r: mk(L, E),
		a: make([]T, E), U: make([]T, NN*F), V: make([]T, NN*F),
		tA: make([]T, E*F), tB: make([]T, E*F), tC: make([]T, E*F),
		out: make([]T, NN*D), dOut: make([]T, NN*D), disp: make([]T, NN*D),
		outF: make([]float64, NN*D), dOutF: make([]float64, NN*D),
		dh: make([]T, NN*F), dU: make([]T, NN*F), dV: make([]T, NN*F), dz4: make([]T, NN*F),
		dhc: make([]T, NN*2*F), dx: make([]T, NN*D), dxn: make([]T, NN*D),
		dd: make([]T, E*D), da: make([]T, E), dwr: make([]T, F), dwa: make([]T, F),
		thc: make([]T, NN*2*F), thc2: make([]T, NN*2*F),
		tx: make([]T, NN*D), txn: make([]T, NN*D), tda: make([]T, E),
		tv: make([]T, NN*D), tjv: make([]T, NN*D),
		rcv: make([]int32, E), snd: make([]int32, E), ce: make([]T, E), ce2: make([]T, E), t4: make([]T, 4*F),
	}
	for p := 0; p < NN; p++ {
		base := p - p%N
		i := p - base
		for j := 0; j < N; j++ {
			if j == i {
				continue
			}
			e := p*(N-1) + j
			if j > i {
				e--
			}
			c.rcv[e], c.snd[e] = int32(p), int32(base+j)
		}
	}
	return c
}

// fillRows sets each of rows rows of c (leading dimension ldc) to v.
func fillRows[T flt](c []T, rows, ldc int, v []T) {
	for p := 0; p < rows; p++ {
		copy(c[p*ldc:p*ldc+len(v)], v)
	}
}

// forwardChunk evaluates nc configurations x (nc·N·D), t (nc) into c.out
// and c.outF. With keep, every layer's edge activations are kept for
// backwardChunk or tangentChunk.
func forwardChunk[T flt](ws *Workspace, pr *prec[T], c *chunk[T], nc int, x, t []float64, keep bool) {
	cfg := ws.m.cfg
	N, D, F, L := cfg.N, cfg.D, cfg.Hidden, cfg.Layers
	n1 := N - 1
	NN := nc * N
	E := NN * n1
	F2 := 2 * F
	cr := T(cfg.CoordsRange / float64(L))
	ps := ws.m.ps
	we, be := ps.W(ws.m.ew), ps.W(ws.m.eb)
	gm := &pr.gm

	x0 := c.xs[0][:NN*D]
	cvt(x0, x[:NN*D])
	h0 := c.hc[0]
	for p := 0; p < NN; p++ {
		tb := t[p/N]
		row := h0[p*F2 : p*F2+F]
		for f := range row {
			row[f] = T(we[f]*tb + be[f])
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
			var s T
			for k, v := range xi {
				dv := v - xj[k]
				s += dv * dv
			}
			c.a[e] = s
		}
	}

	for l := 0; l < L; l++ {
		lw := &pr.lw[l]
		es := 0
		if keep {
			es = l
		}
		xl, xn := c.xs[l][:NN*D], c.xs[l+1][:NN*D]
		hcl := c.hc[l]
		s1, g1, s2, g2, s3, g3 := c.s1[es], c.g1[es], c.s2[es], c.g2[es], c.s3[es], c.g3[es]
		att, phi, rr := c.att[es], c.phi[es], c.r[es]
		last := l == L-1

		// U = W_m1a·h + b_m1, V = W_m1b·h (per node)
		fillRows(c.U, NN, F, lw.b1)
		clear(c.V[:NN*F])
		gm.fwd(NN, hcl, F2, &lw.m1a, c.U, F)
		gm.fwd(NN, hcl, F2, &lw.m1b, c.V, F)

		// edge pass 1: z1 = U_i + V_j + w_r·r + w_a·a → tA, s1 = SiLU(z1)
		wr, wat := lw.wr[:F], lw.wat[:F]
		if gm.edgeIn != nil {
			for e := 0; e < E; e++ {
				xi := xl[int(c.rcv[e])*D : int(c.rcv[e])*D+D]
				xj := xl[int(c.snd[e])*D : int(c.snd[e])*D+D]
				xj = xj[:len(xi)]
				var r T
				for k, v := range xi {
					dv := v - xj[k]
					r += dv * dv
				}
				rr[e] = r
			}
			gm.edgeIn(s1[:E*F], g1[:E*F], c.U[:NN*F], c.V[:NN*F], wr, wat, rr[:E], c.a[:E], c.rcv[:E], c.snd[:E], F)
		}
		for p := 0; p < NN && gm.edgeIn == nil; p++ {
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
				var r T
				for k, v := range xi {
					dv := v - xj[k]
					r += dv * dv
				}
				rr[e] = r
				ae := c.a[e]
				vq := c.V[q*F : q*F+F]
				zr := c.tA[e*F : e*F+F]
				// one length for the loop, so that it has no bounds checks
				up, vq, wr, wat := up[:len(zr)], vq[:len(zr)], wr[:len(zr)], wat[:len(zr)]
				for f := range zr {
					zr[f] = up[f] + vq[f] + wr[f]*r + wat[f]*ae
				}
			}
		}
		if gm.edgeIn == nil {
			gm.silu(s1[:E*F], g1[:E*F], c.tA[:E*F])
		}
		// z2 = W_m2·s1 + b_m2 → tC
		fillRows(c.tC, E, F, lw.b2)
		gm.fwd(E, s1, F, &lw.m2, c.tC, F)
		// edge pass 2: m = SiLU(z2), attention, m' → mp; aggregate
		mpl := c.mp[es]
		wa := lw.wa[:F]
		if gm.siluDot != nil {
			// fused: SiLU and wₐᵀm in one pass, then m' and Σ_j m'_ij
			gm.siluDot(s2[:E*F], g2[:E*F], att[:E], c.tC[:E*F], wa, F)
			for e := range att[:E] {
				att[e] = sigm(att[e] + lw.ba)
			}
			n1a := n1
			if last {
				n1a = 0
			}
			gm.attScale(mpl[:E*F], hcl[F:], s2[:E*F], att[:E], n1a, F, F2)
		} else {
			gm.silu(s2[:E*F], g2[:E*F], c.tC[:E*F])
		}
		for e := 0; e < E && gm.siluDot == nil; e++ {
			mr := s2[e*F : e*F+F]
			wa := wa[:len(mr)]
			s := lw.ba
			for f, mv := range mr {
				s += wa[f] * mv
			}
			av := sigm(s)
			att[e] = av
			mp := mpl[e*F : e*F+F]
			mp = mp[:len(mr)]
			for f, mv := range mr {
				mp[f] = mv * av
			}
		}
		if !last && gm.siluDot == nil {
			for p := 0; p < NN; p++ {
				agg := hcl[p*F2+F : p*F2+F2]
				clear(agg)
				for e := p * n1; e < (p+1)*n1; e++ {
					mr := mpl[e*F : e*F+F]
					mr = mr[:len(agg)]
					for f := range agg {
						agg[f] += mr[f]
					}
				}
			}
		}
		// z3 = W_x·m' + b_x → tC
		fillRows(c.tC, E, F, lw.bx)
		gm.fwd(E, mpl, F, &lw.x, c.tC, F)
		// edge pass 3: φ = tanh(w_x·SiLU(z3)), x update
		wo := lw.wo[:F]
		copy(xn, xl)
		disp := c.disp[:NN*D]
		if l == 0 {
			clear(disp)
		}
		pre := gm.siluDot != nil // φ's pre-activation w_xᵀSiLU(z3) in phi
		if pre {
			gm.siluDot(s3[:E*F], g3[:E*F], phi[:E], c.tC[:E*F], wo, F)
		} else {
			gm.silu(s3[:E*F], g3[:E*F], c.tC[:E*F])
		}
		for p := 0; p < NN; p++ {
			base := p - p%N
			i := p - base
			xi := xl[p*D : p*D+D]
			xo := xn[p*D : p*D+D]
			dp := disp[p*D : p*D+D]
			for j := 0; j < N; j++ {
				if j == i {
					continue
				}
				e := p*n1 + j
				if j > i {
					e--
				}
				var s T
				if pre {
					s = phi[e]
				} else {
					sr := s3[e*F : e*F+F]
					wo := wo[:len(sr)]
					for f, v := range sr {
						s += wo[f] * v
					}
				}
				ph := T(math.Tanh(float64(s)))
				phi[e] = ph
				xj := xl[(base+j)*D : (base+j)*D+D]
				sc := cr * ph / T(math.Sqrt(float64(rr[e])+1e-8)+1)
				for k := range xo {
					u := (xi[k] - xj[k]) * sc
					xo[k] += u
					dp[k] += u
				}
			}
		}
		if last {
			break
		}
		// node update: h' = h + W_h2·SiLU(W_h1[h; agg] + b_h1) + b_h2
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
	// s = P(x^L − x⁰), from the accumulated displacement
	copy(c.out[:NN*D], c.disp[:NN*D])
	for b := 0; b < nc; b++ {
		centre(c.out[b*N*D:(b+1)*N*D], N, D)
	}
	cvt(c.outF, c.out[:NN*D])
}

// centre removes the mean over the N particles of v (N·D) in place.
func centre[T flt](v []T, N, D int) {
	for k := 0; k < D; k++ {
		var s T
		for i := 0; i < N; i++ {
			s += v[i*D+k]
		}
		s /= T(N)
		for i := 0; i < N; i++ {
			v[i*D+k] -= s
		}
	}
}
