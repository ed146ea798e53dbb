package asm

import (
	"math"
	"runtime"
	"testing"
)

// tinyProduct returns x·y computed at run time (not folded by the compiler).
//
//go:noinline
func tinyProduct(x, y float32) float32 { return x * y }

// TestSgemmFlushesDenormals: the native SGEMM kernels flush denormal inputs
// and results to zero on amd64 (MXCSR DAZ and FTZ, for speed on Intel
// CPUs), and restore the caller's MXCSR, so Go arithmetic after them still
// produces denormals. The generic and NEON implementations keep them.
func TestSgemmFlushesDenormals(t *testing.T) {
	const m, n, k = 12, 32, 4
	for _, im := range Impls() {
		flush := im.SgemmNative() && runtime.GOARCH == "amd64"
		a, b := make([]float32, m*k), make([]float32, k*n)
		for i := range a {
			a[i] = 0x1p-70
		}
		for i := range b {
			b[i] = 0x1p-60 // each product 2⁻¹³⁰ (denormal); their sum 2⁻¹²⁸
		}
		c := make([]float32, m*n)
		im.Sgemm(m, n, k, a, k, 1, b, n, c, n)
		want := float32(0x1p-128)
		if flush {
			want = 0
		}
		for i, v := range c {
			if v != want {
				t.Fatalf("impl=%s: C[%d] = %g, want %g", im.Name(), i, v, want)
			}
		}
		// A denormal input (2⁻¹³⁰ in A) counts as zero in the native kernels.
		a[0], b[0] = 0x1p-130, 0x1p100
		for i := range a[1:] {
			a[1+i] = 0
		}
		clear(c)
		im.Sgemm(m, n, k, a, k, 1, b, n, c, n)
		want = 0x1p-30
		if flush {
			want = 0
		}
		if c[0] != want {
			t.Fatalf("impl=%s: denormal input: C[0] = %g, want %g", im.Name(), c[0], want)
		}
		if d := tinyProduct(0x1p-120, 0x1p-10); math.Float32bits(d) != 1<<19 { // 2⁻¹³⁰ (a constant: a conversion would flush too)
			t.Fatalf("impl=%s: after Sgemm, Go arithmetic gives %g for 2⁻¹³⁰: the kernel left FTZ on", im.Name(), d)
		}
	}
}
