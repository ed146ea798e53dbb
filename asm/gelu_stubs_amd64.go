//go:build !purego && !noasm

package asm

// geluAVX2 does GELU on the whole 4-lane blocks of x, reading its constants
// from tab (geluTab), and returns the number of elements done. Requires
// AVX2 and FMA3.
//
//go:noescape
func geluAVX2(y, d, x, tab []float64) int

// geluAVX512 does GELU on the whole 8-lane blocks of x like geluAVX2 (the
// same operations per lane) and returns the number of elements done.
// Requires AVX512F and AVX512DQ.
//
//go:noescape
func geluAVX512(y, d, x, tab []float64) int

// geluAVX512Then2 runs geluAVX512, then geluAVX2 on a remaining 4-lane
// block.
func geluAVX512Then2(y, d, x, tab []float64) int {
	n := geluAVX512(y, d, x, tab)
	return n + geluAVX2(y[n:], d[n:], x[n:], tab)
}
