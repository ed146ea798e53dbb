// Advanced SIMD instructions that the Go arm64 assembler does not provide,
// encoded with WORD for the .2D (two float64 lanes) and .4S (four float32
// lanes) arrangements; a few it does provide (FMLA, ADD, SHL, MOV) are here
// too so that kernel macros can take plain register numbers. Operands are
// V register numbers in ARM order, destination first: FSUB2D(0, 12, 0) is
// "fsub v0.2d, v12.2d, v0.2d", that is V0 = V12 − V0. The encodings follow
// the Arm ARM (A64 "Advanced SIMD three same" and "two-register
// miscellaneous" classes) and were checked against llvm-mc and go tool
// objdump.

// fadd vd.2d, vn.2d, vm.2d: Vd = Vn + Vm.
#define FADD2D(d, n, m) WORD $(0x4E60D400 | ((m)<<16) | ((n)<<5) | (d))

// fsub vd.2d, vn.2d, vm.2d: Vd = Vn − Vm.
#define FSUB2D(d, n, m) WORD $(0x4EE0D400 | ((m)<<16) | ((n)<<5) | (d))

// fmul vd.2d, vn.2d, vm.2d: Vd = Vn · Vm.
#define FMUL2D(d, n, m) WORD $(0x6E60DC00 | ((m)<<16) | ((n)<<5) | (d))

// fdiv vd.2d, vn.2d, vm.2d: Vd = Vn / Vm.
#define FDIV2D(d, n, m) WORD $(0x6E60FC00 | ((m)<<16) | ((n)<<5) | (d))

// fsqrt vd.2d, vn.2d: Vd = √Vn.
#define FSQRT2D(d, n) WORD $(0x6EE1F800 | ((n)<<5) | (d))

// fcmeq vd.2d, vn.2d, #0.0: each lane of Vd is all ones where Vn == 0, else 0.
#define FCMEQZ2D(d, n) WORD $(0x4EE0D800 | ((n)<<5) | (d))

// bic vd.16b, vn.16b, vm.16b: Vd = Vn AND NOT Vm.
#define BIC16B(d, n, m) WORD $(0x4E601C00 | ((m)<<16) | ((n)<<5) | (d))

// .2D arithmetic used by the float64 SiLU kernel.

// fmla vd.2d, vn.2d, vm.2d: Vd = Vd + Vn · Vm (one rounding).
#define FMLA2D(d, n, m) WORD $(0x4E60CC00 | ((m)<<16) | ((n)<<5) | (d))

// fmls vd.2d, vn.2d, vm.2d: Vd = Vd − Vn · Vm (one rounding).
#define FMLS2D(d, n, m) WORD $(0x4EE0CC00 | ((m)<<16) | ((n)<<5) | (d))

// fmin vd.2d, vn.2d, vm.2d: Vd = min(Vn, Vm).
#define FMIN2D(d, n, m) WORD $(0x4EE0F400 | ((m)<<16) | ((n)<<5) | (d))

// fmax vd.2d, vn.2d, vm.2d: Vd = max(Vn, Vm).
#define FMAX2D(d, n, m) WORD $(0x4E60F400 | ((m)<<16) | ((n)<<5) | (d))

// fneg vd.2d, vn.2d: Vd = −Vn.
#define FNEG2D(d, n) WORD $(0x6EE0F800 | ((n)<<5) | (d))

// frintn vd.2d, vn.2d: Vd = Vn rounded to an integer, ties to even.
#define FRINTN2D(d, n) WORD $(0x4E618800 | ((n)<<5) | (d))

// fcvtzs vd.2d, vn.2d: Vd = int64(Vn), rounding towards zero.
#define FCVTZS2D(d, n) WORD $(0x4EE1B800 | ((n)<<5) | (d))

// add vd.2d, vn.2d, vm.2d: Vd = Vn + Vm as int64 lanes.
#define ADD2D(d, n, m) WORD $(0x4EE08400 | ((m)<<16) | ((n)<<5) | (d))

// shl vd.2d, vn.2d, #sh (0 ≤ sh < 64): Vd = Vn << sh as int64 lanes.
#define SHL2D(d, n, sh) WORD $(0x4F405400 | ((sh)<<16) | ((n)<<5) | (d))

// fcvtl vd.2d, vn.2s: Vd = float64 of the low two float32 lanes of Vn.
#define FCVTL2D(d, n) WORD $(0x0E617800 | ((n)<<5) | (d))

// fcvtl2 vd.2d, vn.4s: Vd = float64 of the high two float32 lanes of Vn.
#define FCVTL2_2D(d, n) WORD $(0x4E617800 | ((n)<<5) | (d))

// .4S (four float32 lanes) arithmetic, same operand order.

// fadd vd.4s, vn.4s, vm.4s: Vd = Vn + Vm.
#define FADD4S(d, n, m) WORD $(0x4E20D400 | ((m)<<16) | ((n)<<5) | (d))

// fsub vd.4s, vn.4s, vm.4s: Vd = Vn − Vm.
#define FSUB4S(d, n, m) WORD $(0x4EA0D400 | ((m)<<16) | ((n)<<5) | (d))

// fmul vd.4s, vn.4s, vm.4s: Vd = Vn · Vm.
#define FMUL4S(d, n, m) WORD $(0x6E20DC00 | ((m)<<16) | ((n)<<5) | (d))

// fdiv vd.4s, vn.4s, vm.4s: Vd = Vn / Vm.
#define FDIV4S(d, n, m) WORD $(0x6E20FC00 | ((m)<<16) | ((n)<<5) | (d))

// fmla vd.4s, vn.4s, vm.4s: Vd = Vd + Vn · Vm (one rounding).
#define FMLA4S(d, n, m) WORD $(0x4E20CC00 | ((m)<<16) | ((n)<<5) | (d))

// fmls vd.4s, vn.4s, vm.4s: Vd = Vd − Vn · Vm (one rounding).
#define FMLS4S(d, n, m) WORD $(0x4EA0CC00 | ((m)<<16) | ((n)<<5) | (d))

// fmin vd.4s, vn.4s, vm.4s: Vd = min(Vn, Vm).
#define FMIN4S(d, n, m) WORD $(0x4EA0F400 | ((m)<<16) | ((n)<<5) | (d))

// fmax vd.4s, vn.4s, vm.4s: Vd = max(Vn, Vm).
#define FMAX4S(d, n, m) WORD $(0x4E20F400 | ((m)<<16) | ((n)<<5) | (d))

// fneg vd.4s, vn.4s: Vd = −Vn.
#define FNEG4S(d, n) WORD $(0x6EA0F800 | ((n)<<5) | (d))

// frintn vd.4s, vn.4s: Vd = Vn rounded to an integer, ties to even.
#define FRINTN4S(d, n) WORD $(0x4E218800 | ((n)<<5) | (d))

// fcvtzs vd.4s, vn.4s: Vd = int32(Vn), rounding towards zero.
#define FCVTZS4S(d, n) WORD $(0x4EA1B800 | ((n)<<5) | (d))

// add vd.4s, vn.4s, vm.4s: Vd = Vn + Vm as int32 lanes.
#define ADD4S(d, n, m) WORD $(0x4EA08400 | ((m)<<16) | ((n)<<5) | (d))

// shl vd.4s, vn.4s, #sh (0 ≤ sh < 32): Vd = Vn << sh as int32 lanes.
#define SHL4S(d, n, sh) WORD $(0x4F205400 | ((sh)<<16) | ((n)<<5) | (d))

// faddp vd.4s, vn.4s, vm.4s: Vd = {n0+n1, n2+n3, m0+m1, m2+m3}.
#define FADDP4S(d, n, m) WORD $(0x6E20D400 | ((m)<<16) | ((n)<<5) | (d))

// faddp sd, vn.2s: lane 0 of Vd = n0 + n1 (the rest of Vd cleared).
#define FADDPS(d, n) WORD $(0x7E30D800 | ((n)<<5) | (d))

// mov vd.16b, vn.16b (orr vd.16b, vn.16b, vn.16b): Vd = Vn.
#define MOV16B(d, n) WORD $(0x4EA01C00 | ((n)<<16) | ((n)<<5) | (d))
