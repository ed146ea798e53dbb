//go:build !purego && !noasm

package asm

// neon holds the hand-written NEON kernels (declared in the *_arm64.go
// files); arm64 always has Advanced SIMD.
var neon = &Impl{
	name:       "neon",
	pairLJ:     pairLJNEON,
	pairDW2:    pairDW2NEON,
	pairDW3:    pairDW3NEON,
	fmaLoop:    fmaLoopNEON,
	fmaLanes:   4,
	perturb:    perturbNEON,
	laneAxpy:   laneAxpyNEON,
	adam:       adamNEON,
	expWeights: expWeightsNEON,
	gemm:       gemmNEON,
	gemmNative: true,
	silu:       siluNEON,
	gelu:       geluNEON,
	sincos:     sincosNEON,

	sgemm:      sgemmNEON,
	siluF32:    siluF32NEON,
	fmaLoopF32: fmaLoopF32NEON,
	egnnF32:    egnnF32NEON,

	sgemmNative: true,
}

func nativeImpls() []*Impl { return []*Impl{neon} }

// implNames lists every implementation arm64 builds know, generic first.
func implNames() []string { return []string{"generic", "neon"} }

// buildReason is "" in a build with assembly.
func buildReason(string) string { return "" }
