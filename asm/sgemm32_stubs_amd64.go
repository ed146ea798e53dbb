//go:build !purego && !noasm

package asm

// sgemm12x32AVX512 computes C[0:12][0:32] += A·P for depth k with Sgemm's
// conventions for A and C and no checks; P is a packed k×32 panel (row
// stride 32). a, p and c must cover the tile. Requires AVX512F.
//
//go:noescape
func sgemm12x32AVX512(k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int)

// sgemmPack32AVX512 copies b[q·ldb : q·ldb+32] to p[32q : 32q+32] for
// q < kc; p and b must cover them. Requires AVX512F.
//
//go:noescape
func sgemmPack32AVX512(p []float32, b []float32, ldb, kc int)

// sgemmPack32 packs whole 32-wide rows, in assembly when native is set.
func sgemmPack32(native bool, p, b []float32, ldb, kc int) {
	if native {
		sgemmPack32AVX512(p, b, ldb, kc)
		return
	}
	sgemmPack32Generic(p, b, ldb, kc)
}

// sgemmTile32 runs the AVX-512 tile kernel when native is set.
func sgemmTile32(native bool, k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int) {
	if native {
		sgemm12x32AVX512(k, a, rsA, csA, p, c, ldc)
		return
	}
	sgemmKernel32Generic(k, a, rsA, csA, p, c, ldc)
}

// sgemmAVX512 is Sgemm with the 12×32 AVX-512 tile (AVX2 below 12 rows).
func sgemmAVX512(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	sgemmTiled32(true, m, n, k, a, rsA, csA, b, ldb, c, ldc)
}
