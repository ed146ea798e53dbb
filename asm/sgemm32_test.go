package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sgemmShapes are the EGNN's float32 products for LJ-13 (F = 128, 4
// configurations per chunk: E = 624 edge rows, 52 node rows) and DW-4, in
// Sgemm's terms: the forward C += A·Wᵀ, the input gradient and the weight
// gradient (A transposed, depth = rows).
var sgemmShapes = []struct {
	name    string
	m, n, k int
	trans   bool
}{
	{"edge-fwd", 624, 128, 128, false},
	{"node-fwd-2F", 52, 128, 256, false},
	{"node-fwd", 52, 256, 128, false},
	{"edge-dW", 128, 128, 624, true},
	{"node-dW-2F", 128, 256, 52, true},
	{"dw4-edge-fwd", 1536, 128, 128, false},
	{"odd", 37, 45, 77, false},
	{"odd-trans", 29, 70, 33, true},
}

// TestSgemmVsGeneric: every implementation and both tiled drivers against
// the generic oracle at the EGNN's shapes, within k·2⁻²² of Σ|terms| per
// element (both differ from the exact sum by at most k·2⁻²⁴·Σ|terms|).
func TestSgemmVsGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sh := range sgemmShapes {
		lda, rsA, csA, aRows := sh.k, sh.k, 1, sh.m
		if sh.trans {
			lda, rsA, csA, aRows = sh.m, 1, sh.m, sh.k
		}
		a := make([]float32, aRows*lda)
		b := make([]float32, sh.k*sh.n)
		c0 := make([]float32, sh.m*sh.n)
		for _, s := range [][]float32{a, b, c0} {
			for i := range s {
				s[i] = float32(rng.NormFloat64())
			}
		}
		want := append([]float32(nil), c0...)
		sgemmGeneric(sh.m, sh.n, sh.k, a, rsA, csA, b, sh.n, want, sh.n)
		scale := make([]float64, len(c0))
		for i := 0; i < sh.m; i++ {
			for j := 0; j < sh.n; j++ {
				s := math.Abs(float64(c0[i*sh.n+j]))
				for p := 0; p < sh.k; p++ {
					s += math.Abs(float64(a[i*rsA+p*csA]) * float64(b[p*sh.n+j]))
				}
				scale[i*sh.n+j] = s
			}
		}
		for name, gemm := range sgemmImpls() {
			c := append([]float32(nil), c0...)
			gemm(sh.m, sh.n, sh.k, a, rsA, csA, b, sh.n, c, sh.n)
			for i := range c {
				if d := math.Abs(float64(c[i] - want[i])); !(d <= float64(sh.k+1)*0x1p-22*scale[i]) {
					t.Fatalf("impl=%s/shape=%s: C[%d] = %v, generic %v", name, sh.name, i, c[i], want[i])
				}
			}
		}
	}
}

// TestSgemmTile32: the 12×32 tile kernel alone, including depth 0 (which
// the driver never passes), against its plain-Go twin with general
// strides, inside sentinel guards.
func TestSgemmTile32(t *testing.T) {
	requireImpl(t, "avx512")
	rng := rand.New(rand.NewPCG(9, 10))
	sent := math.Float32frombits(0x7fc0_beef)
	for _, k := range []int{0, 1, 2, 5, 64, 129, 300} {
		for _, st := range [][2]int{{k + 3, 1}, {1, 13}, {3, 37}} {
			rsA, csA := st[0], st[1]
			const ldc, guard = 35, 7
			a := make([]float32, 11*rsA+max(k-1, 0)*csA+1)
			p := make([]float32, max(k, 1)*sgemmNR32)
			cf := make([]float32, guard+11*ldc+sgemmNR32+guard)
			for _, s := range [][]float32{a, p} {
				for i := range s {
					s[i] = float32(2*rng.Float64() - 1)
				}
			}
			for i := range cf {
				cf[i] = sent
			}
			c := cf[guard : len(cf)-guard]
			for i := 0; i < sgemmMR32; i++ {
				for j := 0; j < sgemmNR32; j++ {
					c[i*ldc+j] = float32(2*rng.Float64() - 1)
				}
			}
			want := append([]float32(nil), cf...)
			sgemmTile32(true, k, a, rsA, csA, p, c, ldc)
			sgemmKernel32Generic(k, a, rsA, csA, p, want[guard:len(want)-guard], ldc)
			for i := range cf {
				if math.IsNaN(float64(want[i])) {
					if math.Float32bits(cf[i]) != math.Float32bits(sent) {
						t.Fatalf("k=%d/rsA=%d/csA=%d: element %d outside the tile overwritten", k, rsA, csA, i)
					}
					continue
				}
				if d := math.Abs(float64(cf[i] - want[i])); !(d <= float64(k+1)*0x1p-22) || (k == 0 && cf[i] != want[i]) {
					t.Fatalf("k=%d/rsA=%d/csA=%d: c[%d] = %v, want %v", k, rsA, csA, i, cf[i], want[i])
				}
			}
		}
	}
}

// TestSgemmPack32: the packing loop copies exactly kc rows of 32.
func TestSgemmPack32(t *testing.T) {
	requireImpl(t, "avx512")
	const ldb = 45
	for _, kc := range []int{0, 1, 2, 7, sgemmKC32} {
		b := make([]float32, max(kc-1, 0)*ldb+sgemmNR32)
		for i := range b {
			b[i] = float32(i)
		}
		got := make([]float32, (kc+1)*sgemmNR32)
		want := make([]float32, len(got))
		for i := range got {
			got[i], want[i] = -1, -1
		}
		sgemmPack32(true, got, b, ldb, kc)
		sgemmPack32Generic(want, b, ldb, kc)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("kc=%d: p[%d] = %v, want %v", kc, i, got[i], want[i])
			}
		}
	}
}

// TestSgemmAllocs: no implementation allocates, at the EGNN's shapes.
func TestSgemmAllocs(t *testing.T) {
	a := make([]float32, 624*128)
	b := make([]float32, 128*128)
	c := make([]float32, 624*128)
	for _, im := range Impls() {
		for _, tr := range []bool{false, true} {
			n := testing.AllocsPerRun(3, func() {
				if tr {
					im.Sgemm(128, 128, 624, a, 1, 128, a, 128, b, 128)
				} else {
					im.Sgemm(624, 128, 128, a, 128, 1, b, 128, c, 128)
				}
			})
			if n != 0 {
				t.Errorf("%s: %v allocations per Sgemm (trans %v)", fmt.Sprint(im), n, tr)
			}
		}
	}
}
