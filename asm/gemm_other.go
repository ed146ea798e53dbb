//go:build purego || noasm || !(amd64 || arm64)

package asm

// gemmTile is the plain-Go tile kernel on builds without native GEMM.
func gemmTile(_ bool, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	gemmKernelGeneric(k, a, rsA, csA, b, ldb, c, ldc)
}
