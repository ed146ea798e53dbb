//go:build !purego && !noasm

package asm

// gemm6x8AVX2 computes C[0:6][0:8] += A·B for depth k with Gemm's argument
// conventions and no checks; a, b and c must cover the tile. Requires AVX2
// and FMA3.
//
//go:noescape
func gemm6x8AVX2(k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int)

func gemmAVX2(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	gemmTiled(true, m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// gemmTile runs the AVX2 tile kernel when native is set (direct calls, so
// that the scratch tile of gemmEdge stays on the stack).
func gemmTile(native bool, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	if native {
		gemm6x8AVX2(k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	gemmKernelGeneric(k, a, rsA, csA, b, ldb, c, ldc)
}
