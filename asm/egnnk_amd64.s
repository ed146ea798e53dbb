//go:build !purego && !noasm

#include "textflag.h"

// EGNN float32 edge kernels (see egnnk.go for the contracts), hand-written.
// Every kernel assumes F is a positive multiple of 8 and walks each row in
// 8-lane steps; register conventions inside the loops: Y14 = 1, Y15 = 0.

#define REP8(off, v) DATA egnnC<>+(off)(SB)/4, v; DATA egnnC<>+(off+4)(SB)/4, v; DATA egnnC<>+(off+8)(SB)/4, v; DATA egnnC<>+(off+12)(SB)/4, v; DATA egnnC<>+(off+16)(SB)/4, v; DATA egnnC<>+(off+20)(SB)/4, v; DATA egnnC<>+(off+24)(SB)/4, v; DATA egnnC<>+(off+28)(SB)/4, v

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
GLOBL egnnC<>(SB), RODATA|NOPTR, $384

// SILU8 sets G = σ(Z), S = Z·σ(Z) for one YMM of Z (as SiLUF32: e^{−z} by
// range reduction and a degree-7 polynomial, z clamped to ±87). Clobbers
// Y1–Y5; needs Y14 = 1, Y15 = 0.
#define SILU8(Z, G, S) \
	VSUBPS       Z, Y15, Y1; \
	VMINPS       egnnC<>+0(SB), Y1, Y1; \
	VMAXPS       egnnC<>+32(SB), Y1, Y1; \
	VMULPS       egnnC<>+64(SB), Y1, Y2; \
	VROUNDPS     $0, Y2, Y2; \
	VMOVAPS      Y1, Y3; \
	VFNMADD231PS egnnC<>+96(SB), Y2, Y3; \
	VFNMADD231PS egnnC<>+128(SB), Y2, Y3; \
	VMOVUPS      egnnC<>+192(SB), Y4; \
	VFMADD213PS  egnnC<>+224(SB), Y3, Y4; \
	VFMADD213PS  egnnC<>+256(SB), Y3, Y4; \
	VFMADD213PS  egnnC<>+288(SB), Y3, Y4; \
	VFMADD213PS  egnnC<>+320(SB), Y3, Y4; \
	VFMADD213PS  egnnC<>+352(SB), Y3, Y4; \
	VFMADD213PS  Y14, Y3, Y4; \
	VFMADD213PS  Y14, Y3, Y4; \
	VCVTPS2DQ    Y2, Y5; \
	VPSLLD       $23, Y5, Y5; \
	VPADDD       Y5, Y4, Y4; \
	VADDPS       Y14, Y4, Y4; \
	VDIVPS       Y4, Y14, G; \
	VMULPS       G, Z, S

// HSUM leaves the sum of the 8 lanes of Y (whose low half is X) in X's
// lane 0, in the fixed order ((0+4)+(2+6)) + ((1+5)+(3+7)). Clobbers T.
#define HSUM(Y, X, T) \
	VEXTRACTF128 $1, Y, T; \
	VADDPS       T, X, X; \
	VMOVHLPS     X, X, T; \
	VADDPS       T, X, X; \
	VMOVSHDUP    X, T; \
	VADDSS       T, X, X

// SILUP sets D = σ'(z) = G + S·(1 − G) from S = SiLU(z), G = σ(z) (both
// YMM). Needs Y14 = 1.
#define SILUP(S, G, D) \
	VSUBPS      G, Y14, D; \
	VFMADD213PS G, S, D

// func edgeInF32AVX2(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int
TEXT ·edgeInF32AVX2(SB), NOSPLIT, $0-256
	MOVQ s_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ wr_base+96(FP), R10
	MOVQ wa_base+120(FP), R11
	MOVQ F+240(FP), BX
	SHLQ $2, BX                        // row bytes
	VMOVUPS egnnC<>+160(SB), Y14
	VXORPS  Y15, Y15, Y15
	XORQ    AX, AX                     // e

ei_edge:
	CMPQ AX, r_len+152(FP)
	JAE  ei_done
	MOVQ r_base+144(FP), CX
	VBROADCASTSS (CX)(AX*4), Y8        // r[e]
	MOVQ a_base+168(FP), CX
	VBROADCASTSS (CX)(AX*4), Y9        // a[e]
	MOVQ rcv_base+192(FP), CX
	MOVLQSX (CX)(AX*4), R8
	IMULQ BX, R8
	ADDQ  u_base+48(FP), R8            // u row of rcv[e]
	MOVQ snd_base+216(FP), CX
	MOVLQSX (CX)(AX*4), R9
	IMULQ BX, R9
	ADDQ  v_base+72(FP), R9            // v row of snd[e]
	XORQ  DX, DX

ei_f:
	VMOVUPS     (R8)(DX*1), Y0
	VADDPS      (R9)(DX*1), Y0, Y0     // u + v
	VFMADD231PS (R10)(DX*1), Y8, Y0    // + wr·r
	VFMADD231PS (R11)(DX*1), Y9, Y0    // + wa·a
	SILU8(Y0, Y6, Y7)
	VMOVUPS     Y6, (SI)(DX*1)
	VMOVUPS     Y7, (DI)(DX*1)
	ADDQ        $32, DX
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

// func siluDotF32AVX2(s, g, d, z, w []float32, F int) int
TEXT ·siluDotF32AVX2(SB), NOSPLIT, $0-136
	MOVQ s_base+0(FP), DI
	MOVQ g_base+24(FP), SI
	MOVQ d_base+48(FP), R12
	MOVQ z_base+72(FP), R8
	MOVQ w_base+96(FP), R10
	MOVQ d_len+56(FP), CX
	MOVQ F+120(FP), BX
	SHLQ $2, BX
	VMOVUPS egnnC<>+160(SB), Y14
	VXORPS  Y15, Y15, Y15
	XORQ    AX, AX

sd_row:
	CMPQ AX, CX
	JAE  sd_done
	VXORPS Y10, Y10, Y10               // Σ w·s
	XORQ   DX, DX

sd_f:
	VMOVUPS     (R8)(DX*1), Y0
	SILU8(Y0, Y6, Y7)
	VMOVUPS     Y6, (SI)(DX*1)
	VMOVUPS     Y7, (DI)(DX*1)
	VFMADD231PS (R10)(DX*1), Y7, Y10
	ADDQ        $32, DX
	CMPQ        DX, BX
	JB          sd_f

	HSUM(Y10, X10, X11)
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

// func attScaleF32AVX2(mp, agg, s, att []float32, n1, F, ldagg int) int
TEXT ·attScaleF32AVX2(SB), NOSPLIT, $0-128
	MOVQ mp_base+0(FP), DI
	MOVQ s_base+48(FP), SI
	MOVQ att_base+72(FP), R12
	MOVQ att_len+80(FP), CX
	MOVQ F+104(FP), BX
	SHLQ $2, BX
	XORQ AX, AX

as_row:
	CMPQ AX, CX
	JAE  as_sum
	VBROADCASTSS (R12)(AX*4), Y8
	XORQ DX, DX

as_f:
	VMULPS  (SI)(DX*1), Y8, Y0
	VMOVUPS Y0, (DI)(DX*1)
	ADDQ    $32, DX
	CMPQ    DX, BX
	JB      as_f

	ADDQ BX, DI
	ADDQ BX, SI
	INCQ AX
	JMP  as_row

as_sum:
	// agg[p] = Σ_k mp[p·n1 + k], k increasing
	MOVQ n1+96(FP), R9
	TESTQ R9, R9
	JZ    as_done
	MOVQ  mp_base+0(FP), DI            // row p·n1
	MOVQ  agg_base+24(FP), SI
	MOVQ  ldagg+112(FP), R11
	SHLQ  $2, R11
	MOVQ  CX, AX
	XORQ  DX, DX
	DIVQ  R9                           // AX = number of receivers
	MOVQ  AX, R13
	MOVQ  BX, R10
	IMULQ R9, R10                      // bytes per receiver block

as_node:
	TESTQ R13, R13
	JZ    as_done
	XORQ  DX, DX

as_col:
	LEAQ    (DI)(DX*1), R8
	VMOVUPS (R8), Y0
	MOVQ    R9, R14
	DECQ    R14
	JZ      as_store

as_add:
	ADDQ   BX, R8
	VADDPS (R8), Y0, Y0
	DECQ   R14
	JNZ    as_add

as_store:
	VMOVUPS Y0, (SI)(DX*1)
	ADDQ    $32, DX
	CMPQ    DX, BX
	JB      as_col

	ADDQ R10, DI
	ADDQ R11, SI
	DECQ R13
	JMP  as_node

as_done:
	MOVQ CX, ret+120(FP)
	VZEROUPPER
	RET

// func coordBackF32AVX2(dz, gw, gb, s, g, c, w []float32, F int) int
TEXT ·coordBackF32AVX2(SB), NOSPLIT, $0-184
	MOVQ dz_base+0(FP), DI
	MOVQ gw_base+24(FP), R8
	MOVQ gb_base+48(FP), R9
	MOVQ s_base+72(FP), SI
	MOVQ g_base+96(FP), R10
	MOVQ c_base+120(FP), R12
	MOVQ c_len+128(FP), CX
	MOVQ w_base+144(FP), R11
	MOVQ F+168(FP), BX
	SHLQ $2, BX
	VMOVUPS egnnC<>+160(SB), Y14
	XORQ    AX, AX

cb_row:
	CMPQ AX, CX
	JAE  cb_done
	VBROADCASTSS (R12)(AX*4), Y8       // c[e]
	XORQ DX, DX

cb_f:
	VMOVUPS     (SI)(DX*1), Y0         // s
	VMOVUPS     (R10)(DX*1), Y6        // g
	SILUP(Y0, Y6, Y1)
	VMULPS      (R11)(DX*1), Y8, Y2    // c·w
	VMULPS      Y1, Y2, Y2             // v
	VMOVUPS     Y2, (DI)(DX*1)
	VADDPS      (R9)(DX*1), Y2, Y3
	VMOVUPS     Y3, (R9)(DX*1)         // gb += v
	VMOVUPS     (R8)(DX*1), Y4
	VFMADD231PS Y0, Y8, Y4
	VMOVUPS     Y4, (R8)(DX*1)         // gw += c·s
	ADDQ        $32, DX
	CMPQ        DX, BX
	JB          cb_f

	ADDQ BX, DI
	ADDQ BX, SI
	ADDQ BX, R10
	INCQ AX
	JMP  cb_row

cb_done:
	MOVQ AX, ret+176(FP)
	VZEROUPPER
	RET

// func attBackF32AVX2(dm, dpa, gw, gb, s, g, att, w []float32, F int) int
TEXT ·attBackF32AVX2(SB), NOSPLIT, $0-208
	MOVQ dm_base+0(FP), DI
	MOVQ dpa_base+24(FP), R13
	MOVQ gw_base+48(FP), R8
	MOVQ gb_base+72(FP), R9
	MOVQ s_base+96(FP), SI
	MOVQ g_base+120(FP), R10
	MOVQ att_base+144(FP), R12
	MOVQ att_len+152(FP), CX
	MOVQ w_base+168(FP), R11
	MOVQ F+192(FP), BX
	SHLQ $2, BX
	VMOVUPS egnnC<>+160(SB), Y14
	XORQ    AX, AX

ab_row:
	CMPQ AX, CX
	JAE  ab_done
	VXORPS Y10, Y10, Y10
	XORQ   DX, DX

ab_dot:
	VMOVUPS     (DI)(DX*1), Y0
	VFMADD231PS (SI)(DX*1), Y0, Y10    // Σ dm·s
	ADDQ        $32, DX
	CMPQ        DX, BX
	JB          ab_dot

	HSUM(Y10, X10, X11)
	VMOVSS (R12)(AX*4), X13            // att
	VSUBSS X13, X14, X11               // 1 − att
	VMULSS X13, X10, X10
	VMULSS X11, X10, X10               // dpa = datt·att·(1 − att)
	VMOVSS X10, (R13)(AX*4)
	VBROADCASTSS X10, Y12
	VBROADCASTSS X13, Y13
	XORQ DX, DX

ab_f:
	VMOVUPS     (SI)(DX*1), Y0         // s
	VMOVUPS     (R10)(DX*1), Y6        // g
	SILUP(Y0, Y6, Y1)
	VMULPS      (DI)(DX*1), Y13, Y2    // dm·att
	VFMADD231PS (R11)(DX*1), Y12, Y2   // + dpa·w
	VMULPS      Y1, Y2, Y2             // v
	VMOVUPS     Y2, (DI)(DX*1)
	VADDPS      (R9)(DX*1), Y2, Y3
	VMOVUPS     Y3, (R9)(DX*1)         // gb += v
	VMOVUPS     (R8)(DX*1), Y4
	VFMADD231PS Y0, Y12, Y4
	VMOVUPS     Y4, (R8)(DX*1)         // gw += dpa·s
	ADDQ        $32, DX
	CMPQ        DX, BX
	JB          ab_f

	ADDQ BX, DI
	ADDQ BX, SI
	ADDQ BX, R10
	INCQ AX
	JMP  ab_row

ab_done:
	MOVQ AX, ret+200(FP)
	VZEROUPPER
	RET

// func edgeInBackF32AVX2(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int
TEXT ·edgeInBackF32AVX2(SB), NOSPLIT, $0-376
	MOVQ dz_base+0(FP), DI
	MOVQ s_base+168(FP), SI
	MOVQ g_base+192(FP), R8
	MOVQ dwr_base+72(FP), R9
	MOVQ dwa_base+96(FP), R10
	MOVQ wr_base+216(FP), R11
	MOVQ wa_base+240(FP), R12
	MOVQ F+360(FP), BX
	SHLQ $2, BX
	VMOVUPS egnnC<>+160(SB), Y14
	XORQ    AX, AX

eb_edge:
	CMPQ AX, r_len+272(FP)
	JAE  eb_done
	MOVQ r_base+264(FP), CX
	VBROADCASTSS (CX)(AX*4), Y8        // r[e]
	MOVQ a_base+288(FP), CX
	VBROADCASTSS (CX)(AX*4), Y9        // a[e]
	MOVQ rcv_base+312(FP), CX
	MOVLQSX (CX)(AX*4), R13
	IMULQ BX, R13
	ADDQ  du_base+24(FP), R13          // du row of rcv[e]
	MOVQ snd_base+336(FP), CX
	MOVLQSX (CX)(AX*4), R14
	IMULQ BX, R14
	ADDQ  dv_base+48(FP), R14          // dv row of snd[e]
	VXORPS Y10, Y10, Y10               // Σ wr·v
	VXORPS Y11, Y11, Y11               // Σ wa·v
	XORQ   DX, DX

eb_f:
	VMOVUPS     (SI)(DX*1), Y0         // s
	VMOVUPS     (R8)(DX*1), Y6         // g
	SILUP(Y0, Y6, Y1)
	VMULPS      (DI)(DX*1), Y1, Y2     // v = dz·σ'
	VADDPS      (R13)(DX*1), Y2, Y3
	VMOVUPS     Y3, (R13)(DX*1)        // du += v
	VADDPS      (R14)(DX*1), Y2, Y3
	VMOVUPS     Y3, (R14)(DX*1)        // dv += v
	VMOVUPS     (R9)(DX*1), Y4
	VFMADD231PS Y8, Y2, Y4
	VMOVUPS     Y4, (R9)(DX*1)         // dwr += v·r
	VMOVUPS     (R10)(DX*1), Y5
	VFMADD231PS Y9, Y2, Y5
	VMOVUPS     Y5, (R10)(DX*1)        // dwa += v·a
	VFMADD231PS (R11)(DX*1), Y2, Y10
	VFMADD231PS (R12)(DX*1), Y2, Y11
	ADDQ        $32, DX
	CMPQ        DX, BX
	JB          eb_f

	HSUM(Y10, X10, X12)
	HSUM(Y11, X11, X12)
	MOVQ   dr_base+120(FP), CX
	VMOVSS X10, (CX)(AX*4)
	MOVQ   da_base+144(FP), CX
	VMOVSS X11, (CX)(AX*4)
	ADDQ   BX, DI
	ADDQ   BX, SI
	ADDQ   BX, R8
	INCQ   AX
	JMP    eb_edge

eb_done:
	MOVQ AX, ret+368(FP)
	VZEROUPPER
	RET

// func accumF32AVX2(dst []float64, src []float32) int
//
// dst[i] += float64(src[i]) for the whole 8-element blocks of src; returns
// the number of elements done.
TEXT ·accumF32AVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	MOVQ CX, AX
	SHLQ $3, AX
	MOVQ AX, ret+48(FP)
	TESTQ CX, CX
	JZ    ac_done

ac_loop:
	VCVTPS2PD (SI), Y0                 // src[0:4] as float64
	VCVTPS2PD 16(SI), Y1               // src[4:8]
	VADDPD    (DI), Y0, Y0
	VADDPD    32(DI), Y1, Y1
	VMOVUPD   Y0, (DI)
	VMOVUPD   Y1, 32(DI)
	ADDQ      $32, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       ac_loop

ac_done:
	VZEROUPPER
	RET

// func siluBackF32AVX2(dz, gb, s, g []float32, F int) int
TEXT ·siluBackF32AVX2(SB), NOSPLIT, $0-112
	MOVQ dz_base+0(FP), DI
	MOVQ gb_base+24(FP), R9
	MOVQ s_base+48(FP), SI
	MOVQ g_base+72(FP), R10
	MOVQ F+96(FP), BX
	MOVQ dz_len+8(FP), AX
	XORQ DX, DX
	DIVQ BX                            // rows
	MOVQ AX, CX
	MOVQ AX, ret+104(FP)
	SHLQ $2, BX
	VMOVUPS egnnC<>+160(SB), Y14
	TESTQ   CX, CX
	JZ      sb_done

sb_row:
	XORQ DX, DX

sb_f:
	VMOVUPS (SI)(DX*1), Y0             // s
	VMOVUPS (R10)(DX*1), Y6            // g
	SILUP(Y0, Y6, Y1)
	VMULPS  (DI)(DX*1), Y1, Y2         // v = dz·σ'
	VMOVUPS Y2, (DI)(DX*1)
	VADDPS  (R9)(DX*1), Y2, Y3
	VMOVUPS Y3, (R9)(DX*1)             // gb += v
	ADDQ    $32, DX
	CMPQ    DX, BX
	JB      sb_f

	ADDQ BX, DI
	ADDQ BX, SI
	ADDQ BX, R10
	DECQ CX
	JNZ  sb_row

sb_done:
	VZEROUPPER
	RET

// func colSumF32AVX2(gb, x []float32, rows, F, ld int) int
//
// gb[f] += Σ_p x[p·ld + f], one row at a time (rows ≥ 1); returns rows.
TEXT ·colSumF32AVX2(SB), NOSPLIT, $0-80
	MOVQ gb_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ rows+48(FP), CX
	MOVQ CX, ret+72(FP)
	MOVQ F+56(FP), BX
	SHLQ $2, BX
	MOVQ ld+64(FP), R11
	SHLQ $2, R11                       // row stride in bytes
	XORQ DX, DX

cs_f:
	VMOVUPS (DI)(DX*1), Y0
	LEAQ    (SI)(DX*1), R8
	MOVQ    CX, R9

cs_p:
	VADDPS (R8), Y0, Y0
	ADDQ   R11, R8
	DECQ   R9
	JNZ    cs_p

	VMOVUPS Y0, (DI)(DX*1)
	ADDQ    $32, DX
	CMPQ    DX, BX
	JB      cs_f

	VZEROUPPER
	RET
