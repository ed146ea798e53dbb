// Float32 SiLU core shared by silu_arm64.s and egnnk_arm64.s (needs
// neon_arm64.h). SILUF32_LOADC fills V20–V31 from ·siluF32NEONC:
//
//	V20 87   V21 −87   V22 log2 e   V23 ln2 high   V24 ln2 low   V25 1
//	V26–V31 1/7!, 1/6!, …, 1/2!
#define SILUF32_LOADC(R) \
	MOVD   $·siluF32NEONC(SB), R; \
	VLD1.P 64(R), [V20.S4, V21.S4, V22.S4, V23.S4]; \
	VLD1.P 64(R), [V24.S4, V25.S4, V26.S4, V27.S4]; \
	VLD1   (R), [V28.S4, V29.S4, V30.S4, V31.S4]

// SILU2S sets Vx = σ(z), Vk = z·σ(z) for the four lanes of each of Vz0, Vz1,
// as SiLUF32: x = −clamp(z, ±87), k = round(x·log2 e), r = x − k·ln2 (two
// parts), e^x = 2^k·p(r) with p the degree-7 Taylor polynomial (Horner, fused)
// and k added to the exponent field. Clobbers Vp, Vt; needs V20–V31.
#define SILU2S(z0, z1, x0, x1, k0, k1, p0, p1, t0, t1) \
	FNEG4S(x0, z0); FNEG4S(x1, z1); \
	FMIN4S(x0, x0, 20); FMIN4S(x1, x1, 20); \
	FMAX4S(x0, x0, 21); FMAX4S(x1, x1, 21); \
	FMUL4S(k0, x0, 22); FMUL4S(k1, x1, 22); \
	FRINTN4S(k0, k0); FRINTN4S(k1, k1); \
	FMLS4S(x0, k0, 23); FMLS4S(x1, k1, 23); \
	FMLS4S(x0, k0, 24); FMLS4S(x1, k1, 24); \
	MOV16B(p0, 27); MOV16B(p1, 27); \
	FMLA4S(p0, x0, 26); FMLA4S(p1, x1, 26); \
	MOV16B(t0, 28); MOV16B(t1, 28); \
	FMLA4S(t0, x0, p0); FMLA4S(t1, x1, p1); \
	MOV16B(p0, 29); MOV16B(p1, 29); \
	FMLA4S(p0, x0, t0); FMLA4S(p1, x1, t1); \
	MOV16B(t0, 30); MOV16B(t1, 30); \
	FMLA4S(t0, x0, p0); FMLA4S(t1, x1, p1); \
	MOV16B(p0, 31); MOV16B(p1, 31); \
	FMLA4S(p0, x0, t0); FMLA4S(p1, x1, t1); \
	MOV16B(t0, 25); MOV16B(t1, 25); \
	FMLA4S(t0, x0, p0); FMLA4S(t1, x1, p1); \
	MOV16B(p0, 25); MOV16B(p1, 25); \
	FMLA4S(p0, x0, t0); FMLA4S(p1, x1, t1); \
	FCVTZS4S(k0, k0); FCVTZS4S(k1, k1); \
	SHL4S(k0, k0, 23); SHL4S(k1, k1, 23); \
	ADD4S(p0, p0, k0); ADD4S(p1, p1, k1); \
	FADD4S(p0, p0, 25); FADD4S(p1, p1, 25); \
	FDIV4S(x0, 25, p0); FDIV4S(x1, 25, p1); \
	FMUL4S(k0, z0, x0); FMUL4S(k1, z1, x1)
