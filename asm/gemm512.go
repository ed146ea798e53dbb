package asm

// The AVX-512 geometry of the float64 Gemm: a 12×16 register tile (24 ZMM
// accumulators of 8 doubles) over a packed kc×16 panel of B, driven by
// gemmDrive like the float32 tiles. A 16-wide float64 panel row is 128
// bytes, the same as the 12×32 float32 tile's, so the panel fits L1 the
// same way.
const (
	gemmMR16 = 12
	gemmNR16 = 16
	// gemmKC16 is the depth of one pass over C with the 12×16 tile (a
	// 16 KiB panel at kc = 128).
	gemmKC16 = 128
)

// gemmTiled16 drives the 12×16 tile kernel over C. With m < 12 it runs the
// 6×8 driver (native there meaning AVX2).
func gemmTiled16(native bool, m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	if m < gemmMR16 || n < gemmNR {
		gemmTiled(native, m, n, k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	var panel [gemmKC16 * gemmNR16]float64
	var t [gemmMR16 * gemmNR16]float64
	gemmDrive(geo12x16, native, panel[:], t[:], m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// gemmKernel16Generic is the plain-Go twin of the native 12×16 tile
// kernel; p is the packed panel (row stride 16).
func gemmKernel16Generic(k int, a []float64, rsA, csA int, p []float64, c []float64, ldc int) {
	gemmGeneric(gemmMR16, gemmNR16, k, a, rsA, csA, p, gemmNR16, c, ldc)
}

// gemmPack16Generic copies b[q·ldb : q·ldb+16] to p[16q : 16q+16] for
// q < kc.
func gemmPack16Generic(p, b []float64, ldb, kc int) {
	for q := 0; q < kc; q++ {
		copy(p[q*gemmNR16:(q+1)*gemmNR16], b[q*ldb:q*ldb+gemmNR16])
	}
}
