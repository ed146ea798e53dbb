package asm_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// TestExpWeights: every implementation gives the generic bits (lengths with
// tails, offsets, guards), the generic values are within 2 ulp of math.Exp,
// and +Inf, NaN and very small weights give 0.
func TestExpWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 19))
	for _, im := range asmtest.Impls(t) {
		for n := 0; n <= 37; n++ {
			for off := 0; off < asm.Lanes; off++ {
				e := make([]float64, n)
				// float64(…) rounds: arm64 may otherwise fuse the product into
				// later subtractions (the Go spec allows it).
				top := float64(rng.NormFloat64() * 50)
				for i := range e {
					switch rng.IntN(12) {
					case 0:
						e[i] = math.Inf(1)
					case 1:
						e[i] = math.NaN()
					case 2:
						e[i] = -top + 800 // weight e⁻⁸⁰⁰: dropped
					default:
						e[i] = -top + float64(60*rng.Float64()*rng.Float64())
					}
				}
				want := make([]float64, n)
				asm.Generic().ExpWeights(want, e, top)
				got := asmtest.NewGuarded(n, off)
				im.ExpWeights(got.V, e, top)
				got.Check(t, "w")
				for i := range want {
					if math.Float64bits(got.V[i]) != math.Float64bits(want[i]) {
						t.Fatalf("impl=%s n=%d i=%d e=%v: %v, generic %v", im.Name(), n, i, e[i], got.V[i], want[i])
					}
					en := e[i]
					x := -en - top
					switch {
					case !(e[i] < math.Inf(1)) || x < -700:
						if want[i] != 0 {
							t.Fatalf("e=%v: weight %v, want 0", e[i], want[i])
						}
					default:
						if ref := math.Exp(x); math.Abs(want[i]-ref) > 4.5e-16*ref {
							t.Fatalf("exp(%v) = %.17g, math.Exp %.17g", x, want[i], ref)
						}
					}
				}
			}
		}
	}
}
