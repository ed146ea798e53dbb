//go:build !purego && !noasm

#include "textflag.h"

// Go's assembler has no AMX instructions; they are written as bytes made by
// GNU as (each line names the instruction in AT&T syntax). The general
// registers in each encoding are fixed: AX (the tile configuration), SI and
// R12 (A, rows 0–15 and 16–31), R9 (A's row stride), DI (B), R10 (B's row
// stride), R8 and BX (C, rows 0–15 and 16–31), R11 (C's row stride).

#define LDTILECFG_AX BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00
#define TILERELEASE BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0
// tileloadd (%r8,%r11,1), %tmm0 and 0x40(%r8,%r11,1), %tmm1
#define LOAD_C00 BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x04; BYTE $0x18
#define LOAD_C01 BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x4c; BYTE $0x18; BYTE $0x40
// tileloadd (%rbx,%r11,1), %tmm2 and 0x40(%rbx,%r11,1), %tmm3
#define LOAD_C10 BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x14; BYTE $0x1b
#define LOAD_C11 BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x5c; BYTE $0x1b; BYTE $0x40
// tileloadd (%rsi,%r9,1), %tmm4 and (%r12,%r9,1), %tmm5
#define LOAD_A0 BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x0e
#define LOAD_A1 BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x2c; BYTE $0x0c
// tileloadd (%rdi,%r10,1), %tmm6 and 0x40(%rdi,%r10,1), %tmm7
#define LOAD_B0 BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x17
#define LOAD_B1 BYTE $0xc4; BYTE $0xa2; BYTE $0x7b; BYTE $0x4b; BYTE $0x7c; BYTE $0x17; BYTE $0x40
// tilestored %tmm0..3 to the places LOAD_C* read
#define STORE_C00 BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x18
#define STORE_C01 BYTE $0xc4; BYTE $0x82; BYTE $0x7a; BYTE $0x4b; BYTE $0x4c; BYTE $0x18; BYTE $0x40
#define STORE_C10 BYTE $0xc4; BYTE $0xa2; BYTE $0x7a; BYTE $0x4b; BYTE $0x14; BYTE $0x1b
#define STORE_C11 BYTE $0xc4; BYTE $0xa2; BYTE $0x7a; BYTE $0x4b; BYTE $0x5c; BYTE $0x1b; BYTE $0x40
// tdpbf16ps %tmm6,%tmm4,%tmm0; %tmm7,%tmm4,%tmm1; %tmm6,%tmm5,%tmm2; %tmm7,%tmm5,%tmm3
#define DP_00 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xc4
#define DP_01 BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xcc
#define DP_10 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5c; BYTE $0xd5
#define DP_11 BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5c; BYTE $0xdd

// func amxTileKernel(cfg *amxConfig, a *uint32, lda int, b *uint32, ldb int, c *float32, ldc int, stripes, nb, kb, flags int)
//
// C += A·B with TDPBF16PS over stripes × nb blocks of C, each block at
// most 32 rows × 32 columns as cfg configures the tiles: tmm0–3 hold the
// block's four 16×16 quarters, tmm4/5 the A tiles of its two row halves,
// tmm6/7 the B tiles of its two column halves. Stripe s, block j covers C
// rows 32s… and columns 32j…; each block sums kb K blocks of A (row
// pairs, 64 bytes = 16 pairs per tile row) and B (16 rows of pairs per
// tile). lda, ldb and ldc are row strides in bytes. flags bit 0: the block
// has a second row half (tmm2, tmm3, tmm5 are configured); bit 1: a second
// column half (tmm1, tmm3, tmm7). stripes, nb and kb are ≥ 1. The tile
// state is configured on entry and released before return, so no tile
// state lives across calls (a goroutine may change threads between them).
// Requires AMX-TILE, AMX-BF16 and the Linux tile permission.
TEXT ·amxTileKernel(SB), NOSPLIT, $32-88
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	MOVQ lda+16(FP), R9
	MOVQ ldb+32(FP), R10
	MOVQ ldc+48(FP), R11
	MOVQ R10, R13
	SHLQ $4, R13                   // R13 = B's step per K block (16 rows)
	MOVQ flags+80(FP), AX
	MOVQ a+8(FP), SI
	MOVQ SI, astripe-8(SP)
	MOVQ c+40(FP), R8
	MOVQ R8, cstripe-16(SP)
	MOVQ stripes+56(FP), CX
	MOVQ CX, left-24(SP)

stripe:
	MOVQ b+24(FP), DI
	MOVQ DI, bcol-32(SP)
	MOVQ cstripe-16(SP), R8
	MOVQ nb+64(FP), DX

block:
	MOVQ R11, BX
	SHLQ $4, BX
	ADDQ R8, BX                    // BX = C row 16 of the block
	LOAD_C00
	TESTQ $2, AX
	JZ   c1
	LOAD_C01
c1:
	TESTQ $1, AX
	JZ   a0
	LOAD_C10
	TESTQ $2, AX
	JZ   a0
	LOAD_C11
a0:
	MOVQ astripe-8(SP), SI
	MOVQ R9, R12
	SHLQ $4, R12
	ADDQ SI, R12                   // R12 = A row 16 of the stripe
	MOVQ bcol-32(SP), DI
	MOVQ kb+72(FP), CX

kloop:
	LOAD_A0
	LOAD_B0
	DP_00
	TESTQ $2, AX
	JZ   k1
	LOAD_B1
	DP_01
k1:
	TESTQ $1, AX
	JZ   knext
	LOAD_A1
	DP_10
	TESTQ $2, AX
	JZ   knext
	DP_11
knext:
	ADDQ $64, SI
	ADDQ $64, R12
	ADDQ R13, DI
	DECQ CX
	JNZ  kloop

	STORE_C00
	TESTQ $2, AX
	JZ   s1
	STORE_C01
s1:
	TESTQ $1, AX
	JZ   nextblock
	STORE_C10
	TESTQ $2, AX
	JZ   nextblock
	STORE_C11

nextblock:
	ADDQ $128, R8
	ADDQ $128, bcol-32(SP)
	DECQ DX
	JNZ  block

	MOVQ R9, CX
	SHLQ $5, CX
	ADDQ CX, astripe-8(SP)         // next 32 rows of A
	MOVQ R11, CX
	SHLQ $5, CX
	ADDQ CX, cstripe-16(SP)        // and of C
	DECQ left-24(SP)
	JNZ  stripe

	TILERELEASE
	RET
