//go:build !purego && !noasm

package asm

// geluAVX2 does GELU on the whole 4-lane blocks of x, reading its constants
// from tab (geluTab), and returns the number of elements done. Requires
// AVX2 and FMA3.
//
//go:noescape
func geluAVX2(y, d, x, tab []float64) int
