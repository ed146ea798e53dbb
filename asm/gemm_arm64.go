//go:build !purego && !noasm

package asm

// gemm6x8NEON computes C[0:6][0:8] += A·B for depth k with Gemm's argument
// conventions and no checks; a, b and c must cover the tile.
//
//go:noescape
func gemm6x8NEON(k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int)

func gemmNEON(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	gemmTiled(true, m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// gemmTile runs the NEON tile kernel when native is set.
func gemmTile(native bool, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	if native {
		gemm6x8NEON(k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	gemmKernelGeneric(k, a, rsA, csA, b, ldb, c, ldc)
}
