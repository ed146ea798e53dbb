//go:build !purego && !noasm

package asm

func pairLJAVX2(e, f, x []float64, n, blocks int, trap float64) int { return 0 }
func pairDW2AVX2(e, f, x []float64, n, blocks int) int              { return 0 }
func pairDW3AVX2(e, f, x []float64, n, blocks int) int              { return 0 }
func fmaLoopAVX2(iters int) float64                                 { return fmaLoopGeneric(iters) }
