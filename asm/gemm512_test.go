package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmTile16: the 12×16 float64 tile kernel alone, including depth 0
// (which the driver never passes), against its plain-Go twin with general
// strides, inside sentinel guards.
func TestGemmTile16(t *testing.T) {
	requireImpl(t, "avx512")
	rng := rand.New(rand.NewPCG(19, 20))
	sent := math.Float64frombits(0x7ff8_dead_beef_0001)
	for _, k := range []int{0, 1, 2, 5, 64, 129, 300} {
		for _, st := range [][2]int{{k + 3, 1}, {1, 13}, {3, 37}} {
			rsA, csA := st[0], st[1]
			const ldc, guard = 19, 7
			a := make([]float64, 11*rsA+max(k-1, 0)*csA+1)
			p := make([]float64, max(k, 1)*gemmNR16)
			cf := make([]float64, guard+11*ldc+gemmNR16+guard)
			for _, s := range [][]float64{a, p} {
				for i := range s {
					s[i] = 2*rng.Float64() - 1
				}
			}
			for i := range cf {
				cf[i] = sent
			}
			c := cf[guard : len(cf)-guard]
			for i := 0; i < gemmMR16; i++ {
				for j := 0; j < gemmNR16; j++ {
					c[i*ldc+j] = 2*rng.Float64() - 1
				}
			}
			want := append([]float64(nil), cf...)
			gemmTile16(true, k, a, rsA, csA, p, c, ldc)
			gemmKernel16Generic(k, a, rsA, csA, p, want[guard:len(want)-guard], ldc)
			for i := range cf {
				if math.IsNaN(want[i]) {
					if math.Float64bits(cf[i]) != math.Float64bits(sent) {
						t.Fatalf("k=%d/rsA=%d/csA=%d: element %d outside the tile overwritten", k, rsA, csA, i)
					}
					continue
				}
				if d := math.Abs(cf[i] - want[i]); !(d <= float64(k+1)*0x1p-51) || (k == 0 && cf[i] != want[i]) {
					t.Fatalf("k=%d/rsA=%d/csA=%d: c[%d] = %v, want %v", k, rsA, csA, i, cf[i], want[i])
				}
			}
		}
	}
}

// TestGemmPack16: the packing loop copies exactly kc rows of 16.
func TestGemmPack16(t *testing.T) {
	requireImpl(t, "avx512")
	const ldb = 21
	for _, kc := range []int{0, 1, 2, 7, gemmKC16} {
		b := make([]float64, max(kc-1, 0)*ldb+gemmNR16)
		for i := range b {
			b[i] = float64(i)
		}
		got := make([]float64, (kc+1)*gemmNR16)
		want := make([]float64, len(got))
		for i := range got {
			got[i], want[i] = -1, -1
		}
		gemmPack16(true, got, b, ldb, kc)
		gemmPack16Generic(want, b, ldb, kc)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("kc=%d: p[%d] = %v, want %v", kc, i, got[i], want[i])
			}
		}
	}
}

// TestGemmFusedExact: with every product and partial sum exactly
// representable (small integers), every implementation and driver equals
// the oracle bit for bit at the EGNN's float64 shapes and odd tails.
func TestGemmFusedExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sh := range [][3]int{{624, 128, 128}, {52, 128, 256}, {13, 16, 5}, {25, 33, 300}, {12, 17, 1}} {
		m, n, k := sh[0], sh[1], sh[2]
		a, b := make([]float64, m*k), make([]float64, k*n)
		c0 := make([]float64, m*n)
		for _, s := range [][]float64{a, b, c0} {
			for i := range s {
				s[i] = float64(rng.IntN(17) - 8)
			}
		}
		want := append([]float64(nil), c0...)
		gemmGeneric(m, n, k, a, k, 1, b, n, want, n)
		for name, gemm := range gemmImpls() {
			c := append([]float64(nil), c0...)
			gemm(m, n, k, a, k, 1, b, n, c, n)
			for i := range c {
				if c[i] != want[i] {
					t.Fatalf("impl=%s/m=%d/n=%d/k=%d: C[%d] = %v, want %v", name, m, n, k, i, c[i], want[i])
				}
			}
		}
	}
}
