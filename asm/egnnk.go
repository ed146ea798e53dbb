package asm

import "math"

// Float32 edge kernels of the EGNN score network (package egnn). Every
// kernel works on row-major blocks of rows of width F (one row per graph
// edge e, or per node p), the layout of egnn's activations, and takes a
// whole chunk of edges per call. Per-edge scalars (r, a, c, att, d, …) are
// one float32 per row. Edge e goes from sender snd[e] to receiver rcv[e];
// node rows are indexed by those values. Native implementations do the
// rows when F is a positive multiple of 8 (one YMM register, or two NEON
// ones) and leave the call to generic otherwise; they compute the same
// elementwise formulas with fused multiply-adds and sum dot products over 8
// lanes (16 in avx512's EdgeInputF32 and SiLUDotF32 when F is a multiple
// of 16; their s and g are the same bits as avx2's) before a fixed
// horizontal reduction, so they differ from generic by
// rounding only (at most a few F·2⁻²⁴ relative to Σ|terms| in dot products
// and sums, and about 1e-6 relative in σ). For fixed inputs, results do not
// depend on alignment or on the caller's thread. None of the outputs may
// alias an input unless stated.
//
// σ'-style derivatives use SiLU'(z) = σ(z) + SiLU(z)·(1 − σ(z)), given the
// stored s = SiLU(z) and g = σ(z).

// egnnF32 is an implementation's set of native EGNN edge kernels; each
// processes every row (F a positive multiple of 8) and returns the number of
// rows done, or returns 0 to leave the call to generic.
type egnnF32 struct {
	edgeIn     func(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int
	siluDot    func(s, g, d, z, w []float32, F int) int
	attScale   func(mp, agg, s, att []float32, n1, F, ldagg int) int
	coordBack  func(dz, gw, gb, s, g, c, w []float32, F int) int
	attBack    func(dm, dpa, gw, gb, s, g, att, w []float32, F int) int
	edgeInBack func(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int
	// accum does whole 8-element blocks of AccumF32 and returns the count.
	accum func(dst []float64, src []float32) int
	// node-level helpers (rows of width F, F a multiple of 8)
	siluBack func(dz, gb, s, g []float32, F int) int
	colSum   func(gb, x []float32, rows, F, ld int) int
}

var egnnF32None = egnnF32{
	edgeIn:    func(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int { return 0 },
	siluDot:   func(s, g, d, z, w []float32, F int) int { return 0 },
	attScale:  func(mp, agg, s, att []float32, n1, F, ldagg int) int { return 0 },
	coordBack: func(dz, gw, gb, s, g, c, w []float32, F int) int { return 0 },
	attBack:   func(dm, dpa, gw, gb, s, g, att, w []float32, F int) int { return 0 },
	edgeInBack: func(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int {
		return 0
	},
	accum:    func(dst []float64, src []float32) int { return 0 },
	siluBack: func(dz, gb, s, g []float32, F int) int { return 0 },
	colSum:   func(gb, x []float32, rows, F, ld int) int { return 0 },
}

const (
	errEgnnWidth = "asm: EGNN kernel with F < 1"
	errEgnnShort = "asm: EGNN kernel with a short slice"
	errEgnnIndex = "asm: EGNN kernel with a node index out of range"
)

func egnnVec(F int, vs ...[]float32) {
	if F < 1 {
		panic(errEgnnWidth)
	}
	for _, v := range vs {
		if len(v) < F {
			panic(errEgnnShort)
		}
	}
}

func egnnRows(n int, vs ...[]float32) {
	for _, v := range vs {
		if len(v) < n {
			panic(errEgnnShort)
		}
	}
}

// egnnIdx checks rcv, snd (E each) against node arrays of nodes rows.
func egnnIdx(E, nodes int, rcv, snd []int32) {
	if len(rcv) < E || len(snd) < E {
		panic(errEgnnShort)
	}
	for e := 0; e < E; e++ {
		if uint32(rcv[e]) >= uint32(nodes) || uint32(snd[e]) >= uint32(nodes) {
			panic(errEgnnIndex)
		}
	}
}

// siluF32Scalar is siluF32Generic for one value.
func siluF32Scalar(z float32) (s, g float32) {
	e := math.Exp(-min(max(float64(z), -87), 87))
	g = float32(1 / (1 + e))
	return z * g, g
}

// EdgeInputF32 is the EGNN's first edge layer with its activation: for
// every edge e < E = len(r) and f < F,
//
//	z = u[rcv[e]·F + f] + v[snd[e]·F + f] + wr[f]·r[e] + wa[f]·a[e],
//	g[e·F + f] = σ(z),   s[e·F + f] = z·σ(z)
//
// (u = W_m1a·h + b, v = W_m1b·h per node, r and a the edge's squared
// distances). u and v hold nodes·F values with every rcv[e], snd[e] <
// nodes; s and g (E·F) may not alias any input. σ as in SiLUF32.
func (im *Impl) EdgeInputF32(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) {
	E := len(r)
	egnnVec(F, wr, wa)
	egnnRows(E, a)
	egnnRows(E*F, s, g)
	nodes := min(len(u), len(v)) / F
	egnnIdx(E, nodes, rcv, snd)
	done := 0
	if F%8 == 0 {
		done = im.egnnF32.edgeIn(s, g, u, v, wr, wa, r[:E], a[:E], rcv[:E], snd[:E], F)
	}
	edgeInF32Generic(done, s, g, u, v, wr, wa, r[:E], a, rcv, snd, F)
}

func edgeInF32Generic(lo int, s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) {
	for e := lo; e < len(r); e++ {
		ur := u[int(rcv[e])*F : int(rcv[e])*F+F]
		vr := v[int(snd[e])*F : int(snd[e])*F+F]
		sr, gr := s[e*F:e*F+F], g[e*F:e*F+F]
		re, ae := r[e], a[e]
		for f := range sr {
			z := ur[f] + vr[f] + wr[f]*re + wa[f]*ae
			sr[f], gr[f] = siluF32Scalar(z)
		}
	}
}

// SiLUDotF32 applies SiLU to rows and projects them on w: for every row
// e < len(d) and f < F,
//
//	g[e·F + f] = σ(z[e·F + f]),   s[e·F + f] = z[e·F + f]·g[e·F + f],
//	d[e] = Σ_f w[f]·s[e·F + f].
//
// z, s, g hold len(d)·F values; outputs may not alias inputs.
func (im *Impl) SiLUDotF32(s, g, d, z, w []float32, F int) {
	E := len(d)
	egnnVec(F, w)
	egnnRows(E*F, s, g, z)
	done := 0
	if F%8 == 0 {
		done = im.egnnF32.siluDot(s, g, d, z, w, F)
	}
	siluDotF32Generic(done, s, g, d, z, w, F)
}

func siluDotF32Generic(lo int, s, g, d, z, w []float32, F int) {
	for e := lo; e < len(d); e++ {
		sr, gr, zr := s[e*F:e*F+F], g[e*F:e*F+F], z[e*F:e*F+F]
		var acc float32
		for f := range sr {
			sr[f], gr[f] = siluF32Scalar(zr[f])
			acc += w[f] * sr[f]
		}
		d[e] = acc
	}
}

// AttScaleF32 scales rows and sums them per receiver: for every row
// e < len(att) and f < F,
//
//	mp[e·F + f] = att[e]·s[e·F + f],
//
// and, when n1 > 0, for every node p < len(att)/n1,
//
//	agg[p·ldagg + f] = Σ_{k<n1} mp[(p·n1 + k)·F + f]   (summed in increasing k),
//
// overwriting agg. With n1 = 0, agg is not used. The results are the same
// bits in every implementation. mp and agg may not alias s or each other.
func (im *Impl) AttScaleF32(mp, agg, s, att []float32, n1, F, ldagg int) {
	E := len(att)
	if F < 1 || n1 < 0 {
		panic(errEgnnWidth)
	}
	egnnRows(E*F, mp, s)
	if n1 > 0 {
		if E%n1 != 0 || ldagg < F {
			panic(errEgnnShort)
		}
		if P := E / n1; P > 0 {
			egnnRows((P-1)*ldagg+F, agg)
		}
	}
	done := 0
	if F%8 == 0 {
		done = im.egnnF32.attScale(mp, agg, s, att, n1, F, ldagg)
	}
	attScaleF32Generic(done, mp, agg, s, att, n1, F, ldagg)
}

func attScaleF32Generic(lo int, mp, agg, s, att []float32, n1, F, ldagg int) {
	for e := lo; e < len(att); e++ {
		a := att[e]
		for f, v := range s[e*F : e*F+F] {
			mp[e*F+f] = a * v
		}
	}
	if n1 == 0 {
		return
	}
	for p := lo / max(n1, 1); p < len(att)/n1; p++ {
		dst := agg[p*ldagg : p*ldagg+F]
		copy(dst, mp[p*n1*F:p*n1*F+F])
		for k := 1; k < n1; k++ {
			src := mp[(p*n1+k)*F : (p*n1+k)*F+F]
			for f := range dst {
				dst[f] += src[f]
			}
		}
	}
}

// CoordBackF32 back-propagates a row-scalar through w and SiLU: for every
// row e < len(c) and f < F, with s, g the stored SiLU(z) and σ(z),
//
//	dz[e·F + f] = c[e]·w[f]·(g + s·(1 − g)),
//	gb[f] += dz[e·F + f],   gw[f] += c[e]·s[e·F + f]
//
// (accumulated row after row). dz may not alias s or g.
func (im *Impl) CoordBackF32(dz, gw, gb, s, g, c, w []float32, F int) {
	E := len(c)
	egnnVec(F, gw, gb, w)
	egnnRows(E*F, dz, s, g)
	done := 0
	if F%8 == 0 {
		done = im.egnnF32.coordBack(dz, gw, gb, s, g, c, w, F)
	}
	coordBackF32Generic(done, dz, gw, gb, s, g, c, w, F)
}

func coordBackF32Generic(lo int, dz, gw, gb, s, g, c, w []float32, F int) {
	for e := lo; e < len(c); e++ {
		ce := c[e]
		sr, gr, dr := s[e*F:e*F+F], g[e*F:e*F+F], dz[e*F:e*F+F]
		for f := range dr {
			sv, gv := sr[f], gr[f]
			v := ce * w[f] * (gv + sv*(1-gv))
			dr[f] = v
			gb[f] += v
			gw[f] += ce * sv
		}
	}
}

// AttBackF32 back-propagates through the attention gate m' = m·att,
// att = σ(wᵀm + b), and m = SiLU(z): for every row e < len(att), with
// dm the incoming ∂m' (overwritten with ∂z), s = SiLU(z), g = σ(z),
//
//	dpa[e] = (Σ_f dm[e·F + f]·s[e·F + f])·att[e]·(1 − att[e]),
//	dm[e·F + f] ← (dm[e·F + f]·att[e] + dpa[e]·w[f])·(g + s·(1 − g)),
//	gw[f] += dpa[e]·s[e·F + f],   gb[f] += dm[e·F + f] (new value).
//
// dm may not alias s or g.
func (im *Impl) AttBackF32(dm, dpa, gw, gb, s, g, att, w []float32, F int) {
	E := len(att)
	egnnVec(F, gw, gb, w)
	egnnRows(E*F, dm, s, g)
	egnnRows(E, dpa)
	done := 0
	if F%8 == 0 {
		done = im.egnnF32.attBack(dm, dpa, gw, gb, s, g, att, w, F)
	}
	attBackF32Generic(done, dm, dpa, gw, gb, s, g, att, w, F)
}

func attBackF32Generic(lo int, dm, dpa, gw, gb, s, g, att, w []float32, F int) {
	for e := lo; e < len(att); e++ {
		sr, gr, dr := s[e*F:e*F+F], g[e*F:e*F+F], dm[e*F:e*F+F]
		av := att[e]
		var datt float32
		for f, v := range dr {
			datt += v * sr[f]
		}
		dp := datt * av * (1 - av)
		dpa[e] = dp
		for f := range dr {
			sv, gv := sr[f], gr[f]
			gw[f] += dp * sv
			v := (dr[f]*av + dp*w[f]) * (gv + sv*(1-gv))
			dr[f] = v
			gb[f] += v
		}
	}
}

// EdgeInputBackF32 back-propagates through EdgeInputF32: for every edge
// e < E = len(r), with dz the incoming ∂s (E·F, read only) and
// v_f = dz[e·F + f]·(g + s·(1 − g)) the gradient of z,
//
//	du[rcv[e]·F + f] += v_f,   dv[snd[e]·F + f] += v_f,
//	dwr[f] += v_f·r[e],        dwa[f] += v_f·a[e],
//	dr[e] = Σ_f wr[f]·v_f,     da[e] = Σ_f wa[f]·v_f,
//
// edges accumulated in increasing e. du and dv (nodes·F) may alias each
// other but no other argument.
func (im *Impl) EdgeInputBackF32(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) {
	E := len(r)
	egnnVec(F, dwr, dwa, wr, wa)
	egnnRows(E, a, dr, da)
	egnnRows(E*F, dz, s, g)
	nodes := min(len(du), len(dv)) / F
	egnnIdx(E, nodes, rcv, snd)
	done := 0
	if F%8 == 0 {
		done = im.egnnF32.edgeInBack(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r[:E], a[:E], rcv[:E], snd[:E], F)
	}
	edgeInBackF32Generic(done, dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r[:E], a, rcv, snd, F)
}

func edgeInBackF32Generic(lo int, dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) {
	for e := lo; e < len(r); e++ {
		sr, gr, zr := s[e*F:e*F+F], g[e*F:e*F+F], dz[e*F:e*F+F]
		ur := du[int(rcv[e])*F : int(rcv[e])*F+F]
		vr := dv[int(snd[e])*F : int(snd[e])*F+F]
		re, ae := r[e], a[e]
		var sr0, sa0 float32
		for f := range zr {
			sv, gv := sr[f], gr[f]
			v := zr[f] * (gv + sv*(1-gv))
			ur[f] += v
			vr[f] += v
			dwr[f] += v * re
			dwa[f] += v * ae
			sr0 += wr[f] * v
			sa0 += wa[f] * v
		}
		dr[e], da[e] = sr0, sa0
	}
}

// AccumF32 adds float32 values into a float64 array: for every i < len(src),
//
//	dst[i] += float64(src[i]).
//
// The conversion is exact and each element gets one rounding, so every
// implementation gives the same bits. dst must be at least len(src) long.
// (egnn reduces its per-group float32 gradients with it.)
func (im *Impl) AccumF32(dst []float64, src []float32) {
	if len(dst) < len(src) {
		panic(errEgnnShort)
	}
	done := im.egnnF32.accum(dst, src)
	accumF32Generic(dst[done:], src[done:])
}

func accumF32Generic(dst []float64, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += float64(v)
	}
}

// SiLUBackF32 back-propagates through SiLU row by row: for every row
// e < len(dz)/F and f < F, with s = SiLU(z) and g = σ(z) stored,
//
//	dz[e·F + f] ← dz[e·F + f]·(g + s·(1 − g)),   gb[f] += dz[e·F + f] (new).
//
// dz may not alias s, g or gb.
func (im *Impl) SiLUBackF32(dz, gb, s, g []float32, F int) {
	egnnVec(F, gb)
	rows := len(dz) / F
	egnnRows(rows*F, s, g)
	done := 0
	if F%8 == 0 {
		done = im.egnnF32.siluBack(dz[:rows*F], gb, s, g, F)
	}
	siluBackF32Generic(done, dz[:rows*F], gb, s, g, F)
}

func siluBackF32Generic(lo int, dz, gb, s, g []float32, F int) {
	for e := lo; e < len(dz)/F; e++ {
		sr, gr, dr := s[e*F:e*F+F], g[e*F:e*F+F], dz[e*F:e*F+F]
		for f := range dr {
			sv, gv := sr[f], gr[f]
			v := dr[f] * (gv + sv*(1-gv))
			dr[f] = v
			gb[f] += v
		}
	}
}

// ColSumF32 adds the rows of x to gb: for f < F,
//
//	gb[f] += x[0·ld + f] + x[1·ld + f] + … + x[(rows−1)·ld + f],
//
// added one row at a time in increasing order, so every implementation
// gives the same bits. x holds (rows−1)·ld + F values (ld ≥ F); gb may not
// alias x.
func (im *Impl) ColSumF32(gb, x []float32, rows, F, ld int) {
	egnnVec(F, gb)
	if rows < 0 || ld < F {
		panic(errEgnnShort)
	}
	if rows == 0 {
		return
	}
	egnnRows((rows-1)*ld+F, x)
	if F%8 == 0 && im.egnnF32.colSum(gb, x, rows, F, ld) > 0 {
		return
	}
	for p := 0; p < rows; p++ {
		row := x[p*ld : p*ld+F]
		for f, v := range row {
			gb[f] += v
		}
	}
}
