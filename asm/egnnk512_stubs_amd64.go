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

// attScaleF32AVX512, coordBackF32AVX512, attBackF32AVX512 and
// edgeInBackF32AVX512 are the AVX2 kernels' row loops in AVX-512, under the
// same conditions.
//
//go:noescape
func attScaleF32AVX512(mp, agg, s, att []float32, n1, F, ldagg int) int

//go:noescape
func coordBackF32AVX512(dz, gw, gb, s, g, c, w []float32, F int) int

//go:noescape
func attBackF32AVX512(dm, dpa, gw, gb, s, g, att, w []float32, F int) int

//go:noescape
func edgeInBackF32AVX512(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int

// egnnF32AVX512 is egnnF32AVX2 with the edge kernels (forward and
// backward) and AttScaleF32 in AVX-512 when F is a multiple of 16 (the AVX2
// ones otherwise).
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
	k.attScale = func(mp, agg, s, att []float32, n1, F, ldagg int) int {
		if F%16 != 0 {
			return attScaleF32AVX2(mp, agg, s, att, n1, F, ldagg)
		}
		return attScaleF32AVX512(mp, agg, s, att, n1, F, ldagg)
	}
	k.coordBack = func(dz, gw, gb, s, g, c, w []float32, F int) int {
		if F%16 != 0 {
			return coordBackF32AVX2(dz, gw, gb, s, g, c, w, F)
		}
		return coordBackF32AVX512(dz, gw, gb, s, g, c, w, F)
	}
	k.attBack = func(dm, dpa, gw, gb, s, g, att, w []float32, F int) int {
		if F%16 != 0 {
			return attBackF32AVX2(dm, dpa, gw, gb, s, g, att, w, F)
		}
		return attBackF32AVX512(dm, dpa, gw, gb, s, g, att, w, F)
	}
	k.edgeInBack = func(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int {
		if F%16 != 0 {
			return edgeInBackF32AVX2(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a, rcv, snd, F)
		}
		return edgeInBackF32AVX512(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a, rcv, snd, F)
	}
	return k
}()
