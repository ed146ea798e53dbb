//go:build !purego && !noasm

#include "textflag.h"

// fmaLoopF32NEONAcc is fmaLoopNEONAcc (fma_arm64.s) on float32: the same
// ring of seven 4-register blocks, here 96 float32 in V0–V23 (.4S), with
// m = float32(0.999999) in V31 and a = float32(10⁻⁷) loaded through R1. After
// the whole rounds it runs tail single steps, each block through B6 and
// copied back, so that all of FMALoopF32's steps are fused FMLAs.

// fmaAddendF32 is sixteen copies of a = float32(10⁻⁷), one 4-register load.
DATA fmaAddendF32<>+0(SB)/8, $0x33d6bf9533d6bf95
DATA fmaAddendF32<>+8(SB)/8, $0x33d6bf9533d6bf95
DATA fmaAddendF32<>+16(SB)/8, $0x33d6bf9533d6bf95
DATA fmaAddendF32<>+24(SB)/8, $0x33d6bf9533d6bf95
DATA fmaAddendF32<>+32(SB)/8, $0x33d6bf9533d6bf95
DATA fmaAddendF32<>+40(SB)/8, $0x33d6bf9533d6bf95
DATA fmaAddendF32<>+48(SB)/8, $0x33d6bf9533d6bf95
DATA fmaAddendF32<>+56(SB)/8, $0x33d6bf9533d6bf95
GLOBL fmaAddendF32<>(SB), RODATA|NOPTR, $64

// FMAGROUPS sets d0…d3 = a + s0…s3 · m (.4S), a loaded through R1, m in V31.
#define FMAGROUPS(d0, d1, d2, d3, s0, s1, s2, s3) \
	VLD1  (R1), [d0.S4, d1.S4, d2.S4, d3.S4]; \
	VFMLA V31.S4, s0.S4, d0.S4; \
	VFMLA V31.S4, s1.S4, d1.S4; \
	VFMLA V31.S4, s2.S4, d2.S4; \
	VFMLA V31.S4, s3.S4, d3.S4

// FMASTEPS steps s0…s3 once through V24–V27.
#define FMASTEPS(s0, s1, s2, s3) \
	FMAGROUPS(V24, V25, V26, V27, s0, s1, s2, s3); \
	VMOV V24.B16, s0.B16; \
	VMOV V25.B16, s1.B16; \
	VMOV V26.B16, s2.B16; \
	VMOV V27.B16, s3.B16

// func fmaLoopF32NEONAcc(acc []float32, rounds, tail int)
TEXT ·fmaLoopF32NEONAcc(SB), NOSPLIT, $0-40
	MOVD acc_base+0(FP), R0    // R0 = &acc[0]
	MOVD rounds+24(FP), R2     // R2 = rounds of seven steps
	MOVD tail+32(FP), R4       // R4 = single steps after them
	MOVD $fmaAddendF32<>(SB), R1 // R1 = &{a, …, a}
	MOVW $0x3f7fffef, R5       // R5 = float32 bits of m
	VDUP R5, V31.S4            // V31 = {m, m, m, m}
	MOVD R0, R3                // R3 = &acc[0]
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]     // B0 = acc[0:16]
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4]     // B1 = acc[16:32]
	VLD1.P 64(R3), [V8.S4, V9.S4, V10.S4, V11.S4]   // B2 = acc[32:48]
	VLD1.P 64(R3), [V12.S4, V13.S4, V14.S4, V15.S4] // B3 = acc[48:64]
	VLD1.P 64(R3), [V16.S4, V17.S4, V18.S4, V19.S4] // B4 = acc[64:80]
	VLD1   (R3), [V20.S4, V21.S4, V22.S4, V23.S4]   // B5 = acc[80:96]
	CBZ  R2, steps             // no whole rounds
	ADD  R2<<1, R2, R2         // R2 = 3·rounds
	LSL  $1, R2, R2            // R2 = 6·rounds passes

pass:
	FMAGROUPS(V24, V25, V26, V27, V0, V1, V2, V3)     // B6 = a + B0·m
	FMAGROUPS(V0, V1, V2, V3, V4, V5, V6, V7)         // B0 = a + B1·m
	FMAGROUPS(V4, V5, V6, V7, V8, V9, V10, V11)       // B1 = a + B2·m
	FMAGROUPS(V8, V9, V10, V11, V12, V13, V14, V15)   // B2 = a + B3·m
	FMAGROUPS(V12, V13, V14, V15, V16, V17, V18, V19) // B3 = a + B4·m
	FMAGROUPS(V16, V17, V18, V19, V20, V21, V22, V23) // B4 = a + B5·m
	FMAGROUPS(V20, V21, V22, V23, V24, V25, V26, V27) // B5 = a + B6·m
	SUBS $1, R2, R2                                   // next pass
	BNE  pass

steps:
	CBZ  R4, store
	FMASTEPS(V0, V1, V2, V3)
	FMASTEPS(V4, V5, V6, V7)
	FMASTEPS(V8, V9, V10, V11)
	FMASTEPS(V12, V13, V14, V15)
	FMASTEPS(V16, V17, V18, V19)
	FMASTEPS(V20, V21, V22, V23)
	SUB  $1, R4, R4
	B    steps

store:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)     // acc[0:16] = B0
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)     // acc[16:32] = B1
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)   // acc[32:48] = B2
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0) // acc[48:64] = B3
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0) // acc[64:80] = B4
	VST1   [V20.S4, V21.S4, V22.S4, V23.S4], (R0)   // acc[80:96] = B5
	RET
