//go:build purego || noasm || !(amd64 || arm64)

package asm

// sgemmTile is the plain-Go tile kernel on builds without native SGEMM.
func sgemmTile(_ bool, k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int) {
	sgemmKernelGeneric(k, a, rsA, csA, p, c, ldc)
}

// sgemmPack16 packs whole 16-wide rows in plain Go.
func sgemmPack16(_ bool, p, b []float32, ldb, kc int) {
	sgemmPack16Generic(p, b, ldb, kc)
}
