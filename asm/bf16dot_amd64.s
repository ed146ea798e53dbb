//go:build !purego && !noasm

#include "textflag.h"

// func bf16Dot12x32AVX512(kp int, a []uint32, rsA, csA int, p []uint32, c []float32, ldc int)
//
// C[0:12][0:32] += A·P over kp bfloat16 pairs (see GemmBF16Pairs): A(i, q)
// = a[i·rsA + q·csA] and P[q][j] = p[32q + j] are pairs (low half the even
// element), and each step adds, per element of C, the pair's dot product
// with VDPBF16PS (high halves' product first, then the low halves', each
// addition rounded, denormals flushed). The layout is sgemm12x32AVX512's:
// row i of the tile in Z(2i), Z(2i+1); P's 32 pairs in Z24, Z25; A pairs
// broadcast through Z26–Z31. Go's assembler has no VDPBF16PS, so it is
// written as bytes (from GNU as; each line names the instruction).
// Requires AVX512F and AVX512_BF16.
TEXT ·bf16Dot12x32AVX512(SB), NOSPLIT, $0-104
	MOVQ kp+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ rsA+32(FP), R8
	SHLQ $2, R8                    // R8 = row stride of A in bytes (4 per pair)
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
	VMOVUPS      (DI), Z24          // P[q][0:16] (pairs)
	VMOVUPS      64(DI), Z25        // P[q][16:32] (pairs)
	VPBROADCASTD (SI), Z26            // pair A(0, q)
	BYTE $0x62; BYTE $0x92; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xc2 // VDPBF16PS Z24, Z26, Z0
	BYTE $0x62; BYTE $0x92; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xca // VDPBF16PS Z25, Z26, Z1
	VPBROADCASTD (SI)(R8*1), Z27      // pair A(1, q)
	BYTE $0x62; BYTE $0x92; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xd3 // VDPBF16PS Z24, Z27, Z2
	BYTE $0x62; BYTE $0x92; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xdb // VDPBF16PS Z25, Z27, Z3
	VPBROADCASTD (SI)(R8*2), Z28      // pair A(2, q)
	BYTE $0x62; BYTE $0x92; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xe4 // VDPBF16PS Z24, Z28, Z4
	BYTE $0x62; BYTE $0x92; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xec // VDPBF16PS Z25, Z28, Z5
	VPBROADCASTD (R9), Z29            // pair A(3, q)
	BYTE $0x62; BYTE $0x92; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xf5 // VDPBF16PS Z24, Z29, Z6
	BYTE $0x62; BYTE $0x92; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xfd // VDPBF16PS Z25, Z29, Z7
	VPBROADCASTD (SI)(R8*4), Z30      // pair A(4, q)
	BYTE $0x62; BYTE $0x12; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xc6 // VDPBF16PS Z24, Z30, Z8
	BYTE $0x62; BYTE $0x12; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xce // VDPBF16PS Z25, Z30, Z9
	VPBROADCASTD (R9)(R8*2), Z31      // pair A(5, q)
	BYTE $0x62; BYTE $0x12; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xd7 // VDPBF16PS Z24, Z31, Z10
	BYTE $0x62; BYTE $0x12; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xdf // VDPBF16PS Z25, Z31, Z11
	VPBROADCASTD (R11), Z26           // pair A(6, q)
	BYTE $0x62; BYTE $0x12; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xe2 // VDPBF16PS Z24, Z26, Z12
	BYTE $0x62; BYTE $0x12; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xea // VDPBF16PS Z25, Z26, Z13
	VPBROADCASTD (R11)(R8*1), Z27     // pair A(7, q)
	BYTE $0x62; BYTE $0x12; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xf3 // VDPBF16PS Z24, Z27, Z14
	BYTE $0x62; BYTE $0x12; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xfb // VDPBF16PS Z25, Z27, Z15
	VPBROADCASTD (R11)(R8*2), Z28     // pair A(8, q)
	BYTE $0x62; BYTE $0x82; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xc4 // VDPBF16PS Z24, Z28, Z16
	BYTE $0x62; BYTE $0x82; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xcc // VDPBF16PS Z25, Z28, Z17
	VPBROADCASTD (R13), Z29           // pair A(9, q)
	BYTE $0x62; BYTE $0x82; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xd5 // VDPBF16PS Z24, Z29, Z18
	BYTE $0x62; BYTE $0x82; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xdd // VDPBF16PS Z25, Z29, Z19
	VPBROADCASTD (R11)(R8*4), Z30     // pair A(10, q)
	BYTE $0x62; BYTE $0x82; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xe6 // VDPBF16PS Z24, Z30, Z20
	BYTE $0x62; BYTE $0x82; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xee // VDPBF16PS Z25, Z30, Z21
	VPBROADCASTD (R13)(R8*2), Z31     // pair A(11, q)
	BYTE $0x62; BYTE $0x82; BYTE $0x3e; BYTE $0x40; BYTE $0x52; BYTE $0xf7 // VDPBF16PS Z24, Z31, Z22
	BYTE $0x62; BYTE $0x82; BYTE $0x36; BYTE $0x40; BYTE $0x52; BYTE $0xff // VDPBF16PS Z25, Z31, Z23
	ADDQ         R10, SI            // next pair q
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
	VZEROUPPER
	RET

// func bf16PackRowsAVX512(dst []uint32, src []float32, n32 int)
//
// Rounds 32·n32 consecutive floats of src to bfloat16 (VCVTNE2PS2BF16:
// nearest even, denormals to zero, NaNs quiet) and stores them in order,
// 16 pairs per step. Requires AVX512F and AVX512_BF16.
TEXT ·bf16PackRowsAVX512(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ n32+48(FP), CX
	TESTQ CX, CX
	JZ    rowsdone

rowsloop:
	VMOVUPS (SI), Z1               // floats 0..15: the low words
	VMOVUPS 64(SI), Z0             // floats 16..31: the high words
	BYTE $0x62; BYTE $0xF2; BYTE $0x7F; BYTE $0x48; BYTE $0x72; BYTE $0xD1 // VCVTNE2PS2BF16 Z1, Z0, Z2
	VMOVDQU32 Z2, (DI)
	ADDQ $128, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  rowsloop
	VZEROUPPER

rowsdone:
	RET

// func bf16PackColsAVX512(dst []uint32, lo, hi []float32, n16 int, perm []uint16)
//
// Interleaves two rows: dst[j] = pair(lo[j], hi[j]) rounded to bfloat16,
// for j < 16·n16. VCVTNE2PS2BF16 puts lo's 16 words below hi's, and VPERMW
// with perm (0, 16, 1, 17, …) interleaves them. Requires AVX512F,
// AVX512BW and AVX512_BF16.
TEXT ·bf16PackColsAVX512(SB), NOSPLIT, $0-104
	MOVQ dst_base+0(FP), DI
	MOVQ lo_base+24(FP), SI
	MOVQ hi_base+48(FP), DX
	MOVQ n16+72(FP), CX
	MOVQ perm_base+80(FP), AX
	VMOVDQU16 (AX), Z3
	TESTQ CX, CX
	JZ    colsdone

colsloop:
	VMOVUPS (SI), Z1
	VMOVUPS (DX), Z0
	BYTE $0x62; BYTE $0xF2; BYTE $0x7F; BYTE $0x48; BYTE $0x72; BYTE $0xD1 // VCVTNE2PS2BF16 Z1, Z0, Z2
	VPERMW  Z2, Z3, Z2
	VMOVDQU32 Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  colsloop
	VZEROUPPER

colsdone:
	RET

// PAIRROW rounds rows 2q and 2q+1 of src (at R8 and R8+R9) to bfloat16 and
// interleaves them into Z, the 16 pairs (src(2q, j), src(2q+1, j)), as
// bf16PackColsAVX512 does (Z3 = its VPERMW index); R8 moves two rows on.
#define PAIRROW(Z) \
	VMOVUPS (R8), Z1; \
	VMOVUPS (R8)(R9*1), Z0; \
	BYTE $0x62; BYTE $0xF2; BYTE $0x7F; BYTE $0x48; BYTE $0x72; BYTE $0xD1; \
	VPERMW  Z2, Z3, Z; \
	LEAQ    (R8)(R9*2), R8

// QWORDS interleaves the qwords of the dword-interleaved rows A0, A1 (from
// rows 4k, 4k+1) and A2, A3 (rows 4k+2, 4k+3) into B0…B3: per 128-bit lane
// L, Bc holds column 4L+c of the four rows.
#define QWORDS(A0, A1, A2, A3, B0, B1, B2, B3) \
	VPUNPCKLQDQ A2, A0, B0; \
	VPUNPCKHQDQ A2, A0, B1; \
	VPUNPCKLQDQ A3, A1, B2; \
	VPUNPCKHQDQ A3, A1, B3

// LANES gathers lane L of U0…U3 (column 4L+c of rows 0–3, 4–7, 8–11,
// 12–15) into dst row 4L+c for L = 0…3 and stores the four rows at R12,
// R12+R11, R12+2·R11 and R12+3·R11 (R11 = 4 dst rows); R12 moves one row
// on. Clobbers Z0–Z7 and R13.
#define LANES(U0, U1, U2, U3) \
	VSHUFI32X4 $0x44, U1, U0, Z0; \
	VSHUFI32X4 $0xee, U1, U0, Z1; \
	VSHUFI32X4 $0x44, U3, U2, Z2; \
	VSHUFI32X4 $0xee, U3, U2, Z3; \
	VSHUFI32X4 $0x88, Z2, Z0, Z4; \
	VSHUFI32X4 $0xdd, Z2, Z0, Z5; \
	VSHUFI32X4 $0x88, Z3, Z1, Z6; \
	VSHUFI32X4 $0xdd, Z3, Z1, Z7; \
	LEAQ      (R12)(R11*2), R13; \
	VMOVDQU32 Z4, (R12); \
	VMOVDQU32 Z5, (R12)(R11*1); \
	VMOVDQU32 Z6, (R13); \
	VMOVDQU32 Z7, (R13)(R11*1); \
	ADDQ      R10, R12

// func bf16PackRowsTAVX512(dst *uint32, ldd int, src *float32, ld int, n16 int, perm *uint16)
//
// PackBF16RowsT's kernel for 16 pairs of rows: for 16·n16 columns j of the
// 32 rows of src from its row 0 (row stride ld bytes), writes dst row j
// (stride ldd bytes) = the 16 pairs (src(2q, j), src(2q+1, j)), rounded.
// Per 16-column block: each pair of rows is rounded and interleaved (row
// q's pairs in Z16+q), then the 16×16 block of 32-bit pairs is transposed
// in three stages (dwords, qwords, 128-bit lanes) and stored as 16 dst
// rows. The VCVTNE2PS2BF16 in PAIRROW is written as bytes (Z1, Z0 → Z2).
// Requires AVX512F, AVX512BW and AVX512_BF16.
TEXT ·bf16PackRowsTAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R10
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	MOVQ n16+32(FP), CX
	MOVQ perm+40(FP), AX
	MOVQ R10, R11
	SHLQ $2, R11                   // R11 = 4 dst rows
	TESTQ CX, CX
	JZ    rowstdone

rowstblock:
	VMOVDQU16 (AX), Z3
	MOVQ      SI, R8
	PAIRROW(Z16)
	PAIRROW(Z17)
	PAIRROW(Z18)
	PAIRROW(Z19)
	PAIRROW(Z20)
	PAIRROW(Z21)
	PAIRROW(Z22)
	PAIRROW(Z23)
	PAIRROW(Z24)
	PAIRROW(Z25)
	PAIRROW(Z26)
	PAIRROW(Z27)
	PAIRROW(Z28)
	PAIRROW(Z29)
	PAIRROW(Z30)
	PAIRROW(Z31)

	// dwords: Z(2k), Z(2k+1) from rows 2k, 2k+1
	VPUNPCKLDQ Z17, Z16, Z0
	VPUNPCKHDQ Z17, Z16, Z1
	VPUNPCKLDQ Z19, Z18, Z2
	VPUNPCKHDQ Z19, Z18, Z3
	VPUNPCKLDQ Z21, Z20, Z4
	VPUNPCKHDQ Z21, Z20, Z5
	VPUNPCKLDQ Z23, Z22, Z6
	VPUNPCKHDQ Z23, Z22, Z7
	VPUNPCKLDQ Z25, Z24, Z8
	VPUNPCKHDQ Z25, Z24, Z9
	VPUNPCKLDQ Z27, Z26, Z10
	VPUNPCKHDQ Z27, Z26, Z11
	VPUNPCKLDQ Z29, Z28, Z12
	VPUNPCKHDQ Z29, Z28, Z13
	VPUNPCKLDQ Z31, Z30, Z14
	VPUNPCKHDQ Z31, Z30, Z15

	// qwords: Z16+4k+c holds, per 128-bit lane L, column 4L+c of rows 4k…4k+3
	QWORDS(Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19)
	QWORDS(Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23)
	QWORDS(Z8, Z9, Z10, Z11, Z24, Z25, Z26, Z27)
	QWORDS(Z12, Z13, Z14, Z15, Z28, Z29, Z30, Z31)

	// lanes: column 4L+c gathers lane L of Z16+c, Z20+c, Z24+c, Z28+c
	MOVQ DI, R12
	LANES(Z16, Z20, Z24, Z28)
	LANES(Z17, Z21, Z25, Z29)
	LANES(Z18, Z22, Z26, Z30)
	LANES(Z19, Z23, Z27, Z31)

	ADDQ $64, SI                   // next 16 columns of src
	MOVQ R10, R12
	SHLQ $4, R12
	ADDQ R12, DI                   // and 16 rows of dst
	DECQ CX
	JNZ  rowstblock
	VZEROUPPER

rowstdone:
	RET
