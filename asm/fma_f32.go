package asm

// FMALoopF32 is the single-precision twin of FMALoop: a fixed chain of
// float32 fused multiply-adds returning a value that depends on all of them.
// It performs FMAFlopsF32(iters) flops (an FMA counts as two); timing the
// native version gives this core's float32 FMA peak.
func (im *Impl) FMALoopF32(iters int) float64 { return im.fmaLoopF32(iters) }

// FMAWidthF32 is the number of float32 lanes per chain in FMALoopF32 (which
// has FMAAccumulators chains).
const FMAWidthF32 = 8

// FMAFlopsF32 returns the flops counted for FMALoopF32(iters).
func FMAFlopsF32(iters int) float64 {
	return 2 * float64(iters) * FMAAccumulators * FMAWidthF32
}

func fmaLoopF32Generic(iters int) float64 {
	var acc [FMAAccumulators * FMAWidthF32]float32
	for k := range acc {
		acc[k] = float32(k) * 1e-3
	}
	const m, a = 0.999999, 1e-7
	for it := 0; it < iters; it++ {
		for k := range acc {
			acc[k] = acc[k]*m + a
		}
	}
	var s float64
	for _, v := range acc {
		s += float64(v)
	}
	return s
}
