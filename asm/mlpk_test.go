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

// sameBits reports whether a and b have the same bits, or are both NaN.
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// TestAdamSpecial: every implementation gives the generic bits for zeros,
// signed zeros, subnormals, overflow of g·g, non-finite gradients and
// ε = 0 (0/0), over lengths and offsets that leave tails.
func TestAdamSpecial(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	special := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, 1e150, -1e200, math.MaxFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 3e-8}
	pick := func() float64 {
		if rng.IntN(3) == 0 {
			return special[rng.IntN(len(special))]
		}
		return rng.NormFloat64()
	}
	ks := [][]float64{
		{0.9, 0.1, 0.999, 1 - 0.999, 1e-3 / (1 - 0.9), math.Sqrt(1 - 0.999), 1e-8},
		{0.5, 0.5, 0.75, 0.25, 3, 0.3, 0},
	}
	for _, im := range asmtest.Impls(t) {
		for ki, k := range ks {
			for _, n := range []int{1, 4, 7, 8, 13, 37} {
				for off := 0; off < asm.Lanes; off++ {
					p0, g, m0, v0 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
					for i := range p0 {
						p0[i], g[i], m0[i], v0[i] = pick(), pick(), pick(), math.Abs(pick())
					}
					wp, wm, wv := slices.Clone(p0), slices.Clone(m0), slices.Clone(v0)
					asm.Generic().Adam(wp, g, wm, wv, k)
					gp, gm, gv := asmtest.NewGuarded(n, off), asmtest.NewGuarded(n, off), asmtest.NewGuarded(n, off)
					copy(gp.V, p0)
					copy(gm.V, m0)
					copy(gv.V, v0)
					im.Adam(gp.V, g, gm.V, gv.V, k)
					gp.Check(t, "params")
					gm.Check(t, "m")
					gv.Check(t, "v")
					for i := range n {
						if !sameBits(gp.V[i], wp[i]) || !sameBits(gm.V[i], wm[i]) || !sameBits(gv.V[i], wv[i]) {
							t.Fatalf("impl=%s k#%d n=%d off=%d i=%d (θ %v g %v m %v v %v): (%v %v %v), generic (%v %v %v)",
								im.Name(), ki, n, off, i, p0[i], g[i], m0[i], v0[i], gp.V[i], gm.V[i], gv.V[i], wp[i], wm[i], wv[i])
						}
					}
				}
			}
		}
	}
}

// TestSinCosDeclinedBlocks puts one value the native kernels leave to the
// generic code (NaN, ±Inf, beyond 2²⁹) at every position of a longer
// input, so that native blocks follow declined ones, with s or c aliasing
// x at every offset.
func TestSinCosDeclinedBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	const n = 23
	for _, im := range asmtest.Impls(t) {
		for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1 << 30, -1e300} {
			for pos := 0; pos < n; pos++ {
				for off := 0; off < asm.Lanes; off++ {
					for alias := 0; alias < 3; alias++ {
						name := fmt.Sprintf("impl=%s/bad=%v/pos=%d/off=%d/alias=%d", im.Name(), bad, pos, off, alias)
						x := make([]float64, off+n)[off:]
						for i := range x {
							x[i] = 100 * (2*rng.Float64() - 1)
						}
						x[pos] = bad
						x0 := slices.Clone(x)
						s, c := make([]float64, n), make([]float64, n)
						switch alias {
						case 1:
							s = x
						case 2:
							c = x
						}
						im.SinCos(s, c, x)
						for i, v := range x0 {
							ws, wc := math.Sincos(v)
							if math.IsNaN(ws) {
								if !math.IsNaN(s[i]) || !math.IsNaN(c[i]) {
									t.Fatalf("%s: x[%d] = %v: got (%v, %v), want NaN", name, i, v, s[i], c[i])
								}
								continue
							}
							if math.Abs(s[i]-ws) > 1.5e-16 || math.Abs(c[i]-wc) > 1.5e-16 {
								t.Fatalf("%s: x[%d] = %v: got (%v, %v), math.Sincos (%v, %v)", name, i, v, s[i], c[i], ws, wc)
							}
						}
					}
				}
			}
		}
	}
}

// TestGELULanes mixes, within each block, values from every range of u,
// both sides of the flush threshold, zeros, tiny and huge values and NaN,
// so that each lane takes its own range; outputs must agree with generic to
// 10⁻¹⁵ relative (NaN where the input is NaN; ±Inf lanes are unspecified
// but must leave the other lanes alone).
func TestGELULanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	vals := []float64{0, math.Copysign(0, -1), 1e-300, 1e-9, 0.5, 1.19, 1.2, 1.77, 3, 4.04, 5.5, 10, 30,
		37.5, 37.6, 38, 100, 1e200, math.MaxFloat64, math.NaN(), math.Inf(1)}
	x := make([]float64, 4099)
	for i := range x {
		v := vals[rng.IntN(len(vals))]
		if rng.IntN(2) == 0 {
			v = -v
		}
		if rng.IntN(3) == 0 {
			v *= 1 + 1e-3*(2*rng.Float64()-1)
		}
		x[i] = v
	}
	gy, gd := make([]float64, len(x)), make([]float64, len(x))
	asm.Generic().GELU(gy, gd, x)
	for _, im := range asmtest.Impls(t) {
		for off := 0; off < asm.Lanes; off++ {
			xs := x[off:]
			y, d := make([]float64, len(xs)), make([]float64, len(xs))
			im.GELU(y, d, xs)
			for i, a := range xs {
				wy, wd := gy[off+i], gd[off+i]
				switch {
				case math.IsInf(a, 0):
					continue
				case math.IsNaN(a):
					if !math.IsNaN(y[i]) || !math.IsNaN(d[i]) {
						t.Fatalf("impl=%s off=%d: GELU(NaN) = %v, %v", im.Name(), off, y[i], d[i])
					}
					continue
				}
				cdf := 0.5 // Φ + |a|·φ scales d, which crosses zero
				if a != 0 {
					cdf = wy / a
				}
				sy := math.Abs(wy) + 1e-300
				sd := cdf + math.Abs(wd-cdf) + 1e-300
				if math.Abs(y[i]-wy) > 1e-15*sy || math.Abs(d[i]-wd) > 1e-15*sd || math.IsNaN(y[i]) || math.IsNaN(d[i]) {
					t.Fatalf("impl=%s off=%d i=%d: a=%v: y=%v d=%v, generic %v %v", im.Name(), off, i, a, y[i], d[i], wy, wd)
				}
			}
		}
	}
}
