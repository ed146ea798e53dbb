package asm

// bfloat16 pair products: matrices rounded to bfloat16 and packed two
// elements per uint32 (the layout of VDPBF16PS and of the AMX tiles), and
// GemmBF16Pairs, the GEMM over them.

import (
	"math"
	"unsafe"
)

// A bfloat16 pair is a uint32 holding two bfloat16 values: the even
// element in the low half, the odd one in the high half (the order in
// memory of two consecutive bfloat16s). bf16Pair packs two values that are
// already bfloat16 (RoundBF16).
func bf16Pair(lo, hi float32) uint32 {
	return math.Float32bits(lo)>>16 | math.Float32bits(hi)&0xffff_0000
}

// pairLo and pairHi unpack a pair's halves as float32.
func pairLo(p uint32) float32 { return math.Float32frombits(p << 16) }
func pairHi(p uint32) float32 { return math.Float32frombits(p & 0xffff_0000) }

// PackBF16Rows rounds the rows×cols block of src (row r at src[r·ld:],
// ld ≥ cols) to bfloat16 and packs each row's consecutive elements in
// pairs: dst[r·kp + q] = pair(src(r, 2q), src(r, 2q+1)) for q < kp =
// ⌈cols/2⌉; an odd row's last pair has a zero high half. This is the A
// operand of GemmBF16Pairs (rsA = kp, csA = 1). Rounding is RoundBF16's.
func (im *Impl) PackBF16Rows(dst []uint32, src []float32, rows, cols, ld int) {
	kp := (cols + 1) / 2
	if rows <= 0 || cols <= 0 {
		return
	}
	if ld < cols || len(src) < (rows-1)*ld+cols || len(dst) < rows*kp {
		panic("asm: PackBF16Rows with a short slice or ld < cols")
	}
	native := im.HasGemmBF16Pairs()
	for r := 0; r < rows; r++ {
		s, d := src[r*ld:r*ld+cols], dst[r*kp:(r+1)*kp]
		done := 0
		if native {
			done = 32 * bf16PackRows(d, s, len(s)/32)
		}
		for q := done / 2; q < kp; q++ {
			hi := float32(0)
			if 2*q+1 < cols {
				hi = roundBF16(s[2*q+1])
			}
			d[q] = bf16Pair(roundBF16(s[2*q]), hi)
		}
	}
}

// PackBF16Cols rounds the rows×cols block of src (leading dimension ld ≥
// cols) to bfloat16 and packs pairs down its columns: dst[q·cols + j] =
// pair(src(2q, j), src(2q+1, j)) for q < ⌈rows/2⌉; for odd rows the last
// pairs have zero high halves. This is the B operand of GemmBF16Pairs (ldb
// = cols; the VNNI layout of AMX), and, read with rsA = 1 and csA = cols,
// the A operand for the transpose of src.
func (im *Impl) PackBF16Cols(dst []uint32, src []float32, rows, cols, ld int) {
	kp := (rows + 1) / 2
	if rows <= 0 || cols <= 0 {
		return
	}
	if ld < cols || len(src) < (rows-1)*ld+cols || len(dst) < kp*cols {
		panic("asm: PackBF16Cols with a short slice or ld < cols")
	}
	native := im.HasGemmBF16Pairs()
	for q := 0; q < kp; q++ {
		lo, d := src[2*q*ld:2*q*ld+cols], dst[q*cols:(q+1)*cols]
		if 2*q+1 == rows {
			for j := range d {
				d[j] = bf16Pair(roundBF16(lo[j]), 0)
			}
			continue
		}
		hi := src[(2*q+1)*ld : (2*q+1)*ld+cols]
		done := 0
		if native {
			done = 16 * bf16PackCols(d, lo, hi, cols/16)
		}
		for j := done; j < cols; j++ {
			d[j] = bf16Pair(roundBF16(lo[j]), roundBF16(hi[j]))
		}
	}
}

// HasGemmBF16Pairs reports whether GemmBF16Pairs runs a native kernel
// (VDPBF16PS: avx512 and amx on CPUs with AVX512_BF16). Without one it is
// the plain-Go oracle, and callers do better with SgemmBF16 on float32
// copies of the rounded operands.
func (im *Impl) HasGemmBF16Pairs() bool { return im.bf16Dot && hasBF16Dot() }

// GemmBF16Pairs computes C += A·B for bfloat16 pairs: for an m×kp matrix
// of pairs A (A(i, q) = a[i·rsA + q·csA]), a kp×n matrix of pairs B
// (B(q, j) = b[q·ldb + j]) and an m×n float32 C,
//
//	C[i·ldc + j] += Σ_{q<kp} A(i, q)·B(q, j),
//
// each term the dot product of two pairs. The arithmetic is VDPBF16PS's:
// per term the product of the high halves is added to the running sum,
// then that of the low halves, each product exact and each addition
// rounded to nearest even, with bfloat16 inputs and float32 results below
// 2⁻¹²⁶ flushed to zero. The native kernel sums 12×32 tiles of C in place
// and the edge tiles from zero before adding them to C; the oracle sums
// every element in place, so the two can differ by float32 rounding in
// the edge tiles, like Sgemm's implementations. Checks and panics are
// Sgemm's; it does not allocate.
func (im *Impl) GemmBF16Pairs(m, n, kp int, a []uint32, rsA, csA int, b []uint32, ldb int, c []float32, ldc int) {
	if sgemmArgs(m, n, kp, len(a), rsA, csA, len(b), ldb, len(c), ldc) {
		bf16DotTiled(im.HasGemmBF16Pairs(), m, n, kp, a, rsA, csA, b, ldb, c, ldc)
	}
}

// The tile of the bfloat16 pair GEMM: 12×32 elements of C over at most
// bf16DotKC pairs of depth per pass.
const (
	bf16DotMR = 12
	bf16DotNR = 32
	bf16DotKC = 128
)

// bf16DotTiled runs the tiled driver (gemmDrive) with the 12×32 pair tile,
// native or its plain-Go twin; below 12 rows, and without a native kernel,
// the element-wise oracle.
func bf16DotTiled(native bool, m, n, kp int, a []uint32, rsA, csA int, b []uint32, ldb int, c []float32, ldc int) {
	if !native || m < bf16DotMR {
		bf16DotGeneric(m, n, kp, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	bf16DotDrive(native, m, n, kp, a, rsA, csA, b, ldb, c, ldc)
}

// bf16DotDrive runs gemmDrive with the pair tile (native or its twin).
func bf16DotDrive(native bool, m, n, kp int, a []uint32, rsA, csA int, b []uint32, ldb int, c []float32, ldc int) {
	var panel [bf16DotKC * bf16DotNR]float32
	var t [bf16DotMR * bf16DotNR]float32
	gemmDrive(geoBF16, native, panel[:], t[:], m, n, kp, asF32(a), rsA, csA, asF32(b), ldb, c, ldc)
}

// asF32 and asU32 reinterpret 32-bit words (gemmDrive moves pairs as
// float32 bit patterns; only the pair tile reads them).
func asF32(x []uint32) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

func asU32(x []float32) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// bf16DotGeneric is the oracle of GemmBF16Pairs: every element of C
// summed in place over q.
func bf16DotGeneric(m, n, kp int, a []uint32, rsA, csA int, b []uint32, ldb int, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			s := ci[j]
			for q := 0; q < kp; q++ {
				pa, pb := a[i*rsA+q*csA], b[q*ldb+j]
				s = flushTiny(float32(s + flushTiny(float32(flushTiny(pairHi(pa))*flushTiny(pairHi(pb))))))
				s = flushTiny(float32(s + flushTiny(float32(flushTiny(pairLo(pa))*flushTiny(pairLo(pb))))))
			}
			ci[j] = s
		}
	}
}

// bf16DotTileGeneric is the plain-Go twin of the native 12×32 pair tile;
// p is the packed panel (row stride 32).
func bf16DotTileGeneric(kp int, a []uint32, rsA, csA int, p []uint32, c []float32, ldc int) {
	bf16DotGeneric(bf16DotMR, bf16DotNR, kp, a, rsA, csA, p, bf16DotNR, c, ldc)
}

// bf16PackPerm is VPERMW's index for bf16PackCols: word 2j from word j
// (the low row) and word 2j+1 from word 16+j (the high row).
var bf16PackPerm = func() [32]uint16 {
	var p [32]uint16
	for j := 0; j < 16; j++ {
		p[2*j], p[2*j+1] = uint16(j), uint16(16+j)
	}
	return p
}()
