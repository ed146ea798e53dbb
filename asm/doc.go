// Package asm holds idem's hot kernels: pairwise Lennard-Jones and
// double-well energies and forces over many configurations at once, and a
// fused-multiply-add loop that measures the machine's floating-point peak.
//
// # Layout
//
// Particle buffers are structure-of-arrays with configurations in the SIMD
// lanes. A batch of b configurations of n particles in D dimensions is stored
// as ⌈b/Lanes⌉ blocks laid out [block][dim][particle][lane], Lanes = 4:
//
//	x[((blk·D + d)·n + i)·Lanes + l]  is coordinate d of particle i of configuration blk·Lanes + l.
//
// The last block is padded to whole lanes; kernels never read or write the
// padding lanes' outputs. Use Pack and Unpack to convert from and to the
// row-major [config][particle][dim] layout of .npy files.
//
// # Implementations
//
// Every kernel has a plain-Go version (the "generic" implementation), which
// is always compiled, is the test oracle, and is the fallback. On amd64 with
// AVX2 and FMA3 an "avx2" implementation in Go assembly is available; with
// AVX-512 F, BW, VL and DQ and BMI2 as well, "avx512" (avx2 with the kernels that
// have faster AVX-512 versions swapped in); and with AMX-TILE and AMX-BF16,
// the OS tile state (XCR0) and Linux's per-process tile permission, "amx"
// (avx512 plus GemmBF16Tiles on the tile unit: TDPBF16PS over packed
// bfloat16 pairs, bit for bit its plain-Go twin, the order of sums that
// SgemmBF16's generic implementation also follows; on CPUs with
// AVX512_BF16, GemmBF16Pairs multiplies packed bfloat16 pairs with
// VDPBF16PS instead). On arm64 there is "neon". Detect reports
// the units found (cpuid, XCR0, the AMX permission request); Impls lists
// what this CPU can run, each falling back to the one before it
// (amx → avx512 → avx2 → generic); Default picks the best one unless the
// environment variable IDEM_IMPL names another; Unavailable and ByName's
// error name the missing unit. Building with -tags purego (or noasm) leaves
// only generic.
//
// # Units and conventions
//
// Everything is float64 at kT = 1. Kernels return forces, F = −∇E. The
// Lennard-Jones kernel uses the benchmark convention of Akhound-Sadegh et al.
// (ICML 2024, arXiv:2402.06121): pairs counted twice, ε = r_m = 1, 10⁻⁶
// inside the square root, plus a harmonic trap about the particle mean.
package asm
