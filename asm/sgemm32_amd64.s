//go:build !purego && !noasm

#include "textflag.h"
#include "mxcsr_amd64.h"

// func sgemm12x32AVX512(k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int)
//
// C[0:12][0:32] += A·P for depth k ≥ 0, A(i, q) = a[i·rsA + q·csA],
// P[q][j] = p[32q + j] (packed panel), C[i][j] = c[i·ldc + j]. Twenty-four
// ZMM accumulators hold the tile (row i in Z(2i), Z(2i+1), 16 floats each);
// each step loads one 32-wide row of P into Z24, Z25, broadcasts twelve
// elements of A (rotating through Z26–Z31) and issues 24 FMAs, one fused
// multiply-add per element of C in increasing q. Requires AVX512F.
TEXT ·sgemm12x32AVX512(SB), NOSPLIT, $8-104
	FLUSH_DENORMALS(mxcsr-4(SP), ftz-8(SP)) // until the tile is stored
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R8
	SHLQ $2, R8                    // R8 = row stride of A in bytes
	MOVQ csA+40(FP), R10
	SHLQ $2, R10                   // R10 = step of A along q in bytes
	LEAQ (SI)(R8*2), R9
	ADDQ R8, R9                    // R9 = &A(3, 0)
	LEAQ (R9)(R8*2), R11
	ADDQ R8, R11                   // R11 = &A(6, 0)
	LEAQ (R11)(R8*2), R13
	ADDQ R8, R13                   // R13 = &A(9, 0)
	MOVQ p_base+48(FP), DI
	MOVQ c_base+72(FP), DX
	MOVQ ldc+96(FP), R12
	SHLQ $2, R12                   // R12 = row stride of C in bytes

	// Load the C tile, AX walking down its rows.
	MOVQ DX, AX
	VMOVUPS (AX), Z0
	VMOVUPS 64(AX), Z1
	ADDQ    R12, AX
	VMOVUPS (AX), Z2
	VMOVUPS 64(AX), Z3
	ADDQ    R12, AX
	VMOVUPS (AX), Z4
	VMOVUPS 64(AX), Z5
	ADDQ    R12, AX
	VMOVUPS (AX), Z6
	VMOVUPS 64(AX), Z7
	ADDQ    R12, AX
	VMOVUPS (AX), Z8
	VMOVUPS 64(AX), Z9
	ADDQ    R12, AX
	VMOVUPS (AX), Z10
	VMOVUPS 64(AX), Z11
	ADDQ    R12, AX
	VMOVUPS (AX), Z12
	VMOVUPS 64(AX), Z13
	ADDQ    R12, AX
	VMOVUPS (AX), Z14
	VMOVUPS 64(AX), Z15
	ADDQ    R12, AX
	VMOVUPS (AX), Z16
	VMOVUPS 64(AX), Z17
	ADDQ    R12, AX
	VMOVUPS (AX), Z18
	VMOVUPS 64(AX), Z19
	ADDQ    R12, AX
	VMOVUPS (AX), Z20
	VMOVUPS 64(AX), Z21
	ADDQ    R12, AX
	VMOVUPS (AX), Z22
	VMOVUPS 64(AX), Z23

	TESTQ CX, CX
	JZ    store

loop:
	VMOVUPS      (DI), Z24          // P[q][0:16]
	VMOVUPS      64(DI), Z25        // P[q][16:32]
	VBROADCASTSS (SI), Z26            // A(0, q)
	VFMADD231PS  Z24, Z26, Z0
	VFMADD231PS  Z25, Z26, Z1
	VBROADCASTSS (SI)(R8*1), Z27      // A(1, q)
	VFMADD231PS  Z24, Z27, Z2
	VFMADD231PS  Z25, Z27, Z3
	VBROADCASTSS (SI)(R8*2), Z28      // A(2, q)
	VFMADD231PS  Z24, Z28, Z4
	VFMADD231PS  Z25, Z28, Z5
	VBROADCASTSS (R9), Z29            // A(3, q)
	VFMADD231PS  Z24, Z29, Z6
	VFMADD231PS  Z25, Z29, Z7
	VBROADCASTSS (SI)(R8*4), Z30      // A(4, q)
	VFMADD231PS  Z24, Z30, Z8
	VFMADD231PS  Z25, Z30, Z9
	VBROADCASTSS (R9)(R8*2), Z31      // A(5, q)
	VFMADD231PS  Z24, Z31, Z10
	VFMADD231PS  Z25, Z31, Z11
	VBROADCASTSS (R11), Z26           // A(6, q)
	VFMADD231PS  Z24, Z26, Z12
	VFMADD231PS  Z25, Z26, Z13
	VBROADCASTSS (R11)(R8*1), Z27     // A(7, q)
	VFMADD231PS  Z24, Z27, Z14
	VFMADD231PS  Z25, Z27, Z15
	VBROADCASTSS (R11)(R8*2), Z28     // A(8, q)
	VFMADD231PS  Z24, Z28, Z16
	VFMADD231PS  Z25, Z28, Z17
	VBROADCASTSS (R13), Z29           // A(9, q)
	VFMADD231PS  Z24, Z29, Z18
	VFMADD231PS  Z25, Z29, Z19
	VBROADCASTSS (R11)(R8*4), Z30     // A(10, q)
	VFMADD231PS  Z24, Z30, Z20
	VFMADD231PS  Z25, Z30, Z21
	VBROADCASTSS (R13)(R8*2), Z31     // A(11, q)
	VFMADD231PS  Z24, Z31, Z22
	VFMADD231PS  Z25, Z31, Z23
	ADDQ         R10, SI            // next q
	ADDQ         R10, R9
	ADDQ         R10, R11
	ADDQ         R10, R13
	ADDQ         $128, DI
	DECQ         CX
	JNZ          loop

store:
	MOVQ DX, AX
	VMOVUPS Z0, (AX)
	VMOVUPS Z1, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z2, (AX)
	VMOVUPS Z3, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z4, (AX)
	VMOVUPS Z5, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z6, (AX)
	VMOVUPS Z7, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z8, (AX)
	VMOVUPS Z9, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z10, (AX)
	VMOVUPS Z11, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z12, (AX)
	VMOVUPS Z13, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z14, (AX)
	VMOVUPS Z15, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z16, (AX)
	VMOVUPS Z17, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z18, (AX)
	VMOVUPS Z19, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z20, (AX)
	VMOVUPS Z21, 64(AX)
	ADDQ    R12, AX
	VMOVUPS Z22, (AX)
	VMOVUPS Z23, 64(AX)
	RESTORE_MXCSR(mxcsr-4(SP))
	VZEROUPPER
	RET

// func sgemmPack32AVX512(p []float32, b []float32, ldb, kc int)
//
// Packs kc rows of 32 floats, b[q·ldb : q·ldb+32], into p[32q : 32q+32]
// for q < kc. Requires AVX512F.
TEXT ·sgemmPack32AVX512(SB), NOSPLIT, $0-64
	MOVQ p_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $2, R8                    // R8 = row stride of B in bytes
	MOVQ kc+56(FP), CX
	TESTQ CX, CX
	JZ    packdone

packloop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ    R8, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     packloop

packdone:
	VZEROUPPER
	RET
