//go:build !purego && !noasm

package asm

// roundBF16AVX2 is RoundBF16 on the whole 8-float blocks of src
// (bf16_amd64.s); it returns the block count. Requires AVX2.
//
//go:noescape
func roundBF16AVX2(dst, src []float32) int

// residualBF16AVX2 is ResidualBF16 on the whole 8-float blocks of src
// (roundBF16AVX2's rounding, then the difference); it returns their count.
//
//go:noescape
func residualBF16AVX2(dst, src []float32) int
