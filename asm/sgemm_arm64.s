//go:build !purego && !noasm

#include "textflag.h"

// fmla vd.4s, vn.4s, vm.s[i]: Vd += Vn·Vm[i], fused (Advanced SIMD "vector
// x indexed element"; the Go assembler lacks it; checked with llvm-mc).
#define FMLA4SE(d, n, m, i) WORD $(0x4F801000 | (((i)&1)<<21) | ((m)<<16) | (((i)>>1)<<11) | ((n)<<5) | (d))

// SGEMMROW adds P[q][0:16] (V24–V27) times A(i, q) (lane 0 of Va) to row i
// of the tile, V(c) … V(c+3).
#define SGEMMROW(c, a) \
	FMLA4SE(c, 24, a, 0); \
	FMLA4SE((c)+1, 25, a, 0); \
	FMLA4SE((c)+2, 26, a, 0); \
	FMLA4SE((c)+3, 27, a, 0)

// func sgemm6x16NEON(k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int)
//
// C[0:6][0:16] += A·P for depth k ≥ 0, A(i, q) = a[i·rsA + q·csA],
// P[q][j] = p[16q + j] (packed panel), C[i][j] = c[i·ldc + j]. Row i of the
// tile is in V4i … V4i+3 (four float32 each); each step loads one 16-wide
// row of P into V24–V27, loads the six A(i, q) into lane 0 of V28–V31 (two
// reused) and issues 24 by-element FMLAs.
//
// Registers: R0 steps left, R1 &A(0, q), R2–R6 i·rsA·4 for i = 1 … 5,
// R7 csA·4, R8 &P[q], R10 &C, R11 ldc·4, R12 row pointer.
TEXT ·sgemm6x16NEON(SB), NOSPLIT, $0-104
	MOVD k+0(FP), R0
	MOVD a_base+8(FP), R1
	MOVD rsA+32(FP), R2
	LSL  $2, R2, R2          // R2 = rsA·4
	ADD  R2, R2, R3          // R3 = 2·rsA·4
	ADD  R2, R3, R4          // R4 = 3·rsA·4
	ADD  R2, R4, R5          // R5 = 4·rsA·4
	ADD  R2, R5, R6          // R6 = 5·rsA·4
	MOVD csA+40(FP), R7
	LSL  $2, R7, R7          // R7 = csA·4
	MOVD p_base+48(FP), R8
	MOVD c_base+72(FP), R10
	MOVD ldc+96(FP), R11
	LSL  $2, R11, R11        // R11 = ldc·4

	// Load the C tile.
	MOVD   R10, R12
	VLD1.P (R12)(R11), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P (R12)(R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P (R12)(R11), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P (R12)(R11), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P (R12)(R11), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R12), [V20.S4, V21.S4, V22.S4, V23.S4]
	CBZ    R0, store

loop:
	VLD1.P 64(R8), [V24.S4, V25.S4, V26.S4, V27.S4] // P[q][0:16]; next q
	FMOVS  (R1), F28                                // A(0, q)
	FMOVS  (R1)(R2), F29                            // A(1, q)
	SGEMMROW(0, 28)
	FMOVS  (R1)(R3), F30                            // A(2, q)
	SGEMMROW(4, 29)
	FMOVS  (R1)(R4), F31                            // A(3, q)
	SGEMMROW(8, 30)
	FMOVS  (R1)(R5), F28                            // A(4, q)
	SGEMMROW(12, 31)
	FMOVS  (R1)(R6), F29                            // A(5, q)
	SGEMMROW(16, 28)
	SGEMMROW(20, 29)
	ADD    R7, R1, R1                               // next q
	SUBS   $1, R0, R0
	BNE    loop

store:
	MOVD   R10, R12
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], (R12)(R11)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], (R12)(R11)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], (R12)(R11)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], (R12)(R11)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], (R12)(R11)
	VST1   [V20.S4, V21.S4, V22.S4, V23.S4], (R12)
	RET

// func sgemmPack16NEON(p []float32, b []float32, ldb, kc int)
//
// Packs kc rows of 16 floats, b[q·ldb : q·ldb+16], into p[16q : 16q+16]
// for q < kc.
TEXT ·sgemmPack16NEON(SB), NOSPLIT, $0-64
	MOVD p_base+0(FP), R0
	MOVD b_base+24(FP), R1
	MOVD ldb+48(FP), R2
	LSL  $2, R2, R2          // R2 = ldb·4
	MOVD kc+56(FP), R3
	CBZ  R3, packdone

packloop:
	VLD1.P (R1)(R2), [V0.S4, V1.S4, V2.S4, V3.S4]
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS   $1, R3, R3
	BNE    packloop

packdone:
	RET
