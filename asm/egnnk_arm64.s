//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "silu_arm64.h"

// EGNN float32 edge kernels (see egnnk.go for the contracts), hand-written
// NEON. Every kernel assumes F is a positive multiple of 8 and walks each row
// in 8-lane steps of two .4S registers (32 bytes); R11 is the row length in
// bytes and R12 the steps per row. Kernels with σ' or SiLU keep 1 in every
// lane of V25 (SILUF32_LOADC sets V20–V31).

// ONE25 sets every lane of V25 to 1.
#define ONE25 \
	FMOVS $1.0, F25; \
	VDUP  V25.S[0], V25.S4

// SILUP2 sets Vg = σ'(z) = g + s·(1 − g) from Vs = SiLU(z) and
// Vg = σ(z), for two register pairs; clobbers Vt0, Vt1; needs V25 = 1.
#define SILUP2(s0, s1, g0, g1, t0, t1) \
	FSUB4S(t0, 25, g0); FSUB4S(t1, 25, g1); \
	FMLA4S(g0, s0, t0); FMLA4S(g1, s1, t1)

// HSUM2 leaves the sum of the eight lanes of Va, Vb in Fa (lane 0 of Va), in
// the fixed order ((a0+b0) + (a1+b1)) + ((a2+b2) + (a3+b3)).
#define HSUM2(a, b) \
	FADD4S(a, a, b); \
	FADDP4S(a, a, a); \
	FADDPS(a, a)

// ROWS sets R11 = F·4 (row bytes) and R12 = F/8 from F in R12.
#define ROWS \
	LSL $2, R12, R11; \
	LSR $3, R12, R12

// func edgeInF32NEON(s, g, u, v, wr, wa, r, a []float32, rcv, snd []int32, F int) int
//
// V14 r[e], V15 a[e]; V0–V7 u, v, wr, wa, then z and SILU2S scratch.
TEXT ·edgeInF32NEON(SB), NOSPLIT, $0-256
	MOVD s_base+0(FP), R0
	MOVD g_base+24(FP), R1
	MOVD u_base+48(FP), R2
	MOVD v_base+72(FP), R3
	MOVD wr_base+96(FP), R4
	MOVD wa_base+120(FP), R5
	MOVD r_base+144(FP), R6
	MOVD r_len+152(FP), R10
	MOVD a_base+168(FP), R7
	MOVD rcv_base+192(FP), R8
	MOVD snd_base+216(FP), R9
	MOVD F+240(FP), R12
	MOVD R10, ret+248(FP)
	CBZ  R10, ei_done
	ROWS
	SILUF32_LOADC(R13)

ei_edge:
	VLD1R.P 4(R6), [V14.S4]     // r[e]
	VLD1R.P 4(R7), [V15.S4]     // a[e]
	MOVW.P  4(R8), R13          // rcv[e]
	MUL     R11, R13, R13
	ADD     R2, R13, R13        // u row
	MOVW.P  4(R9), R14          // snd[e]
	MUL     R11, R14, R14
	ADD     R3, R14, R14        // v row
	MOVD    R4, R15
	MOVD    R5, R16
	MOVD    R12, R17

ei_f:
	VLD1.P 32(R13), [V0.S4, V1.S4] // u
	VLD1.P 32(R14), [V2.S4, V3.S4] // v
	VLD1.P 32(R15), [V4.S4, V5.S4] // wr
	VLD1.P 32(R16), [V6.S4, V7.S4] // wa
	FADD4S(0, 0, 2)                // z = u + v
	FADD4S(1, 1, 3)
	FMLA4S(0, 4, 14)               // + wr·r
	FMLA4S(1, 5, 14)
	FMLA4S(0, 6, 15)               // + wa·a
	FMLA4S(1, 7, 15)
	SILU2S(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	VST1.P [V2.S4, V3.S4], 32(R1)  // g
	VST1.P [V4.S4, V5.S4], 32(R0)  // s
	SUBS   $1, R17, R17
	BNE    ei_f

	SUBS $1, R10, R10
	BNE  ei_edge

ei_done:
	RET

// func siluDotF32NEON(s, g, d, z, w []float32, F int) int
//
// V16, V17 Σ w·s; V0–V9 z and SILU2S; V6, V7 w after it.
TEXT ·siluDotF32NEON(SB), NOSPLIT, $0-136
	MOVD s_base+0(FP), R0
	MOVD g_base+24(FP), R1
	MOVD d_base+48(FP), R2
	MOVD d_len+56(FP), R10
	MOVD z_base+72(FP), R3
	MOVD w_base+96(FP), R4
	MOVD F+120(FP), R12
	MOVD R10, ret+128(FP)
	CBZ  R10, sd_done
	ROWS
	SILUF32_LOADC(R13)

sd_row:
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	MOVD R4, R15
	MOVD R12, R17

sd_f:
	VLD1.P 32(R3), [V0.S4, V1.S4]  // z
	SILU2S(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	VLD1.P 32(R15), [V6.S4, V7.S4] // w
	VST1.P [V2.S4, V3.S4], 32(R1)  // g
	VST1.P [V4.S4, V5.S4], 32(R0)  // s
	FMLA4S(16, 4, 6)               // Σ += s·w
	FMLA4S(17, 5, 7)
	SUBS   $1, R17, R17
	BNE    sd_f

	HSUM2(16, 17)
	FMOVS.P F16, 4(R2)             // d[e]
	SUBS    $1, R10, R10
	BNE     sd_row

sd_done:
	RET

// func attScaleF32NEON(mp, agg, s, att []float32, n1, F, ldagg int) int
//
// mp = att·s row by row, then agg[p] = mp[p·n1] + mp[p·n1 + 1] + … added
// in increasing k, as generic: the same bits.
TEXT ·attScaleF32NEON(SB), NOSPLIT, $0-128
	MOVD mp_base+0(FP), R0
	MOVD s_base+48(FP), R1
	MOVD att_base+72(FP), R2
	MOVD att_len+80(FP), R10
	MOVD F+104(FP), R12
	MOVD R10, ret+120(FP)
	CBZ  R10, as_done
	ROWS
	MOVD R10, R3

as_row:
	VLD1R.P 4(R2), [V16.S4]        // att[e]
	MOVD    R12, R17

as_f:
	VLD1.P 32(R1), [V0.S4, V1.S4]
	FMUL4S(0, 0, 16)
	FMUL4S(1, 1, 16)
	VST1.P [V0.S4, V1.S4], 32(R0)
	SUBS   $1, R17, R17
	BNE    as_f

	SUBS $1, R3, R3
	BNE  as_row

	MOVD n1+96(FP), R4
	CBZ  R4, as_done
	MOVD mp_base+0(FP), R0         // first row of node p
	MOVD agg_base+24(FP), R5       // agg row of node p
	MOVD ldagg+112(FP), R6
	LSL  $2, R6, R6                // agg stride in bytes
	UDIV R4, R10, R7               // nodes
	MUL  R4, R11, R8               // bytes per node block
	CBZ  R7, as_done

as_node:
	MOVD R0, R13
	MOVD R5, R14
	MOVD R12, R17

as_col:
	VLD1 (R13), [V0.S4, V1.S4]
	ADD  R11, R13, R15
	SUBS $1, R4, R16
	BEQ  as_store

as_add:
	VLD1 (R15), [V2.S4, V3.S4]
	FADD4S(0, 0, 2)
	FADD4S(1, 1, 3)
	ADD  R11, R15, R15
	SUBS $1, R16, R16
	BNE  as_add

as_store:
	VST1.P [V0.S4, V1.S4], 32(R14)
	ADD    $32, R13, R13
	SUBS   $1, R17, R17
	BNE    as_col

	ADD  R8, R0, R0
	ADD  R6, R5, R5
	SUBS $1, R7, R7
	BNE  as_node

as_done:
	RET

// func coordBackF32NEON(dz, gw, gb, s, g, c, w []float32, F int) int
//
// V16 c[e]; V0–V1 s, V2–V3 g then σ', V6–V7 w then dz, V8–V11 gb, gw.
TEXT ·coordBackF32NEON(SB), NOSPLIT, $0-184
	MOVD dz_base+0(FP), R0
	MOVD gw_base+24(FP), R1
	MOVD gb_base+48(FP), R2
	MOVD s_base+72(FP), R3
	MOVD g_base+96(FP), R4
	MOVD c_base+120(FP), R5
	MOVD c_len+128(FP), R10
	MOVD w_base+144(FP), R6
	MOVD F+168(FP), R12
	MOVD R10, ret+176(FP)
	CBZ  R10, cb_done
	ROWS
	ONE25

cb_row:
	VLD1R.P 4(R5), [V16.S4]        // c[e]
	MOVD    R1, R13
	MOVD    R2, R14
	MOVD    R6, R15
	MOVD    R12, R17

cb_f:
	VLD1.P 32(R3), [V0.S4, V1.S4]  // s
	VLD1.P 32(R4), [V2.S4, V3.S4]  // g
	VLD1.P 32(R15), [V6.S4, V7.S4] // w
	SILUP2(0, 1, 2, 3, 4, 5)
	FMUL4S(6, 6, 16)               // c·w
	FMUL4S(7, 7, 16)
	FMUL4S(6, 6, 2)                // v = c·w·σ'
	FMUL4S(7, 7, 3)
	VST1.P [V6.S4, V7.S4], 32(R0)
	VLD1   (R14), [V8.S4, V9.S4]
	FADD4S(8, 8, 6)                // gb += v
	FADD4S(9, 9, 7)
	VST1.P [V8.S4, V9.S4], 32(R14)
	VLD1   (R13), [V10.S4, V11.S4]
	FMLA4S(10, 0, 16)              // gw += c·s
	FMLA4S(11, 1, 16)
	VST1.P [V10.S4, V11.S4], 32(R13)
	SUBS   $1, R17, R17
	BNE    cb_f

	SUBS $1, R10, R10
	BNE  cb_row

cb_done:
	RET

// func attBackF32NEON(dm, dpa, gw, gb, s, g, att, w []float32, F int) int
//
// Two passes per row: Σ dm·s into V16, V17, then the update with V16 = dpa,
// V18 = att broadcast.
TEXT ·attBackF32NEON(SB), NOSPLIT, $0-208
	MOVD dm_base+0(FP), R0
	MOVD dpa_base+24(FP), R1
	MOVD gw_base+48(FP), R2
	MOVD gb_base+72(FP), R3
	MOVD s_base+96(FP), R4
	MOVD g_base+120(FP), R5
	MOVD att_base+144(FP), R6
	MOVD att_len+152(FP), R10
	MOVD w_base+168(FP), R7
	MOVD F+192(FP), R12
	MOVD R10, ret+200(FP)
	CBZ  R10, ab_done
	ROWS
	ONE25

ab_row:
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	MOVD R0, R13
	MOVD R4, R14
	MOVD R12, R17

ab_dot:
	VLD1.P 32(R13), [V0.S4, V1.S4] // dm
	VLD1.P 32(R14), [V2.S4, V3.S4] // s
	FMLA4S(16, 0, 2)
	FMLA4S(17, 1, 3)
	SUBS   $1, R17, R17
	BNE    ab_dot

	HSUM2(16, 17)                  // F16 = datt
	FMOVS.P 4(R6), F18             // att
	FSUBS   F18, F25, F19          // 1 − att
	FMULS   F18, F16, F16
	FMULS   F19, F16, F16          // dpa = datt·att·(1 − att)
	FMOVS.P F16, 4(R1)
	VDUP    V16.S[0], V16.S4
	VDUP    V18.S[0], V18.S4
	MOVD    R2, R13
	MOVD    R3, R14
	MOVD    R7, R15
	MOVD    R12, R17

ab_f:
	VLD1.P 32(R4), [V0.S4, V1.S4]  // s
	VLD1.P 32(R5), [V2.S4, V3.S4]  // g
	VLD1   (R0), [V4.S4, V5.S4]    // dm
	VLD1.P 32(R15), [V6.S4, V7.S4] // w
	SILUP2(0, 1, 2, 3, 8, 9)
	FMUL4S(4, 4, 18)               // dm·att
	FMUL4S(5, 5, 18)
	FMLA4S(4, 6, 16)               // + dpa·w
	FMLA4S(5, 7, 16)
	FMUL4S(4, 4, 2)                // v = (…)·σ'
	FMUL4S(5, 5, 3)
	VST1.P [V4.S4, V5.S4], 32(R0)
	VLD1   (R14), [V8.S4, V9.S4]
	FADD4S(8, 8, 4)                // gb += v
	FADD4S(9, 9, 5)
	VST1.P [V8.S4, V9.S4], 32(R14)
	VLD1   (R13), [V10.S4, V11.S4]
	FMLA4S(10, 0, 16)              // gw += dpa·s
	FMLA4S(11, 1, 16)
	VST1.P [V10.S4, V11.S4], 32(R13)
	SUBS   $1, R17, R17
	BNE    ab_f

	SUBS $1, R10, R10
	BNE  ab_row

ab_done:
	RET

// func edgeInBackF32NEON(dz, du, dv, dwr, dwa, dr, da, s, g, wr, wa, r, a []float32, rcv, snd []int32, F int) int
//
// V14 r[e], V15 a[e], V16–V17 Σ wr·v, V18–V19 Σ wa·v. du is updated (load,
// add, store) before dv is loaded, so du and dv may alias.
TEXT ·edgeInBackF32NEON(SB), NOSPLIT, $0-376
	MOVD dz_base+0(FP), R0
	MOVD du_base+24(FP), R1
	MOVD dv_base+48(FP), R2
	MOVD dwr_base+72(FP), R3
	MOVD dwa_base+96(FP), R4
	MOVD dr_base+120(FP), R5
	MOVD da_base+144(FP), R6
	MOVD s_base+168(FP), R7
	MOVD g_base+192(FP), R8
	MOVD wr_base+216(FP), R9
	MOVD wa_base+240(FP), R19
	MOVD r_base+264(FP), R20
	MOVD r_len+272(FP), R10
	MOVD a_base+288(FP), R21
	MOVD rcv_base+312(FP), R22
	MOVD snd_base+336(FP), R23
	MOVD F+360(FP), R12
	MOVD R10, ret+368(FP)
	CBZ  R10, eb_done
	ROWS
	ONE25

eb_edge:
	VLD1R.P 4(R20), [V14.S4]       // r[e]
	VLD1R.P 4(R21), [V15.S4]       // a[e]
	MOVW.P  4(R22), R13            // rcv[e]
	MUL     R11, R13, R13
	ADD     R1, R13, R13           // du row
	MOVW.P  4(R23), R14            // snd[e]
	MUL     R11, R14, R14
	ADD     R2, R14, R14           // dv row
	MOVD    R3, R15
	MOVD    R4, R16
	MOVD    R9, R24
	MOVD    R19, R25
	MOVD    R12, R17
	VEOR    V16.B16, V16.B16, V16.B16
	VEOR    V17.B16, V17.B16, V17.B16
	VEOR    V18.B16, V18.B16, V18.B16
	VEOR    V19.B16, V19.B16, V19.B16

eb_f:
	VLD1.P 32(R7), [V0.S4, V1.S4]  // s
	VLD1.P 32(R8), [V2.S4, V3.S4]  // g
	VLD1.P 32(R0), [V4.S4, V5.S4]  // dz
	SILUP2(0, 1, 2, 3, 6, 7)
	FMUL4S(4, 4, 2)                // v = dz·σ'
	FMUL4S(5, 5, 3)
	VLD1   (R13), [V6.S4, V7.S4]
	FADD4S(6, 6, 4)                // du += v
	FADD4S(7, 7, 5)
	VST1.P [V6.S4, V7.S4], 32(R13)
	VLD1   (R14), [V6.S4, V7.S4]
	FADD4S(6, 6, 4)                // dv += v
	FADD4S(7, 7, 5)
	VST1.P [V6.S4, V7.S4], 32(R14)
	VLD1   (R15), [V8.S4, V9.S4]
	FMLA4S(8, 4, 14)               // dwr += v·r
	FMLA4S(9, 5, 14)
	VST1.P [V8.S4, V9.S4], 32(R15)
	VLD1   (R16), [V10.S4, V11.S4]
	FMLA4S(10, 4, 15)              // dwa += v·a
	FMLA4S(11, 5, 15)
	VST1.P [V10.S4, V11.S4], 32(R16)
	VLD1.P 32(R24), [V12.S4, V13.S4] // wr
	FMLA4S(16, 12, 4)
	FMLA4S(17, 13, 5)
	VLD1.P 32(R25), [V12.S4, V13.S4] // wa
	FMLA4S(18, 12, 4)
	FMLA4S(19, 13, 5)
	SUBS   $1, R17, R17
	BNE    eb_f

	HSUM2(16, 17)
	FMOVS.P F16, 4(R5)             // dr[e]
	HSUM2(18, 19)
	FMOVS.P F18, 4(R6)             // da[e]
	SUBS    $1, R10, R10
	BNE     eb_edge

eb_done:
	RET

// func accumF32NEON(dst []float64, src []float32) int
//
// dst[i] += float64(src[i]) for the whole 8-element blocks of src; returns
// the number of elements done.
TEXT ·accumF32NEON(SB), NOSPLIT, $0-56
	MOVD dst_base+0(FP), R0
	MOVD src_base+24(FP), R1
	MOVD src_len+32(FP), R2
	LSR  $3, R2, R3
	LSL  $3, R3, R4
	MOVD R4, ret+48(FP)
	CBZ  R3, ac_done

ac_loop:
	VLD1.P 32(R1), [V0.S4, V1.S4]
	VLD1   (R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	FCVTL2D(2, 0)                  // src[0:2] as float64
	FCVTL2_2D(3, 0)                // src[2:4]
	FCVTL2D(8, 1)                  // src[4:6]
	FCVTL2_2D(9, 1)                // src[6:8]
	FADD2D(4, 4, 2)
	FADD2D(5, 5, 3)
	FADD2D(6, 6, 8)
	FADD2D(7, 7, 9)
	VST1.P [V4.D2, V5.D2, V6.D2, V7.D2], 64(R0)
	SUBS   $1, R3, R3
	BNE    ac_loop

ac_done:
	RET

// func siluBackF32NEON(dz, gb, s, g []float32, F int) int
TEXT ·siluBackF32NEON(SB), NOSPLIT, $0-112
	MOVD dz_base+0(FP), R0
	MOVD dz_len+8(FP), R10
	MOVD gb_base+24(FP), R1
	MOVD s_base+48(FP), R2
	MOVD g_base+72(FP), R3
	MOVD F+96(FP), R12
	UDIV R12, R10, R10             // rows
	MOVD R10, ret+104(FP)
	CBZ  R10, sb_done
	ROWS
	ONE25

sb_row:
	MOVD R1, R14
	MOVD R12, R17

sb_f:
	VLD1.P 32(R2), [V0.S4, V1.S4]  // s
	VLD1.P 32(R3), [V2.S4, V3.S4]  // g
	VLD1   (R0), [V4.S4, V5.S4]    // dz
	SILUP2(0, 1, 2, 3, 6, 7)
	FMUL4S(4, 4, 2)                // v = dz·σ'
	FMUL4S(5, 5, 3)
	VST1.P [V4.S4, V5.S4], 32(R0)
	VLD1   (R14), [V8.S4, V9.S4]
	FADD4S(8, 8, 4)                // gb += v
	FADD4S(9, 9, 5)
	VST1.P [V8.S4, V9.S4], 32(R14)
	SUBS   $1, R17, R17
	BNE    sb_f

	SUBS $1, R10, R10
	BNE  sb_row

sb_done:
	RET

// func colSumF32NEON(gb, x []float32, rows, F, ld int) int
//
// gb[f] += Σ_p x[p·ld + f], one row at a time, 8 columns at a time;
// returns rows.
TEXT ·colSumF32NEON(SB), NOSPLIT, $0-80
	MOVD gb_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD rows+48(FP), R2
	MOVD F+56(FP), R12
	MOVD ld+64(FP), R11
	MOVD R2, ret+72(FP)
	CBZ  R2, cs_done
	LSL  $2, R11, R11              // x stride in bytes
	LSR  $3, R12, R12

cs_col:
	VLD1 (R0), [V0.S4, V1.S4]
	MOVD R1, R8
	MOVD R2, R9

cs_p:
	VLD1 (R8), [V2.S4, V3.S4]
	FADD4S(0, 0, 2)
	FADD4S(1, 1, 3)
	ADD  R11, R8, R8
	SUBS $1, R9, R9
	BNE  cs_p

	VST1.P [V0.S4, V1.S4], 32(R0)
	ADD    $32, R1, R1
	SUBS   $1, R12, R12
	BNE    cs_col

cs_done:
	RET
