package asm

import (
	"fmt"
	"os"
)

// Impl is one implementation of every kernel family. The zero value is not
// usable; obtain one from Generic, Default, Impls or ByName. Impl values are
// immutable and safe for concurrent use.
type Impl struct {
	name string
	// Each block kernel processes whole lane blocks and returns the number
	// of blocks done; the wrapper finishes the rest with the generic code.
	pairLJ  func(e, f, x []float64, n, blocks int, trap float64) int
	pairDW2 func(e, f, x []float64, n, blocks int) int
	pairDW3 func(e, f, x []float64, n, blocks int) int
	fmaLoop func(iters int) float64
	// fmaLanes is the float64 lanes per chain of fmaLoop (twice as many
	// float32 lanes in fmaLoopF32).
	fmaLanes   int
	perturb    func(dst, xs []float64, sq float64, state []uint64)
	laneAxpy   func(acc, w, f []float64, d, blocks int)
	adam       func(params, grads, m, v, k []float64) int
	expWeights func(w, e []float64, top float64) int
	// gemm is the whole checked-by-caller C += A·B (see Gemm);
	// gemmNative says whether it is SIMD rather than the plain-Go oracle.
	gemm       func(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int)
	gemmNative bool
	// silu does whole lane blocks of SiLU and returns the count done.
	silu func(s, g, z []float64) int
	// gelu does whole lane blocks of GELU and GELU′ and returns the count done.
	gelu func(y, d, x, tab []float64) int
	// sincos does whole lane blocks of SinCos and returns the count done.
	sincos func(s, c, x, tab []float64) int
	// float32 twins: Sgemm (see sgemm.go), SiLUF32 blocks and FMALoopF32.
	sgemm       func(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int)
	sgemmNative bool
	// sgemmBF16 is SgemmBF16's kernel; nil runs sgemm (see bf16.go).
	// roundBF16, when set, does RoundBF16's whole 8-float blocks and
	// returns their count.
	roundBF16 func(dst, src []float32) int
	// residualBF16, when set, does ResidualBF16's whole 8-float blocks and
	// returns their count.
	residualBF16 func(dst, src []float32) int
	// bf16Dot says that the VDPBF16PS kernels (bf16dot.go) may run where
	// the CPU has AVX512_BF16.
	bf16Dot bool
	// bf16Tiles says that GemmBF16Tiles may run the AMX tile kernel
	// (amx.go) where the CPU and OS grant it.
	bf16Tiles  bool
	sgemmBF16  func(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int)
	siluF32    func(s, g, z []float32) int
	fmaLoopF32 func(iters int) float64
	// egnnF32 holds the EGNN float32 edge kernels (egnnk.go).
	egnnF32 egnnF32
}

// Name is the implementation's lower-case name: "generic", "avx2",
// "avx512", "amx" or "neon".
func (im *Impl) Name() string { return im.name }

func (im *Impl) String() string { return im.name }

var generic = &Impl{
	name:       "generic",
	pairLJ:     func(e, f, x []float64, n, blocks int, trap float64) int { return 0 },
	pairDW2:    func(e, f, x []float64, n, blocks int) int { return 0 },
	pairDW3:    func(e, f, x []float64, n, blocks int) int { return 0 },
	fmaLoop:    fmaLoopGeneric,
	fmaLanes:   4,
	perturb:    perturbGeneric,
	laneAxpy:   laneAxpyGeneric,
	adam:       adamGeneric,
	expWeights: expWeightsGeneric,
	gemm:       gemmGeneric,
	silu:       func(s, g, z []float64) int { return 0 },
	gelu:       geluNone,
	sincos:     sincosNone,

	sgemm:      sgemmGeneric,
	sgemmBF16:  sgemmBF16Generic,
	siluF32:    siluF32None,
	fmaLoopF32: fmaLoopF32Generic,
	egnnF32:    egnnF32None,
}

// Generic returns the plain-Go implementation, the oracle for all others.
func Generic() *Impl { return generic }

// Impls lists the implementations this CPU can run, generic first and the
// fastest last: on amd64 generic, then avx2, avx512 and amx as far as the
// units are present (see Detect), each falling back to the one before.
func Impls() []*Impl {
	out := []*Impl{generic}
	return append(out, nativeImpls()...)
}

// ByName returns the implementation with the given name, or an error saying
// why this CPU or build cannot run it and naming the available ones.
func ByName(name string) (*Impl, error) {
	var names []string
	for _, im := range Impls() {
		if im.name == name {
			return im, nil
		}
		names = append(names, im.name)
	}
	why := Unavailable(name)
	if why == nil {
		why = fmt.Errorf("asm: implementation %q is not available", name)
	}
	return nil, fmt.Errorf("%w (available: %v)", why, names)
}

// ImplNames lists every implementation name this architecture knows, in
// the order of Impls (generic first, then ever faster units): on amd64
// generic, avx2, avx512 and amx; on arm64 generic and neon; elsewhere
// generic. Impls is the subset this CPU and build can run.
func ImplNames() []string { return implNames() }

// Unavailable returns nil when this CPU and build can run the
// implementation called name, and otherwise an error naming what is
// missing, e.g. `asm: implementation "amx" is not available: AMX-TILE/AMX-BF16
// not present`.
func Unavailable(name string) error {
	known := false
	for _, n := range implNames() {
		known = known || n == name
	}
	if !known {
		return fmt.Errorf("asm: unknown implementation %q (this architecture knows %v)", name, implNames())
	}
	why := buildReason(name)
	if why == "" {
		why = Detect().reason(name)
	}
	if why != "" {
		return fmt.Errorf("asm: implementation %q is not available: %s", name, why)
	}
	return nil
}

// EnvImpl is the environment variable that overrides Default.
const EnvImpl = "IDEM_IMPL"

// Default returns the implementation named by $IDEM_IMPL when it is set, and
// otherwise the fastest one this CPU can run (amx, then avx512, avx2 and
// generic on amd64). An unknown or unavailable name in $IDEM_IMPL is an
// error that names the missing unit.
func Default() (*Impl, error) {
	if name := os.Getenv(EnvImpl); name != "" {
		return ByName(name)
	}
	all := Impls()
	return all[len(all)-1], nil
}

// MustDefault is Default for programs and tests that cannot continue without
// a kernel implementation; it panics on a bad $IDEM_IMPL.
func MustDefault() *Impl {
	im, err := Default()
	if err != nil {
		panic(err)
	}
	return im
}
