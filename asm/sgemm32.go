package asm

// The AVX-512 geometry of the tiled SGEMM driver: a 12×32 register tile
// (24 ZMM accumulators) over a packed kc×32 panel of B.
const (
	sgemmMR32 = 12
	sgemmNR32 = 32
	// sgemmKC32 is the depth of one pass over C with the 12×32 tile.
	sgemmKC32 = 256
)

// sgemmTiled32 drives the 12×32 tile kernel over C (see gemmDrive). With
// m < 12 it runs the 6×16 driver (native there meaning AVX2).
func sgemmTiled32(native bool, m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	if m < sgemmMR32 {
		sgemmTiled(native, m, n, k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	var panel [sgemmKC32 * sgemmNR32]float32
	var t [sgemmMR32 * sgemmNR32]float32
	gemmDrive(geo12x32, native, panel[:], t[:], m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// sgemmKernel32Generic is the plain-Go twin of the native 12×32 tile
// kernel; p is the packed panel (row stride 32).
func sgemmKernel32Generic(k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int) {
	sgemmGeneric(sgemmMR32, sgemmNR32, k, a, rsA, csA, p, sgemmNR32, c, ldc)
}

// sgemmPack32Generic copies b[q·ldb : q·ldb+32] to p[32q : 32q+32] for
// q < kc.
func sgemmPack32Generic(p, b []float32, ldb, kc int) {
	for q := 0; q < kc; q++ {
		copy(p[q*sgemmNR32:(q+1)*sgemmNR32], b[q*ldb:q*ldb+sgemmNR32])
	}
}
