//go:build !purego && !noasm

package asm

import "github.com/klauspost/cpuid/v2"

var avx2 = &Impl{
	name:       "avx2",
	pairLJ:     pairLJAVX2,
	pairDW2:    pairDW2AVX2,
	pairDW3:    pairDW3AVX2,
	fmaLoop:    fmaLoopAVX2,
	perturb:    perturbAVX2,
	laneAxpy:   laneAxpyAVX2,
	adam:       adamAVX2,
	expWeights: expWeightsAVX2,

	gemm:       gemmAVX2,
	gemmNative: true,
	silu:       siluAVX2,
	gelu:       geluAVX2,
	sincos:     sincosAVX2,

	sgemm:       sgemmAVX2,
	sgemmNative: true,
	siluF32:     siluF32AVX2,
	fmaLoopF32:  fmaLoopF32AVX2,
	egnnF32:     egnnF32AVX2,
}

// nativeImpls returns avx2 when the CPU and OS support both AVX2 and FMA3
// (cpuid's AVX2 flag includes the OS YMM-state check).
func nativeImpls() []*Impl {
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		return []*Impl{avx2}
	}
	return nil
}
