//go:build !purego && !noasm

package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNEONDenseNative: neon claims native Gemm and Sgemm.
func TestNEONDenseNative(t *testing.T) {
	if !neon.GemmNative() || !neon.SgemmNative() {
		t.Fatalf("neon: GemmNative %v, SgemmNative %v", neon.GemmNative(), neon.SgemmNative())
	}
}

// TestFMALoopF32NEONBits: every step of the NEON loop is a fused FMLA, as
// the arm64 compiler makes generic's acc[k]*m + a, so they agree bit for bit
// (across the ring's rounds of seven steps and the single-step tail).
func TestFMALoopF32NEONBits(t *testing.T) {
	for _, it := range []int{0, 1, 2, 6, 7, 8, 13, 14, 15, 41, 42, 43, 1000, 12345} {
		got, want := fmaLoopF32NEON(it), fmaLoopF32Generic(it)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("FMALoopF32(%d): neon %v, generic %v", it, got, want)
		}
	}
}

// TestGemmTileNEON: the tile kernels alone, including depth 0 (which the
// driver never passes), against the generic tiles with general strides.
func TestGemmTileNEON(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, k := range []int{0, 1, 2, 5, 64, 129} {
		const rsA, csA, ldb, ldc = 3, 23, 11, 13
		a := make([]float64, 5*rsA+max(k-1, 0)*csA+1)
		b := make([]float64, max(k-1, 0)*ldb+8)
		c := make([]float64, 5*ldc+8)
		for _, s := range [][]float64{a, b, c} {
			for i := range s {
				s[i] = 2*rng.Float64() - 1
			}
		}
		want := append([]float64(nil), c...)
		gemm6x8NEON(k, a, rsA, csA, b, ldb, c, ldc)
		gemmKernelGeneric(k, a, rsA, csA, b, ldb, want, ldc)
		for i := range c {
			if d := math.Abs(c[i] - want[i]); !(d <= 4*float64(k+1)*0x1p-52) || (k == 0 && c[i] != want[i]) {
				t.Fatalf("gemm6x8NEON k=%d: c[%d] = %v, want %v", k, i, c[i], want[i])
			}
		}

		af := make([]float32, len(a))
		pf := make([]float32, max(k, 1)*sgemmNR)
		const ldcF = 19
		cf := make([]float32, 5*ldcF+16)
		for _, s := range [][]float32{af, pf, cf} {
			for i := range s {
				s[i] = float32(2*rng.Float64() - 1)
			}
		}
		wantf := append([]float32(nil), cf...)
		sgemm6x16NEON(k, af, rsA, csA, pf, cf, ldcF)
		sgemmKernelGeneric(k, af, rsA, csA, pf, wantf, ldcF)
		for i := range cf {
			if d := math.Abs(float64(cf[i] - wantf[i])); !(d <= float64(k+1)*0x1p-22) || (k == 0 && cf[i] != wantf[i]) {
				t.Fatalf("sgemm6x16NEON k=%d: c[%d] = %v, want %v", k, i, cf[i], wantf[i])
			}
		}
	}
}

// TestSgemmPack16NEON: the packing loop copies exactly kc rows of 16.
func TestSgemmPack16NEON(t *testing.T) {
	const ldb = 21
	for _, kc := range []int{1, 2, 7, SgemmKC} {
		b := make([]float32, (kc-1)*ldb+sgemmNR)
		for i := range b {
			b[i] = float32(i)
		}
		got := make([]float32, (kc+1)*sgemmNR)
		want := make([]float32, len(got))
		for i := range got {
			got[i], want[i] = -1, -1
		}
		sgemmPack16NEON(got, b, ldb, kc)
		sgemmPack16Generic(want, b, ldb, kc)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("kc=%d: p[%d] = %v, want %v", kc, i, got[i], want[i])
			}
		}
	}
}
