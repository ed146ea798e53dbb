//go:build !purego && !noasm

#include "textflag.h"

// Hand-written (no avo generator yet). Offsets into sincosTab (sincos.go):
// 4-wide broadcast constants, 32 bytes each.
#define TWOPI 0(BX)
#define MAGIC 32(BX)
#define P1 64(BX)
#define P2 96(BX)
#define P3 128(BX)
#define ABS 160(BX)
#define MAXARG 192(BX)
#define HALF 224(BX)
#define ONE 256(BX)
#define IONE 288(BX)
#define ITWO 320(BX)
#define S0 352(BX)
#define S1 384(BX)
#define S2 416(BX)
#define S3 448(BX)
#define S4 480(BX)
#define S5 512(BX)
#define C0 544(BX)
#define C1 576(BX)
#define C2 608(BX)
#define C3 640(BX)
#define C4 672(BX)
#define C5 704(BX)

// func sincosAVX2(s, c, x, tab []float64) int
//
// s[i], c[i] = sin x[i], cos x[i] for whole 4-lane blocks of x, stopping
// before the first block with a lane outside |x| ≤ 2²⁹ (or NaN); returns the
// number of elements done. Requires AVX2 and FMA3.
TEXT ·sincosAVX2(SB), NOSPLIT, $0-104
	MOVQ s_base+0(FP), DI
	MOVQ c_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	MOVQ tab_base+72(FP), BX
	ANDQ $-4, CX                   // whole blocks only
	XORQ AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPD (SI)(AX*8), Y0         // x
	VANDPD  ABS, Y0, Y1            // |x|
	VCMPPD  $0x12, MAXARG, Y1, Y1  // |x| ≤ 2²⁹ (false for NaN)
	VMOVMSKPD Y1, R8
	CMPQ    R8, $15
	JNE     done                   // leave this block to generic

	// n = round(x·2/π): t = x·(2/π) + 1.5·2⁵² rounds once; its low
	// mantissa bits hold n mod 4.
	VMOVUPD     MAGIC, Y3
	VFMADD231PD TWOPI, Y0, Y3      // t
	VSUBPD      MAGIC, Y3, Y4      // n
	VFNMADD231PD P1, Y4, Y0        // r = x − n·P1 (exact)
	VFNMADD231PD P2, Y4, Y0        // r −= n·P2
	VFNMADD231PD P3, Y4, Y0        // r −= n·P3
	VMULPD      Y0, Y0, Y5         // zz = r²

	// sin r = r + r·zz·S(zz)
	VMOVUPD     S0, Y6
	VFMADD213PD S1, Y5, Y6
	VFMADD213PD S2, Y5, Y6
	VFMADD213PD S3, Y5, Y6
	VFMADD213PD S4, Y5, Y6
	VFMADD213PD S5, Y5, Y6
	VMULPD      Y5, Y0, Y7         // r·zz
	VFMADD213PD Y0, Y7, Y6         // sin r

	// cos r = (1 − zz/2) + zz²·C(zz)
	VMOVUPD      C0, Y8
	VFMADD213PD  C1, Y5, Y8
	VFMADD213PD  C2, Y5, Y8
	VFMADD213PD  C3, Y5, Y8
	VFMADD213PD  C4, Y5, Y8
	VFMADD213PD  C5, Y5, Y8
	VMULPD       Y5, Y5, Y9        // zz²
	VMOVUPD      ONE, Y10
	VFNMADD231PD HALF, Y5, Y10     // 1 − zz/2
	VFMADD213PD  Y10, Y9, Y8       // cos r

	// Quadrant q = n mod 4: odd q swaps sin and cos; sin is negated when
	// q & 2, cos when (q + 1) & 2.
	VPAND     IONE, Y3, Y11
	VPCMPEQQ  IONE, Y11, Y11       // q odd
	VPAND     ITWO, Y3, Y12
	VPSLLQ    $62, Y12, Y12        // sign of sin
	VPADDQ    IONE, Y3, Y13
	VPAND     ITWO, Y13, Y13
	VPSLLQ    $62, Y13, Y13        // sign of cos
	VBLENDVPD Y11, Y8, Y6, Y14     // q odd ? cos r : sin r
	VBLENDVPD Y11, Y6, Y8, Y15     // q odd ? sin r : cos r
	VXORPD    Y12, Y14, Y14
	VXORPD    Y13, Y15, Y15
	VMOVUPD   Y14, (DI)(AX*8)
	VMOVUPD   Y15, (DX)(AX*8)
	ADDQ      $4, AX
	JMP       loop

done:
	MOVQ AX, ret+96(FP)
	VZEROUPPER
	RET
