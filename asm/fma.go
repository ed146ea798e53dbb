package asm

import "math"

func sqrt(x float64) float64 { return math.Sqrt(x) }

// FMALoop runs a fixed chain of fused multiply-adds and returns a value that
// depends on all of them (so that nothing is optimised away). It performs
// FMAFlops(iters) floating-point operations, counting an FMA as two. The
// native implementations keep every FMA pipe busy; timing it gives this
// core's double-precision FMA peak.
func (im *Impl) FMALoop(iters int) float64 { return im.fmaLoop(iters) }

// FMAAccumulators is the number of independent FMA chains per lane in
// FMALoop; FMAWidth is the number of float64 lanes per chain.
const (
	FMAAccumulators = 12
	FMAWidth        = 4
)

// FMAFlops returns the flops counted for FMALoop(iters).
func FMAFlops(iters int) float64 {
	return 2 * float64(iters) * FMAAccumulators * FMAWidth
}

func fmaLoopGeneric(iters int) float64 {
	var acc [FMAAccumulators * FMAWidth]float64
	for k := range acc {
		acc[k] = float64(k) * 1e-3
	}
	const m, a = 0.999999, 1e-7
	for it := 0; it < iters; it++ {
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
