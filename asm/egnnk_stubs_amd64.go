//go:build !purego && !noasm

package asm

// The AVX2+FMA3 EGNN edge kernels (egnnk_amd64.s, hand-written Go
// assembly). Each requires F to be a positive multiple of 8, does every
// row and returns the number of rows done; the wrappers in egnnk.go check
// the arguments. Requires AVX, AVX2, FMA3.
var egnnF32AVX2 = egnnF32{
	edgeIn:     edgeInF32AVX2,
	siluDot:    siluDotF32AVX2,
	attScale:   attScaleF32AVX2,
	coordBack:  coordBackF32AVX2,
	attBack:    attBackF32AVX2,
	edgeInBack: edgeInBackF32AVX2,
	accum:      accumF32AVX2,
	siluBack:   siluBackF32AVX2,
	colSum:     colSumF32AVX2,
}

//go:noescape
func edgeInF32AVX2(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int

//go:noescape
func siluDotF32AVX2(s, g, d, z, w []float32, F int) int

//go:noescape
func attScaleF32AVX2(mp, agg, s, att []float32, n1, F, ldagg int) int

//go:noescape
func coordBackF32AVX2(dz, gw, gb, s, g, c, w []float32, F int) int

//go:noescape
func attBackF32AVX2(dm, dpa, gw, gb, s, g, att, w []float32, F int) int

//go:noescape
func edgeInBackF32AVX2(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int

//go:noescape
func accumF32AVX2(dst []float64, src []float32) int

//go:noescape
func siluBackF32AVX2(dz, gb, s, g []float32, F int) int

//go:noescape
func colSumF32AVX2(gb, x []float32, rows, F, ld int) int
