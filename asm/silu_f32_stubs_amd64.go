//go:build !purego && !noasm

package asm

// siluF32AVX2 does SiLUF32 on the whole 8-lane blocks of z and returns the
// number of elements done. Requires AVX2 and FMA3.
//
//go:noescape
func siluF32AVX2(s, g, z []float32) int

// fmaLoopF32AVX2Acc runs iters float32 FMA steps on the 96 accumulators in
// acc. Requires AVX and FMA3.
//
//go:noescape
func fmaLoopF32AVX2Acc(acc []float32, iters int)
