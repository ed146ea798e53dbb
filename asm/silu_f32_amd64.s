//go:build !purego && !noasm

#include "textflag.h"

// Constants, each replicated 8× for full-width memory operands.
#define REP8(off, v) DATA siluF32C<>+(off)(SB)/4, v; DATA siluF32C<>+(off+4)(SB)/4, v; DATA siluF32C<>+(off+8)(SB)/4, v; DATA siluF32C<>+(off+12)(SB)/4, v; DATA siluF32C<>+(off+16)(SB)/4, v; DATA siluF32C<>+(off+20)(SB)/4, v; DATA siluF32C<>+(off+24)(SB)/4, v; DATA siluF32C<>+(off+28)(SB)/4, v

REP8(0, $0x42ae0000)   // 87
REP8(32, $0xc2ae0000)  // -87
REP8(64, $0x3fb8aa3b)  // log2(e)
REP8(96, $0x3f318000)  // ln2 high part
REP8(128, $0xb95e8083) // ln2 low part
REP8(160, $0x3f800000) // 1
REP8(192, $0x39500d01) // 1/7!
REP8(224, $0x3ab60b61) // 1/6!
REP8(256, $0x3c088889) // 1/5!
REP8(288, $0x3d2aaaab) // 1/4!
REP8(320, $0x3e2aaaab) // 1/3!
REP8(352, $0x3f000000) // 1/2!
GLOBL siluF32C<>(SB), RODATA|NOPTR, $384

// func siluF32AVX2(s, g, z []float32) int
//
// Whole 8-lane blocks of g = σ(z), s = z·g; returns the number of elements
// done. e^x for x = −clamp(z, ±87) is 2^k·p(r) with k = round(x·log2 e),
// r = x − k·ln2 (two-part ln2), p the degree-7 Taylor polynomial, and k
// added to the exponent field. Requires AVX, AVX2, FMA3.
TEXT ·siluF32AVX2(SB), NOSPLIT, $0-80
	MOVQ s_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ z_base+48(FP), DX
	MOVQ z_len+56(FP), CX
	SHRQ $3, CX
	MOVQ CX, AX
	SHLQ $3, AX
	MOVQ AX, ret+72(FP)
	TESTQ CX, CX
	JZ    done
	VXORPS Y15, Y15, Y15           // 0
	VMOVUPS siluF32C<>+160(SB), Y14 // 1

loop:
	VMOVUPS      (DX), Y0              // z
	VSUBPS       Y0, Y15, Y1           // x = −z
	VMINPS       siluF32C<>+0(SB), Y1, Y1
	VMAXPS       siluF32C<>+32(SB), Y1, Y1
	VMULPS       siluF32C<>+64(SB), Y1, Y2 // x·log2 e
	VROUNDPS     $0, Y2, Y2            // k (nearest)
	VMOVAPS      Y1, Y3
	VFNMADD231PS siluF32C<>+96(SB), Y2, Y3  // r = x − k·ln2hi
	VFNMADD231PS siluF32C<>+128(SB), Y2, Y3 // r −= k·ln2lo
	VMOVUPS      siluF32C<>+192(SB), Y4  // p = 1/7!
	VFMADD213PS  siluF32C<>+224(SB), Y3, Y4 // p = p·r + 1/6!
	VFMADD213PS  siluF32C<>+256(SB), Y3, Y4 // p = p·r + 1/5!
	VFMADD213PS  siluF32C<>+288(SB), Y3, Y4 // p = p·r + 1/4!
	VFMADD213PS  siluF32C<>+320(SB), Y3, Y4 // p = p·r + 1/3!
	VFMADD213PS  siluF32C<>+352(SB), Y3, Y4 // p = p·r + 1/2!
	VFMADD213PS  Y14, Y3, Y4           // p = p·r + 1/1!
	VFMADD213PS  Y14, Y3, Y4           // p = p·r + 1/0!
	VCVTPS2DQ    Y2, Y5                // k as int32
	VPSLLD       $23, Y5, Y5
	VPADDD       Y5, Y4, Y4            // e^x = p·2^k
	VADDPS       Y14, Y4, Y4           // 1 + e^{−z}
	VDIVPS       Y4, Y14, Y6           // g = 1/(1 + e^{−z})
	VMULPS       Y6, Y0, Y7            // s = z·g
	VMOVUPS      Y6, (SI)
	VMOVUPS      Y7, (DI)
	ADDQ         $32, DX
	ADDQ         $32, SI
	ADDQ         $32, DI
	DECQ         CX
	JNZ          loop

done:
	VZEROUPPER
	RET

// func fmaLoopF32AVX2Acc(acc []float32, iters int)
//
// Runs iters steps of acc ← acc·m + a (m = 0.999999, a = 1e-7) on twelve
// independent 8-lane chains held in Y0–Y11 (acc has 96 floats), enough to
// keep both FMA pipes busy across the FMA latency. Requires AVX, FMA3.
TEXT ·fmaLoopF32AVX2Acc(SB), NOSPLIT, $0-32
	MOVQ acc_base+0(FP), SI
	MOVQ iters+24(FP), CX
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS 128(SI), Y4
	VMOVUPS 160(SI), Y5
	VMOVUPS 192(SI), Y6
	VMOVUPS 224(SI), Y7
	VMOVUPS 256(SI), Y8
	VMOVUPS 288(SI), Y9
	VMOVUPS 320(SI), Y10
	VMOVUPS 352(SI), Y11
	MOVL    $0x3f7fffef, AX        // 0.999999
	MOVL    AX, X12
	VBROADCASTSS X12, Y12
	MOVL    $0x33d6bf95, AX        // 1e-7
	MOVL    AX, X13
	VBROADCASTSS X13, Y13
	TESTQ   CX, CX
	JZ      fmadone

fmaloop:
	VFMADD213PS Y13, Y12, Y0
	VFMADD213PS Y13, Y12, Y1
	VFMADD213PS Y13, Y12, Y2
	VFMADD213PS Y13, Y12, Y3
	VFMADD213PS Y13, Y12, Y4
	VFMADD213PS Y13, Y12, Y5
	VFMADD213PS Y13, Y12, Y6
	VFMADD213PS Y13, Y12, Y7
	VFMADD213PS Y13, Y12, Y8
	VFMADD213PS Y13, Y12, Y9
	VFMADD213PS Y13, Y12, Y10
	VFMADD213PS Y13, Y12, Y11
	DECQ        CX
	JNZ         fmaloop

fmadone:
	VMOVUPS Y0, 0(SI)
	VMOVUPS Y1, 32(SI)
	VMOVUPS Y2, 64(SI)
	VMOVUPS Y3, 96(SI)
	VMOVUPS Y4, 128(SI)
	VMOVUPS Y5, 160(SI)
	VMOVUPS Y6, 192(SI)
	VMOVUPS Y7, 224(SI)
	VMOVUPS Y8, 256(SI)
	VMOVUPS Y9, 288(SI)
	VMOVUPS Y10, 320(SI)
	VMOVUPS Y11, 352(SI)
	VZEROUPPER
	RET
