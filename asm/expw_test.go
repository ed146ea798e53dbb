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
func TestExpWeights(t *testing.T) { testExpWeights(t, asmtest.Impls(t)) }

// TestExpWeightsAVX512 runs the ExpWeights tests on the AVX-512 kernel
// whether avx512 uses it or not.
func TestExpWeightsAVX512(t *testing.T) {
	ims := avx512Kernels(t)
	t.Run("Values", func(t *testing.T) { testExpWeights(t, ims) })
	t.Run("Cutoff", func(t *testing.T) { testExpWeightsCutoff(t, ims) })
	t.Run("Special", func(t *testing.T) { testExpWeightsSpecial(t, ims) })
}

func testExpWeights(t *testing.T, impls []*asm.Impl) {
	rng := rand.New(rand.NewPCG(18, 19))
	for _, im := range impls {
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

// TestExpWeightsCutoff checks the −700 cut-off exactly, in every position
// of a group: x = −700 keeps e⁻⁷⁰⁰, the next float64 below gives 0.
func TestExpWeightsCutoff(t *testing.T) { testExpWeightsCutoff(t, asmtest.Impls(t)) }

func testExpWeightsCutoff(t *testing.T, impls []*asm.Impl) {
	for _, im := range impls {
		for _, top := range []float64{0, -0.5, 3} {
			for pos := 0; pos < 8; pos++ {
				e := make([]float64, 8)
				for i := range e {
					e[i] = -top + 1
				}
				e[pos] = -top + 700                           // x = −700 exactly
				e[(pos+1)%8] = math.Nextafter(700, 800) - top // x just below −700
				if top == 3 {
					e[(pos+1)%8] = math.Nextafter(e[pos], 800)
				}
				want := make([]float64, 8)
				asm.Generic().ExpWeights(want, e, top)
				got := make([]float64, 8)
				im.ExpWeights(got, e, top)
				for i := range want {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("impl=%s top=%v e=%v: w[%d] = %v, generic %v", im.Name(), top, e[i], i, got[i], want[i])
					}
				}
				if x := -e[pos] - top; x != -700 || want[pos] == 0 {
					t.Fatalf("top=%v: x = %v, weight %v (want x = −700 kept)", top, x, want[pos])
				}
				if x := -e[(pos+1)%8] - top; !(x < -700) || want[(pos+1)%8] != 0 {
					t.Fatalf("top=%v: x = %v, weight %v (want x < −700 dropped)", top, x, want[(pos+1)%8])
				}
			}
		}
	}
}

// TestExpWeightsSpecial puts each special energy in every position of 17
// (two groups of eight and a tail) and compares the bits with generic:
// +Inf and NaN (any sign or payload) give 0, as do weights below e⁻⁷⁰⁰
// and every weight for top = +Inf; ±0, the smallest subnormal and the
// largest finite energies stay in the contract top ≥ max(−e).
func TestExpWeightsSpecial(t *testing.T) { testExpWeightsSpecial(t, asmtest.Impls(t)) }

func testExpWeightsSpecial(t *testing.T, impls []*asm.Impl) {
	nan := math.NaN()
	negNaN := math.Float64frombits(0xFFF8_0000_0000_0001)
	for _, top := range []float64{0, 1.5, 700, math.Inf(1)} {
		special := []float64{math.Inf(1), nan, negNaN, 0, math.Copysign(0, -1), 5e-324, -5e-324,
			math.MaxFloat64, 700 - top, math.Nextafter(700-top, 800), 745 - top, -top}
		if math.IsInf(top, 1) {
			special = append(special, math.Inf(-1), -math.MaxFloat64)
		}
		for _, v := range special {
			if -v > top { // outside the contract top ≥ max(−e)
				continue
			}
			for pos := 0; pos < 17; pos++ {
				e := make([]float64, 17)
				for i := range e {
					e[i] = max(-top, 0) + 0.25*float64(i)
				}
				e[pos] = v
				want := make([]float64, len(e))
				asm.Generic().ExpWeights(want, e, top)
				if !(v < math.Inf(1)) || math.IsInf(top, 1) {
					if want[pos] != 0 {
						t.Fatalf("generic: e=%v top=%v: weight %v, want 0", v, top, want[pos])
					}
				}
				for _, im := range impls {
					for _, n := range []int{pos + 1, len(e)} {
						got := asmtest.NewGuarded(n, pos%4)
						im.ExpWeights(got.V, e, top)
						got.Check(t, "w")
						for i := range got.V {
							if math.Float64bits(got.V[i]) != math.Float64bits(want[i]) {
								t.Fatalf("impl=%s top=%v e[%d]=%v n=%d: w[%d] = %v, generic %v", im.Name(), top, pos, v, n, i, got.V[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}
