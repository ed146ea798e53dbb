//go:build !purego && !noasm

package asm

// sincosAVX2 does SinCos on the whole 4-lane blocks of x, reading its
// constants from tab (sincosTab), and returns the number of elements done:
// it stops before the first block with a lane outside |x| ≤ 2²⁹ or NaN.
// Requires AVX2 and FMA3.
//
//go:noescape
func sincosAVX2(s, c, x, tab []float64) int
