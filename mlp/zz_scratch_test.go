package mlp

import (
	"fmt"
	"testing"
	"time"

	"github.com/idem-project/idem/bench"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func TestScratchPeak(t *testing.T) {
	fmt.Println("peak", bench.FMAPeak(300*time.Millisecond))
	impl := gonum.Implementation{}
	for _, s := range [][3]int{{512, 128, 384}, {512, 128, 128}} {
		m, n, k := s[0], s[1], s[2]
		a := make([]float64, m*k)
		b := make([]float64, n*k)
		c := make([]float64, m*n)
		for i := range a {
			a[i] = float64(i%7) - 3
		}
		for i := range b {
			b[i] = float64(i%5) - 2
		}
		for _, tb := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			ldb := n
			if tb == blas.Trans {
				ldb = k
			}
			for _, mode := range []string{"whole", "tiled64"} {
				best := 1e9
				for rep := 0; rep < 5; rep++ {
					t0 := time.Now()
					if mode == "whole" {
						impl.Dgemm(blas.NoTrans, tb, m, n, k, 1, a, k, b, ldb, 0, c, n)
					} else {
						for i := 0; i < m; i += 64 {
							impl.Dgemm(blas.NoTrans, tb, 64, n, k, 1, a[i*k:], k, b, ldb, 0, c[i*n:], n)
						}
					}
					if e := time.Since(t0).Seconds(); e < best {
						best = e
					}
				}
				fmt.Printf("m=%d n=%d k=%d tb=%v %s: %.2f GFLOP/s\n", m, n, k, tb, mode, 2*float64(m*n*k)/best/1e9)
			}
		}
	}
}
