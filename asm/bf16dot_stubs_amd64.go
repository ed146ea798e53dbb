//go:build !purego && !noasm

package asm

import "sync"

// bf16Dot12x32AVX512 computes C[0:12][0:32] += A·P over kp bfloat16 pairs
// with GemmBF16Pairs' arithmetic (bf16dot_amd64.s); P is a packed kp×32
// panel of pairs. a, p and c must cover the tile. Requires AVX512F and
// AVX512_BF16.
//
//go:noescape
func bf16Dot12x32AVX512(kp int, a []uint32, rsA, csA int, p []uint32, c []float32, ldc int)

// bf16PackRowsAVX512 rounds 32·n32 floats of src to bfloat16 into 16·n32
// pairs of dst. Requires AVX512F and AVX512_BF16.
//
//go:noescape
func bf16PackRowsAVX512(dst []uint32, src []float32, n32 int)

// bf16PackColsAVX512 writes dst[j] = pair(lo[j], hi[j]), rounded, for
// j < 16·n16. Requires AVX512F, AVX512BW and AVX512_BF16.
//
//go:noescape
func bf16PackColsAVX512(dst []uint32, lo, hi []float32, n16 int, perm []uint16)

// hasBF16Dot reports whether this CPU runs the VDPBF16PS kernels: the
// avx512 implementation's units and AVX512_BF16 (decided once, like
// Detect).
func hasBF16Dot() bool { return bf16DotOnce() }

var bf16DotOnce = sync.OnceValue(func() bool {
	u := Detect()
	return u.AVX512BF16 && u.reason("avx512") == ""
})

func bf16DotTile(native bool, kp int, a []uint32, rsA, csA int, p []uint32, c []float32, ldc int) {
	if native {
		bf16Dot12x32AVX512(kp, a, rsA, csA, p, c, ldc)
		return
	}
	bf16DotTileGeneric(kp, a, rsA, csA, p, c, ldc)
}

func bf16PackRows(dst []uint32, src []float32, n32 int) int {
	bf16PackRowsAVX512(dst, src, n32)
	return n32
}

func bf16PackCols(dst []uint32, lo, hi []float32, n16 int) int {
	bf16PackColsAVX512(dst, lo, hi, n16, bf16PackPerm[:])
	return n16
}

// bf16PackRowsTAVX512 packs the transpose of 32 rows of src in row pairs
// for 16·n16 columns (strides in bytes; see PackBF16RowsT). Requires
// AVX512F, AVX512BW and AVX512_BF16.
//
//go:noescape
func bf16PackRowsTAVX512(dst *uint32, ldd int, src *float32, ld int, n16 int, perm *uint16)

// bf16PackRowsT runs bf16PackRowsTAVX512: dst row j at dst[j·ldd:], src
// row r at src[r·ld:].
func bf16PackRowsT(dst []uint32, ldd int, src []float32, ld, n16 int) {
	bf16PackRowsTAVX512(&dst[0], 4*ldd, &src[0], 4*ld, n16, &bf16PackPerm[0])
}
