//go:build !purego && !noasm

package asm

// neon is filled in by the NEON kernels; arm64 always has Advanced SIMD.
var neon = &Impl{
	name:    "neon",
	pairLJ:  func(e, f, x []float64, n, blocks int, trap float64) int { return 0 },
	pairDW2: func(e, f, x []float64, n, blocks int) int { return 0 },
	pairDW3: func(e, f, x []float64, n, blocks int) int { return 0 },
	fmaLoop: fmaLoopGeneric,
}

func nativeImpls() []*Impl { return []*Impl{neon} }
