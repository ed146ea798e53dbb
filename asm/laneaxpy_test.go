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
func TestLaneAxpyAgainstGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 15))
	for _, im := range asmtest.Impls(t) {
		for _, d := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 39, 165} {
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
