package metrics

import (
	"fmt"
	"testing"

	"github.com/idem-project/idem/engine"
)

// randomSet returns n Gaussian samples of dimension dim from a seeded stream.
func randomSet(n, dim int, seed uint64) Set {
	st := engine.NewStream(seed, 1)
	x := make([]float64, n*dim)
	st.FillNorm(x)
	return Set{Data: x, Dim: dim}
}

// BenchmarkXW2 times x_w2 between random sets of the LJ-55 shape
// (d = 165), cost matrix included.
func BenchmarkXW2(b *testing.B) {
	for _, n := range []int{250, 1000} {
		b.Run(fmt.Sprintf("n=%d/d=165", n), func(b *testing.B) {
			x, y := randomSet(n, 165, 1), randomSet(n, 165, 2)
			p := engine.NewPool(0)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := XW2(x, y, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkXAligned times x_w2_aligned and x_w1_aligned (one shared cost
// matrix of n² alignments) at the LJ-13 shape.
func BenchmarkXAligned(b *testing.B) {
	for _, n := range []int{100, 250} {
		b.Run(fmt.Sprintf("n=%d/N=13/D=3", n), func(b *testing.B) {
			x, y := randomSet(n, 39, 1), randomSet(n, 39, 2)
			p := engine.NewPool(0)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := XAligned(x, y, 3, p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n*n), "ns/alignment")
		})
	}
}

// BenchmarkAssign times the assignment solver alone on a 1000×1000 squared
// distance matrix at d = 165.
func BenchmarkAssign(b *testing.B) {
	n := 1000
	c, err := SqDist(randomSet(n, 165, 1), randomSet(n, 165, 2), engine.NewPool(0))
	if err != nil {
		b.Fatal(err)
	}
	var as Assigner
	perm := make([]int, n)
	for b.Loop() {
		as.Solve(c, n, perm)
	}
}
