package asm_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// TestLaneAxpyAgainstGeneric: every implementation gives the generic bits
// (both use one fused multiply-add per element, in block order), across
// sizes, block counts and offsets, with guards and unchanged inputs.
func TestLaneAxpyAgainstGeneric(t *testing.T) { testLaneAxpy(t, asmtest.Impls(t)) }

// TestLaneAxpyAVX512 runs TestLaneAxpyAgainstGeneric on the AVX-512 kernel
// whether avx512 uses it or not.
func TestLaneAxpyAVX512(t *testing.T) { testLaneAxpy(t, avx512Kernels(t)) }

// laneAxpyRows are the row counts d tested: every remainder of the AVX-512
// kernel's sixteen-row chunks, with and without whole chunks.
var laneAxpyRows = func() []int {
	d := []int{39, 165}
	for k := 0; k <= 33; k++ {
		d = append(d, k)
	}
	return d
}()

func testLaneAxpy(t *testing.T, impls []*asm.Impl) {
	rng := rand.New(rand.NewPCG(14, 15))
	for _, im := range impls {
		for _, d := range laneAxpyRows {
			for _, blocks := range []int{0, 1, 2, 5, 32} {
				for off := 0; off < asm.Lanes; off++ {
					w := make([]float64, blocks*asm.Lanes)
					f := make([]float64, blocks*d*asm.Lanes)
					acc0 := make([]float64, d*asm.Lanes)
					for i := range w {
						w[i] = rng.Float64()
					}
					for i := range f {
						f[i] = rng.NormFloat64()
					}
					for i := range acc0 {
						acc0[i] = rng.NormFloat64()
					}
					w0, f0 := slices.Clone(w), slices.Clone(f)
					want := slices.Clone(acc0)
					asm.Generic().LaneAxpy(want, w, f, d, blocks)
					got := asmtest.NewGuarded(len(acc0), off)
					copy(got.V, acc0)
					im.LaneAxpy(got.V, w, f, d, blocks)
					got.Check(t, "acc")
					if !slices.Equal(w, w0) || !slices.Equal(f, f0) {
						t.Fatal("inputs changed")
					}
					for i := range want {
						if math.Float64bits(got.V[i]) != math.Float64bits(want[i]) {
							t.Fatalf("impl=%s d=%d blocks=%d off=%d: acc[%d] = %v, generic %v", im.Name(), d, blocks, off, i, got.V[i], want[i])
						}
					}
				}
			}
		}
	}
}
