//go:build !purego && !noasm

package asm

func fmaLoopAVX2(iters int) float64   { return fmaLoopAsm(iters, 4, fmaLoopAVX2Acc) }
func fmaLoopAVX512(iters int) float64 { return fmaLoopAsm(iters, 8, fmaLoopAVX512Acc) }

func fmaLoopF32AVX2(iters int) float64   { return fmaLoopAsm(iters, 8, fmaLoopF32AVX2Acc) }
func fmaLoopF32AVX512(iters int) float64 { return fmaLoopAsm(iters, 16, fmaLoopF32AVX512Acc) }

// fmaLoopAsm runs FMALoop's (FMALoopF32's) chains of lanes lanes with the
// assembly loop run: fmaLoopRef's (fmaLoopF32Ref's) value. One small
// allocation per call, against at least 2¹⁶ iterations in every caller.
func fmaLoopAsm[T float32 | float64](iters, lanes int, run func(acc []T, iters int)) float64 {
	acc := make([]T, FMAAccumulators*lanes)
	for k := range acc {
		acc[k] = T(k) * 1e-3
	}
	run(acc, iters)
	var s float64
	for _, v := range acc {
		s += float64(v)
	}
	return s
}
