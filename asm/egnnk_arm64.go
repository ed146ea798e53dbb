//go:build !purego && !noasm

package asm

// The NEON EGNN edge kernels (egnnk_arm64.s, hand-written Go assembly).
// Each requires F to be a positive multiple of 8, does every row and returns
// the number of rows done (accum: elements); the wrappers in egnnk.go check
// the arguments.
var egnnF32NEON = egnnF32{
	edgeIn:     edgeInF32NEON,
	siluDot:    siluDotF32NEON,
	attScale:   attScaleF32NEON,
	coordBack:  coordBackF32NEON,
	attBack:    attBackF32NEON,
	edgeInBack: edgeInBackF32NEON,
	accum:      accumF32NEON,
	siluBack:   siluBackF32NEON,
	colSum:     colSumF32NEON,
}

//go:noescape
func edgeInF32NEON(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int

//go:noescape
func siluDotF32NEON(s, g, d, z, w []float32, F int) int

//go:noescape
func attScaleF32NEON(mp, agg, s, att []float32, n1, F, ldagg int) int

//go:noescape
func coordBackF32NEON(dz, gw, gb, s, g, c, w []float32, F int) int

//go:noescape
func attBackF32NEON(dm, dpa, gw, gb, s, g, att, w []float32, F int) int

//go:noescape
func edgeInBackF32NEON(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int

//go:noescape
func accumF32NEON(dst []float64, src []float32) int

//go:noescape
func siluBackF32NEON(dz, gb, s, g []float32, F int) int

//go:noescape
func colSumF32NEON(gb, x []float32, rows, F, ld int) int
