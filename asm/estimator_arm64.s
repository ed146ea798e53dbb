//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// NEON kernels of the Monte-Carlo score estimator: Perturb, LaneAxpy and
// ExpWeights (see perturb.go, laneaxpy.go and expw.go for the contracts).
// Instructions the Go assembler lacks are WORD-encoded (neon_arm64.h and
// below; encodings checked with llvm-mc).

// fcmgt vd.4s, vn.4s, vm.4s: all ones where Vn > Vm.
#define ESTFCMGT4S(d, n, m) WORD $(0x6EA0E400 | ((m)<<16) | ((n)<<5) | (d))

// fcmgt vd.2d, vn.2d, vm.2d: all ones where Vn > Vm (false for NaN).
#define ESTFCMGT2D(d, n, m) WORD $(0x6EE0E400 | ((m)<<16) | ((n)<<5) | (d))

// fcmge vd.2d, vn.2d, vm.2d: all ones where Vn ≥ Vm (false for NaN).
#define ESTFCMGE2D(d, n, m) WORD $(0x6E60E400 | ((m)<<16) | ((n)<<5) | (d))

// scvtf vd.4s, vn.4s: float32 of int32 lanes.
#define ESTSCVTF4S(d, n) WORD $(0x4E21D800 | ((n)<<5) | (d))

// fsqrt vd.4s, vn.4s.
#define ESTFSQRT4S(d, n) WORD $(0x6EA1F800 | ((n)<<5) | (d))

// sshr vd.4s, vn.4s, #sh (1 ≤ sh ≤ 32): arithmetic shift right.
#define ESTSSHR4S(d, n, sh) WORD $(0x4F000400 | ((64-(sh))<<16) | ((n)<<5) | (d))

// ushr vd.2d, vn.2d, #sh (1 ≤ sh ≤ 64).
#define ESTUSHR2D(d, n, sh) WORD $(0x6F000400 | ((128-(sh))<<16) | ((n)<<5) | (d))

// eor vd.16b, vn.16b, vm.16b.
#define ESTEOR16B(d, n, m) WORD $(0x6E201C00 | ((m)<<16) | ((n)<<5) | (d))

// orr vd.16b, vn.16b, vm.16b.
#define ESTORR16B(d, n, m) WORD $(0x4EA01C00 | ((m)<<16) | ((n)<<5) | (d))

// ---------------------------------------------------------------------------
// Perturb.

// Float32 constants, four lanes each: V20–V31, then the polynomial
// coefficients, reloaded into V16–V19 and V15 every step.
#define P4(off, v) DATA estPmC<>+(off)(SB)/4, v; DATA estPmC<>+(off+4)(SB)/4, v; DATA estPmC<>+(off+8)(SB)/4, v; DATA estPmC<>+(off+12)(SB)/4, v

P4(0, $0x3f800000)   // V20 1 (also the exponent bits of [1, 2))
P4(16, $127)         // V21 exponent bias (int32)
P4(32, $3)           // V22 quadrant mask (int32)
P4(48, $0x40000000)  // V23 2
P4(64, $0x3f000000)  // V24 0.5
P4(80, $0xc0000000)  // V25 −2
P4(96, $0x3fb504f3)  // V26 √2
P4(112, $0x3f317200) // V27 ln 2 high part
P4(128, $0x35bfbe8e) // V28 ln 2 low part
P4(144, $0x3fc90fdb) // V29 π/2
P4(160, $0x3f490fdb) // V30 π/4
P4(176, $0x3f3504f3) // V31 √2/2
P4(192, $0x3de38e39) // log: 1/9, 1/7, 1/5, 1/3
P4(208, $0x3e124925)
P4(224, $0x3e4ccccd)
P4(240, $0x3eaaaaab)
P4(256, $0x3638ef1d) // sin: 1/9!, −1/7!, 1/5!, −1/3!
P4(272, $0xb9500d01)
P4(288, $0x3c088889)
P4(304, $0xbe2aaaab)
P4(320, $0xb493f27e) // cos: −1/10!, 1/8!, −1/6!, 1/4!, −1/2!
P4(336, $0x37d00d01)
P4(352, $0xbab60b61)
P4(368, $0x3d2aaaab)
P4(384, $0xbf000000)
GLOBL estPmC<>(SB), RODATA|NOPTR, $400

// XOSHIRO advances one .2D half of the state (s0…s3 in Vs0…Vs3, two lanes)
// and sets Vw to its xoshiro256** outputs rotl(5·s1, 7)·9; clobbers Va, Vt.
#define XOSHIRO(s0, s1, s2, s3, w, a, t) \
	SHL2D(a, s1, 2); ADD2D(a, a, s1); \
	SHL2D(w, a, 7); ESTUSHR2D(a, a, 57); ESTORR16B(w, w, a); \
	SHL2D(a, w, 3); ADD2D(w, w, a); \
	SHL2D(t, s1, 17); \
	ESTEOR16B(s2, s2, s0); ESTEOR16B(s3, s3, s1); \
	ESTEOR16B(s1, s1, s2); ESTEOR16B(s0, s0, s3); \
	ESTEOR16B(s2, s2, t); \
	SHL2D(a, s3, 45); ESTUSHR2D(s3, s3, 19); ESTORR16B(s3, s3, a)

// func perturbNEON(dst, xs []float64, sq float64, state []uint64)
//
// One step per pair of rows: one xoshiro256** output per lane (V8 lanes
// 0–1, V9 lanes 2–3), its high words (u₁) and low words (θ) as one .4S
// register each, the float32 transform of perturbGeneric in the same order
// (no fused operations), then rows j and j+1 as xs + sq·z (fmla .2d).
// V0–V7 state (s0 lanes 0–1, s0 lanes 2–3, s1, …), V8–V13 and V15 scratch,
// V14 sq.
TEXT ·perturbNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R0
	MOVD  xs_base+24(FP), R1
	MOVD  xs_len+32(FP), R2
	FMOVD sq+48(FP), F14
	MOVD  state_base+56(FP), R3
	CBZ   R2, pm_done
	VDUP  V14.D[0], V14.D2
	VLD1.P 64(R3), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1   (R3), [V4.D2, V5.D2, V6.D2, V7.D2]
	MOVD   $estPmC<>(SB), R4
	VLD1.P 64(R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R4), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R4), [V28.S4, V29.S4, V30.S4, V31.S4]

pm_loop:
	MOVD R4, R5
	XOSHIRO(0, 2, 4, 6, 8, 10, 11)
	XOSHIRO(1, 3, 5, 7, 9, 10, 11)
	VUZP2 V9.S4, V8.S4, V10.S4     // high words
	VUZP1 V9.S4, V8.S4, V11.S4     // low words

	// u₁ = 2 − (hi>>9 | 1) ∈ (0, 1] and r = √(−2 ln u₁) (logUnit).
	VUSHR $9, V10.S4, V10.S4
	VORR  V20.B16, V10.B16, V10.B16
	FSUB4S(10, 23, 10)             // u₁
	VUSHR $23, V10.S4, V8.S4       // eb
	VSHL  $9, V10.S4, V9.S4
	VUSHR $9, V9.S4, V9.S4
	VORR  V20.B16, V9.B16, V9.B16  // m ∈ [1, 2)
	ESTFCMGT4S(10, 9, 26)          // m > √2
	FMUL4S(12, 9, 24)
	VBIT  V10.B16, V12.B16, V9.B16 // m *= 0.5 there
	VSUB  V10.S4, V8.S4, V8.S4     // eb++ there
	VSUB  V21.S4, V8.S4, V8.S4
	ESTSCVTF4S(8, 8)               // e
	FSUB4S(9, 9, 20)               // f = m − 1
	FADD4S(10, 9, 23)
	FDIV4S(10, 9, 10)              // s = f/(f + 2)
	FMUL4S(12, 10, 10)             // z = s²
	VLD1.P 64(R5), [V16.S4, V17.S4, V18.S4, V19.S4]
	FMUL4S(13, 16, 12)             // p = (((1/9)z + 1/7)z + 1/5)z + 1/3
	FADD4S(13, 13, 17)
	FMUL4S(13, 13, 12)
	FADD4S(13, 13, 18)
	FMUL4S(13, 13, 12)
	FADD4S(13, 13, 19)
	FADD4S(10, 10, 10)             // t = 2s
	FMUL4S(12, 10, 12)             // t·z
	FMUL4S(12, 12, 13)             // t·z·p
	FADD4S(10, 10, 12)             // ln(1 + f)
	FMUL4S(12, 8, 28)
	FADD4S(12, 12, 10)             // e·ln2lo + ln(1 + f)
	FMUL4S(8, 8, 27)
	FADD4S(8, 8, 12)               // ln u₁
	FMUL4S(8, 8, 25)
	ESTFSQRT4S(8, 8)               // r

	// a = t·π/2 − π/4 from the low words, the quadrant q = lo & 3.
	VAND  V22.B16, V11.B16, V9.B16 // q
	VUSHR $9, V11.S4, V11.S4
	VORR  V20.B16, V11.B16, V11.B16
	FSUB4S(11, 11, 20)             // t ∈ [0, 1)
	FMUL4S(11, 11, 29)
	FSUB4S(11, 11, 30)             // a
	FMUL4S(10, 11, 11)             // v = a²
	VLD1.P 64(R5), [V16.S4, V17.S4, V18.S4, V19.S4]
	FMUL4S(12, 16, 10)             // sin(a)/a in v
	FADD4S(12, 12, 17)
	FMUL4S(12, 12, 10)
	FADD4S(12, 12, 18)
	FMUL4S(12, 12, 10)
	FADD4S(12, 12, 19)
	FMUL4S(12, 12, 10)
	FADD4S(12, 12, 20)
	VLD1.P 64(R5), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R5), [V15.S4]
	FMUL4S(13, 16, 10)             // cos(a) in v
	FADD4S(13, 13, 17)
	FMUL4S(13, 13, 10)
	FADD4S(13, 13, 18)
	FMUL4S(13, 13, 10)
	FADD4S(13, 13, 19)
	FMUL4S(13, 13, 10)
	FADD4S(13, 13, 15)
	FMUL4S(13, 13, 10)
	FADD4S(13, 13, 20)
	FMUL4S(12, 11, 12)             // s = sin a
	FSUB4S(11, 13, 12)
	FADD4S(10, 13, 12)
	FMUL4S(11, 11, 31)             // cs = cos(a + π/4)
	FMUL4S(10, 10, 31)             // sn = sin(a + π/4)

	// Rotate by q quarter turns: swap on odd q, then signs; z = r·(x, y).
	VSHL  $31, V9.S4, V12.S4
	ESTSSHR4S(12, 12, 31)          // all ones where q is odd
	VBSL  V11.B16, V10.B16, V12.B16 // x = odd ? sn : cs
	VEOR  V10.B16, V11.B16, V13.B16
	VEOR  V12.B16, V13.B16, V13.B16 // y, the other one
	VUSHR $1, V9.S4, V10.S4
	VEOR  V10.B16, V9.B16, V9.B16
	VSHL  $31, V9.S4, V9.S4
	VEOR  V9.B16, V12.B16, V12.B16  // −x where q ⊕ q>>1 is odd
	VSHL  $31, V10.S4, V10.S4
	VEOR  V10.B16, V13.B16, V13.B16 // −y where q ≥ 2
	FMUL4S(12, 8, 12)              // z0
	FMUL4S(13, 8, 13)              // z1

	// Row j = xs[j] + sq·z0, then row j + 1 unless it is past the end.
	VLD1R.P 8(R1), [V9.D2]
	MOV16B(10, 9)
	FCVTL2D(11, 12)
	FCVTL2_2D(15, 12)
	FMLA2D(9, 11, 14)
	FMLA2D(10, 15, 14)
	VST1.P [V9.D2, V10.D2], 32(R0)
	SUBS $1, R2, R2
	BEQ  pm_done
	VLD1R.P 8(R1), [V9.D2]
	MOV16B(10, 9)
	FCVTL2D(11, 13)
	FCVTL2_2D(15, 13)
	FMLA2D(9, 11, 14)
	FMLA2D(10, 15, 14)
	VST1.P [V9.D2, V10.D2], 32(R0)
	SUBS $1, R2, R2
	BNE  pm_loop

pm_done:
	RET

// ---------------------------------------------------------------------------
// LaneAxpy.

// func laneAxpyNEON(acc, w, f []float64, d, blocks int)
//
// Block by block: V16–V17 the block's weights, then four rows per step
// (V0–V7 acc, V8–V15 f), then single rows.
TEXT ·laneAxpyNEON(SB), NOSPLIT, $0-88
	MOVD acc_base+0(FP), R0
	MOVD w_base+24(FP), R1
	MOVD f_base+48(FP), R2
	MOVD d+72(FP), R3
	MOVD blocks+80(FP), R4
	CBZ  R3, la_done
	CBZ  R4, la_done

la_block:
	VLD1.P 32(R1), [V16.D2, V17.D2]
	MOVD R0, R5                    // acc read
	MOVD R0, R6                    // acc write
	MOVD R3, R7                    // rows left
	CMP  $4, R7
	BLT  la_one

la_four:
	VLD1.P 64(R5), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1.P 64(R5), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1.P 64(R2), [V8.D2, V9.D2, V10.D2, V11.D2]
	VLD1.P 64(R2), [V12.D2, V13.D2, V14.D2, V15.D2]
	FMLA2D(0, 8, 16)
	FMLA2D(1, 9, 17)
	FMLA2D(2, 10, 16)
	FMLA2D(3, 11, 17)
	FMLA2D(4, 12, 16)
	FMLA2D(5, 13, 17)
	FMLA2D(6, 14, 16)
	FMLA2D(7, 15, 17)
	VST1.P [V0.D2, V1.D2, V2.D2, V3.D2], 64(R6)
	VST1.P [V4.D2, V5.D2, V6.D2, V7.D2], 64(R6)
	SUB  $4, R7, R7
	CMP  $4, R7
	BGE  la_four

la_one:
	CBZ  R7, la_next
	VLD1.P 32(R5), [V0.D2, V1.D2]
	VLD1.P 32(R2), [V8.D2, V9.D2]
	FMLA2D(0, 8, 16)
	FMLA2D(1, 9, 17)
	VST1.P [V0.D2, V1.D2], 32(R6)
	SUB  $1, R7, R7
	B    la_one

la_next:
	SUBS $1, R4, R4
	BNE  la_block

la_done:
	RET

// ---------------------------------------------------------------------------
// ExpWeights.

// Float64 constants, two lanes each, loaded into V13–V31: c_j = 1/j! is
// V(31−j).
#define E2(off, v) DATA estExpC<>+(off)(SB)/8, v; DATA estExpC<>+(off+8)(SB)/8, v

E2(0, $0x3ff71547652b82fe)   // V13 1/ln 2
E2(16, $0x3fe62e42fee00000)  // V14 ln 2 high part
E2(32, $0x3dea39ef35793c76)  // V15 ln 2 low part
E2(48, $1023)                // V16 exponent bias (int64)
E2(64, $0xc085e00000000000)  // V17 −700
E2(80, $0x7ff0000000000000)  // V18 +Inf
E2(96, $0x3e21eed8eff8d898)  // V19 1/12!
E2(112, $0x3e5ae64567f544e4) // V20 1/11!
E2(128, $0x3e927e4fb7789f5c) // V21 1/10!
E2(144, $0x3ec71de3a556c734) // V22 1/9!
E2(160, $0x3efa01a01a01a01a) // V23 1/8!
E2(176, $0x3f2a01a01a01a01a) // V24 1/7!
E2(192, $0x3f56c16c16c16c17) // V25 1/6!
E2(208, $0x3f81111111111111) // V26 1/5!
E2(224, $0x3fa5555555555555) // V27 1/4!
E2(240, $0x3fc5555555555555) // V28 1/3!
E2(256, $0x3fe0000000000000) // V29 1/2!
E2(272, $0x3ff0000000000000) // V30 1/1!
E2(288, $0x3ff0000000000000) // V31 1/0!
GLOBL estExpC<>(SB), RODATA|NOPTR, $304

// EXPSTEP sets Vp = Vp0 + Vp1·r (Horner step, fused) for both halves.
#define EXPSTEP(c, p0, p1, q0, q1) \
	MOV16B(q0, c); MOV16B(q1, c); \
	FMLA2D(q0, p0, 8); FMLA2D(q1, p1, 9)

// func expWeightsNEON(w, e []float64, top float64) int
//
// Four elements per step (two .2D halves), as expWeightsGeneric:
// x = −e − top, k = round(x/ln 2), r = x − k·ln2 (two fused parts), the
// degree-12 Horner polynomial (fused), times 2ᵏ from the exponent bits, and
// 0 where e is +Inf or NaN or x < −700. V0–V1 e, then the polynomial;
// V2–V3 mask, V4–V5 x, V6–V7 k, V8–V9 r, V10–V11 polynomial; V12 top.
TEXT ·expWeightsNEON(SB), NOSPLIT, $0-64
	MOVD  w_base+0(FP), R0
	MOVD  w_len+8(FP), R1
	MOVD  e_base+24(FP), R2
	FMOVD top+48(FP), F12
	LSR   $2, R1, R3
	LSL   $2, R3, R4
	MOVD  R4, ret+56(FP)
	CBZ   R3, ew_done
	VDUP  V12.D[0], V12.D2
	MOVD  $estExpC<>(SB), R5
	VLD1.P 64(R5), [V13.D2, V14.D2, V15.D2, V16.D2]
	VLD1.P 64(R5), [V17.D2, V18.D2, V19.D2, V20.D2]
	VLD1.P 64(R5), [V21.D2, V22.D2, V23.D2, V24.D2]
	VLD1.P 64(R5), [V25.D2, V26.D2, V27.D2, V28.D2]
	VLD1   (R5), [V29.D2, V30.D2, V31.D2]

ew_loop:
	VLD1.P 32(R2), [V0.D2, V1.D2]
	ESTFCMGT2D(2, 18, 0)           // e < +Inf
	ESTFCMGT2D(3, 18, 1)
	FNEG2D(4, 0)
	FNEG2D(5, 1)
	FSUB2D(4, 4, 12)               // x = −e − top
	FSUB2D(5, 5, 12)
	ESTFCMGE2D(0, 4, 17)           // x ≥ −700
	ESTFCMGE2D(1, 5, 17)
	VAND V0.B16, V2.B16, V2.B16
	VAND V1.B16, V3.B16, V3.B16
	FMAX2D(4, 4, 17)               // keep 2ᵏ normal where dropped anyway
	FMAX2D(5, 5, 17)
	FMUL2D(6, 4, 13)
	FMUL2D(7, 5, 13)
	FRINTN2D(6, 6)                 // k
	FRINTN2D(7, 7)
	MOV16B(8, 4)
	MOV16B(9, 5)
	FMLS2D(8, 6, 14)               // r = x − k·ln2hi
	FMLS2D(9, 7, 14)
	FMLS2D(8, 6, 15)               // r −= k·ln2lo
	FMLS2D(9, 7, 15)
	EXPSTEP(20, 19, 19, 10, 11)    // 1/11! + r/12!
	EXPSTEP(21, 10, 11, 0, 1)
	EXPSTEP(22, 0, 1, 10, 11)
	EXPSTEP(23, 10, 11, 0, 1)
	EXPSTEP(24, 0, 1, 10, 11)
	EXPSTEP(25, 10, 11, 0, 1)
	EXPSTEP(26, 0, 1, 10, 11)
	EXPSTEP(27, 10, 11, 0, 1)
	EXPSTEP(28, 0, 1, 10, 11)
	EXPSTEP(29, 10, 11, 0, 1)
	EXPSTEP(30, 0, 1, 10, 11)
	EXPSTEP(31, 10, 11, 0, 1)      // p
	FCVTZS2D(6, 6)
	FCVTZS2D(7, 7)
	ADD2D(6, 6, 16)
	ADD2D(7, 7, 16)
	SHL2D(6, 6, 52)                // 2ᵏ
	SHL2D(7, 7, 52)
	FMUL2D(0, 0, 6)
	FMUL2D(1, 1, 7)
	VAND V2.B16, V0.B16, V0.B16
	VAND V3.B16, V1.B16, V1.B16
	VST1.P [V0.D2, V1.D2], 32(R0)
	SUBS $1, R3, R3
	BNE  ew_loop

ew_done:
	RET
