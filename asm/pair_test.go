package asm_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// pairKernel describes one pair-potential kernel for the shared harness.
type pairKernel struct {
	name string
	dim  int
	run  func(im *asm.Impl, e, f, x []float64, n, b int)
	// scale returns Σ over pairs of |φ(d)| + |φ′(d)|·d for one row-major
	// configuration: the magnitude the tolerance is relative to.
	scale func(x []float64, n int) float64
}

const trapK = 1.0

func ljScale(x []float64, n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			r2 := asm.LJEps
			for d := 0; d < 3; d++ {
				dd := x[i*3+d] - x[j*3+d]
				r2 += dd * dd
			}
			s6 := 1 / (r2 * r2 * r2)
			s += 2*(s6*s6+2*s6) + 24*(s6*s6+s6)
		}
	}
	return s + float64(n)*10
}

func dwScale(dim int) func(x []float64, n int) float64 {
	return func(x []float64, n int) float64 {
		s := 0.0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				r2 := 0.0
				for d := 0; d < dim; d++ {
					dd := x[i*dim+d] - x[j*dim+d]
					r2 += dd * dd
				}
				u := math.Abs(math.Sqrt(r2) - asm.DWD0)
				s += 0.9*u*u*u*u + 4*u*u + 3.6*u*u*u + 8*u
			}
		}
		return s
	}
}

var pairKernels = []pairKernel{
	{"PairLJ", 3, func(im *asm.Impl, e, f, x []float64, n, b int) { im.PairLJ(e, f, x, n, b, trapK) }, ljScale},
	{"PairDW2", 2, func(im *asm.Impl, e, f, x []float64, n, b int) { im.PairDW(e, f, x, n, 2, b) }, dwScale(2)},
	{"PairDW3", 3, func(im *asm.Impl, e, f, x []float64, n, b int) { im.PairDW(e, f, x, n, 3, b) }, dwScale(3)},
}

// spacing returns a lattice spacing typical for the kernel's potential.
func (k pairKernel) spacing() float64 {
	if k.name == "PairLJ" {
		return 1.1
	}
	return 3.5
}

// checkAgainstGeneric runs kernel k with implementation im on rows (b
// row-major configurations) at buffer offset off and compares with generic.
func checkAgainstGeneric(t *testing.T, k pairKernel, im *asm.Impl, rows []float64, n, b, off int) {
	t.Helper()
	dim := k.dim
	L := asm.Len(n, dim, b)
	x := asmtest.NewGuarded(L, off)
	if b > 0 {
		asm.Pack(x.V, rows, n, dim, b)
	}
	x0 := slices.Clone(x.V)

	eWant, fWant := make([]float64, b), make([]float64, L)
	k.run(asm.Generic(), eWant, fWant, x0, n, b)

	e := asmtest.NewGuarded(b, off)
	f := asmtest.NewGuarded(L, (off+1)%asm.Lanes)
	k.run(im, e.V, f.V, x.V, n, b)

	e.Check(t, "e")
	f.Check(t, "f")
	x.Check(t, "x")
	for i := range x0 {
		if math.Float64bits(x0[i]) != math.Float64bits(x.V[i]) {
			t.Fatalf("input x[%d] changed: %v -> %v", i, x0[i], x.V[i])
		}
	}
	for c := 0; c < b; c++ {
		sc := k.scale(rows[c*n*dim:(c+1)*n*dim], n)
		if !asmtest.Close(e.V[c], eWant[c], 1e-12, sc) {
			t.Fatalf("e[%d] = %.17g, generic %.17g (scale %g)", c, e.V[c], eWant[c], sc)
		}
		for i := 0; i < n; i++ {
			for d := 0; d < dim; d++ {
				j := asm.Index(n, dim, c, i, d)
				if !asmtest.Close(f.V[j], fWant[j], 1e-12, sc) {
					t.Fatalf("f[c=%d,i=%d,d=%d] = %.17g, generic %.17g (scale %g)", c, i, d, f.V[j], fWant[j], sc)
				}
			}
		}
	}
	// Padding lanes of the last block stay untouched.
	for c := b; c < asm.Blocks(b)*asm.Lanes; c++ {
		for i := 0; i < n; i++ {
			for d := 0; d < dim; d++ {
				if v := f.V[asm.Index(n, dim, c, i, d)]; !math.IsNaN(v) {
					t.Fatalf("padding lane c=%d i=%d d=%d written: %v", c, i, d, v)
				}
			}
		}
	}
}

func TestPairKernelsAgainstGeneric(t *testing.T) {
	testPairKernelsAgainstGeneric(t, asmtest.Impls(t))
}

// TestPairKernelsAVX512 runs TestPairKernelsAgainstGeneric and
// TestPairKernelsCoincident on every AVX-512 pair kernel, the ones avx512
// uses and the others (asm.AVX512Kernels).
func TestPairKernelsAVX512(t *testing.T) {
	ims := avx512Kernels(t)
	t.Run("AgainstGeneric", func(t *testing.T) { testPairKernelsAgainstGeneric(t, ims) })
	t.Run("Coincident", func(t *testing.T) { testPairKernelsCoincident(t, ims) })
}

// avx512Kernels returns asm.AVX512Kernels (every AVX-512 kernel, used by
// avx512 or not). Where this CPU or build has no avx512 the test is skipped
// with the missing unit's name, or fails when $IDEM_REQUIRE_IMPLS names
// avx512.
func avx512Kernels(t testing.TB) []*asm.Impl {
	t.Helper()
	asmtest.Require(t, "avx512")
	return asm.AVX512Kernels()
}

// kernelImpls is asm.Impls and, where avx512 is available, the AVX-512
// kernels it does not use (for the fuzz targets, which cannot skip).
func kernelImpls() []*asm.Impl {
	ims := asm.Impls()
	if asm.Unavailable("avx512") == nil {
		ims = append(ims, asm.AVX512Kernels()...)
	}
	return ims
}

func testPairKernelsAgainstGeneric(t *testing.T, impls []*asm.Impl) {
	sizes := []int{4, 13, 55}
	for n := 2; n <= 2*asm.Lanes+3; n++ {
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range pairKernels {
		for _, im := range impls {
			for _, n := range sizes {
				bs := []int{}
				for b := 0; b <= 2*asm.Lanes+1; b++ {
					bs = append(bs, b)
				}
				bs = append(bs, 33)
				for _, b := range bs {
					rows := make([]float64, b*n*k.dim)
					asmtest.Lattice(rng, rows, n, k.dim, b, k.spacing(), 0.2)
					for off := 0; off < asm.Lanes; off++ {
						t.Run(k.name+"/"+asmtest.Name(im, n, b, off), func(t *testing.T) {
							checkAgainstGeneric(t, k, im, rows, n, b, off)
						})
					}
				}
			}
		}
	}
}

// TestPairKernelsCoincident checks the r = 0 guards: DW gives zero force
// for a coincident pair and LJ stays finite thanks to the 10⁻⁶. Particle 1
// lies on particle 0, and with n > 3 particle n−1 on n−2 (for odd n the
// last, lone particle of the AVX-512 kernels' steps).
func TestPairKernelsCoincident(t *testing.T) {
	testPairKernelsCoincident(t, asmtest.Impls(t))
}

func testPairKernelsCoincident(t *testing.T, impls []*asm.Impl) {
	for _, k := range pairKernels {
		for _, im := range impls {
			for _, n := range []int{3, 6, 7} {
				t.Run(fmt.Sprintf("%s/impl=%s/n=%d", k.name, im.Name(), n), func(t *testing.T) {
					testCoincident(t, k, im, n)
				})
			}
		}
	}
}

func testCoincident(t *testing.T, k pairKernel, im *asm.Impl, n int) {
	const b = 8
	rows := make([]float64, b*n*k.dim)
	rng := rand.New(rand.NewPCG(3, 4))
	asmtest.Lattice(rng, rows, n, k.dim, b, k.spacing(), 0.1)
	at := func(c, i int) []float64 { return rows[(c*n+i)*k.dim : (c*n+i+1)*k.dim] }
	for c := 0; c < b; c++ {
		copy(at(c, 1), at(c, 0))
		if n > 3 {
			copy(at(c, n-1), at(c, n-2))
		}
	}
	checkAgainstGeneric(t, k, im, rows, n, b, 0)
	x := make([]float64, asm.Len(n, k.dim, b))
	asm.Pack(x, rows, n, k.dim, b)
	e, f := make([]float64, b), make([]float64, len(x))
	k.run(im, e, f, x, n, b)
	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite force f[%d] = %v", i, v)
		}
	}
	for c, v := range e {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite energy e[%d] = %v", c, v)
		}
	}
}

func TestPackUnpackRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dim := range []int{2, 3} {
		for _, n := range []int{1, 4, 13} {
			for b := 0; b <= 9; b++ {
				rows := make([]float64, b*n*dim)
				for i := range rows {
					rows[i] = rng.NormFloat64()
				}
				x := make([]float64, asm.Len(n, dim, b))
				asm.Pack(x, rows, n, dim, b)
				got := make([]float64, len(rows))
				asm.Unpack(got, x, n, dim, b)
				if !slices.Equal(got, rows) {
					t.Fatalf("dim=%d n=%d b=%d: round trip differs", dim, n, b)
				}
			}
		}
	}
}

func FuzzPairKernels(f *testing.F) {
	f.Add(uint64(1), uint8(13), uint8(9), uint8(1), 1.0)
	f.Add(uint64(2), uint8(2), uint8(5), uint8(3), 0.7)
	f.Add(uint64(3), uint8(55), uint8(4), uint8(0), 2.5)
	f.Fuzz(func(t *testing.T, seed uint64, n8, b8, off8 uint8, jitter float64) {
		n := 2 + int(n8)%60
		b := int(b8) % 24
		off := int(off8) % asm.Lanes
		if math.IsNaN(jitter) || math.IsInf(jitter, 0) {
			return
		}
		jitter = math.Mod(math.Abs(jitter), 0.45)
		rng := rand.New(rand.NewPCG(seed, 7))
		for _, k := range pairKernels {
			rows := make([]float64, b*n*k.dim)
			asmtest.Lattice(rng, rows, n, k.dim, b, k.spacing(), jitter)
			for _, im := range kernelImpls() {
				checkAgainstGeneric(t, k, im, rows, n, b, off)
			}
			// Physics: forces sum to zero; energy is translation invariant.
			if b == 0 {
				continue
			}
			x := make([]float64, asm.Len(n, k.dim, b))
			asm.Pack(x, rows, n, k.dim, b)
			e, fo := make([]float64, b), make([]float64, len(x))
			k.run(asm.MustDefault(), e, fo, x, n, b)
			shifted := slices.Clone(rows)
			for i := range shifted {
				shifted[i] += 3.25
			}
			asm.Pack(x, shifted, n, k.dim, b)
			e2, fo2 := make([]float64, b), make([]float64, len(x))
			k.run(asm.MustDefault(), e2, fo2, x, n, b)
			for c := 0; c < b; c++ {
				sc := k.scale(rows[c*n*k.dim:(c+1)*n*k.dim], n)
				if !asmtest.Close(e2[c], e[c], 1e-10, sc) {
					t.Fatalf("%s: energy not translation invariant: %v vs %v", k.name, e[c], e2[c])
				}
				for d := 0; d < k.dim; d++ {
					s := 0.0
					for i := 0; i < n; i++ {
						s += fo[asm.Index(n, k.dim, c, i, d)]
					}
					if !asmtest.Close(s, 0, 1e-10, sc) {
						t.Fatalf("%s: forces sum to %v in dim %d", k.name, s, d)
					}
				}
			}
		}
	})
}

func ExampleImpl_PairLJ() {
	// An LJ dimer at the pair minimum r = 1: E = 2·u(1) = −2 (doubled),
	// up to the 10⁻⁶ inside the distance; no trap.
	rows := []float64{0, 0, 0, 1, 0, 0}
	x := make([]float64, asm.Len(2, 3, 1))
	asm.Pack(x, rows, 2, 3, 1)
	e, f := make([]float64, 1), make([]float64, len(x))
	asm.Generic().PairLJ(e, f, x, 2, 1, 0)
	fmt.Printf("%.6f\n", e[0])
	// Output: -2.000000
}
