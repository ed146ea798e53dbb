//go:build !purego && !noasm

package asm

// siluAVX2 does SiLU on the whole 4-lane blocks of z and returns the number
// of elements done. Requires AVX2 and FMA3.
//
//go:noescape
func siluAVX2(s, g, z []float64) int
