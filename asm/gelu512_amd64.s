//go:build !purego && !noasm

#include "textflag.h"

// The offsets of geluTab, as in gelu_amd64.s (each constant 4 copies; the
// AVX-512 kernel broadcasts the first).
#define N0 0(BX)
#define N1 32(BX)
#define N2 64(BX)
#define N3 96(BX)
#define N4 128(BX)
#define N5 160(BX)
#define N6 192(BX)
#define N7 224(BX)
#define D1 256(BX)
#define D2 288(BX)
#define D3 320(BX)
#define D4 352(BX)
#define D5 384(BX)
#define D6 416(BX)
#define D7 448(BX)
#define D8 480(BX)
#define ABS 512(BX)
#define ISQ2 544(BX)
#define R1 576(BX)
#define R2 608(BX)
#define R3 640(BX)
#define HALF 672(BX)
#define ONE 704(BX)
#define OMERX 736(BX)
#define M0562 768(BX)
#define FLUSH 800(BX)
#define LOG2E 832(BX)
#define LN2HI 864(BX)
#define LN2LO 896(BX)
#define ISQ2PI 928(BX)
#define MAGIC 960(BX)
#define NHALF 992(BX)
#define P13 1024(BX)
#define P12 1056(BX)
#define P11 1088(BX)
#define P10 1120(BX)
#define P9 1152(BX)
#define P8 1184(BX)
#define P7 1216(BX)
#define P6 1248(BX)
#define P5 1280(BX)
#define P4 1312(BX)
#define P3 1344(BX)
#define P2 1376(BX)
#define P1 1408(BX)
#define IDX01 1440(BX)
#define WC 1472(BX)
#define W10 1504(BX)
#define W9 1536(BX)
#define W8 1568(BX)
#define W7 1600(BX)
#define W6 1632(BX)
#define W5 1664(BX)
#define W4 1696(BX)
#define W3 1728(BX)
#define W2 1760(BX)
#define W1 1792(BX)
#define W0 1824(BX)


// Broadcast constants kept in registers across the loop.
#define ZABS Z16
#define ZISQ2 Z17
#define ZR1 Z18
#define ZR2 Z19
#define ZR3 Z20
#define ZHALF Z21
#define ZONE Z22
#define ZOMERX Z23
#define ZM0562 Z24
#define ZFLUSH Z25
#define ZLOG2E Z26
#define ZLN2HI Z27
#define ZLN2LO Z28
#define ZMAGIC Z29
#define ZNHALF Z30
#define ZIONE Z31

// EXPHL512 is EXPHL of gelu_amd64.s on 8 lanes: o = e^{h+l}, the same
// operations in the same order. Clobbers t, r, r2 and s.
#define EXPHL512(h, l, o, t, r, r2, s) \
	VADDPD           l, h, r;      \
	VMOVAPD          ZMAGIC, t;    \
	VFMADD231PD      ZLOG2E, r, t; \
	VSUBPD           ZMAGIC, t, o; \
	VMOVAPD          h, r;         \
	VFNMADD231PD     ZLN2HI, o, r; \
	VFNMADD231PD     ZLN2LO, o, r; \
	VADDPD           l, r, r;      \
	VPSLLQ           $52, t, t;    \
	VMULPD           r, r, r2;     \
	VBROADCASTSD     P12, o;       \
	VFMADD231PD.BCST P13, r, o;    \
	VBROADCASTSD     P10, s;       \
	VFMADD231PD.BCST P11, r, s;    \
	VFMADD213PD      s, r2, o;     \
	VBROADCASTSD     P8, s;        \
	VFMADD231PD.BCST P9, r, s;     \
	VFMADD213PD      s, r2, o;     \
	VBROADCASTSD     P6, s;        \
	VFMADD231PD.BCST P7, r, s;     \
	VFMADD213PD      s, r2, o;     \
	VBROADCASTSD     P4, s;        \
	VFMADD231PD.BCST P5, r, s;     \
	VFMADD213PD      s, r2, o;     \
	VBROADCASTSD     P2, s;        \
	VFMADD231PD.BCST P3, r, s;     \
	VFMADD213PD      s, r2, o;     \
	VMOVAPD          ZONE, s;      \
	VFMADD231PD.BCST P1, r, s;     \
	VFMADD213PD      s, r2, o;     \
	VPADDQ           t, o, o

// func geluAVX512(y, d, x, tab []float64) int
//
// geluAVX2 on whole 8-lane blocks: the same operations per lane, with the
// range masks in K registers, the per-range coefficients fetched by
// VPERMPD with qword indices r ∈ {0…3}, and the blends as masked moves.
// Returns the number of elements done. Requires AVX512F and AVX512DQ.
TEXT ·geluAVX512(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), DI
	MOVQ d_base+24(FP), R8
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ tab_base+72(FP), BX
	SHRQ $3, CX
	MOVQ CX, AX
	SHLQ $3, AX
	MOVQ AX, ret+96(FP)
	TESTQ CX, CX
	JZ    done

	VBROADCASTSD ABS, ZABS
	VBROADCASTSD ISQ2, ZISQ2
	VBROADCASTSD R1, ZR1
	VBROADCASTSD R2, ZR2
	VBROADCASTSD R3, ZR3
	VBROADCASTSD HALF, ZHALF
	VBROADCASTSD ONE, ZONE
	VBROADCASTSD OMERX, ZOMERX
	VBROADCASTSD M0562, ZM0562
	VBROADCASTSD FLUSH, ZFLUSH
	VBROADCASTSD LOG2E, ZLOG2E
	VBROADCASTSD LN2HI, ZLN2HI
	VBROADCASTSD LN2LO, ZLN2LO
	VBROADCASTSD MAGIC, ZMAGIC
	VBROADCASTSD NHALF, ZNHALF
	MOVQ         $1, AX
	VPBROADCASTQ AX, ZIONE

loop:
	VMOVUPD     (SI), Z0          // a
	VANDPD      ZABS, Z0, Z1
	VMULPD      ZISQ2, Z1, Z1     // u = |a|/√2
	VMULPD      Z0, Z0, Z2        // s2 = fl(a²)
	VMOVAPD     Z2, Z3
	VFMSUB231PD Z0, Z0, Z3        // e2 = a·a − s2 (exact)
	VCMPPD      $13, ZR1, Z1, K1  // M1 = u ≥ 0.84375
	VCMPPD      $13, ZR2, Z1, K2  // M2 = u ≥ 1.25
	VCMPPD      $13, ZR3, Z1, K3  // M3 = u ≥ 1/0.35
	VPXORQ      Z4, Z4, Z4
	VPADDQ      ZIONE, Z4, K1, Z4
	VPADDQ      ZIONE, Z4, K2, Z4
	VPADDQ      ZIONE, Z4, K3, Z4 // r

	VMULPD      ZHALF, Z2, Z5     // v0 = a²/2 = u²
	VSUBPD      ZONE, Z1, Z6      // v1 = u − 1
	VDIVPD      Z1, ZONE, Z14     // 1/u (kept for erfc)
	VMULPD      Z14, Z14, Z7      // v23 = 1/u²
	VMOVAPD     Z6, K1, Z5        // v = M1 ? v1 : v0
	VMOVAPD     Z7, K2, Z5        // v = M2 ? v23 : v

	VMULPD      Z5, Z5, Z15       // v²
	VPERMPD     N6, Z4, Z6
	VPERMPD     N7, Z4, Z8
	VFMADD231PD Z8, Z5, Z6        // N = N6 + N7·v
	VPERMPD     D8, Z4, Z7        // D = D8
	VPERMPD     N4, Z4, Z11
	VPERMPD     N5, Z4, Z8
	VFMADD231PD Z8, Z5, Z11
	VFMADD213PD Z11, Z15, Z6      // N = N·v² + (N4 + N5·v)
	VPERMPD     D6, Z4, Z12
	VPERMPD     D7, Z4, Z13
	VFMADD231PD Z13, Z5, Z12
	VFMADD213PD Z12, Z15, Z7      // D = D·v² + (D6 + D7·v)
	VPERMPD     N2, Z4, Z11
	VPERMPD     N3, Z4, Z8
	VFMADD231PD Z8, Z5, Z11
	VFMADD213PD Z11, Z15, Z6
	VPERMPD     D4, Z4, Z12
	VPERMPD     D5, Z4, Z13
	VFMADD231PD Z13, Z5, Z12
	VFMADD213PD Z12, Z15, Z7
	VPERMPD     N0, Z4, Z11
	VPERMPD     N1, Z4, Z8
	VFMADD231PD Z8, Z5, Z11
	VFMADD213PD Z11, Z15, Z6
	VPERMPD     D2, Z4, Z12
	VPERMPD     D3, Z4, Z13
	VFMADD231PD Z13, Z5, Z12
	VFMADD213PD Z12, Z15, Z7
	VPERMPD     D1, Z4, Z13
	VMOVAPD     ZONE, Z12
	VFMADD231PD Z13, Z5, Z12
	VFMADD213PD Z12, Z15, Z7      // D = D·v² + (1 + D1·v)
	VDIVPD      Z7, Z6, Z6        // q = N/D

	// erfc(u) for ranges 0 and 1.
	VMOVAPD     Z1, Z8
	VFMADD231PD Z6, Z1, Z8        // erf = u + u·q
	VSUBPD      Z8, ZONE, Z8      // E0 = 1 − erf
	VSUBPD      Z6, ZOMERX, Z11   // E1 = (1 − erx) − q
	VMOVAPD     Z11, K1, Z8       // E = M1 ? E1 : E0

	// −a²/2 = hi + lo; flush where hi < −705.
	VMULPD      ZNHALF, Z2, Z2    // hi
	VMULPD      ZNHALF, Z3, Z3    // lo
	VCMPPD      $1, ZFLUSH, Z2, K5 // F = hi < −705
	KNOTB       K5, K6
	VMAXPD      ZFLUSH, Z2, Z2

	// e^{hi + lo}, 0 where F.
	EXPHL512(Z2, Z3, Z12, Z13, Z5, Z15, Z4)
	VMOVAPD.Z   Z12, K6, Z12

	// Ranges 2, 3: erfc(u) = e^{hi + lo}·e^w/u, w = q − 0.5625, with e^w
	// from its Taylor series about WC.
	VADDPD           ZM0562, Z6, Z11
	VSUBPD.BCST      WC, Z11, Z11      // w − c
	VBROADCASTSD     W10, Z13
	VFMADD213PD.BCST W9, Z11, Z13
	VFMADD213PD.BCST W8, Z11, Z13
	VFMADD213PD.BCST W7, Z11, Z13
	VFMADD213PD.BCST W6, Z11, Z13
	VFMADD213PD.BCST W5, Z11, Z13
	VFMADD213PD.BCST W4, Z11, Z13
	VFMADD213PD.BCST W3, Z11, Z13
	VFMADD213PD.BCST W2, Z11, Z13
	VFMADD213PD.BCST W1, Z11, Z13
	VFMADD213PD.BCST W0, Z11, Z13      // e^w
	VMULPD           Z12, Z13, Z13
	VMULPD           Z14, Z13, Z13     // E23
	VMOVAPD          Z13, K2, Z8       // E = M2 ? E23 : E

	VMULPD.BCST ISQ2PI, Z12, Z12  // φ(a)

	VMULPD      ZHALF, Z8, Z8     // E/2 = Φ(−|a|)
	VSUBPD      Z8, ZONE, Z11     // 1 − E/2
	VPMOVQ2M    Z0, K4
	VMOVAPD     Z8, K4, Z11       // Φ = sign(a) ? E/2 : 1 − E/2
	VMULPD      Z11, Z0, Z13      // y = a·Φ
	VFMADD231PD Z12, Z0, Z11      // d = a·φ + Φ
	VMOVUPD     Z13, (DI)
	VMOVUPD     Z11, (R8)
	ADDQ        $64, SI
	ADDQ        $64, DI
	ADDQ        $64, R8
	DECQ        CX
	JNZ         loop

done:
	VZEROUPPER
	RET
