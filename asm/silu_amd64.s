//go:build !purego && !noasm

#include "textflag.h"

// Constants, each replicated 4× for full-width memory operands.
#define REP4(off, v) DATA siluC<>+(off)(SB)/8, v; DATA siluC<>+(off+8)(SB)/8, v; DATA siluC<>+(off+16)(SB)/8, v; DATA siluC<>+(off+24)(SB)/8, v

REP4(0, $0x4086200000000000)   // 708
REP4(32, $0xc086200000000000)  // -708
REP4(64, $0x3ff71547652b82fe)  // log2(e)
REP4(96, $0x3fe62e42fee00000)  // ln2 high part
REP4(128, $0x3dea39ef35793c76) // ln2 low part
REP4(160, $0x4338000000000000) // 1.5·2^52 (round-to-integer magic)
REP4(192, $0x3ff0000000000000) // 1
REP4(224, $0x3de6124613a86d09) // 1/13!
REP4(256, $0x3e21eed8eff8d898) // 1/12!
REP4(288, $0x3e5ae64567f544e4) // 1/11!
REP4(320, $0x3e927e4fb7789f5c) // 1/10!
REP4(352, $0x3ec71de3a556c734) // 1/9!
REP4(384, $0x3efa01a01a01a01a) // 1/8!
REP4(416, $0x3f2a01a01a01a01a) // 1/7!
REP4(448, $0x3f56c16c16c16c17) // 1/6!
REP4(480, $0x3f81111111111111) // 1/5!
REP4(512, $0x3fa5555555555555) // 1/4!
REP4(544, $0x3fc5555555555555) // 1/3!
REP4(576, $0x3fe0000000000000) // 1/2!
REP4(608, $0x3ff0000000000000) // 1/1!
GLOBL siluC<>(SB), RODATA|NOPTR, $640

// func siluAVX2(s, g, z []float64) int
//
// Whole 4-lane blocks of g = σ(z), s = z·g; returns the number of elements
// done. e^x for x = −clamp(z) is 2^k·p(r) with k = round(x·log2 e),
// r = x − k·ln2 (two-part ln2), p the degree-13 Taylor polynomial, and 2^k
// added to the exponent field. Requires AVX, AVX2, FMA3.
TEXT ·siluAVX2(SB), NOSPLIT, $0-80
	MOVQ s_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ z_base+48(FP), DX
	MOVQ z_len+56(FP), CX
	SHRQ $2, CX
	MOVQ CX, AX
	SHLQ $2, AX
	MOVQ AX, ret+72(FP)
	TESTQ CX, CX
	JZ    done
	VXORPD Y15, Y15, Y15           // 0

loop:
	VMOVUPD     (DX), Y0             // z
	VSUBPD      Y0, Y15, Y1          // x = −z
	VMINPD      siluC<>+0(SB), Y1, Y1
	VMAXPD      siluC<>+32(SB), Y1, Y1
	VMULPD      siluC<>+64(SB), Y1, Y2 // x·log2 e
	VROUNDPD    $0, Y2, Y2           // k (nearest)
	VMOVAPD     Y1, Y3
	VFNMADD231PD siluC<>+96(SB), Y2, Y3  // r = x − k·ln2hi
	VFNMADD231PD siluC<>+128(SB), Y2, Y3 // r −= k·ln2lo
	VMOVUPD     siluC<>+224(SB), Y4  // p = 1/13!
	VFMADD213PD siluC<>+256(SB), Y3, Y4 // p = p·r + 1/12!
	VFMADD213PD siluC<>+288(SB), Y3, Y4 // p = p·r + 1/11!
	VFMADD213PD siluC<>+320(SB), Y3, Y4 // p = p·r + 1/10!
	VFMADD213PD siluC<>+352(SB), Y3, Y4 // p = p·r + 1/9!
	VFMADD213PD siluC<>+384(SB), Y3, Y4 // p = p·r + 1/8!
	VFMADD213PD siluC<>+416(SB), Y3, Y4 // p = p·r + 1/7!
	VFMADD213PD siluC<>+448(SB), Y3, Y4 // p = p·r + 1/6!
	VFMADD213PD siluC<>+480(SB), Y3, Y4 // p = p·r + 1/5!
	VFMADD213PD siluC<>+512(SB), Y3, Y4 // p = p·r + 1/4!
	VFMADD213PD siluC<>+544(SB), Y3, Y4 // p = p·r + 1/3!
	VFMADD213PD siluC<>+576(SB), Y3, Y4 // p = p·r + 1/2!
	VFMADD213PD siluC<>+608(SB), Y3, Y4 // p = p·r + 1/1!
	VFMADD213PD siluC<>+192(SB), Y3, Y4 // p = p·r + 1/0!
	VADDPD      siluC<>+160(SB), Y2, Y5 // k + magic: integer k in the low bits
	VPSUBQ      siluC<>+160(SB), Y5, Y5 // k as int64
	VPSLLQ      $52, Y5, Y5
	VPADDQ      Y5, Y4, Y4           // e^x = p·2^k
	VADDPD      siluC<>+192(SB), Y4, Y4 // 1 + e^{−z}
	VMOVUPD     siluC<>+192(SB), Y6
	VDIVPD      Y4, Y6, Y6           // g = 1/(1 + e^{−z})
	VMULPD      Y6, Y0, Y7           // s = z·g
	VMOVUPD     Y6, (SI)
	VMOVUPD     Y7, (DI)
	ADDQ        $32, DX
	ADDQ        $32, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         loop

done:
	VZEROUPPER
	RET
