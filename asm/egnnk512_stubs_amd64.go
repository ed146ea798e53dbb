//go:build !purego && !noasm

package asm

// edgeInF32AVX512 and siluDotF32AVX512 are EdgeInputF32's and SiLUDotF32's
// row loops in AVX-512 (egnnk512_amd64.s): F must be a positive multiple
// of 16; they do every row and return the row count. Require AVX512F and
// AVX512DQ.
//
//go:noescape
func edgeInF32AVX512(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int

//go:noescape
func siluDotF32AVX512(s, g, d, z, w []float32, F int) int

// egnnF32AVX512 is egnnF32AVX2 with the forward edge kernels in AVX-512
// when F is a multiple of 16 (the AVX2 ones otherwise).
var egnnF32AVX512 = func() egnnF32 {
	k := egnnF32AVX2
	k.edgeIn = func(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int {
		if F%16 != 0 {
			return edgeInF32AVX2(s, g, u, v, wr, wa, r, a, rcv, snd, F)
		}
		return edgeInF32AVX512(s, g, u, v, wr, wa, r, a, rcv, snd, F)
	}
	k.siluDot = func(s, g, d, z, w []float32, F int) int {
		if F%16 != 0 {
			return siluDotF32AVX2(s, g, d, z, w, F)
		}
		return siluDotF32AVX512(s, g, d, z, w, F)
	}
	return k
}()
