//go:build !purego && !noasm

#include "textflag.h"

// roundBF16AVX2 (see bf16.go): RoundBF16 on whole blocks of 8 floats, in
// integer arithmetic: r = (u + 0x7fff + bit16(u)) & 0xffff0000, except that
// zeros and denormals (exponent 0) keep only their sign and Inf and NaN
// (exponent 0xff) are truncated, NaNs with the quiet bit set.

#define REP8(off, v) DATA bf16C<>+(off)(SB)/4, v; DATA bf16C<>+(off+4)(SB)/4, v; DATA bf16C<>+(off+8)(SB)/4, v; DATA bf16C<>+(off+12)(SB)/4, v; DATA bf16C<>+(off+16)(SB)/4, v; DATA bf16C<>+(off+20)(SB)/4, v; DATA bf16C<>+(off+24)(SB)/4, v; DATA bf16C<>+(off+28)(SB)/4, v

REP8(0, $0x00007fff)   // rounding bias
REP8(32, $0x00000001)  // bit 16 after the shift
REP8(64, $0xffff0000)  // bfloat16 bits
REP8(96, $0x7f800000)  // exponent
REP8(128, $0x80000000) // sign
REP8(160, $0x00400000) // quiet-NaN bit
GLOBL bf16C<>(SB), RODATA|NOPTR, $192

// LOADC loads the constants of ROUND8 into Y9–Y15.
#define LOADC \
	VMOVDQU bf16C<>+0(SB), Y10; \
	VMOVDQU bf16C<>+32(SB), Y11; \
	VMOVDQU bf16C<>+64(SB), Y12; \
	VMOVDQU bf16C<>+96(SB), Y13; \
	VMOVDQU bf16C<>+128(SB), Y14; \
	VMOVDQU bf16C<>+160(SB), Y15; \
	VPXOR   Y9, Y9, Y9

// ROUND8 rounds the 8 floats of Y0 to bfloat16 into Y1 (the rule above);
// it clobbers Y2–Y6.
#define ROUND8 \
	VPSRLD    $16, Y0, Y1; \
	VPAND     Y11, Y1, Y1; \
	VPADDD    Y10, Y1, Y1; \
	VPADDD    Y0, Y1, Y1; \
	VPAND     Y12, Y1, Y1; \
	VPAND     Y13, Y0, Y2; \
	VPCMPEQD  Y9, Y2, Y3; \
	VPAND     Y14, Y0, Y4; \
	VPBLENDVB Y3, Y4, Y1, Y1; \
	VPCMPEQD  Y13, Y2, Y5; \
	VCMPPS    $3, Y0, Y0, Y6; \
	VPAND     Y15, Y6, Y6; \
	VPOR      Y0, Y6, Y6; \
	VPAND     Y12, Y6, Y6; \
	VPBLENDVB Y5, Y6, Y1, Y1

// func roundBF16AVX2(dst, src []float32) int
TEXT ·roundBF16AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	MOVQ CX, ret+48(FP)
	TESTQ CX, CX
	JZ   done
	LOADC

loop:
	VMOVDQU   (SI), Y0
	ROUND8
	VMOVDQU   Y1, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       loop
	VZEROUPPER

done:
	RET

// func residualBF16AVX2(dst, src []float32) int
//
// ROUND8's rounding r of each x, then x − r, zero where r is ±Inf or NaN
// (exponent 0xff).
TEXT ·residualBF16AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	MOVQ CX, ret+48(FP)
	TESTQ CX, CX
	JZ   rdone
	LOADC

rloop:
	VMOVDQU   (SI), Y0
	ROUND8                       // Y1 = bf16(x)
	VSUBPS    Y1, Y0, Y7         // x − r
	VPAND     Y13, Y1, Y8
	VPCMPEQD  Y13, Y8, Y8        // r is ±Inf or NaN
	VPANDN    Y7, Y8, Y7
	VMOVDQU   Y7, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       rloop
	VZEROUPPER

rdone:
	RET
