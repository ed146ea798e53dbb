//go:build purego || noasm || !amd64

package asm

// sgemmTile32 is the plain-Go 12×32 tile kernel on builds without
// AVX-512 assembly.
func sgemmTile32(_ bool, k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int) {
	sgemmKernel32Generic(k, a, rsA, csA, p, c, ldc)
}

// sgemmPack32 packs whole 32-wide rows in plain Go.
func sgemmPack32(_ bool, p, b []float32, ldb, kc int) {
	sgemmPack32Generic(p, b, ldb, kc)
}
