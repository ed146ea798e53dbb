//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "silu_arm64.h"

// Float64 constants, each twice (one .2D register), loaded into V14–V31.
#define C2(off, v) DATA siluC<>+(off)(SB)/8, v; DATA siluC<>+(off+8)(SB)/8, v

C2(0, $0x4086200000000000)   // V14 708
C2(16, $0xc086200000000000)  // V15 -708
C2(32, $0x3ff71547652b82fe)  // V16 log2(e)
C2(48, $0x3fe62e42fee00000)  // V17 ln2 high part
C2(64, $0x3dea39ef35793c76)  // V18 ln2 low part
C2(80, $0x3ff0000000000000)  // V19 1
C2(96, $0x3de6124613a86d09)  // V20 1/13!
C2(112, $0x3e21eed8eff8d898) // V21 1/12!
C2(128, $0x3e5ae64567f544e4) // V22 1/11!
C2(144, $0x3e927e4fb7789f5c) // V23 1/10!
C2(160, $0x3ec71de3a556c734) // V24 1/9!
C2(176, $0x3efa01a01a01a01a) // V25 1/8!
C2(192, $0x3f2a01a01a01a01a) // V26 1/7!
C2(208, $0x3f56c16c16c16c17) // V27 1/6!
C2(224, $0x3f81111111111111) // V28 1/5!
C2(240, $0x3fa5555555555555) // V29 1/4!
C2(256, $0x3fc5555555555555) // V30 1/3!
C2(272, $0x3fe0000000000000) // V31 1/2!
GLOBL siluC<>(SB), RODATA|NOPTR, $288

// Float32 constants, each four times (one .4S register), for SILUF32_LOADC
// (silu_arm64.h); egnnk_arm64.s uses them too.
#define C4(off, v) DATA ·siluF32NEONC+(off)(SB)/4, v; DATA ·siluF32NEONC+(off+4)(SB)/4, v; DATA ·siluF32NEONC+(off+8)(SB)/4, v; DATA ·siluF32NEONC+(off+12)(SB)/4, v

C4(0, $0x42ae0000)   // V20 87
C4(16, $0xc2ae0000)  // V21 -87
C4(32, $0x3fb8aa3b)  // V22 log2(e)
C4(48, $0x3f318000)  // V23 ln2 high part
C4(64, $0xb95e8083)  // V24 ln2 low part
C4(80, $0x3f800000)  // V25 1
C4(96, $0x39500d01)  // V26 1/7!
C4(112, $0x3ab60b61) // V27 1/6!
C4(128, $0x3c088889) // V28 1/5!
C4(144, $0x3d2aaaab) // V29 1/4!
C4(160, $0x3e2aaaab) // V30 1/3!
C4(176, $0x3f000000) // V31 1/2!
GLOBL ·siluF32NEONC(SB), RODATA|NOPTR, $192

// func siluNEON(s, g, z []float64) int
//
// Whole 4-element blocks (two .2D registers) of g = σ(z), s = z·g; returns
// the number of elements done. As siluAVX2: x = −clamp(z, ±708),
// k = round(x·log2 e), r = x − k·ln2 (two parts), e^x = 2^k·p(r) with p the
// degree-13 Taylor polynomial (Horner, fused), k added to the exponent field.
// V0–V1 z, V2–V3 x, r, then g, V4–V5 k, then s, V6–V9 polynomial.
TEXT ·siluNEON(SB), NOSPLIT, $0-80
	MOVD s_base+0(FP), R0
	MOVD g_base+24(FP), R1
	MOVD z_base+48(FP), R2
	MOVD z_len+56(FP), R3
	LSR  $2, R3, R4             // R4 = blocks
	LSL  $2, R4, R5
	MOVD R5, ret+72(FP)
	CBZ  R4, done
	MOVD $siluC<>(SB), R6
	VLD1.P 64(R6), [V14.D2, V15.D2, V16.D2, V17.D2]
	VLD1.P 64(R6), [V18.D2, V19.D2, V20.D2, V21.D2]
	VLD1.P 64(R6), [V22.D2, V23.D2, V24.D2, V25.D2]
	VLD1.P 64(R6), [V26.D2, V27.D2, V28.D2, V29.D2]
	VLD1   (R6), [V30.D2, V31.D2]

loop:
	VLD1.P 32(R2), [V0.D2, V1.D2] // z
	FNEG2D(2, 0)                  // x = −z
	FNEG2D(3, 1)
	FMIN2D(2, 2, 14)              // clamp to ±708
	FMIN2D(3, 3, 14)
	FMAX2D(2, 2, 15)
	FMAX2D(3, 3, 15)
	FMUL2D(4, 2, 16)              // x·log2 e
	FMUL2D(5, 3, 16)
	FRINTN2D(4, 4)                // k
	FRINTN2D(5, 5)
	FMLS2D(2, 4, 17)              // r = x − k·ln2hi
	FMLS2D(3, 5, 17)
	FMLS2D(2, 4, 18)              // r −= k·ln2lo
	FMLS2D(3, 5, 18)
	MOV16B(6, 21)                 // p = 1/12! + r/13!
	MOV16B(7, 21)
	FMLA2D(6, 2, 20)
	FMLA2D(7, 3, 20)
	MOV16B(8, 22)                 // p = 1/11! + r·p
	MOV16B(9, 22)
	FMLA2D(8, 2, 6)
	FMLA2D(9, 3, 7)
	MOV16B(6, 23)                 // 1/10!
	MOV16B(7, 23)
	FMLA2D(6, 2, 8)
	FMLA2D(7, 3, 9)
	MOV16B(8, 24)                 // 1/9!
	MOV16B(9, 24)
	FMLA2D(8, 2, 6)
	FMLA2D(9, 3, 7)
	MOV16B(6, 25)                 // 1/8!
	MOV16B(7, 25)
	FMLA2D(6, 2, 8)
	FMLA2D(7, 3, 9)
	MOV16B(8, 26)                 // 1/7!
	MOV16B(9, 26)
	FMLA2D(8, 2, 6)
	FMLA2D(9, 3, 7)
	MOV16B(6, 27)                 // 1/6!
	MOV16B(7, 27)
	FMLA2D(6, 2, 8)
	FMLA2D(7, 3, 9)
	MOV16B(8, 28)                 // 1/5!
	MOV16B(9, 28)
	FMLA2D(8, 2, 6)
	FMLA2D(9, 3, 7)
	MOV16B(6, 29)                 // 1/4!
	MOV16B(7, 29)
	FMLA2D(6, 2, 8)
	FMLA2D(7, 3, 9)
	MOV16B(8, 30)                 // 1/3!
	MOV16B(9, 30)
	FMLA2D(8, 2, 6)
	FMLA2D(9, 3, 7)
	MOV16B(6, 31)                 // 1/2!
	MOV16B(7, 31)
	FMLA2D(6, 2, 8)
	FMLA2D(7, 3, 9)
	MOV16B(8, 19)                 // 1/1!
	MOV16B(9, 19)
	FMLA2D(8, 2, 6)
	FMLA2D(9, 3, 7)
	MOV16B(6, 19)                 // 1/0!
	MOV16B(7, 19)
	FMLA2D(6, 2, 8)
	FMLA2D(7, 3, 9)
	FCVTZS2D(4, 4)                // k as int64
	FCVTZS2D(5, 5)
	SHL2D(4, 4, 52)
	SHL2D(5, 5, 52)
	ADD2D(6, 6, 4)                // e^x = p·2^k
	ADD2D(7, 7, 5)
	FADD2D(6, 6, 19)              // 1 + e^{−z}
	FADD2D(7, 7, 19)
	FDIV2D(2, 19, 6)              // g
	FDIV2D(3, 19, 7)
	FMUL2D(4, 0, 2)               // s = z·g
	FMUL2D(5, 1, 3)
	VST1.P [V2.D2, V3.D2], 32(R1)
	VST1.P [V4.D2, V5.D2], 32(R0)
	SUBS $1, R4, R4
	BNE  loop

done:
	RET

// func siluF32NEON(s, g, z []float32) int
//
// Whole 8-element blocks (two .4S registers) of g = σ(z), s = z·g (SILU2S);
// returns the number of elements done.
TEXT ·siluF32NEON(SB), NOSPLIT, $0-80
	MOVD s_base+0(FP), R0
	MOVD g_base+24(FP), R1
	MOVD z_base+48(FP), R2
	MOVD z_len+56(FP), R3
	LSR  $3, R3, R4             // R4 = blocks
	LSL  $3, R4, R5
	MOVD R5, ret+72(FP)
	CBZ  R4, done
	SILUF32_LOADC(R6)

loop:
	VLD1.P 32(R2), [V0.S4, V1.S4]
	SILU2S(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	VST1.P [V2.S4, V3.S4], 32(R1)
	VST1.P [V4.S4, V5.S4], 32(R0)
	SUBS $1, R4, R4
	BNE  loop

done:
	RET
