//go:build !purego && !noasm

package asm

func fmaLoopAVX2(iters int) float64   { return fmaLoopAsm(iters, 4, fmaLoopAVX2Acc) }
func fmaLoopAVX512(iters int) float64 { return fmaLoopAsm(iters, 8, fmaLoopAVX512Acc) }

func fmaLoopF32AVX2(iters int) float64   { return fmaLoopF32Asm(iters, 8, fmaLoopF32AVX2Acc) }
func fmaLoopF32AVX512(iters int) float64 { return fmaLoopF32Asm(iters, 16, fmaLoopF32AVX512Acc) }

// fmaLoopAsm runs FMALoop's chains of lanes float64 lanes with the
// assembly loop run (fmaLoopRef's value).
func fmaLoopAsm(iters, lanes int, run func(acc []float64, iters int)) float64 {
	acc := make([]float64, FMAAccumulators*lanes)
	for k := range acc {
		acc[k] = float64(k) * 1e-3
	}
	run(acc, iters)
	var s float64
	for _, v := range acc {
		s += v
	}
	return s
}

// fmaLoopF32Asm is fmaLoopAsm for FMALoopF32.
func fmaLoopF32Asm(iters, lanes int, run func(acc []float32, iters int)) float64 {
	acc := make([]float32, FMAAccumulators*lanes)
	for k := range acc {
		acc[k] = float32(k) * 1e-3
	}
	run(acc, iters)
	var s float64
	for _, v := range acc {
		s += float64(v)
	}
	return s
}
