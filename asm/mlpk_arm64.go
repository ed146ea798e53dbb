//go:build !purego && !noasm

package asm

// NEON kernels of the MLP score network and the optimiser (gelu_arm64.s,
// sincos_arm64.s, adam_arm64.s).

// geluNEON does GELU on the whole 4-lane blocks of x, reading its constants
// from tab (geluTab), and returns the number of elements done.
//
//go:noescape
func geluNEON(y, d, x, tab []float64) int

// sincosNEON does SinCos on the whole 4-lane blocks of x, reading its
// constants from tab (sincosTab), and returns the number of elements done:
// it stops before the first block with a lane outside |x| ≤ 2²⁹ or NaN.
//
//go:noescape
func sincosNEON(s, c, x, tab []float64) int

// adamNEON updates whole groups of four parameters and returns how many it
// did; see adamGeneric (same operations, same order, no fused multiply-add).
//
//go:noescape
func adamNEON(params, grads, m, v, k []float64) int
