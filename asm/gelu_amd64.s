//go:build !purego && !noasm

#include "textflag.h"

// Offsets into the constant table geluTab (see gelu.go): per-range
// coefficient rows, then 4-wide broadcast constants.
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

// EXPHL sets o = e^{h+l} for h ≥ −705 and small l: k = round((h+l)·log2 e)
// via the 1.5·2⁵² shift (t keeps k in its low bits), r = h − k·ln2 + l with
// a two-part ln2, e^r by its degree-13 Taylor polynomial evaluated as
// Σᵢ (c₂ᵢ + c₂ᵢ₊₁·r)·(r²)ⁱ (Horner in r², for a short dependency chain), and
// k added to the exponent field. Clobbers t, r, r2 and s.
#define EXPHL(h, l, o, t, r, r2, s) \
	VADDPD       l, h, r;     \
	VMOVUPD      MAGIC, t;    \
	VFMADD231PD  LOG2E, r, t; \
	VSUBPD       MAGIC, t, o; \
	VMOVAPD      h, r;        \
	VFNMADD231PD LN2HI, o, r; \
	VFNMADD231PD LN2LO, o, r; \
	VADDPD       l, r, r;     \
	VPSLLQ       $52, t, t;   \
	VMULPD       r, r, r2;    \
	VMOVUPD      P12, o;      \
	VFMADD231PD  P13, r, o;   \
	VMOVUPD      P10, s;      \
	VFMADD231PD  P11, r, s;   \
	VFMADD213PD  s, r2, o;    \
	VMOVUPD      P8, s;       \
	VFMADD231PD  P9, r, s;    \
	VFMADD213PD  s, r2, o;    \
	VMOVUPD      P6, s;       \
	VFMADD231PD  P7, r, s;    \
	VFMADD213PD  s, r2, o;    \
	VMOVUPD      P4, s;       \
	VFMADD231PD  P5, r, s;    \
	VFMADD213PD  s, r2, o;    \
	VMOVUPD      P2, s;       \
	VFMADD231PD  P3, r, s;    \
	VFMADD213PD  s, r2, o;    \
	VMOVUPD      ONE, s;      \
	VFMADD231PD  P1, r, s;    \
	VFMADD213PD  s, r2, o;    \
	VPADDQ       t, o, o

// func geluAVX2(y, d, x, tab []float64) int
//
// Whole 4-lane blocks of y = a·Φ(a), d = Φ(a) + a·φ(a) for a = x[i];
// returns the number of elements done. Per lane, u = |a|/√2 picks range
// r ∈ {0…3} (u ≥ 0.84375, 1.25, 1/0.35), and VPERMD fetches that range's
// coefficients from rows of tab, so that all lanes evaluate one rational
// N(v)/D(v). Requires AVX, AVX2, FMA3.
TEXT ·geluAVX2(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), DI
	MOVQ d_base+24(FP), R8
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ tab_base+72(FP), BX
	SHRQ $2, CX
	MOVQ CX, AX
	SHLQ $2, AX
	MOVQ AX, ret+96(FP)
	TESTQ CX, CX
	JZ    done

loop:
	VMOVUPD     (SI), Y0          // a
	VANDPD      ABS, Y0, Y1
	VMULPD      ISQ2, Y1, Y1      // u = |a|/√2
	VMULPD      Y0, Y0, Y2        // s2 = fl(a²)
	VMOVAPD     Y2, Y3
	VFMSUB231PD Y0, Y0, Y3        // e2 = a·a − s2 (exact)
	VCMPPD      $13, R1, Y1, Y9   // M1 = u ≥ 0.84375
	VCMPPD      $13, R2, Y1, Y10  // M2 = u ≥ 1.25
	VCMPPD      $13, R3, Y1, Y11  // M3 = u ≥ 1/0.35
	VPADDQ      Y10, Y9, Y4
	VPADDQ      Y11, Y4, Y4       // −r (masks are −1)
	VPXOR       Y11, Y11, Y11
	VPSUBQ      Y4, Y11, Y4       // r
	VPSLLQ      $1, Y4, Y4        // 2r
	VPSLLQ      $32, Y4, Y11
	VPOR        Y11, Y4, Y4
	VPADDD      IDX01, Y4, Y4     // dword indices {2r, 2r+1} per lane

	VMULPD      HALF, Y2, Y5      // v0 = a²/2 = u²
	VSUBPD      ONE, Y1, Y6       // v1 = u − 1
	VMOVUPD     ONE, Y14
	VDIVPD      Y1, Y14, Y14      // 1/u (kept for erfc)
	VMULPD      Y14, Y14, Y7      // v23 = 1/u²
	VBLENDVPD   Y9, Y6, Y5, Y5    // v = M1 ? v1 : v0
	VBLENDVPD   Y10, Y7, Y5, Y5   // v = M2 ? v23 : v

	// N(v) = Σᵢ (N₂ᵢ + N₂ᵢ₊₁·v)·v²ⁱ and D(v) = 1 + Σ_j D_j v^j likewise,
	// as Horner chains in v² (short dependency chains).
	VMULPD      Y5, Y5, Y15       // v²
	VPERMD      N6, Y4, Y6
	VPERMD      N7, Y4, Y8
	VFMADD231PD Y8, Y5, Y6        // N = N6 + N7·v
	VPERMD      D8, Y4, Y7        // D = D8
	VPERMD      N4, Y4, Y11
	VPERMD      N5, Y4, Y8
	VFMADD231PD Y8, Y5, Y11
	VFMADD213PD Y11, Y15, Y6      // N = N·v² + (N4 + N5·v)
	VPERMD      D6, Y4, Y12
	VPERMD      D7, Y4, Y13
	VFMADD231PD Y13, Y5, Y12
	VFMADD213PD Y12, Y15, Y7      // D = D·v² + (D6 + D7·v)
	VPERMD      N2, Y4, Y11
	VPERMD      N3, Y4, Y8
	VFMADD231PD Y8, Y5, Y11
	VFMADD213PD Y11, Y15, Y6
	VPERMD      D4, Y4, Y12
	VPERMD      D5, Y4, Y13
	VFMADD231PD Y13, Y5, Y12
	VFMADD213PD Y12, Y15, Y7
	VPERMD      N0, Y4, Y11
	VPERMD      N1, Y4, Y8
	VFMADD231PD Y8, Y5, Y11
	VFMADD213PD Y11, Y15, Y6
	VPERMD      D2, Y4, Y12
	VPERMD      D3, Y4, Y13
	VFMADD231PD Y13, Y5, Y12
	VFMADD213PD Y12, Y15, Y7
	VPERMD      D1, Y4, Y13
	VMOVUPD     ONE, Y12
	VFMADD231PD Y13, Y5, Y12
	VFMADD213PD Y12, Y15, Y7      // D = D·v² + (1 + D1·v)
	VDIVPD      Y7, Y6, Y6        // q = N/D

	// erfc(u) for ranges 0 and 1.
	VMOVAPD     Y1, Y8
	VFMADD231PD Y6, Y1, Y8        // erf = u + u·q
	VMOVUPD     ONE, Y11
	VSUBPD      Y8, Y11, Y8       // E0 = 1 − erf
	VMOVUPD     OMERX, Y11
	VSUBPD      Y6, Y11, Y11      // E1 = (1 − erx) − q
	VBLENDVPD   Y9, Y11, Y8, Y8   // E = M1 ? E1 : E0

	// −a²/2 = hi + lo; flush where hi < −705.
	VMULPD      NHALF, Y2, Y2     // hi
	VMULPD      NHALF, Y3, Y3     // lo
	VCMPPD      $1, FLUSH, Y2, Y9 // F = hi < −705
	VMAXPD      FLUSH, Y2, Y2

	// e^{hi + lo}, 0 where F.
	EXPHL(Y2, Y3, Y12, Y13, Y5, Y15, Y4)
	VANDNPD     Y12, Y9, Y12

	// Ranges 2, 3: erfc(u) = e^{hi + lo}·e^w/u, w = q − 0.5625, with e^w
	// from its Taylor series about WC.
	VADDPD      M0562, Y6, Y11
	VSUBPD      WC, Y11, Y11      // w − c
	VMOVUPD     W10, Y13
	VFMADD213PD W9, Y11, Y13
	VFMADD213PD W8, Y11, Y13
	VFMADD213PD W7, Y11, Y13
	VFMADD213PD W6, Y11, Y13
	VFMADD213PD W5, Y11, Y13
	VFMADD213PD W4, Y11, Y13
	VFMADD213PD W3, Y11, Y13
	VFMADD213PD W2, Y11, Y13
	VFMADD213PD W1, Y11, Y13
	VFMADD213PD W0, Y11, Y13      // e^w
	VMULPD      Y12, Y13, Y13
	VMULPD      Y14, Y13, Y13     // E23
	VBLENDVPD   Y10, Y13, Y8, Y8  // E = M2 ? E23 : E

	VMULPD      ISQ2PI, Y12, Y12  // φ(a)

	VMULPD      HALF, Y8, Y8      // E/2 = Φ(−|a|)
	VMOVUPD     ONE, Y11
	VSUBPD      Y8, Y11, Y11      // 1 − E/2
	VBLENDVPD   Y0, Y8, Y11, Y11  // Φ = sign(a) ? E/2 : 1 − E/2
	VMULPD      Y11, Y0, Y13      // y = a·Φ
	VFMADD231PD Y12, Y0, Y11      // d = a·φ + Φ
	VMOVUPD     Y13, (DI)
	VMOVUPD     Y11, (R8)
	ADDQ        $32, SI
	ADDQ        $32, DI
	ADDQ        $32, R8
	DECQ        CX
	JNZ         loop

done:
	VZEROUPPER
	RET
