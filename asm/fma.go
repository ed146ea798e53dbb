package asm

import "math"

func sqrt(x float64) float64 { return math.Sqrt(x) }

// FMALoop runs a fixed chain of fused multiply-adds and returns a value that
// depends on all of them (so that nothing is optimised away). It performs
// im.FMAFlops(iters) floating-point operations, counting an FMA as two. The
// native implementations keep every FMA pipe busy with the widest registers
// their kernels use; timing it gives this core's double-precision FMA peak.
func (im *Impl) FMALoop(iters int) float64 { return im.fmaLoop(iters) }

// FMAAccumulators is the number of independent FMA chains in FMALoop and
// FMALoopF32.
const FMAAccumulators = 12

// FMALanes returns the number of float64 lanes per chain of im's FMALoop:
// 8 for avx512 and amx (ZMM registers), 4 for the others.
func (im *Impl) FMALanes() int { return im.fmaLanes }

// FMAFlops returns the flops counted for im.FMALoop(iters).
func (im *Impl) FMAFlops(iters int) float64 {
	return 2 * float64(iters) * FMAAccumulators * float64(im.fmaLanes)
}

// fmaLoopRef is FMALoop in Go on FMAAccumulators chains of lanes float64
// lanes, acc[k] = acc[k]·0.999999 + 10⁻⁷ from acc[k] = k·10⁻³, summed in
// order: the value every native loop of that width returns bit for bit.
func fmaLoopRef(iters, lanes int) float64 {
	acc := make([]float64, FMAAccumulators*lanes)
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

func fmaLoopGeneric(iters int) float64 { return fmaLoopRef(iters, 4) }
