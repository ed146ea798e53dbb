//go:build !purego && !noasm

#include "textflag.h"

// AVX-512 versions of the EGNN forward edge kernels EdgeInputF32 and
// SiLUDotF32 (see egnnk.go for the contracts), hand-written. They assume F
// is a positive multiple of 16 and walk each row in 16-lane steps; the
// SiLU is SILU8 of egnnk_amd64.s on ZMM registers, the same operations in
// the same order, so s and g are the same bits as avx2's. Register
// conventions inside the loops: Z14 = 1, Z15 = 0.

DATA egnn16C<>+0(SB)/4, $0x42ae0000  // 87
DATA egnn16C<>+4(SB)/4, $0xc2ae0000  // -87
DATA egnn16C<>+8(SB)/4, $0x3fb8aa3b  // log2(e)
DATA egnn16C<>+12(SB)/4, $0x3f318000 // ln2 high part
DATA egnn16C<>+16(SB)/4, $0xb95e8083 // ln2 low part
DATA egnn16C<>+20(SB)/4, $0x3f800000 // 1
DATA egnn16C<>+24(SB)/4, $0x39500d01 // 1/7!
DATA egnn16C<>+28(SB)/4, $0x3ab60b61 // 1/6!
DATA egnn16C<>+32(SB)/4, $0x3c088889 // 1/5!
DATA egnn16C<>+36(SB)/4, $0x3d2aaaab // 1/4!
DATA egnn16C<>+40(SB)/4, $0x3e2aaaab // 1/3!
DATA egnn16C<>+44(SB)/4, $0x3f000000 // 1/2!
GLOBL egnn16C<>(SB), RODATA|NOPTR, $48

// SILU16 sets G = σ(Z), S = Z·σ(Z) for one ZMM of Z: e^{−z} by range
// reduction (z clamped to ±87) and a degree-7 polynomial, then 1/(1 + e)
// by a division, as SILU8. Clobbers Z1–Z5; needs Z14 = 1, Z15 = 0.
#define SILU16(Z, G, S) \
	VSUBPS            Z, Z15, Z1; \
	VMINPS.BCST       egnn16C<>+0(SB), Z1, Z1; \
	VMAXPS.BCST       egnn16C<>+4(SB), Z1, Z1; \
	VMULPS.BCST       egnn16C<>+8(SB), Z1, Z2; \
	VRNDSCALEPS       $0, Z2, Z2; \
	VMOVAPS           Z1, Z3; \
	VFNMADD231PS.BCST egnn16C<>+12(SB), Z2, Z3; \
	VFNMADD231PS.BCST egnn16C<>+16(SB), Z2, Z3; \
	VBROADCASTSS      egnn16C<>+24(SB), Z4; \
	VFMADD213PS.BCST  egnn16C<>+28(SB), Z3, Z4; \
	VFMADD213PS.BCST  egnn16C<>+32(SB), Z3, Z4; \
	VFMADD213PS.BCST  egnn16C<>+36(SB), Z3, Z4; \
	VFMADD213PS.BCST  egnn16C<>+40(SB), Z3, Z4; \
	VFMADD213PS.BCST  egnn16C<>+44(SB), Z3, Z4; \
	VFMADD213PS       Z14, Z3, Z4; \
	VFMADD213PS       Z14, Z3, Z4; \
	VCVTPS2DQ         Z2, Z5; \
	VPSLLD            $23, Z5, Z5; \
	VPADDD            Z5, Z4, Z4; \
	VADDPS            Z14, Z4, Z4; \
	VDIVPS            Z4, Z14, G; \
	VMULPS            G, Z, S

// HSUM16 leaves the sum of the 16 lanes of Z (whose low halves are Y and
// X) in X's lane 0, in the fixed order: lanes i and i+8 first, then the
// 8 sums as HSUM of egnnk_amd64.s. Clobbers T (an XMM) and TY (its YMM).
#define HSUM16(Z, Y, X, TY, T) \
	VEXTRACTF64X4 $1, Z, TY; \
	VADDPS        TY, Y, Y; \
	VEXTRACTF128  $1, Y, T; \
	VADDPS        T, X, X; \
	VMOVHLPS      X, X, T; \
	VADDPS        T, X, X; \
	VMOVSHDUP     X, T; \
	VADDSS        T, X, X

// func edgeInF32AVX512(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int
TEXT ·edgeInF32AVX512(SB), NOSPLIT, $0-256
	MOVQ         s_base+0(FP), DI
	MOVQ         g_base+24(FP), SI
	MOVQ         wr_base+96(FP), R10
	MOVQ         wa_base+120(FP), R11
	MOVQ         F+240(FP), BX
	SHLQ         $2, BX                        // row bytes
	VBROADCASTSS egnn16C<>+20(SB), Z14
	VPXORD       Z15, Z15, Z15
	XORQ         AX, AX                        // e

ei_edge:
	CMPQ         AX, r_len+152(FP)
	JAE          ei_done
	MOVQ         r_base+144(FP), CX
	VBROADCASTSS (CX)(AX*4), Z8                // r[e]
	MOVQ         a_base+168(FP), CX
	VBROADCASTSS (CX)(AX*4), Z9                // a[e]
	MOVQ         rcv_base+192(FP), CX
	MOVLQSX      (CX)(AX*4), R8
	IMULQ        BX, R8
	ADDQ         u_base+48(FP), R8             // u row of rcv[e]
	MOVQ         snd_base+216(FP), CX
	MOVLQSX      (CX)(AX*4), R9
	IMULQ        BX, R9
	ADDQ         v_base+72(FP), R9             // v row of snd[e]
	XORQ         DX, DX

ei_f:
	VMOVUPS     (R8)(DX*1), Z0
	VADDPS      (R9)(DX*1), Z0, Z0             // u + v
	VFMADD231PS (R10)(DX*1), Z8, Z0            // + wr·r
	VFMADD231PS (R11)(DX*1), Z9, Z0            // + wa·a
	SILU16(Z0, Z6, Z7)
	VMOVUPS     Z6, (SI)(DX*1)
	VMOVUPS     Z7, (DI)(DX*1)
	ADDQ        $64, DX
	CMPQ        DX, BX
	JB          ei_f

	ADDQ BX, DI
	ADDQ BX, SI
	INCQ AX
	JMP  ei_edge

ei_done:
	MOVQ AX, ret+248(FP)
	VZEROUPPER
	RET

// func siluDotF32AVX512(s, g, d, z, w []float32, F int) int
TEXT ·siluDotF32AVX512(SB), NOSPLIT, $0-136
	MOVQ         s_base+0(FP), DI
	MOVQ         g_base+24(FP), SI
	MOVQ         d_base+48(FP), R12
	MOVQ         z_base+72(FP), R8
	MOVQ         w_base+96(FP), R10
	MOVQ         d_len+56(FP), CX
	MOVQ         F+120(FP), BX
	SHLQ         $2, BX
	VBROADCASTSS egnn16C<>+20(SB), Z14
	VPXORD       Z15, Z15, Z15
	XORQ         AX, AX

sd_row:
	CMPQ   AX, CX
	JAE    sd_done
	VPXORD Z10, Z10, Z10                       // Σ w·s
	XORQ   DX, DX

sd_f:
	VMOVUPS     (R8)(DX*1), Z0
	SILU16(Z0, Z6, Z7)
	VMOVUPS     Z6, (SI)(DX*1)
	VMOVUPS     Z7, (DI)(DX*1)
	VFMADD231PS (R10)(DX*1), Z7, Z10
	ADDQ        $64, DX
	CMPQ        DX, BX
	JB          sd_f

	HSUM16(Z10, Y10, X10, Y11, X11)
	VMOVSS X10, (R12)(AX*4)
	ADDQ   BX, DI
	ADDQ   BX, SI
	ADDQ   BX, R8
	INCQ   AX
	JMP    sd_row

sd_done:
	MOVQ AX, ret+128(FP)
	VZEROUPPER
	RET
