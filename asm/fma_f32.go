package asm

// FMALoopF32 is the single-precision twin of FMALoop: a fixed chain of
// float32 fused multiply-adds returning a value that depends on all of them.
// It performs im.FMAFlopsF32(iters) flops (an FMA counts as two); timing the
// native version gives this core's float32 FMA peak.
func (im *Impl) FMALoopF32(iters int) float64 { return im.fmaLoopF32(iters) }

// FMALanesF32 returns the number of float32 lanes per chain of im's
// FMALoopF32 (which has FMAAccumulators chains): 16 for avx512 and amx, 8
// for the others.
func (im *Impl) FMALanesF32() int { return 2 * im.fmaLanes }

// FMAFlopsF32 returns the flops counted for im.FMALoopF32(iters).
func (im *Impl) FMAFlopsF32(iters int) float64 {
	return 2 * float64(iters) * FMAAccumulators * float64(im.FMALanesF32())
}

// fmaLoopF32Ref is FMALoopF32 in Go on chains of lanes float32 lanes (the
// multiply and add rounded apart where the compiler does not fuse them).
func fmaLoopF32Ref(iters, lanes int) float64 {
	acc := make([]float32, FMAAccumulators*lanes)
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

func fmaLoopF32Generic(iters int) float64 { return fmaLoopF32Ref(iters, 8) }
