package egnn

// Dense products and kernel routing: lin (a weight block and its
// transpose), gemmer (the native asm GEMM or gonum's BLAS, or in BFloat16
// asm's SgemmBF16 on rounded operands; the precision's SiLU and, in
// float32, asm's fused EGNN edge kernels) and cvt.

import (
	"github.com/idem-project/idem/asm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// flt is the working precision of a Workspace's activations.
type flt interface{ float32 | float64 }

// cvt converts src into dst element by element (len(dst) ≥ len(src)).
func cvt[D, S flt](dst []D, src []S) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = D(v)
	}
}

// lin is one dense weight block W (out×in, row-major with leading dimension
// ldw, PyTorch layout) and, for a native GEMM, its transpose wt (in×out).
// In float64 w aliases the parameters; in float32 it is a rounded copy of
// src, refreshed from the float64 master parameters.
type lin[T flt] struct {
	w            []T
	ldw, in, out int
	wt           []T
	src          []float64 // float64 master (nil when w aliases it)
	// round, in BFloat16 workspaces, rounds w to bfloat16 on refresh: the
	// weights are rounded once per parameter update, not per product.
	round func(dst, src []T)
	// With the pair GEMM (asm.Impl.GemmBF16Pairs), pack (PackBF16Cols)
	// also packs W and Wᵀ on refresh as the B operands of bwdIn (wp:
	// ⌈out/2⌉×in pairs) and fwd (wtp: ⌈in/2⌉×out).
	pack    func(dst []uint32, src []T, rows, cols, ld int)
	wp, wtp []uint32
	// In BFloat16x3 workspaces residual (asm.Impl.ResidualBF16) splits W
	// on refresh: lo and loT hold bf16(W − bf16(W)) and its transpose, wpL
	// and wtpL their packed pairs (with pack).
	residual  func(dst, src []T)
	lo, loT   []T
	wpL, wtpL []uint32
}

// newLin sets up a weight block for g's products (g.round, g.packCols and
// g.residual say whether and how its copies are rounded, packed and split).
func newLin[T flt](w []float64, ldw, in, out int, native bool, g *gemmer[T]) lin[T] {
	w = w[:(out-1)*ldw+in]
	l := lin[T]{ldw: ldw, in: in, out: out, round: g.round, pack: g.packCols, residual: g.residual}
	if l.pack != nil {
		l.wp = make([]uint32, (out+1)/2*in)
		l.wtp = make([]uint32, (in+1)/2*out)
	}
	if ww, ok := any(w).([]T); ok {
		l.w = ww
	} else {
		l.w = make([]T, len(w))
		l.src = w
	}
	if native {
		l.wt = make([]T, in*out)
	}
	if l.residual != nil {
		l.lo, l.loT = make([]T, len(w)), make([]T, in*out)
		if l.pack != nil {
			l.wpL, l.wtpL = make([]uint32, len(l.wp)), make([]uint32, len(l.wtp))
		}
	}
	return l
}

// transposeInto writes the out×in block of w (leading dimension ldw) into
// wt (in×out).
func (l *lin[T]) transposeInto(wt, w []T) {
	for o := 0; o < l.out; o++ {
		row := w[o*l.ldw : o*l.ldw+l.in]
		for k, v := range row {
			wt[k*l.out+o] = v
		}
	}
}

// refresh re-reads W (and its transpose) after the parameters changed.
func (l *lin[T]) refresh() {
	if l.src != nil {
		cvt(l.w, l.src)
	}
	if l.residual != nil {
		l.residual(l.lo, l.w)
		l.round(l.lo, l.lo)
		l.transposeInto(l.loT, l.lo)
	}
	if l.round != nil {
		l.round(l.w, l.w)
	}
	if l.wt == nil {
		return
	}
	l.transposeInto(l.wt, l.w)
	if l.pack != nil {
		l.pack(l.wp, l.w, l.out, l.in, l.ldw)
		l.pack(l.wtp, l.wt, l.in, l.out, l.out)
		if l.residual != nil {
			l.pack(l.wpL, l.lo, l.out, l.in, l.ldw)
			l.pack(l.wtpL, l.loT, l.in, l.out, l.out)
		}
	}
}

// gemmer routes the three products of a dense layer to the native GEMM of
// the precision (asm.Impl.Gemm or asm.Impl.Sgemm) when there is one, and to
// gonum's blas64 or blas32 otherwise.
type gemmer[T flt] struct {
	// native is the C += A·B kernel (Gemm's conventions), or nil.
	native func(m, n, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int)
	// In BFloat16 workspaces bf16 (asm.Impl.SgemmBF16) replaces native and
	// blas: round (asm.Impl.RoundBF16) copies the activation operands into
	// scratch (per worker: each chunk has its own gemmer), and the weights
	// are rounded on refresh (lin.round).
	bf16    func(m, n, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int)
	round   func(dst, src []T)
	scratch []T
	// Where the CPU has a native bfloat16 pair GEMM (asm.Impl.
	// HasGemmBF16Pairs), BFloat16 workspaces use it instead of bf16: the
	// activations are rounded and packed into pairs (per-worker pscr) and
	// the weights come packed from refresh. Same operands, float32 sums in
	// another order.
	pairs              func(m, n, kp int, a []uint32, rsA, csA int, b []uint32, ldb int, c []T, ldc int)
	packRows, packCols func(dst []uint32, src []T, rows, cols, ld int)
	pscr               []uint32
	// Where the CPU runs the AMX tile GEMM (asm.Impl.HasBF16Tiles), pairs
	// is GemmBF16Tiles (A in row pairs, csA = 1) and packRowsT is set: a
	// weight gradient's dCᵀ is then packed transposed, since a tile's A
	// rows hold consecutive pairs.
	packRowsT func(dst []uint32, ldd int, src []T, rows, cols, ld int)
	// In BFloat16x3 workspaces residual (asm.Impl.ResidualBF16) is set:
	// every product is split into three (see BFloat16x3), the operands'
	// low parts go to lscr (per worker, as scratch) and, packed, to plscr.
	residual func(dst, src []T)
	lscr     []T
	plscr    []uint32
	// blas is C += op(A)·op(B) through gonum, for A m×k, B k×n after op.
	blas func(tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int)
	// silu is the precision's asm SiLU.
	silu func(s, g, z []T)
	// The fused edge kernels of asm (egnnk.go); set in float32 only (nil
	// in float64, where each stage runs its plain-Go kernel instead; the
	// stage files name both).
	edgeIn     func(s, g, u, v, wr, wa, r, a []T, rcv, snd []int32, F int)
	siluDot    func(s, g, d, z, w []T, F int)
	attScale   func(mp, agg, s, att []T, n1, F, ldagg int)
	coordBack  func(dz, gw, gb, s, g, c, w []T, F int)
	attBack    func(dm, dpa, gw, gb, s, g, att, w []T, F int)
	edgeInBack func(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []T, rcv, snd []int32, F int)
	siluBack   func(dz, gb, s, g []T, F int)
	colSum     func(gb, x []T, rows, F, ld int)
}

func newGemmer[T flt](im *asm.Impl, bf16, split bool) gemmer[T] {
	var g gemmer[T]
	switch gg := any(&g).(type) {
	case *gemmer[float64]:
		if im.GemmNative() {
			gg.native = im.Gemm
		}
		gg.blas = blas64Gemm
		gg.silu = im.SiLU
	case *gemmer[float32]:
		if im.SgemmNative() {
			gg.native = im.Sgemm
		}
		gg.blas = blas32Gemm
		gg.silu = im.SiLUF32
		gg.edgeIn = im.EdgeInputF32
		gg.siluDot = im.SiLUDotF32
		gg.attScale = im.AttScaleF32
		gg.coordBack = im.CoordBackF32
		gg.attBack = im.AttBackF32
		gg.edgeInBack = im.EdgeInputBackF32
		gg.siluBack = im.SiLUBackF32
		gg.colSum = im.ColSumF32
		if bf16 {
			gg.bf16 = im.SgemmBF16
			gg.round = im.RoundBF16
			if split {
				gg.residual = im.ResidualBF16
			}
			switch {
			case im.HasBF16Tiles():
				gg.pairs = func(m, n, kp int, a []uint32, rsA, csA int, b []uint32, ldb int, c []float32, ldc int) {
					if csA != 1 {
						panic("egnn: tile GEMM with a transposed A")
					}
					im.GemmBF16Tiles(m, n, kp, a, rsA, b, ldb, c, ldc)
				}
				gg.packRowsT = im.PackBF16RowsT
				gg.packRows, gg.packCols = im.PackBF16Rows, im.PackBF16Cols
			case im.HasGemmBF16Pairs():
				gg.pairs = im.GemmBF16Pairs
				gg.packRows, gg.packCols = im.PackBF16Rows, im.PackBF16Cols
			}
		}
	}
	return g
}

// rounded copies the rows×cols block of x (leading dimension ld) into
// g.scratch from offset off, rounded to bfloat16, and returns it (leading
// dimension cols).
func (g *gemmer[T]) rounded(off, rows, cols int, x []T, ld int) []T {
	dst := g.scratch[off : off+rows*cols]
	for p := 0; p < rows; p++ {
		g.round(dst[p*cols:(p+1)*cols], x[p*ld:p*ld+cols])
	}
	return dst
}

// low writes the residual x − bf16(x) of the rows×cols block of x (leading
// dimension ld) into g.lscr from offset off, rounded to bfloat16 too when
// round is set (the packers round it themselves), and returns it (leading
// dimension cols).
func (g *gemmer[T]) low(off, rows, cols int, x []T, ld int, round bool) []T {
	dst := g.lscr[off : off+rows*cols]
	for p := 0; p < rows; p++ {
		d := dst[p*cols : (p+1)*cols]
		g.residual(d, x[p*ld:p*ld+cols])
		if round {
			g.round(d, d)
		}
	}
	return dst
}

func dims(t blas.Transpose, rows, cols int) (int, int) {
	if t == blas.Trans {
		return cols, rows
	}
	return rows, cols
}

func blas64Gemm(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	ar, ac := dims(tA, m, k)
	br, bc := dims(tB, k, n)
	blas64.Gemm(tA, tB, 1,
		blas64.General{Rows: ar, Cols: ac, Stride: lda, Data: a[:(ar-1)*lda+ac]},
		blas64.General{Rows: br, Cols: bc, Stride: ldb, Data: b[:(br-1)*ldb+bc]},
		1, blas64.General{Rows: m, Cols: n, Stride: ldc, Data: c[:(m-1)*ldc+n]})
}

func blas32Gemm(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ar, ac := dims(tA, m, k)
	br, bc := dims(tB, k, n)
	blas32.Gemm(tA, tB, 1,
		blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a[:(ar-1)*lda+ac]},
		blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b[:(br-1)*ldb+bc]},
		1, blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c[:(m-1)*ldc+n]})
}

// split3 adds A·B to C through mul (C += a·b) for operands split as
// BFloat16x3 defines: aLo·bHi and aHi·bLo when split, then aHi·bHi. Every
// product path takes this one order, which the tile kernel's bit-for-bit
// twin relies on.
func split3[X any](split bool, aHi, aLo, bHi, bLo X, mul func(a, b X)) {
	if split {
		mul(aLo, bHi)
		mul(aHi, bLo)
	}
	mul(aHi, bHi)
}

// fwd: C[m×out] += A[m×in]·Wᵀ.
func (g *gemmer[T]) fwd(m int, a []T, lda int, l *lin[T], c []T, ldc int) {
	if m == 0 {
		return
	}
	if g.pairs != nil {
		kp := (l.in + 1) / 2
		ap := g.pscr[:m*kp]
		g.packRows(ap, a, m, l.in, lda)
		var al []uint32
		if g.residual != nil {
			al = g.plscr[:m*kp]
			g.packRows(al, g.low(0, m, l.in, a, lda, false), m, l.in, l.in)
		}
		split3(g.residual != nil, ap, al, l.wtp, l.wtpL, func(a, b []uint32) { g.pairs(m, l.out, kp, a, kp, 1, b, l.out, c, ldc) })
		return
	}
	if g.bf16 != nil {
		ar := g.rounded(0, m, l.in, a, lda)
		var al []T
		if g.residual != nil {
			al = g.low(0, m, l.in, a, lda, true)
		}
		split3(g.residual != nil, ar, al, l.wt, l.loT, func(a, b []T) { g.bf16(m, l.out, l.in, a, l.in, 1, b, l.out, c, ldc) })
		return
	}
	if g.native != nil {
		g.native(m, l.out, l.in, a, lda, 1, l.wt, l.out, c, ldc)
		return
	}
	g.blas(blas.NoTrans, blas.Trans, m, l.out, l.in, a, lda, l.w, l.ldw, c, ldc)
}

// bwdIn: dA[m×in] += dC[m×out]·W.
func (g *gemmer[T]) bwdIn(m int, dc []T, lddc int, l *lin[T], da []T, ldda int) {
	if m == 0 {
		return
	}
	if g.pairs != nil {
		kp := (l.out + 1) / 2
		dp := g.pscr[:m*kp]
		g.packRows(dp, dc, m, l.out, lddc)
		var dl []uint32
		if g.residual != nil {
			dl = g.plscr[:m*kp]
			g.packRows(dl, g.low(0, m, l.out, dc, lddc, false), m, l.out, l.out)
		}
		split3(g.residual != nil, dp, dl, l.wp, l.wpL, func(a, b []uint32) { g.pairs(m, l.in, kp, a, kp, 1, b, l.in, da, ldda) })
		return
	}
	if g.bf16 != nil {
		dr := g.rounded(0, m, l.out, dc, lddc)
		var dl []T
		if g.residual != nil {
			dl = g.low(0, m, l.out, dc, lddc, true)
		}
		split3(g.residual != nil, dr, dl, l.w, l.lo, func(a, b []T) { g.bf16(m, l.in, l.out, a, l.out, 1, b, l.ldw, da, ldda) })
		return
	}
	if g.native != nil {
		g.native(m, l.in, l.out, dc, lddc, 1, l.w, l.ldw, da, ldda)
		return
	}
	g.blas(blas.NoTrans, blas.NoTrans, m, l.in, l.out, dc, lddc, l.w, l.ldw, da, ldda)
}

// bwdW: dW[out×in] (leading dimension l.ldw) += dC[m×out]ᵀ·A[m×in].
func (g *gemmer[T]) bwdW(m int, dc []T, lddc int, a []T, lda int, l *lin[T], dw []T) {
	if m == 0 {
		return
	}
	if g.packRowsT != nil {
		// dW = dCᵀ·A over the m rows on the tiles: dCᵀ packed in row pairs
		// (transposed), A paired down its columns.
		kp := (m + 1) / 2
		dt, ap := g.pscr[:l.out*kp], g.pscr[l.out*kp:kp*(l.out+l.in)]
		g.packRowsT(dt, kp, dc, m, l.out, lddc)
		g.packCols(ap, a, m, l.in, lda)
		var dtl, apl []uint32
		if g.residual != nil {
			dtl, apl = g.plscr[:l.out*kp], g.plscr[l.out*kp:kp*(l.out+l.in)]
			g.packRowsT(dtl, kp, g.low(0, m, l.out, dc, lddc, false), m, l.out, l.out)
			g.packCols(apl, g.low(m*l.out, m, l.in, a, lda, false), m, l.in, l.in)
		}
		split3(g.residual != nil, dt, dtl, ap, apl, func(a, b []uint32) { g.pairs(l.out, l.in, kp, a, kp, 1, b, l.in, dw, l.ldw) })
		return
	}
	if g.pairs != nil {
		// dW = dCᵀ·A over the m rows: both operands paired down their
		// columns; dCᵀ is read transposed (rsA = 1, csA = out).
		kp := (m + 1) / 2
		dp, ap := g.pscr[:kp*l.out], g.pscr[kp*l.out:kp*(l.out+l.in)]
		g.packCols(dp, dc, m, l.out, lddc)
		g.packCols(ap, a, m, l.in, lda)
		var dpl, apl []uint32
		if g.residual != nil {
			dpl, apl = g.plscr[:kp*l.out], g.plscr[kp*l.out:kp*(l.out+l.in)]
			g.packCols(dpl, g.low(0, m, l.out, dc, lddc, false), m, l.out, l.out)
			g.packCols(apl, g.low(m*l.out, m, l.in, a, lda, false), m, l.in, l.in)
		}
		split3(g.residual != nil, dp, dpl, ap, apl, func(a, b []uint32) { g.pairs(l.out, l.in, kp, a, 1, l.out, b, l.in, dw, l.ldw) })
		return
	}
	if g.bf16 != nil {
		dcr := g.rounded(0, m, l.out, dc, lddc)
		ar := g.rounded(m*l.out, m, l.in, a, lda)
		var dcl, al []T
		if g.residual != nil {
			dcl, al = g.low(0, m, l.out, dc, lddc, true), g.low(m*l.out, m, l.in, a, lda, true)
		}
		split3(g.residual != nil, dcr, dcl, ar, al, func(a, b []T) { g.bf16(l.out, l.in, m, a, 1, l.out, b, l.in, dw, l.ldw) })
		return
	}
	if g.native != nil {
		g.native(l.out, l.in, m, dc, 1, lddc, a, lda, dw, l.ldw)
		return
	}
	g.blas(blas.Trans, blas.NoTrans, l.out, l.in, m, dc, lddc, a, lda, dw, l.ldw)
}

// colSumRows adds the rows of x (rows rows of F, leading dimension ld) to
// gb: asm.ColSumF32 in float32, plain Go in float64.
func (g *gemmer[T]) colSumRows(gb, x []T, rows, F, ld int) {
	if g.colSum != nil {
		g.colSum(gb, x, rows, F, ld)
		return
	}
	for p := 0; p < rows; p++ {
		for f, v := range x[p*ld : p*ld+F] {
			gb[f] += v
		}
	}
}
