//go:build !purego && !noasm

#include "textflag.h"

// fmaLoopNEONAcc runs FMALoop's recurrence acc ← acc·m + a (m = 0.999999,
// a = 10⁻⁷, one rounding) on 48 float64 held in 24 registers.
//
// NEON's FMLA is destructive on the addend (Vd = Vd + Vn·Vm), and here the
// state is the multiplicand, so each step writes a fresh register that was
// loaded with {a, a}: new = a + old·m. The loads go to the load pipes, not
// the FMA pipes. The registers V0–V27 form a ring of seven 4-register
// blocks B0 … B6 (Bk = V4k … V4k+3), six of which hold the state:
//
//	group s (s = 0 … 6): load a into B(s−1 mod 7); B(s−1) += Bs·m
//
// Group s writes the block that group s−1 has just read, so one free block
// suffices. A pass of the seven groups moves the state in B0 … B5 one block
// down (B1 → B0, …, B5 → B4, B0 → B6 → B5), stepping the chains that start
// in B0 twice and the others once. Six passes are 42 groups, 168 FMAs, that
// is seven steps of every chain, after which each chain is back in its
// starting register. V31 holds {m, m}.

// fmaAddend is eight copies of a = 10⁻⁷, one 4-register load.
DATA fmaAddend<>+0(SB)/8, $1e-07
DATA fmaAddend<>+8(SB)/8, $1e-07
DATA fmaAddend<>+16(SB)/8, $1e-07
DATA fmaAddend<>+24(SB)/8, $1e-07
DATA fmaAddend<>+32(SB)/8, $1e-07
DATA fmaAddend<>+40(SB)/8, $1e-07
DATA fmaAddend<>+48(SB)/8, $1e-07
DATA fmaAddend<>+56(SB)/8, $1e-07
GLOBL fmaAddend<>(SB), RODATA|NOPTR, $64

// FMAGROUP sets d0…d3 = a + s0…s3 · m, with a loaded through R1 and m in V31.
#define FMAGROUP(d0, d1, d2, d3, s0, s1, s2, s3) \
	VLD1  (R1), [d0.D2, d1.D2, d2.D2, d3.D2]; \
	VFMLA V31.D2, s0.D2, d0.D2; \
	VFMLA V31.D2, s1.D2, d1.D2; \
	VFMLA V31.D2, s2.D2, d2.D2; \
	VFMLA V31.D2, s3.D2, d3.D2

// func fmaLoopNEONAcc(acc []float64, rounds int)
TEXT ·fmaLoopNEONAcc(SB), NOSPLIT, $0-32
	MOVD acc_base+0(FP), R0    // R0 = &acc[0]
	MOVD rounds+24(FP), R2     // R2 = rounds of seven steps
	CBZ  R2, done              // nothing to do
	ADD  R2<<1, R2, R2         // R2 = 3·rounds
	LSL  $1, R2, R2            // R2 = 6·rounds passes
	MOVD $fmaAddend<>(SB), R1  // R1 = &{a, …, a}
	FMOVD $0.999999, F31       // F31 = m
	VDUP  V31.D[0], V31.D2     // V31 = {m, m}
	MOVD  R0, R3               // R3 = &acc[0]
	VLD1.P 64(R3), [V0.D2, V1.D2, V2.D2, V3.D2]     // B0 = acc[0:8]
	VLD1.P 64(R3), [V4.D2, V5.D2, V6.D2, V7.D2]     // B1 = acc[8:16]
	VLD1.P 64(R3), [V8.D2, V9.D2, V10.D2, V11.D2]   // B2 = acc[16:24]
	VLD1.P 64(R3), [V12.D2, V13.D2, V14.D2, V15.D2] // B3 = acc[24:32]
	VLD1.P 64(R3), [V16.D2, V17.D2, V18.D2, V19.D2] // B4 = acc[32:40]
	VLD1   (R3), [V20.D2, V21.D2, V22.D2, V23.D2]   // B5 = acc[40:48]

pass:
	FMAGROUP(V24, V25, V26, V27, V0, V1, V2, V3)     // B6 = a + B0·m
	FMAGROUP(V0, V1, V2, V3, V4, V5, V6, V7)         // B0 = a + B1·m
	FMAGROUP(V4, V5, V6, V7, V8, V9, V10, V11)       // B1 = a + B2·m
	FMAGROUP(V8, V9, V10, V11, V12, V13, V14, V15)   // B2 = a + B3·m
	FMAGROUP(V12, V13, V14, V15, V16, V17, V18, V19) // B3 = a + B4·m
	FMAGROUP(V16, V17, V18, V19, V20, V21, V22, V23) // B4 = a + B5·m
	FMAGROUP(V20, V21, V22, V23, V24, V25, V26, V27) // B5 = a + B6·m
	SUBS $1, R2, R2                                  // next pass
	BNE  pass

	VST1.P [V0.D2, V1.D2, V2.D2, V3.D2], 64(R0)     // acc[0:8] = B0
	VST1.P [V4.D2, V5.D2, V6.D2, V7.D2], 64(R0)     // acc[8:16] = B1
	VST1.P [V8.D2, V9.D2, V10.D2, V11.D2], 64(R0)   // acc[16:24] = B2
	VST1.P [V12.D2, V13.D2, V14.D2, V15.D2], 64(R0) // acc[24:32] = B3
	VST1.P [V16.D2, V17.D2, V18.D2, V19.D2], 64(R0) // acc[32:40] = B4
	VST1   [V20.D2, V21.D2, V22.D2, V23.D2], (R0)   // acc[40:48] = B5

done:
	RET
