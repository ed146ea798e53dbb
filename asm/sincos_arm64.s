//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "mlpk_arm64.h"

// SINCOS2 sets Vs, Vc = sin, cos of the two lanes of Vx as sincosAVX2 does:
// t = x·(2/π) + 1.5·2⁵² (fused; its low bits hold n mod 4), n = t − 1.5·2⁵²,
// r = x − n·(P₁ + P₂ + P₃) (three fused steps), the Cephes polynomials in
// zz = r², then the quadrant swap and signs. Destroys Vx; uses V2–V9 and
// the constants in V12–V31.
#define SINCOS2(x, s, c) \
	MOV16B(2, 13); FMLA2D(2, x, 12); \
	FSUB2D(3, 2, 13); \
	FMLS2D(x, 3, 14); FMLS2D(x, 3, 15); FMLS2D(x, 3, 16); \
	FMUL2D(3, x, x); \
	MOV16B(4, 21); FMLA2D(4, 20, 3); \
	MOV16B(5, 22); FMLA2D(5, 4, 3); \
	MOV16B(4, 23); FMLA2D(4, 5, 3); \
	MOV16B(5, 24); FMLA2D(5, 4, 3); \
	MOV16B(4, 25); FMLA2D(4, 5, 3); \
	FMUL2D(5, x, 3); FMLA2D(x, 5, 4); \
	MOV16B(4, 27); FMLA2D(4, 26, 3); \
	MOV16B(5, 28); FMLA2D(5, 4, 3); \
	MOV16B(4, 29); FMLA2D(4, 5, 3); \
	MOV16B(5, 30); FMLA2D(5, 4, 3); \
	MOV16B(4, 31); FMLA2D(4, 5, 3); \
	FMUL2D(5, 3, 3); MOV16B(c, 19); FMLS2D(c, 3, 18); FMLA2D(c, 5, 4); \
	SHL2D(6, 2, 63); \
	USHR2D(7, 2, 1); SHL2D(7, 7, 63); \
	EOR16B(8, 7, 6); \
	CMLTZ2D(6, 6); \
	MOV16B(s, x); BIT16B(s, c, 6); BIT16B(c, x, 6); \
	EOR16B(s, s, 7); EOR16B(c, c, 8)

// func sincosNEON(s, c, x, tab []float64) int
//
// s[i], c[i] = sin x[i], cos x[i] for whole 4-lane blocks of x (two .2D
// registers), stopping before the first block with a lane outside
// |x| ≤ 2²⁹ (or NaN); returns the number of elements done. Each block is
// loaded before it is stored, so s or c may be x. V12–V31 hold 2/π,
// 1.5·2⁵², P₁, P₂, P₃, 2²⁹, ½, 1, S₀…S₅, C₀…C₅ from tab.
TEXT ·sincosNEON(SB), NOSPLIT, $0-104
	MOVD s_base+0(FP), R0
	MOVD c_base+24(FP), R1
	MOVD x_base+48(FP), R2
	MOVD x_len+56(FP), R3
	MOVD tab_base+72(FP), R5
	LSR  $2, R3, R3             // R3 = blocks
	MOVD $0, R4                 // elements done
	CBZ  R3, done
	LDRQ(12, 5, 0)
	LDRQ(13, 5, 32)
	LDRQ(14, 5, 64)
	LDRQ(15, 5, 96)
	LDRQ(16, 5, 128)
	LDRQ(17, 5, 192)
	LDRQ(18, 5, 224)
	LDRQ(19, 5, 256)
	LDRQ(20, 5, 352)
	LDRQ(21, 5, 384)
	LDRQ(22, 5, 416)
	LDRQ(23, 5, 448)
	LDRQ(24, 5, 480)
	LDRQ(25, 5, 512)
	LDRQ(26, 5, 544)
	LDRQ(27, 5, 576)
	LDRQ(28, 5, 608)
	LDRQ(29, 5, 640)
	LDRQ(30, 5, 672)
	LDRQ(31, 5, 704)

loop:
	VLD1.P 32(R2), [V0.D2, V1.D2] // x
	FACGE2D(2, 17, 0)             // 2²⁹ ≥ |x| (false for NaN)
	FACGE2D(3, 17, 1)
	AND16B(2, 2, 3)
	VMOV V2.D[0], R6
	VMOV V2.D[1], R7
	AND  R7, R6, R6
	CMN  $1, R6
	BNE  done                     // leave this block to generic
	SINCOS2(0, 10, 11)
	VST1.P [V10.D2], 16(R0)
	VST1.P [V11.D2], 16(R1)
	SINCOS2(1, 10, 11)
	VST1.P [V10.D2], 16(R0)
	VST1.P [V11.D2], 16(R1)
	ADD  $4, R4, R4
	SUBS $1, R3, R3
	BNE  loop

done:
	MOVD R4, ret+96(FP)
	RET
