//go:build !purego && !noasm

package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestEGNNAVX512SameSiLU: the AVX-512 forward edge kernels compute σ and
// SiLU with SILU8's operations, so s and g are the same bits as avx2's;
// the dot products d differ only in the summation order (16 lanes).
func TestEGNNAVX512SameSiLU(t *testing.T) {
	requireImpl(t, "avx512")
	rng := rand.New(rand.NewPCG(3, 4))
	for _, F := range []int{16, 32, 48, 128, 256} {
		for _, E := range []int{1, 2, 7, 64} {
			name := fmt.Sprintf("F=%d/E=%d", F, E)
			v := func(n int, amp float64) []float32 {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(amp * rng.NormFloat64())
				}
				return x
			}
			nodes := E/2 + 1
			rcv, snd := egnnIndices(rng, E, nodes)
			u, uu, wr, wa, r, a := v(nodes*F, 3), v(nodes*F, 3), v(F, 1), v(F, 1), v(E, 2), v(E, 2)
			s1, g1, s2, g2 := v(E*F, 0), v(E*F, 0), v(E*F, 0), v(E*F, 0)
			if n := edgeInF32AVX512(s1, g1, u, uu, wr, wa, r, a, rcv, snd, F); n != E {
				t.Fatalf("%s: edgeInF32AVX512 did %d rows", name, n)
			}
			edgeInF32AVX2(s2, g2, u, uu, wr, wa, r, a, rcv, snd, F)
			if !sameBits(s1, s2) || !sameBits(g1, g2) {
				t.Fatalf("%s: EdgeInputF32 avx512 and avx2 differ", name)
			}
			z, w := v(E*F, 30), v(F, 1)
			d1, d2 := v(E, 0), v(E, 0)
			if n := siluDotF32AVX512(s1, g1, d1, z, w, F); n != E {
				t.Fatalf("%s: siluDotF32AVX512 did %d rows", name, n)
			}
			siluDotF32AVX2(s2, g2, d2, z, w, F)
			if !sameBits(s1, s2) || !sameBits(g1, g2) {
				t.Fatalf("%s: SiLUDotF32 s, g: avx512 and avx2 differ", name)
			}
			for e := range d1 {
				scale := 0.0
				for f := 0; f < F; f++ {
					scale += math.Abs(float64(w[f] * s1[e*F+f]))
				}
				if d := math.Abs(float64(d1[e] - d2[e])); !(d <= float64(F)*0x1p-23*scale) {
					t.Fatalf("%s: d[%d] = %v (avx512), %v (avx2)", name, e, d1[e], d2[e])
				}
			}
		}
	}
}

// TestEGNNAVX512Backward: the AVX-512 backward edge kernels and AttScaleF32
// give avx2's bits wherever their results are element-wise (mp, agg; dz,
// gw, gb of CoordBack; du, dv, dwr, dwa of EdgeInputBack), and avx2's row
// sums (dr, da; AttBack's dpa and what follows from it) within float32
// rounding of the 16-lane order.
func TestEGNNAVX512Backward(t *testing.T) {
	requireImpl(t, "avx512")
	rng := rand.New(rand.NewPCG(5, 6))
	v := func(n int, amp float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(amp * rng.NormFloat64())
		}
		return x
	}
	cp := func(x []float32) []float32 { return append([]float32(nil), x...) }
	near := func(name string, got, want []float32, scale float64) {
		t.Helper()
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-5*scale*(1+math.Abs(float64(want[i])))) {
				t.Fatalf("%s[%d] = %v (avx512), %v (avx2)", name, i, got[i], want[i])
			}
		}
	}
	for _, F := range []int{16, 32, 128} {
		for _, n1 := range []int{1, 3, 12} {
			nodes := 5
			E := nodes * n1
			name := fmt.Sprintf("F=%d/E=%d", F, E)
			s, g, w, att := v(E*F, 2), v(E*F, 0.3), v(F, 1), v(E, 0.5)
			// AttScale
			mp1, mp2, agg1 := v(E*F, 0), v(E*F, 0), v(nodes*(F+3), 1)
			agg2 := cp(agg1)
			attScaleF32AVX512(mp1, agg1, s, att, n1, F, F+3)
			attScaleF32AVX2(mp2, agg2, s, att, n1, F, F+3)
			if !sameBits(mp1, mp2) || !sameBits(agg1, agg2) {
				t.Fatalf("%s: AttScaleF32 avx512 and avx2 differ", name)
			}
			// CoordBack
			dz1, dz2 := v(E*F, 0), v(E*F, 0)
			gw1, gb1 := v(F, 1), v(F, 1)
			gw2, gb2 := cp(gw1), cp(gb1)
			c := v(E, 1)
			coordBackF32AVX512(dz1, gw1, gb1, s, g, c, w, F)
			coordBackF32AVX2(dz2, gw2, gb2, s, g, c, w, F)
			if !sameBits(dz1, dz2) || !sameBits(gw1, gw2) || !sameBits(gb1, gb2) {
				t.Fatalf("%s: CoordBackF32 avx512 and avx2 differ", name)
			}
			// AttBack
			dm1 := v(E*F, 1)
			dm2 := cp(dm1)
			dpa1, dpa2 := v(E, 0), v(E, 0)
			gw1, gb1 = v(F, 1), v(F, 1)
			gw2, gb2 = cp(gw1), cp(gb1)
			attBackF32AVX512(dm1, dpa1, gw1, gb1, s, g, att, w, F)
			attBackF32AVX2(dm2, dpa2, gw2, gb2, s, g, att, w, F)
			near(name+" AttBack dpa", dpa1, dpa2, float64(F))
			near(name+" AttBack dm", dm1, dm2, float64(F))
			near(name+" AttBack gw", gw1, gw2, float64(F*E))
			near(name+" AttBack gb", gb1, gb2, float64(F*E))
			// EdgeInputBack
			rcv, snd := egnnIndices(rng, E, nodes)
			dz := v(E*F, 1)
			du1, dv1, dwr1, dwa1 := v(nodes*F, 1), v(nodes*F, 1), v(F, 1), v(F, 1)
			du2, dv2, dwr2, dwa2 := cp(du1), cp(dv1), cp(dwr1), cp(dwa1)
			dr1, da1, dr2, da2 := v(E, 0), v(E, 0), v(E, 0), v(E, 0)
			wr, wa, r, a := v(F, 1), v(F, 1), v(E, 1), v(E, 1)
			edgeInBackF32AVX512(dz, du1, dv1, dwr1, dwa1, dr1, da1, s, g, wr, wa, r, a, rcv, snd, F)
			edgeInBackF32AVX2(dz, du2, dv2, dwr2, dwa2, dr2, da2, s, g, wr, wa, r, a, rcv, snd, F)
			if !sameBits(du1, du2) || !sameBits(dv1, dv2) || !sameBits(dwr1, dwr2) || !sameBits(dwa1, dwa2) {
				t.Fatalf("%s: EdgeInputBackF32 du, dv, dwr, dwa: avx512 and avx2 differ", name)
			}
			near(name+" EdgeInputBack dr", dr1, dr2, float64(F))
			near(name+" EdgeInputBack da", da1, da2, float64(F))
		}
	}
}
