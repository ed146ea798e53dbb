//go:build !purego && !noasm

package asm

// gemm12x16AVX512 computes C[0:12][0:16] += A·P for depth k with Gemm's
// conventions for A and C and no checks; P is a packed k×16 panel (row
// stride 16). a, p and c must cover the tile. Requires AVX512F.
//
//go:noescape
func gemm12x16AVX512(k int, a []float64, rsA, csA int, p []float64, c []float64, ldc int)

// gemmPack16AVX512 copies b[q·ldb : q·ldb+16] to p[16q : 16q+16] for
// q < kc; p and b must cover them. Requires AVX512F.
//
//go:noescape
func gemmPack16AVX512(p []float64, b []float64, ldb, kc int)

// gemmPack16 packs whole 16-wide rows, in assembly when native is set.
func gemmPack16(native bool, p, b []float64, ldb, kc int) {
	if native {
		gemmPack16AVX512(p, b, ldb, kc)
		return
	}
	gemmPack16Generic(p, b, ldb, kc)
}

// gemmTile16 runs the AVX-512 tile kernel when native is set.
func gemmTile16(native bool, k int, a []float64, rsA, csA int, p []float64, c []float64, ldc int) {
	if native {
		gemm12x16AVX512(k, a, rsA, csA, p, c, ldc)
		return
	}
	gemmKernel16Generic(k, a, rsA, csA, p, c, ldc)
}

// gemmAVX512 is Gemm with the 12×16 AVX-512 tile (AVX2 below 12 rows).
func gemmAVX512(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	gemmTiled16(true, m, n, k, a, rsA, csA, b, ldb, c, ldc)
}
