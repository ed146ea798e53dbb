//go:build !purego && !noasm

package asm

import "math"

// NEON kernels, hand-written in pairlj_arm64.s, pairdw_arm64.s and
// fma_arm64.s. Each pair kernel processes whole lane blocks of the layout in
// the package doc and returns the number of blocks done (always blocks); the
// exported wrappers check lengths and finish partial blocks in Go.

// pairLJNEON is PairLJ for blocks whole lane blocks.
//
//go:noescape
func pairLJNEON(e, f, x []float64, n, blocks int, trap float64) int

// pairDW2NEON is PairDW with dim = 2 for blocks whole lane blocks.
//
//go:noescape
func pairDW2NEON(e, f, x []float64, n, blocks int) int

// pairDW3NEON is PairDW with dim = 3 for blocks whole lane blocks.
//
//go:noescape
func pairDW3NEON(e, f, x []float64, n, blocks int) int

// fmaRoundIters is the number of FMALoop iterations in one round of
// fmaLoopNEONAcc.
const fmaRoundIters = 7

// fmaLoopNEONAcc applies acc[k] = FMA(acc[k], 0.999999, 1e-7) to all
// FMAAccumulators·4 = 48 elements of acc, rounds·fmaRoundIters times.
// len(acc) must be at least 48.
//
//go:noescape
func fmaLoopNEONAcc(acc []float64, rounds int)

// fmaLoopNEON is fmaLoopGeneric with the whole rounds done in assembly; it
// returns the same value bit for bit.
func fmaLoopNEON(iters int) float64 {
	var acc [FMAAccumulators * 4]float64
	for k := range acc {
		acc[k] = float64(k) * 1e-3
	}
	rounds := iters / fmaRoundIters
	if rounds > 0 {
		fmaLoopNEONAcc(acc[:], rounds)
	}
	const m, a = 0.999999, 1e-7
	for it := rounds * fmaRoundIters; it < iters; it++ {
		for k := range acc {
			acc[k] = math.FMA(acc[k], m, a)
		}
	}
	var s float64
	for _, v := range acc {
		s += v
	}
	return s
}
