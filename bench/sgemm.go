package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
)

// sgemmShape is one product of the EGNN, in asm.Sgemm's (and Gemm's) terms.
type sgemmShape struct {
	op      string // AW: C += A·W; AtB: weight gradient, A transposed
	m, n, k int
}

// sgemmShapes: LJ-13 with F = 128 and the float32 workspace's chunk of 4
// configurations (624 edge rows, 52 node rows): the edge forward and input
// gradient (AW, m = 624), the edge weight gradient (AtB, depth 624), the
// node MLP's first layer (2F → F on 52 rows) and its weight gradient; and
// the edge forward over a whole B = 512 batch at once (79,872 rows), the
// shape an unchunked or AMX path would see.
var sgemmShapes = []sgemmShape{
	{"AW", 624, 128, 128},
	{"AtB", 128, 128, 624},
	{"AW", 52, 128, 256},
	{"AtB", 128, 256, 52},
	{"AW", 79872, 128, 128},
}

// SgemmCases returns group "Sgemm": asm.Impl.Sgemm of every native
// implementation and generic at the EGNN's shapes (generic only up to
// 10 MFLOP per call), in GFLOP/s (2mnk flops per call).
func SgemmCases() []Case {
	return gemmCases("Sgemm", func(im *asm.Impl) bool { return im.SgemmNative() }, (*asm.Impl).Sgemm)
}

func gemmCases[T float32 | float64](group string, native func(*asm.Impl) bool,
	gemm func(im *asm.Impl, m, n, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int)) []Case {
	var cs []Case
	for _, sh := range sgemmShapes {
		for _, im := range asm.Impls() {
			if !native(im) && sh.m*sh.n*sh.k > 5e6 {
				continue
			}
			cs = append(cs, Case{
				Group: group,
				Name:  fmt.Sprintf("impl=%s/op=%s/m=%d/n=%d/k=%d", im.Name(), sh.op, sh.m, sh.n, sh.k),
				Run: func(b *testing.B) {
					rng := rand.New(rand.NewPCG(3, 4))
					rows, cols := sh.m, sh.k // A as stored
					if sh.op == "AtB" {
						rows, cols = sh.k, sh.m
					}
					a := make([]T, rows*cols)
					w := make([]T, sh.k*sh.n)
					c := make([]T, sh.m*sh.n)
					for _, s := range [][]T{a, w} {
						for i := range s {
							s[i] = T(rng.Float64())
						}
					}
					b.ReportAllocs()
					for b.Loop() {
						if sh.op == "AtB" {
							gemm(im, sh.m, sh.n, sh.k, a, 1, sh.m, w, sh.n, c, sh.n)
						} else {
							gemm(im, sh.m, sh.n, sh.k, a, sh.k, 1, w, sh.n, c, sh.n)
						}
					}
					b.ReportMetric(2*float64(sh.m*sh.n*sh.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				},
			})
		}
	}
	return cs
}
