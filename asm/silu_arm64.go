//go:build !purego && !noasm

package asm

// siluNEON does SiLU on the whole 4-element blocks of z and returns the
// number of elements done (silu_arm64.s).
//
//go:noescape
func siluNEON(s, g, z []float64) int

// siluF32NEON does SiLUF32 on the whole 8-element blocks of z and returns
// the number of elements done (silu_arm64.s).
//
//go:noescape
func siluF32NEON(s, g, z []float32) int
