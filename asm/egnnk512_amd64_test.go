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
