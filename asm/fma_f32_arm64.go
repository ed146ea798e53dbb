//go:build !purego && !noasm

package asm

// fmaLoopF32NEONAcc applies acc[k] = fused(acc[k]·m + a), m = 0.999999 and
// a = 1e-7 in float32, to all 96 elements of acc, rounds·fmaRoundIters + tail
// times. len(acc) must be at least 96.
//
//go:noescape
func fmaLoopF32NEONAcc(acc []float32, rounds, tail int)

// fmaLoopF32NEON is fmaLoopF32Generic with every step in assembly; on arm64,
// where the compiler fuses the generic acc[k]*m + a, it returns the same
// value bit for bit.
func fmaLoopF32NEON(iters int) float64 {
	var acc [FMAAccumulators * 8]float32
	for k := range acc {
		acc[k] = float32(k) * 1e-3
	}
	fmaLoopF32NEONAcc(acc[:], iters/fmaRoundIters, iters%fmaRoundIters)
	var s float64
	for _, v := range acc {
		s += float64(v)
	}
	return s
}
