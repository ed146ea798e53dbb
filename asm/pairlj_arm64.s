//go:build !purego && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// pairLJNEON is PairLJ (see pairlj.go) for whole lane blocks. A block's
// Lanes = 4 configurations are handled together as two .2D halves: lanes 0–1
// in the even-numbered V register of each pair and lanes 2–3 in the odd one,
// so one 32-byte VLD1/VST1 moves a particle coordinate of all four.
//
// Per block:
//  1. x̄ = (1/n)·Σᵢ xᵢ per dimension.
//  2. fᵢ = −trap·(xᵢ − x̄); acc = (trap/4)·Σᵢ ‖xᵢ − x̄‖².
//  3. For i < n−1, xᵢ and its force sum stay in registers while j runs over
//     i+1 … n−1: dx = xᵢ − xⱼ, inv = 1/(‖dx‖² + 10⁻⁶), s = inv³,
//     acc += s(s−2), g = 24·inv·s(s−1), Fᵢ += g·dx, fⱼ −= g·dx in memory;
//     then fᵢ += Fᵢ.
//  4. e = 2·acc = 2·Σ_{i<j} s(s−2) + (trap/2)·Σᵢ ‖xᵢ − x̄‖².
//
// Registers:
//
//	R0 &e[blk·4]      R1 &f[blk]        R2 &x[blk]        R3 n
//	R4 blocks left    R5 n·32 (one dimension of a block, in bytes)
//	R6 3·n·32 (one block)               R7 i count        R8 j count
//	R9 &x[x][i]  R11 &x[y][i]  R12 &x[z][i]     R10 &f[x][i]
//	R13–R15 &x[x,y,z][j]     R16, R17, R19 &f[x,y,z][j]
//	R20 1/n, R21 −trap, R22 trap/4 (float64 bits)   R23–R24 scratch
//	V0–V5   xⱼ, then dx (x: V0 V1, y: V2 V3, z: V4 V5)
//	V6–V11  r² and inv (V6 V7), s (V8 V9), u and g (V10 V11)
//	V12–V17 xᵢ (and x̄ in steps 1–2)   V18–V23 Fᵢ (x: V18 V19 …)
//	V24–V25 acc   V26 10⁻⁶   V27 1   V28 2   V29 24   V30–V31 scratch
//
// R18 (platform), R26–R29 and R30 (LR) are not used; this is a leaf.

// func pairLJNEON(e, f, x []float64, n, blocks int, trap float64) int
TEXT ·pairLJNEON(SB), NOSPLIT, $0-104
	MOVD e_base+0(FP), R0   // R0 = &e[0]
	MOVD f_base+24(FP), R1  // R1 = &f[0]
	MOVD x_base+48(FP), R2  // R2 = &x[0]
	MOVD n+72(FP), R3       // R3 = n
	MOVD blocks+80(FP), R4  // R4 = blocks
	FMOVD trap+88(FP), F0   // F0 = trap
	LSL  $5, R3, R5         // R5 = n·32: bytes per dimension of a block
	ADD  R5<<1, R5, R6      // R6 = 3·n·32: bytes per block
	CBZ  R4, done           // no blocks: nothing to do

	// Scalars kept as float64 bits in general registers.
	SCVTFD R3, F1     // F1 = n
	FMOVD  $1.0, F2   // F2 = 1
	FDIVD  F1, F2, F2 // F2 = 1/n
	FMOVD  F2, R20    // R20 = 1/n
	FNEGD  F0, F1     // F1 = −trap
	FMOVD  F1, R21    // R21 = −trap
	FMOVD  $0.25, F2  // F2 = 1/4
	FMULD  F0, F2, F2 // F2 = trap/4
	FMOVD  F2, R22    // R22 = trap/4

	// Vector constants used in the pair loop.
	FMOVD $1e-06, F26          // F26 = 10⁻⁶
	VDUP  V26.D[0], V26.D2     // V26 = {10⁻⁶, 10⁻⁶}
	FMOVD $1.0, F27            // F27 = 1
	VDUP  V27.D[0], V27.D2     // V27 = {1, 1}
	FMOVD $2.0, F28            // F28 = 2
	VDUP  V28.D[0], V28.D2     // V28 = {2, 2}
	FMOVD $24.0, F29           // F29 = 24
	VDUP  V29.D[0], V29.D2     // V29 = {24, 24}

block:
	// Step 1: x̄ = (1/n)·Σᵢ xᵢ, per dimension, in V12–V17.
	VEOR V12.B16, V12.B16, V12.B16 // Σx, lanes 0–1 = 0
	VEOR V13.B16, V13.B16, V13.B16 // Σx, lanes 2–3 = 0
	VEOR V14.B16, V14.B16, V14.B16 // Σy = 0
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16 // Σz = 0
	VEOR V17.B16, V17.B16, V17.B16
	MOVD R2, R9                    // R9 = &x[x][0]
	ADD  R5, R9, R11               // R11 = &x[y][0]
	ADD  R5, R11, R12              // R12 = &x[z][0]
	MOVD R3, R7                    // R7 = n particles

mean:
	VLD1.P 32(R9), [V0.D2, V1.D2]  // V0, V1 = x of particle i; advance
	VLD1.P 32(R11), [V2.D2, V3.D2] // V2, V3 = y
	VLD1.P 32(R12), [V4.D2, V5.D2] // V4, V5 = z
	FADD2D(12, 12, 0)              // Σx += x
	FADD2D(13, 13, 1)
	FADD2D(14, 14, 2)              // Σy += y
	FADD2D(15, 15, 3)
	FADD2D(16, 16, 4)              // Σz += z
	FADD2D(17, 17, 5)
	SUBS   $1, R7, R7              // next particle
	BNE    mean

	VDUP R20, V30.D2  // V30 = {1/n, 1/n}
	FMUL2D(12, 12, 30) // x̄ = Σx · (1/n)
	FMUL2D(13, 13, 30)
	FMUL2D(14, 14, 30) // ȳ
	FMUL2D(15, 15, 30)
	FMUL2D(16, 16, 30) // z̄
	FMUL2D(17, 17, 30)

	// Step 2: fᵢ = −trap·(xᵢ − x̄) and V24, V25 = Σᵢ ‖xᵢ − x̄‖².
	VDUP R21, V31.D2               // V31 = {−trap, −trap}
	VEOR V24.B16, V24.B16, V24.B16 // Σ‖xᵢ − x̄‖², lanes 0–1 = 0
	VEOR V25.B16, V25.B16, V25.B16 // lanes 2–3 = 0
	MOVD R2, R9                    // R9 = &x[x][0]
	ADD  R5, R9, R11               // R11 = &x[y][0]
	ADD  R5, R11, R12              // R12 = &x[z][0]
	MOVD R1, R16                   // R16 = &f[x][0]
	ADD  R5, R16, R17              // R17 = &f[y][0]
	ADD  R5, R17, R19              // R19 = &f[z][0]
	MOVD R3, R7                    // R7 = n particles

harmonic:
	VLD1.P 32(R9), [V0.D2, V1.D2]     // V0, V1 = x of particle i
	VLD1.P 32(R11), [V2.D2, V3.D2]    // V2, V3 = y
	VLD1.P 32(R12), [V4.D2, V5.D2]    // V4, V5 = z
	FSUB2D(0, 0, 12)                  // dx = x − x̄
	FSUB2D(1, 1, 13)
	FSUB2D(2, 2, 14)                  // dy = y − ȳ
	FSUB2D(3, 3, 15)
	FSUB2D(4, 4, 16)                  // dz = z − z̄
	FSUB2D(5, 5, 17)
	VFMLA  V0.D2, V0.D2, V24.D2       // Σ += dx²
	VFMLA  V1.D2, V1.D2, V25.D2
	VFMLA  V2.D2, V2.D2, V24.D2       // Σ += dy²
	VFMLA  V3.D2, V3.D2, V25.D2
	VFMLA  V4.D2, V4.D2, V24.D2       // Σ += dz²
	VFMLA  V5.D2, V5.D2, V25.D2
	FMUL2D(0, 0, 31)                  // −trap·dx
	FMUL2D(1, 1, 31)
	FMUL2D(2, 2, 31)                  // −trap·dy
	FMUL2D(3, 3, 31)
	FMUL2D(4, 4, 31)                  // −trap·dz
	FMUL2D(5, 5, 31)
	VST1.P [V0.D2, V1.D2], 32(R16)    // f[x][i] = −trap·dx; advance
	VST1.P [V2.D2, V3.D2], 32(R17)    // f[y][i]
	VST1.P [V4.D2, V5.D2], 32(R19)    // f[z][i]
	SUBS   $1, R7, R7                 // next particle
	BNE    harmonic

	VDUP R22, V31.D2 // V31 = {trap/4, trap/4}
	FMUL2D(24, 24, 31) // acc = (trap/4)·Σ‖xᵢ − x̄‖²
	FMUL2D(25, 25, 31)

	// Step 3: pairs i < j.
	MOVD R2, R9      // R9 = &x[x][0]
	MOVD R1, R10     // R10 = &f[x][0]
	SUB  $1, R3, R7  // R7 = n−1 values of i; also the j count for i

outer:
	ADD  R5, R9, R11                  // R11 = &x[y][i]
	ADD  R5, R11, R12                 // R12 = &x[z][i]
	VLD1 (R9), [V12.D2, V13.D2]       // V12, V13 = xᵢ
	VLD1 (R11), [V14.D2, V15.D2]      // V14, V15 = yᵢ
	VLD1 (R12), [V16.D2, V17.D2]      // V16, V17 = zᵢ
	VEOR V18.B16, V18.B16, V18.B16    // Fᵢ = 0
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	ADD  $32, R9, R13                 // R13 = &x[x][i+1]
	ADD  $32, R11, R14                // R14 = &x[y][i+1]
	ADD  $32, R12, R15                // R15 = &x[z][i+1]
	ADD  $32, R10, R16                // R16 = &f[x][i+1]
	ADD  R5, R16, R17                 // R17 = &f[y][i+1]
	ADD  R5, R17, R19                 // R19 = &f[z][i+1]
	MOVD R7, R8                       // R8 = n−1−i values of j

inner:
	VLD1.P 32(R13), [V0.D2, V1.D2]    // V0, V1 = xⱼ; advance
	VLD1.P 32(R14), [V2.D2, V3.D2]    // V2, V3 = yⱼ
	VLD1.P 32(R15), [V4.D2, V5.D2]    // V4, V5 = zⱼ
	FSUB2D(0, 12, 0)                  // dx = xᵢ − xⱼ
	FSUB2D(1, 13, 1)
	FSUB2D(2, 14, 2)                  // dy = yᵢ − yⱼ
	FSUB2D(3, 15, 3)
	FSUB2D(4, 16, 4)                  // dz = zᵢ − zⱼ
	FSUB2D(5, 17, 5)
	FMUL2D(6, 0, 0)                   // r² = dx²
	FMUL2D(7, 1, 1)
	VFMLA  V2.D2, V2.D2, V6.D2        // r² += dy²
	VFMLA  V3.D2, V3.D2, V7.D2
	VFMLA  V4.D2, V4.D2, V6.D2        // r² += dz²
	VFMLA  V5.D2, V5.D2, V7.D2
	FADD2D(6, 6, 26)                  // r² + 10⁻⁶
	FADD2D(7, 7, 26)
	FDIV2D(6, 27, 6)                  // inv = 1/(r² + 10⁻⁶)
	FDIV2D(7, 27, 7)
	FMUL2D(8, 6, 6)                   // s = inv²
	FMUL2D(9, 7, 7)
	FMUL2D(8, 8, 6)                   // s = inv³ = d⁻⁶
	FMUL2D(9, 9, 7)
	FSUB2D(10, 8, 28)                 // u = s − 2
	FSUB2D(11, 9, 28)
	VFMLA  V10.D2, V8.D2, V24.D2      // acc += s(s − 2)
	VFMLA  V11.D2, V9.D2, V25.D2
	FSUB2D(10, 8, 27)                 // u = s − 1
	FSUB2D(11, 9, 27)
	FMUL2D(10, 10, 8)                 // u = s(s − 1)
	FMUL2D(11, 11, 9)
	FMUL2D(10, 10, 6)                 // u = inv·s(s − 1)
	FMUL2D(11, 11, 7)
	FMUL2D(10, 10, 29)                // g = 24·inv·s(s − 1)
	FMUL2D(11, 11, 29)
	VFMLA  V10.D2, V0.D2, V18.D2      // Fᵢx += g·dx
	VFMLA  V11.D2, V1.D2, V19.D2
	VFMLA  V10.D2, V2.D2, V20.D2      // Fᵢy += g·dy
	VFMLA  V11.D2, V3.D2, V21.D2
	VFMLA  V10.D2, V4.D2, V22.D2      // Fᵢz += g·dz
	VFMLA  V11.D2, V5.D2, V23.D2
	VLD1   (R16), [V6.D2, V7.D2]      // V6, V7 = f[x][j]
	VLD1   (R17), [V8.D2, V9.D2]      // V8, V9 = f[y][j]
	VLD1   (R19), [V30.D2, V31.D2]    // V30, V31 = f[z][j]
	VFMLS  V10.D2, V0.D2, V6.D2       // f[x][j] −= g·dx
	VFMLS  V11.D2, V1.D2, V7.D2
	VFMLS  V10.D2, V2.D2, V8.D2       // f[y][j] −= g·dy
	VFMLS  V11.D2, V3.D2, V9.D2
	VFMLS  V10.D2, V4.D2, V30.D2      // f[z][j] −= g·dz
	VFMLS  V11.D2, V5.D2, V31.D2
	VST1.P [V6.D2, V7.D2], 32(R16)    // store f[x][j]; advance
	VST1.P [V8.D2, V9.D2], 32(R17)    // store f[y][j]
	VST1.P [V30.D2, V31.D2], 32(R19)  // store f[z][j]
	SUBS   $1, R8, R8                 // next j
	BNE    inner

	// fᵢ += Fᵢ.
	ADD  R5, R10, R23               // R23 = &f[y][i]
	ADD  R5, R23, R24               // R24 = &f[z][i]
	VLD1 (R10), [V0.D2, V1.D2]      // V0, V1 = f[x][i]
	VLD1 (R23), [V2.D2, V3.D2]      // V2, V3 = f[y][i]
	VLD1 (R24), [V4.D2, V5.D2]      // V4, V5 = f[z][i]
	FADD2D(0, 0, 18)                // f[x][i] += Fᵢx
	FADD2D(1, 1, 19)
	FADD2D(2, 2, 20)                // f[y][i] += Fᵢy
	FADD2D(3, 3, 21)
	FADD2D(4, 4, 22)                // f[z][i] += Fᵢz
	FADD2D(5, 5, 23)
	VST1 [V0.D2, V1.D2], (R10)      // store f[x][i]
	VST1 [V2.D2, V3.D2], (R23)      // store f[y][i]
	VST1 [V4.D2, V5.D2], (R24)      // store f[z][i]
	ADD  $32, R9, R9                // next i: &x[x][i+1]
	ADD  $32, R10, R10              // &f[x][i+1]
	SUBS $1, R7, R7                 // one j fewer for the next i
	BNE  outer

	// Step 4: e = 2·acc.
	FADD2D(24, 24, 24)              // 2·acc, lanes 0–1
	FADD2D(25, 25, 25)              // lanes 2–3
	VST1.P [V24.D2, V25.D2], 32(R0) // e[blk·4 … blk·4+3]; advance
	ADD    R6, R1, R1               // next block of f
	ADD    R6, R2, R2               // next block of x
	SUBS   $1, R4, R4               // blocks left
	BNE    block

done:
	MOVD blocks+80(FP), R4 // all blocks done
	MOVD R4, ret+96(FP)    // return blocks
	RET
