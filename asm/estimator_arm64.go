//go:build !purego && !noasm

package asm

// NEON kernels of the Monte-Carlo score estimator (estimator_arm64.s).

// perturbNEON is perturbGeneric in NEON, bit for bit: the same unfused
// float32 Box–Muller steps, then one float64 fused multiply-add per value.
//
//go:noescape
func perturbNEON(dst, xs []float64, sq float64, state []uint64)

// laneAxpyNEON is laneAxpyGeneric (one fused multiply-add per element, in
// block order).
//
//go:noescape
func laneAxpyNEON(acc, w, f []float64, d, blocks int)

// expWeightsNEON does the whole groups of four of expWeightsGeneric, bit for
// bit, and returns the number of elements done.
//
//go:noescape
func expWeightsNEON(w, e []float64, top float64) int
