package asm

// bfloat16 tile products: GemmBF16Tiles, the AMX tile unit's GEMM over
// bfloat16 pairs (TDPBF16PS), its plain-Go twin, and PackBF16RowsT, the
// transposing packer its weight gradients need.

// The AMX tile shapes: a tile row is 64 bytes, 16 pairs of A or 16 float32
// of C, and a tile has at most 16 rows. The kernel sums C blocks of two
// tiles by two (32×32), in calls of at most amxCallRows rows of C, so
// that one call never holds up the scheduler long (the note in
// shared/notes measured 13 ms for one 156,000-row call).
const (
	amxTileRows = 16
	amxBlock    = 32
	amxCallRows = 1024
)

// HasBF16Tiles reports whether GemmBF16Tiles runs on the AMX tile unit (the
// amx implementation on a CPU and OS that grant it). Without it,
// GemmBF16Tiles is the plain-Go twin, for tests, and callers do better
// with GemmBF16Pairs or SgemmBF16.
func (im *Impl) HasBF16Tiles() bool { return im.bf16Tiles && hasAMXTiles() }

// GemmBF16Tiles computes C += A·B for bfloat16 pairs with the arithmetic
// of the AMX tile unit's TDPBF16PS: A is m×kp pairs, row i at a[i·lda:]
// (A(i, q) = a[i·lda + q], PackBF16Rows' layout), B is kp×n pairs, B(q, j)
// = b[q·ldb + j] (PackBF16Cols' layout, the tile unit's VNNI layout), and
// C is m×n float32 with leading dimension ldc.
//
// For every element of C and every block of 16 consecutive pairs (the last
// one shorter), the products of the pairs' low halves and those of their
// high halves are summed into two float32 accumulators that start at +0,
// in increasing q; the two sums are added; that sum is added into C. Every
// addition rounds to nearest even; inputs and sums below 2⁻¹²⁶ are flushed
// to zero of the same sign, products are exact (bf16Acc). This is
// SgemmBF16's generic order with even k the low halves: the order measured
// on the tile unit (shared/notes/amx-avx512.md, and TestGemmBF16TilesNative
// for tiny products). The native kernel and the twin give the same bits.
// Checks and panics are Sgemm's (with rsA = lda, csA = 1); it does not
// allocate.
func (im *Impl) GemmBF16Tiles(m, n, kp int, a []uint32, lda int, b []uint32, ldb int, c []float32, ldc int) {
	if !sgemmArgs(m, n, kp, len(a), lda, 1, len(b), ldb, len(c), ldc) {
		return
	}
	if lda < kp {
		panic("asm: GemmBF16Tiles with lda < kp")
	}
	if im.HasBF16Tiles() {
		amxGemm(m, n, kp, a, lda, b, ldb, c, ldc)
		return
	}
	bf16TilesGeneric(m, n, kp, a, lda, b, ldb, c, ldc)
}

// bf16TilesGeneric is GemmBF16Tiles' plain-Go twin of TDPBF16PS.
func bf16TilesGeneric(m, n, kp int, a []uint32, lda int, b []uint32, ldb int, c []float32, ldc int) {
	const blk = BF16Depth / 2
	for i := 0; i < m; i++ {
		ai := a[i*lda : i*lda+kp]
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			s := ci[j]
			for q0 := 0; q0 < kp; q0 += blk {
				var even, odd float32
				for q := q0; q < min(q0+blk, kp); q++ {
					x, y := ai[q], b[q*ldb+j]
					even = bf16Acc(even, pairLo(x), pairLo(y))
					odd = bf16Acc(odd, pairHi(x), pairHi(y))
				}
				s = flushTiny(float32(s + flushTiny(float32(even+odd))))
			}
			ci[j] = s
		}
	}
}

// amxConfig is the 64-byte tile configuration that LDTILECFG reads
// (palette 1): bytes 16+2t hold tile t's row length in bytes, byte 48+t
// its number of rows; unused tiles stay zero.
type amxConfig [64]byte

// amxConfigFor configures the tiles of one kernel call: C blocks of rows ≤
// 32 rows and cols ≤ 32 columns summed over K blocks of kt ≤ 16 pairs, and
// returns the kernel's flags (bit 0: a second row half, bit 1: a second
// column half).
func amxConfigFor(cfg *amxConfig, rows, cols, kt int) int {
	*cfg = amxConfig{}
	cfg[0] = 1
	set := func(t, r, colsBytes int) {
		cfg[48+t] = byte(r)
		cfg[16+2*t] = byte(colsBytes)
		cfg[17+2*t] = byte(colsBytes >> 8)
	}
	r0, c0 := min(rows, amxTileRows), min(cols, amxTileRows)
	set(0, r0, 4*c0)
	set(4, r0, 4*kt)
	set(6, kt, 4*c0)
	flags := 0
	if rows > amxTileRows {
		flags |= 1
		set(2, rows-amxTileRows, 4*c0)
		set(5, rows-amxTileRows, 4*kt)
	}
	if cols > amxTileRows {
		flags |= 2
		c1 := cols - amxTileRows
		set(1, r0, 4*c1)
		set(7, kt, 4*c1)
		if flags&1 != 0 {
			set(3, rows-amxTileRows, 4*c1)
		}
	}
	return flags
}

// amxGemm runs GemmBF16Tiles on the tile unit (arguments checked). C is cut
// into row ranges of at most amxCallRows, each into full 32-row stripes
// and a shorter last one, and columns into full 32-column blocks and a
// narrower last one; every piece sums the full 16-pair K blocks in one
// call and the shorter last K block in a second, so each element's blocks
// are added in increasing q as the twin adds them.
func amxGemm(m, n, kp int, a []uint32, lda int, b []uint32, ldb int, c []float32, ldc int) {
	const blk = BF16Depth / 2
	kf, nf := kp/blk*blk, n/amxBlock*amxBlock
	var cfg amxConfig
	call := func(i0, rows, stripes, j0, cols, nb, q0, kt, kb int) {
		flags := amxConfigFor(&cfg, rows, cols, kt)
		amxTileKernel(&cfg, &a[i0*lda+q0], 4*lda, &b[q0*ldb+j0], 4*ldb, &c[i0*ldc+j0], 4*ldc, stripes, nb, kb, flags)
	}
	for i0 := 0; i0 < m; i0 += amxCallRows {
		rows := min(amxCallRows, m-i0)
		type rowPiece struct{ i0, rows, stripes int }
		pieces := [2]rowPiece{{i0, amxBlock, rows / amxBlock}, {i0 + rows/amxBlock*amxBlock, rows % amxBlock, 1}}
		for _, rp := range pieces {
			if rp.rows == 0 || rp.stripes == 0 {
				continue
			}
			if nf > 0 {
				if kf > 0 {
					call(rp.i0, rp.rows, rp.stripes, 0, amxBlock, nf/amxBlock, 0, blk, kf/blk)
				}
				if kp > kf {
					call(rp.i0, rp.rows, rp.stripes, 0, amxBlock, nf/amxBlock, kf, kp-kf, 1)
				}
			}
			if n > nf {
				if kf > 0 {
					call(rp.i0, rp.rows, rp.stripes, nf, n-nf, 1, 0, blk, kf/blk)
				}
				if kp > kf {
					call(rp.i0, rp.rows, rp.stripes, nf, n-nf, 1, kf, kp-kf, 1)
				}
			}
		}
	}
}

// PackBF16RowsT rounds the rows×cols block of src (leading dimension ld ≥
// cols) to bfloat16 and packs its transpose in row pairs: dst[j·ldd + q] =
// pair(src(2q, j), src(2q+1, j)) for j < cols and q < kp = ⌈rows/2⌉ (for
// odd rows the last pairs have zero high halves); ldd ≥ kp. This is the A
// operand of GemmBF16Tiles for the transpose of src: a weight gradient
// dW = dCᵀ·X sums over the rows of dC. Rounding is RoundBF16's.
func (im *Impl) PackBF16RowsT(dst []uint32, ldd int, src []float32, rows, cols, ld int) {
	kp := (rows + 1) / 2
	if rows <= 0 || cols <= 0 {
		return
	}
	if ld < cols || ldd < kp || len(src) < (rows-1)*ld+cols || len(dst) < (cols-1)*ldd+kp {
		panic("asm: PackBF16RowsT with a short slice, ld < cols or ldd < kp")
	}
	native := im.HasGemmBF16Pairs()
	// 16×16 blocks of pairs: where 32 whole rows remain, the AVX-512
	// kernel packs and transposes them in registers; otherwise each block
	// is packed down the columns, then transposed into dst.
	var blk [16 * 16]uint32
	for q0 := 0; q0 < kp; q0 += 16 {
		qn := min(16, kp-q0)
		j0 := 0
		if native && 2*q0+32 <= rows && cols >= 16 {
			n16 := cols / 16
			bf16PackRowsT(dst[q0:], ldd, src[2*q0*ld:], ld, n16)
			j0 = 16 * n16
		}
		for ; j0 < cols; j0 += 16 {
			jn := min(16, cols-j0)
			for r := 0; r < qn; r++ {
				q := q0 + r
				lo := src[2*q*ld+j0 : 2*q*ld+j0+jn]
				d := blk[r*16 : r*16+jn]
				if 2*q+1 == rows {
					for j := range d {
						d[j] = bf16Pair(roundBF16(lo[j]), 0)
					}
					continue
				}
				hi := src[(2*q+1)*ld+j0 : (2*q+1)*ld+j0+jn]
				if native && jn == 16 {
					bf16PackCols(d, lo, hi, 1)
					continue
				}
				for j := range d {
					d[j] = bf16Pair(roundBF16(lo[j]), roundBF16(hi[j]))
				}
			}
			for j := 0; j < jn; j++ {
				row := dst[(j0+j)*ldd+q0 : (j0+j)*ldd+q0+qn]
				for r := range row {
					row[r] = blk[r*16+j]
				}
			}
		}
	}
}
