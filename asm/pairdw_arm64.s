//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// pairDW3NEON and pairDW2NEON are PairDW (see pairdw.go) for whole lane
// blocks, in 3 and 2 dimensions. A block's Lanes = 4 configurations are
// handled together as two .2D halves: lanes 0–1 in the even-numbered V
// register of each pair and lanes 2–3 in the odd one, so one 32-byte
// VLD1/VST1 moves a particle coordinate of all four.
//
// Per block: f = 0; then for i < n−1, xᵢ and its force sum Fᵢ stay in
// registers while j runs over i+1 … n−1:
//
//	dx = xᵢ − xⱼ, r = ‖dx‖, u = r − 4, u2 = u²
//	E += u2·(0.9·u2 − 4)
//	h = u·(3.6·u2 − 8)/r, set to 0 where r = 0      (h = φ′(r)/r = −g)
//	Fᵢ −= h·dx, fⱼ += h·dx in memory
//
// and fᵢ += Fᵢ; finally e = E. The r = 0 mask (fcmeq + bic) turns the
// ±Inf/NaN of h into 0, so a coincident pair adds φ(0) = 166.4 and no force.
//
// Registers:
//
//	R0 &e[blk·4]      R1 &f[blk]        R2 &x[blk]        R3 n
//	R4 blocks left    R5 n·32 (one dimension of a block, in bytes)
//	R6 D·n·32 (one block)               R7 i count        R8 j count
//	R9 &x[x][i]  R11 &x[y][i]  R12 &x[z][i]     R10 &f[x][i]
//	R13–R15 &x[x,y,z][j]     R16, R17, R19 &f[x,y,z][j]   R23–R24 scratch
//	V0–V5   xⱼ, then dx (x: V0 V1, y: V2 V3, z: V4 V5)
//	V6–V7   r², r, then the r = 0 mask      V8–V9 u
//	V10–V11 u2, then 3.6·u2 − 8 and h       V30–V31 0.9·u2 − 4
//	V12–V17 xᵢ      V18–V23 Fᵢ (x: V18 V19 …)      V24–V25 E
//	V26 4   V27 0.9   V28 3.6   V29 8
//
// R18 (platform), R26–R29 and R30 (LR) are not used; these are leaves.

// func pairDW3NEON(e, f, x []float64, n, blocks int) int
TEXT ·pairDW3NEON(SB), NOSPLIT, $0-96
	MOVD e_base+0(FP), R0  // R0 = &e[0]
	MOVD f_base+24(FP), R1 // R1 = &f[0]
	MOVD x_base+48(FP), R2 // R2 = &x[0]
	MOVD n+72(FP), R3      // R3 = n
	MOVD blocks+80(FP), R4 // R4 = blocks
	LSL  $5, R3, R5        // R5 = n·32: bytes per dimension of a block
	ADD  R5<<1, R5, R6     // R6 = 3·n·32: bytes per block
	CBZ  R4, done3         // no blocks: nothing to do

	FMOVD $4.0, F26        // F26 = 4 (DWD0, also −DWB)
	VDUP  V26.D[0], V26.D2 // V26 = {4, 4}
	FMOVD $0.9, F27        // F27 = 0.9 (DWA)
	VDUP  V27.D[0], V27.D2 // V27 = {0.9, 0.9}
	FMOVD $3.6, F28        // F28 = 3.6 (4·DWA)
	VDUP  V28.D[0], V28.D2 // V28 = {3.6, 3.6}
	FMOVD $8.0, F29        // F29 = 8 (−2·DWB)
	VDUP  V29.D[0], V29.D2 // V29 = {8, 8}

block3:
	// f = 0 over the whole block.
	VEOR V0.B16, V0.B16, V0.B16 // V0 = 0
	VEOR V1.B16, V1.B16, V1.B16 // V1 = 0
	MOVD R1, R16                // R16 = &f[x][0]
	ADD  R3<<1, R3, R7          // R7 = 3·n rows of 4 lanes

zero3:
	VST1.P [V0.D2, V1.D2], 32(R16) // four lanes = 0; advance
	SUBS   $1, R7, R7              // next row
	BNE    zero3

	VEOR V24.B16, V24.B16, V24.B16 // E, lanes 0–1 = 0
	VEOR V25.B16, V25.B16, V25.B16 // E, lanes 2–3 = 0
	MOVD R2, R9                    // R9 = &x[x][0]
	MOVD R1, R10                   // R10 = &f[x][0]
	SUB  $1, R3, R7                // R7 = n−1 values of i; also the j count for i

outer3:
	ADD  R5, R9, R11               // R11 = &x[y][i]
	ADD  R5, R11, R12              // R12 = &x[z][i]
	VLD1 (R9), [V12.D2, V13.D2]    // V12, V13 = xᵢ
	VLD1 (R11), [V14.D2, V15.D2]   // V14, V15 = yᵢ
	VLD1 (R12), [V16.D2, V17.D2]   // V16, V17 = zᵢ
	VEOR V18.B16, V18.B16, V18.B16 // Fᵢ = 0
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	ADD  $32, R9, R13              // R13 = &x[x][i+1]
	ADD  $32, R11, R14             // R14 = &x[y][i+1]
	ADD  $32, R12, R15             // R15 = &x[z][i+1]
	ADD  $32, R10, R16             // R16 = &f[x][i+1]
	ADD  R5, R16, R17              // R17 = &f[y][i+1]
	ADD  R5, R17, R19              // R19 = &f[z][i+1]
	MOVD R7, R8                    // R8 = n−1−i values of j

inner3:
	VLD1.P 32(R13), [V0.D2, V1.D2]   // V0, V1 = xⱼ; advance
	VLD1.P 32(R14), [V2.D2, V3.D2]   // V2, V3 = yⱼ
	VLD1.P 32(R15), [V4.D2, V5.D2]   // V4, V5 = zⱼ
	FSUB2D(0, 12, 0)                 // dx = xᵢ − xⱼ
	FSUB2D(1, 13, 1)
	FSUB2D(2, 14, 2)                 // dy = yᵢ − yⱼ
	FSUB2D(3, 15, 3)
	FSUB2D(4, 16, 4)                 // dz = zᵢ − zⱼ
	FSUB2D(5, 17, 5)
	FMUL2D(6, 0, 0)                  // r² = dx²
	FMUL2D(7, 1, 1)
	VFMLA  V2.D2, V2.D2, V6.D2       // r² += dy²
	VFMLA  V3.D2, V3.D2, V7.D2
	VFMLA  V4.D2, V4.D2, V6.D2       // r² += dz²
	VFMLA  V5.D2, V5.D2, V7.D2
	FSQRT2D(6, 6)                    // r = √r²
	FSQRT2D(7, 7)
	FSUB2D(8, 6, 26)                 // u = r − 4
	FSUB2D(9, 7, 26)
	FMUL2D(10, 8, 8)                 // u2 = u²
	FMUL2D(11, 9, 9)
	FMUL2D(30, 10, 27)               // 0.9·u2
	FMUL2D(31, 11, 27)
	FSUB2D(30, 30, 26)               // 0.9·u2 − 4
	FSUB2D(31, 31, 26)
	VFMLA  V30.D2, V10.D2, V24.D2    // E += u2·(0.9·u2 − 4)
	VFMLA  V31.D2, V11.D2, V25.D2
	FMUL2D(10, 10, 28)               // 3.6·u2
	FMUL2D(11, 11, 28)
	FSUB2D(10, 10, 29)               // 3.6·u2 − 8
	FSUB2D(11, 11, 29)
	FMUL2D(10, 10, 8)                // φ′(r) = u·(3.6·u2 − 8)
	FMUL2D(11, 11, 9)
	FDIV2D(10, 10, 6)                // h = φ′(r)/r
	FDIV2D(11, 11, 7)
	FCMEQZ2D(6, 6)                   // mask = (r == 0)
	FCMEQZ2D(7, 7)
	BIC16B(10, 10, 6)                // h = 0 where r == 0
	BIC16B(11, 11, 7)
	VFMLS  V10.D2, V0.D2, V18.D2     // Fᵢx −= h·dx
	VFMLS  V11.D2, V1.D2, V19.D2
	VFMLS  V10.D2, V2.D2, V20.D2     // Fᵢy −= h·dy
	VFMLS  V11.D2, V3.D2, V21.D2
	VFMLS  V10.D2, V4.D2, V22.D2     // Fᵢz −= h·dz
	VFMLS  V11.D2, V5.D2, V23.D2
	VLD1   (R16), [V6.D2, V7.D2]     // V6, V7 = f[x][j]
	VLD1   (R17), [V8.D2, V9.D2]     // V8, V9 = f[y][j]
	VLD1   (R19), [V30.D2, V31.D2]   // V30, V31 = f[z][j]
	VFMLA  V10.D2, V0.D2, V6.D2      // f[x][j] += h·dx
	VFMLA  V11.D2, V1.D2, V7.D2
	VFMLA  V10.D2, V2.D2, V8.D2      // f[y][j] += h·dy
	VFMLA  V11.D2, V3.D2, V9.D2
	VFMLA  V10.D2, V4.D2, V30.D2     // f[z][j] += h·dz
	VFMLA  V11.D2, V5.D2, V31.D2
	VST1.P [V6.D2, V7.D2], 32(R16)   // store f[x][j]; advance
	VST1.P [V8.D2, V9.D2], 32(R17)   // store f[y][j]
	VST1.P [V30.D2, V31.D2], 32(R19) // store f[z][j]
	SUBS   $1, R8, R8                // next j
	BNE    inner3

	// fᵢ += Fᵢ.
	ADD  R5, R10, R23          // R23 = &f[y][i]
	ADD  R5, R23, R24          // R24 = &f[z][i]
	VLD1 (R10), [V0.D2, V1.D2] // V0, V1 = f[x][i]
	VLD1 (R23), [V2.D2, V3.D2] // V2, V3 = f[y][i]
	VLD1 (R24), [V4.D2, V5.D2] // V4, V5 = f[z][i]
	FADD2D(0, 0, 18)           // f[x][i] += Fᵢx
	FADD2D(1, 1, 19)
	FADD2D(2, 2, 20)           // f[y][i] += Fᵢy
	FADD2D(3, 3, 21)
	FADD2D(4, 4, 22)           // f[z][i] += Fᵢz
	FADD2D(5, 5, 23)
	VST1 [V0.D2, V1.D2], (R10) // store f[x][i]
	VST1 [V2.D2, V3.D2], (R23) // store f[y][i]
	VST1 [V4.D2, V5.D2], (R24) // store f[z][i]
	ADD  $32, R9, R9           // next i: &x[x][i+1]
	ADD  $32, R10, R10         // &f[x][i+1]
	SUBS $1, R7, R7            // one j fewer for the next i
	BNE  outer3

	VST1.P [V24.D2, V25.D2], 32(R0) // e[blk·4 … blk·4+3] = E; advance
	ADD    R6, R1, R1               // next block of f
	ADD    R6, R2, R2               // next block of x
	SUBS   $1, R4, R4               // blocks left
	BNE    block3

done3:
	MOVD blocks+80(FP), R4 // all blocks done
	MOVD R4, ret+88(FP)    // return blocks
	RET

// pairDW2NEON is pairDW3NEON without the z dimension: V4–V5, V16–V17,
// V22–V23, R12, R15 and R19 are unused.

// func pairDW2NEON(e, f, x []float64, n, blocks int) int
TEXT ·pairDW2NEON(SB), NOSPLIT, $0-96
	MOVD e_base+0(FP), R0  // R0 = &e[0]
	MOVD f_base+24(FP), R1 // R1 = &f[0]
	MOVD x_base+48(FP), R2 // R2 = &x[0]
	MOVD n+72(FP), R3      // R3 = n
	MOVD blocks+80(FP), R4 // R4 = blocks
	LSL  $5, R3, R5        // R5 = n·32: bytes per dimension of a block
	LSL  $1, R5, R6        // R6 = 2·n·32: bytes per block
	CBZ  R4, done2         // no blocks: nothing to do

	FMOVD $4.0, F26        // F26 = 4 (DWD0, also −DWB)
	VDUP  V26.D[0], V26.D2 // V26 = {4, 4}
	FMOVD $0.9, F27        // F27 = 0.9 (DWA)
	VDUP  V27.D[0], V27.D2 // V27 = {0.9, 0.9}
	FMOVD $3.6, F28        // F28 = 3.6 (4·DWA)
	VDUP  V28.D[0], V28.D2 // V28 = {3.6, 3.6}
	FMOVD $8.0, F29        // F29 = 8 (−2·DWB)
	VDUP  V29.D[0], V29.D2 // V29 = {8, 8}

block2:
	// f = 0 over the whole block.
	VEOR V0.B16, V0.B16, V0.B16 // V0 = 0
	VEOR V1.B16, V1.B16, V1.B16 // V1 = 0
	MOVD R1, R16                // R16 = &f[x][0]
	LSL  $1, R3, R7             // R7 = 2·n rows of 4 lanes

zero2:
	VST1.P [V0.D2, V1.D2], 32(R16) // four lanes = 0; advance
	SUBS   $1, R7, R7              // next row
	BNE    zero2

	VEOR V24.B16, V24.B16, V24.B16 // E, lanes 0–1 = 0
	VEOR V25.B16, V25.B16, V25.B16 // E, lanes 2–3 = 0
	MOVD R2, R9                    // R9 = &x[x][0]
	MOVD R1, R10                   // R10 = &f[x][0]
	SUB  $1, R3, R7                // R7 = n−1 values of i; also the j count for i

outer2:
	ADD  R5, R9, R11               // R11 = &x[y][i]
	VLD1 (R9), [V12.D2, V13.D2]    // V12, V13 = xᵢ
	VLD1 (R11), [V14.D2, V15.D2]   // V14, V15 = yᵢ
	VEOR V18.B16, V18.B16, V18.B16 // Fᵢ = 0
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	ADD  $32, R9, R13              // R13 = &x[x][i+1]
	ADD  $32, R11, R14             // R14 = &x[y][i+1]
	ADD  $32, R10, R16             // R16 = &f[x][i+1]
	ADD  R5, R16, R17              // R17 = &f[y][i+1]
	MOVD R7, R8                    // R8 = n−1−i values of j

inner2:
	VLD1.P 32(R13), [V0.D2, V1.D2] // V0, V1 = xⱼ; advance
	VLD1.P 32(R14), [V2.D2, V3.D2] // V2, V3 = yⱼ
	FSUB2D(0, 12, 0)               // dx = xᵢ − xⱼ
	FSUB2D(1, 13, 1)
	FSUB2D(2, 14, 2)               // dy = yᵢ − yⱼ
	FSUB2D(3, 15, 3)
	FMUL2D(6, 0, 0)                // r² = dx²
	FMUL2D(7, 1, 1)
	VFMLA  V2.D2, V2.D2, V6.D2     // r² += dy²
	VFMLA  V3.D2, V3.D2, V7.D2
	FSQRT2D(6, 6)                  // r = √r²
	FSQRT2D(7, 7)
	FSUB2D(8, 6, 26)               // u = r − 4
	FSUB2D(9, 7, 26)
	FMUL2D(10, 8, 8)               // u2 = u²
	FMUL2D(11, 9, 9)
	FMUL2D(30, 10, 27)             // 0.9·u2
	FMUL2D(31, 11, 27)
	FSUB2D(30, 30, 26)             // 0.9·u2 − 4
	FSUB2D(31, 31, 26)
	VFMLA  V30.D2, V10.D2, V24.D2  // E += u2·(0.9·u2 − 4)
	VFMLA  V31.D2, V11.D2, V25.D2
	FMUL2D(10, 10, 28)             // 3.6·u2
	FMUL2D(11, 11, 28)
	FSUB2D(10, 10, 29)             // 3.6·u2 − 8
	FSUB2D(11, 11, 29)
	FMUL2D(10, 10, 8)              // φ′(r) = u·(3.6·u2 − 8)
	FMUL2D(11, 11, 9)
	FDIV2D(10, 10, 6)              // h = φ′(r)/r
	FDIV2D(11, 11, 7)
	FCMEQZ2D(6, 6)                 // mask = (r == 0)
	FCMEQZ2D(7, 7)
	BIC16B(10, 10, 6)              // h = 0 where r == 0
	BIC16B(11, 11, 7)
	VFMLS  V10.D2, V0.D2, V18.D2   // Fᵢx −= h·dx
	VFMLS  V11.D2, V1.D2, V19.D2
	VFMLS  V10.D2, V2.D2, V20.D2   // Fᵢy −= h·dy
	VFMLS  V11.D2, V3.D2, V21.D2
	VLD1   (R16), [V6.D2, V7.D2]   // V6, V7 = f[x][j]
	VLD1   (R17), [V8.D2, V9.D2]   // V8, V9 = f[y][j]
	VFMLA  V10.D2, V0.D2, V6.D2    // f[x][j] += h·dx
	VFMLA  V11.D2, V1.D2, V7.D2
	VFMLA  V10.D2, V2.D2, V8.D2    // f[y][j] += h·dy
	VFMLA  V11.D2, V3.D2, V9.D2
	VST1.P [V6.D2, V7.D2], 32(R16) // store f[x][j]; advance
	VST1.P [V8.D2, V9.D2], 32(R17) // store f[y][j]
	SUBS   $1, R8, R8              // next j
	BNE    inner2

	// fᵢ += Fᵢ.
	ADD  R5, R10, R23          // R23 = &f[y][i]
	VLD1 (R10), [V0.D2, V1.D2] // V0, V1 = f[x][i]
	VLD1 (R23), [V2.D2, V3.D2] // V2, V3 = f[y][i]
	FADD2D(0, 0, 18)           // f[x][i] += Fᵢx
	FADD2D(1, 1, 19)
	FADD2D(2, 2, 20)           // f[y][i] += Fᵢy
	FADD2D(3, 3, 21)
	VST1 [V0.D2, V1.D2], (R10) // store f[x][i]
	VST1 [V2.D2, V3.D2], (R23) // store f[y][i]
	ADD  $32, R9, R9           // next i: &x[x][i+1]
	ADD  $32, R10, R10         // &f[x][i+1]
	SUBS $1, R7, R7            // one j fewer for the next i
	BNE  outer2

	VST1.P [V24.D2, V25.D2], 32(R0) // e[blk·4 … blk·4+3] = E; advance
	ADD    R6, R1, R1               // next block of f
	ADD    R6, R2, R2               // next block of x
	SUBS   $1, R4, R4               // blocks left
	BNE    block2

done2:
	MOVD blocks+80(FP), R4 // all blocks done
	MOVD R4, ret+88(FP)    // return blocks
	RET
