//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"
#include "mlpk_arm64.h"

// ROW sets Vd to the range-r coefficients of the tab row at byte offset
// off (four float64s, one per range) for each lane: TBL with the byte
// indices in V7 from the 32-byte row loaded into V14:V15.
#define ROW(d, off) LDPQ(14, 15, 5, off); TBL2(d, 14, 7)

// func geluNEON(y, d, x, tab []float64) int
//
// Whole 4-lane blocks, two lanes (one .2D register) per iteration, of
// y = a·Φ(a), d = Φ(a) + a·φ(a) for a = x[i]; returns the number of
// elements done. The method and the order of operations are those of
// geluAVX2: u = |a|/√2 picks range r ∈ {0…3} per lane, TBL fetches that
// range's coefficients from the rows of tab (geluTab), so all lanes
// evaluate one rational N(v)/D(v); e^{−a²/2} by range reduction and a
// degree-13 polynomial, e^{R/S−0.5625} by a degree-10 Taylor series.
// V16–V30 hold 1/√2, R1, R2, R3, ½, 1, 1−erx, −0.5625, −705, log2 e,
// ln2 high, ln2 low, 1/√(2π), 1.5·2⁵², −½ from tab; V31 the byte offsets
// 0…7 in each lane.
TEXT ·geluNEON(SB), NOSPLIT, $0-104
	MOVD y_base+0(FP), R0
	MOVD d_base+24(FP), R1
	MOVD x_base+48(FP), R2
	MOVD x_len+56(FP), R3
	MOVD tab_base+72(FP), R5
	LSR  $2, R3, R3
	LSL  $2, R3, R4
	MOVD R4, ret+96(FP)
	LSL  $1, R3, R3             // R3 = iterations (two lanes each)
	CBZ  R3, done
	LDRQ(16, 5, 544)
	LDRQ(17, 5, 576)
	LDRQ(18, 5, 608)
	LDRQ(19, 5, 640)
	LDRQ(20, 5, 672)
	LDRQ(21, 5, 704)
	LDRQ(22, 5, 736)
	LDRQ(23, 5, 768)
	LDRQ(24, 5, 800)
	LDRQ(25, 5, 832)
	LDRQ(26, 5, 864)
	LDRQ(27, 5, 896)
	LDRQ(28, 5, 928)
	LDRQ(29, 5, 960)
	LDRQ(30, 5, 992)
	MOVD $0x0706050403020100, R6
	VMOV R6, V31.D[0]
	VMOV R6, V31.D[1]

loop:
	VLD1.P 16(R2), [V0.D2]        // a
	FABS2D(1, 0)
	FMUL2D(1, 1, 16)              // u = |a|/√2
	FMUL2D(2, 0, 0)               // s2 = fl(a²)
	FNEG2D(3, 2)
	FMLA2D(3, 0, 0)               // e2 = a·a − s2 (exact)
	FCMGE2D(4, 1, 17)             // M1 = u ≥ 0.84375
	FCMGE2D(5, 1, 18)             // M2 = u ≥ 1.25
	FCMGE2D(6, 1, 19)             // M3 = u ≥ 1/0.35
	ADD16B(7, 4, 5)
	ADD16B(7, 7, 6)               // −r in every byte
	SHL16B(7, 7, 3)
	SUB16B(7, 31, 7)              // byte indices 8r…8r+7 per lane
	FMUL2D(6, 2, 20)              // v0 = a²/2 = u²
	FSUB2D(8, 1, 21)              // v1 = u − 1
	FDIV2D(9, 21, 1)              // 1/u (kept for erfc)
	FMUL2D(10, 9, 9)              // v23 = 1/u²
	BIT16B(6, 8, 4)               // v = M1 ? v1 : v0
	BIT16B(6, 10, 5)              // v = M2 ? v23 : v
	FMUL2D(11, 6, 6)              // v²

	// N(v) and D(v) as Horner chains in v² of (c₂ᵢ + c₂ᵢ₊₁·v).
	ROW(8, 192)                   // N6
	ROW(10, 224)                  // N7
	FMLA2D(8, 10, 6)              // N = N6 + N7·v
	ROW(10, 128)
	ROW(12, 160)
	FMLA2D(10, 12, 6)
	FMLA2D(10, 8, 11)             // N = N·v² + (N4 + N5·v)
	ROW(8, 64)
	ROW(12, 96)
	FMLA2D(8, 12, 6)
	FMLA2D(8, 10, 11)             // N2, N3
	ROW(10, 0)
	ROW(12, 32)
	FMLA2D(10, 12, 6)
	FMLA2D(10, 8, 11)             // N0, N1: N in V10
	ROW(8, 480)                   // D = D8
	ROW(12, 416)
	ROW(13, 448)
	FMLA2D(12, 13, 6)
	FMLA2D(12, 8, 11)             // D = D·v² + (D6 + D7·v)
	ROW(8, 352)
	ROW(13, 384)
	FMLA2D(8, 13, 6)
	FMLA2D(8, 12, 11)             // D4, D5
	ROW(12, 288)
	ROW(13, 320)
	FMLA2D(12, 13, 6)
	FMLA2D(12, 8, 11)             // D2, D3
	ROW(13, 256)
	MOV16B(8, 21)
	FMLA2D(8, 13, 6)
	FMLA2D(8, 12, 11)             // D = D·v² + (1 + D1·v)
	FDIV2D(10, 10, 8)             // q = N/D

	// erfc(u) for ranges 0 and 1.
	MOV16B(8, 1)
	FMLA2D(8, 1, 10)              // erf = u + u·q
	FSUB2D(8, 21, 8)              // E0 = 1 − erf
	FSUB2D(12, 22, 10)            // E1 = (1 − erx) − q
	BIT16B(8, 12, 4)              // E = M1 ? E1 : E0

	// −a²/2 = hi + lo; flush where hi < −705.
	FMUL2D(2, 2, 30)              // hi
	FMUL2D(3, 3, 30)              // lo
	FCMGT2D(4, 24, 2)             // F = hi < −705
	FMAX2D(2, 2, 24)

	// e^{hi+lo}: k = round((hi+lo)·log2 e) by the 1.5·2⁵² shift (t keeps
	// k in its low bits), r = hi − k·ln2 + lo, e^r by Horner in r² of
	// (c₂ᵢ + c₂ᵢ₊₁·r), k added to the exponent field; 0 where F.
	FADD2D(6, 3, 2)               // hi + lo
	MOV16B(7, 29)
	FMLA2D(7, 6, 25)              // t
	FSUB2D(12, 7, 29)             // k
	MOV16B(6, 2)
	FMLS2D(6, 12, 26)
	FMLS2D(6, 12, 27)
	FADD2D(6, 6, 3)               // r
	SHL2D(7, 7, 52)               // k << 52
	FMUL2D(11, 6, 6)              // r²
	LDRQ(12, 5, 1056)             // 1/12!
	LDRQ(15, 5, 1024)             // 1/13!
	FMLA2D(12, 6, 15)
	LDRQ(13, 5, 1120)
	LDRQ(15, 5, 1088)
	FMLA2D(13, 6, 15)
	FMLA2D(13, 12, 11)            // 1/10!, 1/11!
	LDRQ(12, 5, 1184)
	LDRQ(15, 5, 1152)
	FMLA2D(12, 6, 15)
	FMLA2D(12, 13, 11)            // 1/8!, 1/9!
	LDRQ(13, 5, 1248)
	LDRQ(15, 5, 1216)
	FMLA2D(13, 6, 15)
	FMLA2D(13, 12, 11)            // 1/6!, 1/7!
	LDRQ(12, 5, 1312)
	LDRQ(15, 5, 1280)
	FMLA2D(12, 6, 15)
	FMLA2D(12, 13, 11)            // 1/4!, 1/5!
	LDRQ(13, 5, 1376)
	LDRQ(15, 5, 1344)
	FMLA2D(13, 6, 15)
	FMLA2D(13, 12, 11)            // 1/2!, 1/3!
	MOV16B(12, 21)
	LDRQ(15, 5, 1408)
	FMLA2D(12, 6, 15)
	FMLA2D(12, 13, 11)            // 1, 1/1!
	ADD2D(12, 12, 7)              // e^{hi+lo}
	BIC16B(12, 12, 4)             // 0 where F

	// Ranges 2, 3: erfc(u) = e^{hi+lo}·e^w/u, w = q − 0.5625, with e^w
	// from its Taylor series about WC.
	FADD2D(11, 10, 23)
	LDRQ(15, 5, 1472)
	FSUB2D(11, 11, 15)            // w − c
	LDRQ(13, 5, 1504)             // W10
	LDRQ(14, 5, 1536)
	FMLA2D(14, 13, 11)            // W9
	LDRQ(13, 5, 1568)
	FMLA2D(13, 14, 11)            // W8
	LDRQ(14, 5, 1600)
	FMLA2D(14, 13, 11)            // W7
	LDRQ(13, 5, 1632)
	FMLA2D(13, 14, 11)            // W6
	LDRQ(14, 5, 1664)
	FMLA2D(14, 13, 11)            // W5
	LDRQ(13, 5, 1696)
	FMLA2D(13, 14, 11)            // W4
	LDRQ(14, 5, 1728)
	FMLA2D(14, 13, 11)            // W3
	LDRQ(13, 5, 1760)
	FMLA2D(13, 14, 11)            // W2
	LDRQ(14, 5, 1792)
	FMLA2D(14, 13, 11)            // W1
	LDRQ(13, 5, 1824)
	FMLA2D(13, 14, 11)            // W0: e^w
	FMUL2D(13, 13, 12)
	FMUL2D(13, 13, 9)             // E23
	BIT16B(8, 13, 5)              // E = M2 ? E23 : E

	FMUL2D(12, 12, 28)            // φ(a)
	FMUL2D(8, 8, 20)              // E/2 = Φ(−|a|)
	FSUB2D(11, 21, 8)             // 1 − E/2
	CMLTZ2D(7, 0)                 // sign(a)
	BIT16B(11, 8, 7)              // Φ = sign(a) ? E/2 : 1 − E/2
	FMUL2D(13, 0, 11)             // y = a·Φ
	FMLA2D(11, 0, 12)             // d = Φ + a·φ
	VST1.P [V13.D2], 16(R0)
	VST1.P [V11.D2], 16(R1)
	SUBS $1, R3, R3
	BNE  loop

done:
	RET
