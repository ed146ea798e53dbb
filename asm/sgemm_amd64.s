//go:build !purego && !noasm

#include "textflag.h"
#include "mxcsr_amd64.h"

// func sgemm6x16AVX2(k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int)
//
// C[0:6][0:16] += A·P for depth k ≥ 0, A(i, q) = a[i·rsA + q·csA],
// P[q][j] = p[16q + j] (packed panel), C[i][j] = c[i·ldc + j]. Twelve YMM
// accumulators hold the tile (row i in Y(2i), Y(2i+1), 8 floats each); each
// step loads one 16-wide row of P, broadcasts six elements of A and issues
// twelve FMAs. Requires AVX, FMA3.
TEXT ·sgemm6x16AVX2(SB), NOSPLIT, $8-104
	FLUSH_DENORMALS(mxcsr-4(SP), ftz-8(SP)) // until the tile is stored
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R8
	SHLQ $2, R8                    // R8 = row stride of A in bytes
	MOVQ csA+40(FP), R10
	SHLQ $2, R10                   // R10 = step of A along q in bytes
	LEAQ (SI)(R8*2), R9
	ADDQ R8, R9                    // R9 = &A(3, 0)
	MOVQ p_base+48(FP), DI
	MOVQ c_base+72(FP), DX
	MOVQ ldc+96(FP), R12
	SHLQ $2, R12                   // R12 = row stride of C in bytes
	LEAQ (DX)(R12*2), R13
	ADDQ R12, R13                  // R13 = &C[3][0]

	// Load the C tile.
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (DX)(R12*1), Y2
	VMOVUPS 32(DX)(R12*1), Y3
	VMOVUPS (DX)(R12*2), Y4
	VMOVUPS 32(DX)(R12*2), Y5
	VMOVUPS (R13), Y6
	VMOVUPS 32(R13), Y7
	VMOVUPS (DX)(R12*4), Y8
	VMOVUPS 32(DX)(R12*4), Y9
	VMOVUPS (R13)(R12*2), Y10
	VMOVUPS 32(R13)(R12*2), Y11

	TESTQ CX, CX
	JZ    store

loop:
	VMOVUPS      (DI), Y12          // P[q][0:8]
	VMOVUPS      32(DI), Y13        // P[q][8:16]
	VBROADCASTSS (SI), Y14          // A(0, q)
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (SI)(R8*1), Y15    // A(1, q)
	VFMADD231PS  Y12, Y15, Y2
	VFMADD231PS  Y13, Y15, Y3
	VBROADCASTSS (SI)(R8*2), Y14    // A(2, q)
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS (R9), Y15          // A(3, q)
	VFMADD231PS  Y12, Y15, Y6
	VFMADD231PS  Y13, Y15, Y7
	VBROADCASTSS (SI)(R8*4), Y14    // A(4, q)
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS (R9)(R8*2), Y15    // A(5, q)
	VFMADD231PS  Y12, Y15, Y10
	VFMADD231PS  Y13, Y15, Y11
	ADDQ         R10, SI            // next q
	ADDQ         R10, R9
	ADDQ         $64, DI
	DECQ         CX
	JNZ          loop

store:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (DX)(R12*1)
	VMOVUPS Y3, 32(DX)(R12*1)
	VMOVUPS Y4, (DX)(R12*2)
	VMOVUPS Y5, 32(DX)(R12*2)
	VMOVUPS Y6, (R13)
	VMOVUPS Y7, 32(R13)
	VMOVUPS Y8, (DX)(R12*4)
	VMOVUPS Y9, 32(DX)(R12*4)
	VMOVUPS Y10, (R13)(R12*2)
	VMOVUPS Y11, 32(R13)(R12*2)
	RESTORE_MXCSR(mxcsr-4(SP))
	VZEROUPPER
	RET

// func sgemmPack16AVX2(p []float32, b []float32, ldb, kc int)
//
// Packs kc rows of 16 floats, b[q·ldb : q·ldb+16], into p[16q : 16q+16]
// for q < kc. Requires AVX.
TEXT ·sgemmPack16AVX2(SB), NOSPLIT, $0-64
	MOVQ p_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $2, R8                    // R8 = row stride of B in bytes
	MOVQ kc+56(FP), CX
	TESTQ CX, CX
	JZ    packdone

packloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     packloop

packdone:
	VZEROUPPER
	RET
