//go:build !purego && !noasm

#include "textflag.h"

// func gemm6x8AVX2(k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int)
//
// C[0:6][0:8] += A·B for depth k ≥ 0, A(i, p) = a[i·rsA + p·csA],
// B[p][j] = b[p·ldb + j], C[i][j] = c[i·ldc + j]. Twelve YMM accumulators
// hold the tile (row i in Y(2i), Y(2i+1)); each step loads one 8-wide row of
// B, broadcasts six elements of A and issues twelve FMAs. Requires AVX, FMA3.
TEXT ·gemm6x8AVX2(SB), NOSPLIT, $0-112
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R8
	SHLQ $3, R8                    // R8 = row stride of A in bytes
	MOVQ csA+40(FP), R10
	SHLQ $3, R10                   // R10 = step of A along p in bytes
	LEAQ (SI)(R8*2), R9
	ADDQ R8, R9                    // R9 = &A(3, 0)
	MOVQ b_base+48(FP), DI
	MOVQ ldb+72(FP), R11
	SHLQ $3, R11                   // R11 = row stride of B in bytes
	MOVQ c_base+80(FP), DX
	MOVQ ldc+104(FP), R12
	SHLQ $3, R12                   // R12 = row stride of C in bytes
	LEAQ (DX)(R12*2), R13
	ADDQ R12, R13                  // R13 = &C[3][0]

	// Load the C tile.
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD (DX)(R12*1), Y2
	VMOVUPD 32(DX)(R12*1), Y3
	VMOVUPD (DX)(R12*2), Y4
	VMOVUPD 32(DX)(R12*2), Y5
	VMOVUPD (R13), Y6
	VMOVUPD 32(R13), Y7
	VMOVUPD (DX)(R12*4), Y8
	VMOVUPD 32(DX)(R12*4), Y9
	VMOVUPD (R13)(R12*2), Y10
	VMOVUPD 32(R13)(R12*2), Y11

	TESTQ CX, CX
	JZ    store

loop:
	VMOVUPD      (DI), Y12          // B[p][0:4]
	VMOVUPD      32(DI), Y13        // B[p][4:8]
	VBROADCASTSD (SI), Y14          // A(0, p)
	VFMADD231PD  Y12, Y14, Y0
	VFMADD231PD  Y13, Y14, Y1
	VBROADCASTSD (SI)(R8*1), Y15    // A(1, p)
	VFMADD231PD  Y12, Y15, Y2
	VFMADD231PD  Y13, Y15, Y3
	VBROADCASTSD (SI)(R8*2), Y14    // A(2, p)
	VFMADD231PD  Y12, Y14, Y4
	VFMADD231PD  Y13, Y14, Y5
	VBROADCASTSD (R9), Y15          // A(3, p)
	VFMADD231PD  Y12, Y15, Y6
	VFMADD231PD  Y13, Y15, Y7
	VBROADCASTSD (SI)(R8*4), Y14    // A(4, p)
	VFMADD231PD  Y12, Y14, Y8
	VFMADD231PD  Y13, Y14, Y9
	VBROADCASTSD (R9)(R8*2), Y15    // A(5, p)
	VFMADD231PD  Y12, Y15, Y10
	VFMADD231PD  Y13, Y15, Y11
	ADDQ         R10, SI            // next p
	ADDQ         R10, R9
	ADDQ         R11, DI
	DECQ         CX
	JNZ          loop

store:
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, (DX)(R12*1)
	VMOVUPD Y3, 32(DX)(R12*1)
	VMOVUPD Y4, (DX)(R12*2)
	VMOVUPD Y5, 32(DX)(R12*2)
	VMOVUPD Y6, (R13)
	VMOVUPD Y7, 32(R13)
	VMOVUPD Y8, (DX)(R12*4)
	VMOVUPD Y9, 32(DX)(R12*4)
	VMOVUPD Y10, (R13)(R12*2)
	VMOVUPD Y11, 32(R13)(R12*2)
	VZEROUPPER
	RET
