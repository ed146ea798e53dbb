package egnn

// Chunk scratch and the graph's edge index: one worker's activations for a
// chunk of configurations, the per-edge receiver and sender of every edge
// (the only place they are computed), and layerPass, the view of one
// layer's weights and activations that the stages (stage_*.go) share.

import "math"

// chunk is one worker's scratch for up to cfgs configurations, in the
// workspace's precision T. Node arrays are row-major [node][feature] with
// node p = config·N + i; edge arrays are [edge][feature] with edge
// e = p·(N−1) + j' for receiver p and sender j (j' = j, or j−1 when j > i),
// so a receiver's edges are contiguous (edges(p)); rcv and snd give each
// edge's receiver and sender node.
type chunk[T flt] struct {
	cfgs int
	n    int       // N: nodes per configuration
	n1   int       // N − 1: edges per receiver
	gm   gemmer[T] // the precision's products, with this worker's scratch

	// edge index (newChunk): edge e goes from node snd[e] to node rcv[e]
	rcv, snd []int32 // E

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
	ce, ce2         []T // E: per-edge scalars handed from a stage's geometry to its kernel (or back)
	t4              []T // 4F: layer-0 node sums

	// tangent
	thc, thc2 []T // NN·2F: [ḣ | Σ_j ṁ_ij]
	tx, txn   []T // NN·D
	tda       []T // E
	tv, tjv   []T // cfgs·N·D (Divergence)
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
	c := &chunk[T]{cfgs: cfgs, n: N, n1: N - 1,
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

// edges returns the edges [lo, hi) that node p receives (in increasing
// sender order; their senders are snd[lo:hi]).
func (c *chunk[T]) edges(p int) (lo, hi int) { return p * c.n1, (p + 1) * c.n1 }

// config returns the configuration (index into the chunk's t) of node p.
func (c *chunk[T]) config(p int) int { return p / c.n }

// layerPass is one layer ℓ of one pass over a chunk of NN nodes and E
// edges: the sizes, the layer's weights, its node and edge activations (as
// kept by the forward pass) and, in a tangent pass, the tangent state. The
// stage functions read and write through it.
type layerPass[T flt] struct {
	c    *chunk[T]
	gm   *gemmer[T]
	lw   *layerW[T]
	l    int
	last bool // ℓ = L − 1: no aggregation, no node update

	D, F, F2, NN, E int
	cr              T // c = CoordsRange/L

	xl, xn                 []T // x^ℓ, x^ℓ⁺¹ (NN·D)
	hcl                    []T // [h^ℓ | Σ_j m'_ij] (full slot)
	s1, g1, s2, g2, s3, g3 []T // edge activations (full slot)
	mp                     []T // m' (full slot)
	att, phi, rr           []T // per-edge scalars (full slot)

	// tangent: ẋ^ℓ, ẋ^ℓ⁺¹ (NN·D) and [ḣ^ℓ | Σ_j ṁ'_ij], [ḣ^ℓ⁺¹ | ·] (NN·2F)
	tx, txn, thc, thc2 []T
}

// layerPass returns layer l's view for nc configurations, with the edge
// activations in slot es (l when kept for a backward or tangent pass, 0
// otherwise).
func (c *chunk[T]) layerPass(ws *Workspace, pr *prec[T], nc, l, es int) layerPass[T] {
	cfg := ws.m.cfg
	N, D, F, L := cfg.N, cfg.D, cfg.Hidden, cfg.Layers
	NN := nc * N
	return layerPass[T]{
		c: c, gm: &c.gm, lw: &pr.lw[l], l: l, last: l == L-1,
		D: D, F: F, F2: 2 * F, NN: NN, E: NN * (N - 1),
		cr: T(cfg.CoordsRange / float64(L)),
		xl: c.xs[l][:NN*D], xn: c.xs[l+1][:NN*D], hcl: c.hc[l],
		s1: c.s1[es], g1: c.g1[es], s2: c.s2[es], g2: c.g2[es], s3: c.s3[es], g3: c.g3[es],
		mp: c.mp[es], att: c.att[es], phi: c.phi[es], rr: c.r[es],
	}
}

// fillRows sets each of rows rows of c (leading dimension ldc) to v.
func fillRows[T flt](c []T, rows, ldc int, v []T) {
	for p := 0; p < rows; p++ {
		copy(c[p*ldc:p*ldc+len(v)], v)
	}
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

func sigm[T flt](z T) T { return T(1 / (1 + math.Exp(-float64(z)))) }

// silup is SiLU'(z) given g = σ(z).
func silup[T flt](z, g T) T { return g * (1 + z*(1-g)) }

// silups is SiLU'(z) given s = SiLU(z) and g = σ(z).
func silups[T flt](s, g T) T { return g + s*(1-g) }
