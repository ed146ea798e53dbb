//go:build !purego && !noasm

package asm

// AVX512Kernels returns the implementations with every AVX-512 pair and
// noise kernel swapped in (avx512Kernels): "avx512+nr", whose pair kernels
// use Newton-refined reciprocal (square-root) estimates, and "avx512+div",
// whose pair kernels divide. The caller checks that AVX-512 is present.
func AVX512Kernels() []*Impl { return []*Impl{avx512Kernels(false), avx512Kernels(true)} }
