//go:build !amd64 || purego || noasm

package asm

// Without amd64 assembly there is no VDPBF16PS kernel.
func hasBF16Dot() bool { return false }

func bf16DotTile(_ bool, kp int, a []uint32, rsA, csA int, p []uint32, c []float32, ldc int) {
	bf16DotTileGeneric(kp, a, rsA, csA, p, c, ldc)
}

func bf16PackRows(dst []uint32, src []float32, n32 int) int { return 0 }

func bf16PackCols(dst []uint32, lo, hi []float32, n16 int) int { return 0 }

func bf16PackRowsT(dst []uint32, ldd int, src []float32, ld, n16 int) {
	panic("asm: no bfloat16 packing kernel in this build")
}
