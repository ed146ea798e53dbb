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
	pairLJ     func(e, f, x []float64, n, blocks int, trap float64) int
	pairDW2    func(e, f, x []float64, n, blocks int) int
	pairDW3    func(e, f, x []float64, n, blocks int) int
	fmaLoop    func(iters int) float64
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
	siluF32     func(s, g, z []float32) int
	fmaLoopF32  func(iters int) float64
	// egnnF32 holds the EGNN float32 edge kernels (egnnk.go).
	egnnF32 egnnF32
}

// Name is the implementation's lower-case name: "generic", "avx2" or "neon".
func (im *Impl) Name() string { return im.name }

func (im *Impl) String() string { return im.name }

var generic = &Impl{
	name:       "generic",
	pairLJ:     func(e, f, x []float64, n, blocks int, trap float64) int { return 0 },
	pairDW2:    func(e, f, x []float64, n, blocks int) int { return 0 },
	pairDW3:    func(e, f, x []float64, n, blocks int) int { return 0 },
	fmaLoop:    fmaLoopGeneric,
	perturb:    perturbGeneric,
	laneAxpy:   laneAxpyGeneric,
	adam:       adamGeneric,
	expWeights: expWeightsGeneric,
	gemm:       gemmGeneric,
	silu:       func(s, g, z []float64) int { return 0 },
	gelu:       geluNone,
	sincos:     sincosNone,

	sgemm:      sgemmGeneric,
	siluF32:    siluF32None,
	fmaLoopF32: fmaLoopF32Generic,
	egnnF32:    egnnF32None,
}

// Generic returns the plain-Go implementation, the oracle for all others.
func Generic() *Impl { return generic }

// Impls lists the implementations this CPU can run, generic first and the
// fastest last.
func Impls() []*Impl {
	out := []*Impl{generic}
	return append(out, nativeImpls()...)
}

// ByName returns the implementation with the given name, or an error naming
// the available ones when this CPU or build cannot run it.
func ByName(name string) (*Impl, error) {
	var names []string
	for _, im := range Impls() {
		if im.name == name {
			return im, nil
		}
		names = append(names, im.name)
	}
	return nil, fmt.Errorf("asm: implementation %q is not available on this CPU or build (available: %v)", name, names)
}

// EnvImpl is the environment variable that overrides Default.
const EnvImpl = "IDEM_IMPL"

// Default returns the implementation named by $IDEM_IMPL when it is set, and
// otherwise the fastest one this CPU can run. An unknown or unavailable name
// in $IDEM_IMPL is an error.
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
