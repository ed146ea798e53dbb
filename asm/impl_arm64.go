//go:build !purego && !noasm

package asm

// neon holds the hand-written NEON kernels (kernels_arm64.go); arm64 always
// has Advanced SIMD.
var neon = &Impl{
	name:       "neon",
	pairLJ:     pairLJNEON,
	pairDW2:    pairDW2NEON,
	pairDW3:    pairDW3NEON,
	fmaLoop:    fmaLoopNEON,
	perturb:    perturbGeneric,
	laneAxpy:   laneAxpyGeneric,
	adam:       adamGeneric,
	expWeights: expWeightsGeneric,
	gemm:       gemmNEON,
	gemmNative: true,
	silu:       func(s, g, z []float64) int { return 0 },
	gelu:       geluNone, // no NEON GELU yet
	sincos:     sincosNone,

	sgemm:      sgemmNEON,
	siluF32:    siluF32None,
	fmaLoopF32: fmaLoopF32NEON,
	egnnF32:    egnnF32None,

	sgemmNative: true,
}

func nativeImpls() []*Impl { return []*Impl{neon} }
