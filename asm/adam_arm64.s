//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// func adamNEON(params, grads, m, v, k []float64) int
//
// Whole groups of four (two .2D registers) of the Adam update, with the
// operations of adamGeneric in the same order and no fused multiply-add,
// so that the bits match. V16–V22 hold the broadcast constants k[0…6]:
// β₁, 1−β₁, β₂, 1−β₂, StepSize, BC2Sqrt, ε.
TEXT ·adamNEON(SB), NOSPLIT, $0-128
	MOVD params_base+0(FP), R0
	MOVD params_len+8(FP), R4
	MOVD grads_base+24(FP), R1
	MOVD m_base+48(FP), R2
	MOVD v_base+72(FP), R3
	MOVD k_base+96(FP), R5
	LSR  $2, R4, R4             // R4 = groups
	LSL  $2, R4, R6
	MOVD R6, ret+120(FP)
	CBZ  R4, done
	VLD1R.P 8(R5), [V16.D2]
	VLD1R.P 8(R5), [V17.D2]
	VLD1R.P 8(R5), [V18.D2]
	VLD1R.P 8(R5), [V19.D2]
	VLD1R.P 8(R5), [V20.D2]
	VLD1R.P 8(R5), [V21.D2]
	VLD1R   (R5), [V22.D2]

loop:
	VLD1.P 32(R1), [V0.D2, V1.D2] // g
	VLD1   (R2), [V2.D2, V3.D2]   // m
	VLD1   (R3), [V4.D2, V5.D2]   // v
	FMUL2D(2, 16, 2)              // β₁m
	FMUL2D(3, 16, 3)
	FMUL2D(6, 17, 0)              // (1−β₁)g
	FMUL2D(7, 17, 1)
	FADD2D(2, 2, 6)               // m
	FADD2D(3, 3, 7)
	VST1.P [V2.D2, V3.D2], 32(R2)
	FMUL2D(4, 18, 4)              // β₂v
	FMUL2D(5, 18, 5)
	FMUL2D(6, 19, 0)              // (1−β₂)g
	FMUL2D(7, 19, 1)
	FMUL2D(6, 6, 0)               // ·g
	FMUL2D(7, 7, 1)
	FADD2D(4, 4, 6)               // v
	FADD2D(5, 5, 7)
	VST1.P [V4.D2, V5.D2], 32(R3)
	FSQRT2D(6, 4)                 // √v
	FSQRT2D(7, 5)
	FDIV2D(6, 6, 21)              // /BC2Sqrt
	FDIV2D(7, 7, 21)
	FADD2D(6, 6, 22)              // + ε
	FADD2D(7, 7, 22)
	FMUL2D(2, 20, 2)              // StepSize·m
	FMUL2D(3, 20, 3)
	FDIV2D(2, 2, 6)               // /(…)
	FDIV2D(3, 3, 7)
	VLD1   (R0), [V8.D2, V9.D2]   // θ
	FSUB2D(8, 8, 2)
	FSUB2D(9, 9, 3)
	VST1.P [V8.D2, V9.D2], 32(R0)
	SUBS $1, R4, R4
	BNE  loop

done:
	RET
