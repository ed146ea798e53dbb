//go:build !purego && !noasm

package asm

func fmaLoopAVX2(iters int) float64 {
	var acc [FMAAccumulators * FMAWidth]float64
	for k := range acc {
		acc[k] = float64(k) * 1e-3
	}
	fmaLoopAVX2Acc(acc[:], iters)
	var s float64
	for _, v := range acc {
		s += v
	}
	return s
}
