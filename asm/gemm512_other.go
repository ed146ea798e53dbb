//go:build purego || noasm || !amd64

package asm

// gemmTile16 is the plain-Go 12×16 tile kernel on builds without AVX-512
// assembly.
func gemmTile16(_ bool, k int, a []float64, rsA, csA int, p []float64, c []float64, ldc int) {
	gemmKernel16Generic(k, a, rsA, csA, p, c, ldc)
}

// gemmPack16 packs whole 16-wide rows in plain Go.
func gemmPack16(_ bool, p, b []float64, ldb, kc int) {
	gemmPack16Generic(p, b, ldb, kc)
}
