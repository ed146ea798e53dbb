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

// The backward edge kernels and AttScaleF32 in AVX-512: the AVX2 kernels'
// operations on 16 lanes. Element-wise results are the same bits as avx2's;
// the row sums (attBack's Σ dm·s, edgeInBack's Σ wr·v and Σ wa·v) differ
// only in their order (HSUM16).

// SILUP16 sets D = σ'(z) = G + S·(1 − G) from S = SiLU(z), G = σ(z) (ZMM),
// as SILUP. Needs Z14 = 1.
#define SILUP16(S, G, D) \
	VSUBPS      G, Z14, D; \
	VFMADD213PS G, S, D

// func attScaleF32AVX512(mp, agg, s, att []float32, n1, F, ldagg int) int
TEXT ·attScaleF32AVX512(SB), NOSPLIT, $0-128
	MOVQ mp_base+0(FP), DI
	MOVQ s_base+48(FP), SI
	MOVQ att_base+72(FP), R12
	MOVQ att_len+80(FP), CX
	MOVQ F+104(FP), BX
	SHLQ $2, BX
	XORQ AX, AX

as5_row:
	CMPQ         AX, CX
	JAE          as5_sum
	VBROADCASTSS (R12)(AX*4), Z8
	XORQ         DX, DX

as5_f:
	VMULPS  (SI)(DX*1), Z8, Z0
	VMOVUPS Z0, (DI)(DX*1)
	ADDQ    $64, DX
	CMPQ    DX, BX
	JB      as5_f

	ADDQ BX, DI
	ADDQ BX, SI
	INCQ AX
	JMP  as5_row

as5_sum:
	// agg[p] = Σ_k mp[p·n1 + k], k increasing
	MOVQ  n1+96(FP), R9
	TESTQ R9, R9
	JZ    as5_done
	MOVQ  mp_base+0(FP), DI
	MOVQ  agg_base+24(FP), SI
	MOVQ  ldagg+112(FP), R11
	SHLQ  $2, R11
	MOVQ  CX, AX
	XORQ  DX, DX
	DIVQ  R9                           // AX = number of receivers
	MOVQ  AX, R13
	MOVQ  BX, R10
	IMULQ R9, R10                      // bytes per receiver block

as5_node:
	TESTQ R13, R13
	JZ    as5_done
	XORQ  DX, DX

as5_col:
	LEAQ    (DI)(DX*1), R8
	VMOVUPS (R8), Z0
	MOVQ    R9, R14
	DECQ    R14
	JZ      as5_store

as5_add:
	ADDQ   BX, R8
	VADDPS (R8), Z0, Z0
	DECQ   R14
	JNZ    as5_add

as5_store:
	VMOVUPS Z0, (SI)(DX*1)
	ADDQ    $64, DX
	CMPQ    DX, BX
	JB      as5_col

	ADDQ R10, DI
	ADDQ R11, SI
	DECQ R13
	JMP  as5_node

as5_done:
	MOVQ CX, ret+120(FP)
	VZEROUPPER
	RET

// func coordBackF32AVX512(dz, gw, gb, s, g, c, w []float32, F int) int
TEXT ·coordBackF32AVX512(SB), NOSPLIT, $0-184
	MOVQ         dz_base+0(FP), DI
	MOVQ         gw_base+24(FP), R8
	MOVQ         gb_base+48(FP), R9
	MOVQ         s_base+72(FP), SI
	MOVQ         g_base+96(FP), R10
	MOVQ         c_base+120(FP), R12
	MOVQ         c_len+128(FP), CX
	MOVQ         w_base+144(FP), R11
	MOVQ         F+168(FP), BX
	SHLQ         $2, BX
	VBROADCASTSS egnn16C<>+20(SB), Z14
	XORQ         AX, AX

cb5_row:
	CMPQ         AX, CX
	JAE          cb5_done
	VBROADCASTSS (R12)(AX*4), Z8       // c[e]
	XORQ         DX, DX

cb5_f:
	VMOVUPS     (SI)(DX*1), Z0         // s
	VMOVUPS     (R10)(DX*1), Z6        // g
	SILUP16(Z0, Z6, Z1)
	VMULPS      (R11)(DX*1), Z8, Z2    // c·w
	VMULPS      Z1, Z2, Z2             // v
	VMOVUPS     Z2, (DI)(DX*1)
	VADDPS      (R9)(DX*1), Z2, Z3
	VMOVUPS     Z3, (R9)(DX*1)         // gb += v
	VMOVUPS     (R8)(DX*1), Z4
	VFMADD231PS Z0, Z8, Z4
	VMOVUPS     Z4, (R8)(DX*1)         // gw += c·s
	ADDQ        $64, DX
	CMPQ        DX, BX
	JB          cb5_f

	ADDQ BX, DI
	ADDQ BX, SI
	ADDQ BX, R10
	INCQ AX
	JMP  cb5_row

cb5_done:
	MOVQ AX, ret+176(FP)
	VZEROUPPER
	RET

// func attBackF32AVX512(dm, dpa, gw, gb, s, g, att, w []float32, F int) int
TEXT ·attBackF32AVX512(SB), NOSPLIT, $0-208
	MOVQ         dm_base+0(FP), DI
	MOVQ         dpa_base+24(FP), R13
	MOVQ         gw_base+48(FP), R8
	MOVQ         gb_base+72(FP), R9
	MOVQ         s_base+96(FP), SI
	MOVQ         g_base+120(FP), R10
	MOVQ         att_base+144(FP), R12
	MOVQ         att_len+152(FP), CX
	MOVQ         w_base+168(FP), R11
	MOVQ         F+192(FP), BX
	SHLQ         $2, BX
	VBROADCASTSS egnn16C<>+20(SB), Z14
	XORQ         AX, AX

ab5_row:
	CMPQ   AX, CX
	JAE    ab5_done
	VPXORD Z10, Z10, Z10
	XORQ   DX, DX

ab5_dot:
	VMOVUPS     (DI)(DX*1), Z0
	VFMADD231PS (SI)(DX*1), Z0, Z10    // Σ dm·s
	ADDQ        $64, DX
	CMPQ        DX, BX
	JB          ab5_dot

	HSUM16(Z10, Y10, X10, Y11, X11)
	VMOVSS       (R12)(AX*4), X13      // att
	VSUBSS       X13, X14, X11         // 1 − att
	VMULSS       X13, X10, X10
	VMULSS       X11, X10, X10         // dpa = datt·att·(1 − att)
	VMOVSS       X10, (R13)(AX*4)
	VBROADCASTSS X10, Z12
	VBROADCASTSS X13, Z13
	XORQ         DX, DX

ab5_f:
	VMOVUPS     (SI)(DX*1), Z0         // s
	VMOVUPS     (R10)(DX*1), Z6        // g
	SILUP16(Z0, Z6, Z1)
	VMULPS      (DI)(DX*1), Z13, Z2    // dm·att
	VFMADD231PS (R11)(DX*1), Z12, Z2   // + dpa·w
	VMULPS      Z1, Z2, Z2             // v
	VMOVUPS     Z2, (DI)(DX*1)
	VADDPS      (R9)(DX*1), Z2, Z3
	VMOVUPS     Z3, (R9)(DX*1)         // gb += v
	VMOVUPS     (R8)(DX*1), Z4
	VFMADD231PS Z0, Z12, Z4
	VMOVUPS     Z4, (R8)(DX*1)         // gw += dpa·s
	ADDQ        $64, DX
	CMPQ        DX, BX
	JB          ab5_f

	ADDQ BX, DI
	ADDQ BX, SI
	ADDQ BX, R10
	INCQ AX
	JMP  ab5_row

ab5_done:
	MOVQ AX, ret+200(FP)
	VZEROUPPER
	RET

// func edgeInBackF32AVX512(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int
TEXT ·edgeInBackF32AVX512(SB), NOSPLIT, $0-376
	MOVQ         dz_base+0(FP), DI
	MOVQ         s_base+168(FP), SI
	MOVQ         g_base+192(FP), R8
	MOVQ         dwr_base+72(FP), R9
	MOVQ         dwa_base+96(FP), R10
	MOVQ         wr_base+216(FP), R11
	MOVQ         wa_base+240(FP), R12
	MOVQ         F+360(FP), BX
	SHLQ         $2, BX
	VBROADCASTSS egnn16C<>+20(SB), Z14
	XORQ         AX, AX

eb5_edge:
	CMPQ         AX, r_len+272(FP)
	JAE          eb5_done
	MOVQ         r_base+264(FP), CX
	VBROADCASTSS (CX)(AX*4), Z8        // r[e]
	MOVQ         a_base+288(FP), CX
	VBROADCASTSS (CX)(AX*4), Z9        // a[e]
	MOVQ         rcv_base+312(FP), CX
	MOVLQSX      (CX)(AX*4), R13
	IMULQ        BX, R13
	ADDQ         du_base+24(FP), R13   // du row of rcv[e]
	MOVQ         snd_base+336(FP), CX
	MOVLQSX      (CX)(AX*4), R14
	IMULQ        BX, R14
	ADDQ         dv_base+48(FP), R14   // dv row of snd[e]
	VPXORD       Z10, Z10, Z10         // Σ wr·v
	VPXORD       Z11, Z11, Z11         // Σ wa·v
	XORQ         DX, DX

eb5_f:
	VMOVUPS     (SI)(DX*1), Z0         // s
	VMOVUPS     (R8)(DX*1), Z6         // g
	SILUP16(Z0, Z6, Z1)
	VMULPS      (DI)(DX*1), Z1, Z2     // v = dz·σ'
	VADDPS      (R13)(DX*1), Z2, Z3
	VMOVUPS     Z3, (R13)(DX*1)        // du += v
	VADDPS      (R14)(DX*1), Z2, Z3
	VMOVUPS     Z3, (R14)(DX*1)        // dv += v
	VMOVUPS     (R9)(DX*1), Z4
	VFMADD231PS Z8, Z2, Z4
	VMOVUPS     Z4, (R9)(DX*1)         // dwr += v·r
	VMOVUPS     (R10)(DX*1), Z5
	VFMADD231PS Z9, Z2, Z5
	VMOVUPS     Z5, (R10)(DX*1)        // dwa += v·a
	VFMADD231PS (R11)(DX*1), Z2, Z10
	VFMADD231PS (R12)(DX*1), Z2, Z11
	ADDQ        $64, DX
	CMPQ        DX, BX
	JB          eb5_f

	HSUM16(Z10, Y10, X10, Y12, X12)
	HSUM16(Z11, Y11, X11, Y12, X12)
	MOVQ   dr_base+120(FP), CX
	VMOVSS X10, (CX)(AX*4)
	MOVQ   da_base+144(FP), CX
	VMOVSS X11, (CX)(AX*4)
	ADDQ   BX, DI
	ADDQ   BX, SI
	ADDQ   BX, R8
	INCQ   AX
	JMP    eb5_edge

eb5_done:
	MOVQ AX, ret+368(FP)
	VZEROUPPER
	RET
