//go:build !purego && !noasm

package asm

// AVX512Kernels returns the implementations with every AVX-512 pair and
// noise kernel swapped in (avx512Kernels): "avx512+nr", whose pair kernels
// refine reciprocal (square-root) estimates, "avx512+div", whose pair
// kernels divide, and "avx512+mix", whose LJ kernel alternates the two. The
// caller checks that AVX-512 is present.
func AVX512Kernels() []*Impl {
	return []*Impl{avx512Kernels("nr"), avx512Kernels("div"), avx512Kernels("mix")}
}
