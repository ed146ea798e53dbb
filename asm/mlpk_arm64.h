// More WORD-encoded Advanced SIMD instructions (see neon_arm64.h for the
// conventions: V register numbers in ARM order, destination first) for the
// GELU, SinCos and Adam kernels. Encodings checked with llvm-mc. Each is
// guarded so that a later copy in neon_arm64.h does not clash.

// fabs vd.2d, vn.2d: Vd = |Vn|.
#ifndef FABS2D
#define FABS2D(d, n) WORD $(0x4EE0F800 | ((n)<<5) | (d))
#endif

// fcmge vd.2d, vn.2d, vm.2d: all ones where Vn ≥ Vm (false for NaN).
#ifndef FCMGE2D
#define FCMGE2D(d, n, m) WORD $(0x6E60E400 | ((m)<<16) | ((n)<<5) | (d))
#endif

// fcmgt vd.2d, vn.2d, vm.2d: all ones where Vn > Vm (false for NaN).
#ifndef FCMGT2D
#define FCMGT2D(d, n, m) WORD $(0x6EE0E400 | ((m)<<16) | ((n)<<5) | (d))
#endif

// facge vd.2d, vn.2d, vm.2d: all ones where |Vn| ≥ |Vm| (false for NaN).
#ifndef FACGE2D
#define FACGE2D(d, n, m) WORD $(0x6E60EC00 | ((m)<<16) | ((n)<<5) | (d))
#endif

// cmlt vd.2d, vn.2d, #0: all ones where Vn < 0 as int64 (sign bit set).
#ifndef CMLTZ2D
#define CMLTZ2D(d, n) WORD $(0x4EE0A800 | ((n)<<5) | (d))
#endif

// ushr vd.2d, vn.2d, #sh (1 ≤ sh ≤ 64): Vd = Vn >> sh, logical.
#ifndef USHR2D
#define USHR2D(d, n, sh) WORD $(0x6F000400 | ((128-(sh))<<16) | ((n)<<5) | (d))
#endif

// bit vd.16b, vn.16b, vm.16b: Vd = Vm ? Vn : Vd, bitwise.
#ifndef BIT16B
#define BIT16B(d, n, m) WORD $(0x6EA01C00 | ((m)<<16) | ((n)<<5) | (d))
#endif

// and vd.16b, vn.16b, vm.16b: Vd = Vn AND Vm.
#ifndef AND16B
#define AND16B(d, n, m) WORD $(0x4E201C00 | ((m)<<16) | ((n)<<5) | (d))
#endif

// eor vd.16b, vn.16b, vm.16b: Vd = Vn XOR Vm.
#ifndef EOR16B
#define EOR16B(d, n, m) WORD $(0x6E201C00 | ((m)<<16) | ((n)<<5) | (d))
#endif

// add vd.16b, vn.16b, vm.16b: Vd = Vn + Vm as bytes.
#ifndef ADD16B
#define ADD16B(d, n, m) WORD $(0x4E208400 | ((m)<<16) | ((n)<<5) | (d))
#endif

// sub vd.16b, vn.16b, vm.16b: Vd = Vn − Vm as bytes.
#ifndef SUB16B
#define SUB16B(d, n, m) WORD $(0x6E208400 | ((m)<<16) | ((n)<<5) | (d))
#endif

// shl vd.16b, vn.16b, #sh (0 ≤ sh < 8): Vd = Vn << sh as bytes.
#ifndef SHL16B
#define SHL16B(d, n, sh) WORD $(0x4F085400 | ((sh)<<16) | ((n)<<5) | (d))
#endif

// tbl vd.16b, {vn.16b, vn+1.16b}, vm.16b: byte i of Vd = byte Vm[i] of the
// 32-byte table Vn:Vn+1 (0 for indices ≥ 32).
#ifndef TBL2
#define TBL2(d, n, m) WORD $(0x4E002000 | ((m)<<16) | ((n)<<5) | (d))
#endif

// ldr qt, [xn, #off] (off a multiple of 16, below 65536).
#ifndef LDRQ
#define LDRQ(t, n, off) WORD $(0x3DC00000 | (((off)/16)<<10) | ((n)<<5) | (t))
#endif

// ldp qt, qt2, [xn, #off] (off a multiple of 16 in [−1024, 1008]).
#ifndef LDPQ
#define LDPQ(t, t2, n, off) WORD $(0xAD400000 | ((((off)/16)&0x7f)<<15) | ((t2)<<10) | ((n)<<5) | (t))
#endif
