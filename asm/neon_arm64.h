// Advanced SIMD instructions that the Go arm64 assembler does not provide,
// encoded with WORD for the .2D (two float64 lanes) arrangement. Operands are
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
