package asm_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// TestAdamAgainstGeneric: every implementation gives the generic bits for
// all lengths (tails included) and offsets, with guards on every output.
func TestAdamAgainstGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	k := []float64{0.9, 0.1, 0.999, 1 - 0.999, 1e-3 / (1 - 0.9*0.9), math.Sqrt(1 - 0.999*0.999), 1e-8}
	for _, im := range asmtest.Impls(t) {
		for n := 0; n <= 19; n++ {
			for off := 0; off < asm.Lanes; off++ {
				p0, g, m0, v0 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
				for i := 0; i < n; i++ {
					p0[i], g[i], m0[i], v0[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()*0.1, rng.Float64()*0.01
				}
				wp, wm, wv := slices.Clone(p0), slices.Clone(m0), slices.Clone(v0)
				asm.Generic().Adam(wp, g, wm, wv, k)
				gp, gm, gv := asmtest.NewGuarded(n, off), asmtest.NewGuarded(n, off), asmtest.NewGuarded(n, off)
				copy(gp.V, p0)
				copy(gm.V, m0)
				copy(gv.V, v0)
				g0 := slices.Clone(g)
				im.Adam(gp.V, g, gm.V, gv.V, k)
				gp.Check(t, "params")
				gm.Check(t, "m")
				gv.Check(t, "v")
				if !slices.Equal(g, g0) {
					t.Fatal("grads changed")
				}
				for i := 0; i < n; i++ {
					if gp.V[i] != wp[i] || gm.V[i] != wm[i] || gv.V[i] != wv[i] {
						t.Fatalf("impl=%s n=%d off=%d i=%d: (%v %v %v), generic (%v %v %v)", im.Name(), n, off, i, gp.V[i], gm.V[i], gv.V[i], wp[i], wm[i], wv[i])
					}
				}
			}
		}
	}
}
