//go:build !purego && !noasm

#include "textflag.h"

// fmla vd.2d, vn.2d, vm.d[i]: Vd += Vn·Vm[i], fused (Advanced SIMD "vector
// x indexed element"; the Go assembler lacks it; checked with llvm-mc).
#define FMLA2DE(d, n, m, i) WORD $(0x4FC01000 | ((m)<<16) | ((i)<<11) | ((n)<<5) | (d))

// GEMMROW adds B[p][0:8] (V24–V27) times A(i, p) (lane 0 of Va) to row i of
// the tile, V(c) … V(c+3).
#define GEMMROW(c, a) \
	FMLA2DE(c, 24, a, 0); \
	FMLA2DE((c)+1, 25, a, 0); \
	FMLA2DE((c)+2, 26, a, 0); \
	FMLA2DE((c)+3, 27, a, 0)

// func gemm6x8NEON(k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int)
//
// C[0:6][0:8] += A·B for depth k ≥ 0, A(i, p) = a[i·rsA + p·csA],
// B[p][j] = b[p·ldb + j], C[i][j] = c[i·ldc + j]. Row i of the tile is in
// V4i … V4i+3 (two float64 each); each step loads one 8-wide row of B into
// V24–V27, loads the six A(i, p) into lane 0 of V28–V31 (two reused) and
// issues 24 by-element FMLAs.
//
// Registers: R0 steps left, R1 &A(0, p), R2–R6 i·rsA·8 for i = 1 … 5,
// R7 csA·8, R8 &B[p], R9 ldb·8, R10 &C, R11 ldc·8, R12 row pointer.
TEXT ·gemm6x8NEON(SB), NOSPLIT, $0-112
	MOVD k+0(FP), R0
	MOVD a_base+8(FP), R1
	MOVD rsA+32(FP), R2
	LSL  $3, R2, R2          // R2 = rsA·8
	ADD  R2, R2, R3          // R3 = 2·rsA·8
	ADD  R2, R3, R4          // R4 = 3·rsA·8
	ADD  R2, R4, R5          // R5 = 4·rsA·8
	ADD  R2, R5, R6          // R6 = 5·rsA·8
	MOVD csA+40(FP), R7
	LSL  $3, R7, R7          // R7 = csA·8
	MOVD b_base+48(FP), R8
	MOVD ldb+72(FP), R9
	LSL  $3, R9, R9          // R9 = ldb·8
	MOVD c_base+80(FP), R10
	MOVD ldc+104(FP), R11
	LSL  $3, R11, R11        // R11 = ldc·8

	// Load the C tile.
	MOVD   R10, R12
	VLD1.P (R12)(R11), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1.P (R12)(R11), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1.P (R12)(R11), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1.P (R12)(R11), [V12.D2, V13.D2, V14.D2, V15.D2]
	VLD1.P (R12)(R11), [V16.D2, V17.D2, V18.D2, V19.D2]
	VLD1   (R12), [V20.D2, V21.D2, V22.D2, V23.D2]
	CBZ    R0, store

loop:
	VLD1.P (R8)(R9), [V24.D2, V25.D2, V26.D2, V27.D2] // B[p][0:8]; next p
	FMOVD  (R1), F28                                  // A(0, p)
	FMOVD  (R1)(R2), F29                              // A(1, p)
	GEMMROW(0, 28)
	FMOVD  (R1)(R3), F30                              // A(2, p)
	GEMMROW(4, 29)
	FMOVD  (R1)(R4), F31                              // A(3, p)
	GEMMROW(8, 30)
	FMOVD  (R1)(R5), F28                              // A(4, p)
	GEMMROW(12, 31)
	FMOVD  (R1)(R6), F29                              // A(5, p)
	GEMMROW(16, 28)
	GEMMROW(20, 29)
	ADD    R7, R1, R1                                 // next p
	SUBS   $1, R0, R0
	BNE    loop

store:
	MOVD   R10, R12
	VST1.P [V0.D2, V1.D2, V2.D2, V3.D2], (R12)(R11)
	VST1.P [V4.D2, V5.D2, V6.D2, V7.D2], (R12)(R11)
	VST1.P [V8.D2, V9.D2, V10.D2, V11.D2], (R12)(R11)
	VST1.P [V12.D2, V13.D2, V14.D2, V15.D2], (R12)(R11)
	VST1.P [V16.D2, V17.D2, V18.D2, V19.D2], (R12)(R11)
	VST1   [V20.D2, V21.D2, V22.D2, V23.D2], (R12)
	RET
