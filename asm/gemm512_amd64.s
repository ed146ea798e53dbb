//go:build !purego && !noasm

#include "textflag.h"

// func gemm12x16AVX512(k int, a []float64, rsA, csA int, p []float64, c []float64, ldc int)
//
// C[0:12][0:16] += A·P for depth k ≥ 0, A(i, q) = a[i·rsA + q·csA],
// P[q][j] = p[16q + j] (packed panel), C[i][j] = c[i·ldc + j]. Twenty-four
// ZMM accumulators hold the tile (row i in Z(2i), Z(2i+1), 8 doubles each);
// each step loads one 16-wide row of P into Z24, Z25, broadcasts twelve
// elements of A (rotating through Z26–Z31) and issues 24 FMAs, one fused
// multiply-add per element of C in increasing q. Requires AVX512F.
TEXT ·gemm12x16AVX512(SB), NOSPLIT, $0-104
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R8
	SHLQ $3, R8                    // R8 = row stride of A in bytes
	MOVQ csA+40(FP), R10
	SHLQ $3, R10                   // R10 = step of A along q in bytes
	LEAQ (SI)(R8*2), R9
	ADDQ R8, R9                    // R9 = &A(3, 0)
	LEAQ (R9)(R8*2), R11
	ADDQ R8, R11                   // R11 = &A(6, 0)
	LEAQ (R11)(R8*2), R13
	ADDQ R8, R13                   // R13 = &A(9, 0)
	MOVQ p_base+48(FP), DI
	MOVQ c_base+72(FP), DX
	MOVQ ldc+96(FP), R12
	SHLQ $3, R12                   // R12 = row stride of C in bytes

	// Load the C tile, AX walking down its rows.
	MOVQ DX, AX
	VMOVUPD (AX), Z0
	VMOVUPD 64(AX), Z1
	ADDQ    R12, AX
	VMOVUPD (AX), Z2
	VMOVUPD 64(AX), Z3
	ADDQ    R12, AX
	VMOVUPD (AX), Z4
	VMOVUPD 64(AX), Z5
	ADDQ    R12, AX
	VMOVUPD (AX), Z6
	VMOVUPD 64(AX), Z7
	ADDQ    R12, AX
	VMOVUPD (AX), Z8
	VMOVUPD 64(AX), Z9
	ADDQ    R12, AX
	VMOVUPD (AX), Z10
	VMOVUPD 64(AX), Z11
	ADDQ    R12, AX
	VMOVUPD (AX), Z12
	VMOVUPD 64(AX), Z13
	ADDQ    R12, AX
	VMOVUPD (AX), Z14
	VMOVUPD 64(AX), Z15
	ADDQ    R12, AX
	VMOVUPD (AX), Z16
	VMOVUPD 64(AX), Z17
	ADDQ    R12, AX
	VMOVUPD (AX), Z18
	VMOVUPD 64(AX), Z19
	ADDQ    R12, AX
	VMOVUPD (AX), Z20
	VMOVUPD 64(AX), Z21
	ADDQ    R12, AX
	VMOVUPD (AX), Z22
	VMOVUPD 64(AX), Z23

	TESTQ CX, CX
	JZ    store

loop:
	VMOVUPD      (DI), Z24          // P[q][0:8]
	VMOVUPD      64(DI), Z25        // P[q][8:16]
	VBROADCASTSD (SI), Z26            // A(0, q)
	VFMADD231PD  Z24, Z26, Z0
	VFMADD231PD  Z25, Z26, Z1
	VBROADCASTSD (SI)(R8*1), Z27      // A(1, q)
	VFMADD231PD  Z24, Z27, Z2
	VFMADD231PD  Z25, Z27, Z3
	VBROADCASTSD (SI)(R8*2), Z28      // A(2, q)
	VFMADD231PD  Z24, Z28, Z4
	VFMADD231PD  Z25, Z28, Z5
	VBROADCASTSD (R9), Z29            // A(3, q)
	VFMADD231PD  Z24, Z29, Z6
	VFMADD231PD  Z25, Z29, Z7
	VBROADCASTSD (SI)(R8*4), Z30      // A(4, q)
	VFMADD231PD  Z24, Z30, Z8
	VFMADD231PD  Z25, Z30, Z9
	VBROADCASTSD (R9)(R8*2), Z31      // A(5, q)
	VFMADD231PD  Z24, Z31, Z10
	VFMADD231PD  Z25, Z31, Z11
	VBROADCASTSD (R11), Z26           // A(6, q)
	VFMADD231PD  Z24, Z26, Z12
	VFMADD231PD  Z25, Z26, Z13
	VBROADCASTSD (R11)(R8*1), Z27     // A(7, q)
	VFMADD231PD  Z24, Z27, Z14
	VFMADD231PD  Z25, Z27, Z15
	VBROADCASTSD (R11)(R8*2), Z28     // A(8, q)
	VFMADD231PD  Z24, Z28, Z16
	VFMADD231PD  Z25, Z28, Z17
	VBROADCASTSD (R13), Z29           // A(9, q)
	VFMADD231PD  Z24, Z29, Z18
	VFMADD231PD  Z25, Z29, Z19
	VBROADCASTSD (R11)(R8*4), Z30     // A(10, q)
	VFMADD231PD  Z24, Z30, Z20
	VFMADD231PD  Z25, Z30, Z21
	VBROADCASTSD (R13)(R8*2), Z31     // A(11, q)
	VFMADD231PD  Z24, Z31, Z22
	VFMADD231PD  Z25, Z31, Z23
	ADDQ         R10, SI            // next q
	ADDQ         R10, R9
	ADDQ         R10, R11
	ADDQ         R10, R13
	ADDQ         $128, DI
	DECQ         CX
	JNZ          loop

store:
	MOVQ DX, AX
	VMOVUPD Z0, (AX)
	VMOVUPD Z1, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z2, (AX)
	VMOVUPD Z3, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z4, (AX)
	VMOVUPD Z5, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z6, (AX)
	VMOVUPD Z7, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z8, (AX)
	VMOVUPD Z9, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z10, (AX)
	VMOVUPD Z11, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z12, (AX)
	VMOVUPD Z13, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z14, (AX)
	VMOVUPD Z15, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z16, (AX)
	VMOVUPD Z17, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z18, (AX)
	VMOVUPD Z19, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z20, (AX)
	VMOVUPD Z21, 64(AX)
	ADDQ    R12, AX
	VMOVUPD Z22, (AX)
	VMOVUPD Z23, 64(AX)
	VZEROUPPER
	RET

// func gemmPack16AVX512(p []float64, b []float64, ldb, kc int)
//
// Packs kc rows of 16 doubles, b[q·ldb : q·ldb+16], into p[16q : 16q+16]
// for q < kc. Requires AVX512F.
TEXT ·gemmPack16AVX512(SB), NOSPLIT, $0-64
	MOVQ p_base+0(FP), DI
	MOVQ b_base+24(FP), SI
	MOVQ ldb+48(FP), R8
	SHLQ $3, R8                    // R8 = row stride of B in bytes
	MOVQ kc+56(FP), CX
	TESTQ CX, CX
	JZ    packdone

packloop:
	VMOVUPD (SI), Z0
	VMOVUPD 64(SI), Z1
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	ADDQ    R8, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     packloop

packdone:
	VZEROUPPER
	RET
