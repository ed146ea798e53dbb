//go:build !purego && !noasm

package asm

// sgemm6x16NEON computes C[0:6][0:16] += A·P for depth k with Sgemm's
// conventions for A and C and no checks; P is a packed k×16 panel (row
// stride 16). a, p and c must cover the tile.
//
//go:noescape
func sgemm6x16NEON(k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int)

// sgemmPack16NEON copies b[q·ldb : q·ldb+16] to p[16q : 16q+16] for
// q < kc; p and b must cover them.
//
//go:noescape
func sgemmPack16NEON(p []float32, b []float32, ldb, kc int)

// sgemmPack16 packs whole 16-wide rows, in assembly when native is set.
func sgemmPack16(native bool, p, b []float32, ldb, kc int) {
	if native {
		sgemmPack16NEON(p, b, ldb, kc)
		return
	}
	sgemmPack16Generic(p, b, ldb, kc)
}

func sgemmNEON(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	sgemmTiled(true, m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// sgemmTile runs the NEON tile kernel when native is set.
func sgemmTile(native bool, k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int) {
	if native {
		sgemm6x16NEON(k, a, rsA, csA, p, c, ldc)
		return
	}
	sgemmKernelGeneric(k, a, rsA, csA, p, c, ldc)
}
