package asm_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// BenchmarkAVX512Kernels compares, kernel by kernel, avx2, avx512 as wired
// and every AVX-512 kernel whether avx512 uses it or not ("avx512+nr": the
// pair kernels with Newton-refined VRCP14PD/VRSQRT14PD, "avx512+div": with
// division and square root; both with the AVX-512 ExpWeights, Perturb and
// LaneAxpy), at the estimator's sizes: LJ-13, LJ-55 and DW-4 pair blocks,
// K = 1000 weights, LaneAxpy over 250 blocks, Perturb of one block.
func BenchmarkAVX512Kernels(b *testing.B) {
	ims := []*asm.Impl{asmtest.Require(b, "avx2"), asmtest.Require(b, "avx512")}
	ims = append(ims, asm.AVX512Kernels()...)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, im := range ims {
		for _, sz := range []struct {
			k    pairKernel
			n, b int
		}{{pairKernels[0], 13, 1000}, {pairKernels[0], 55, 1000}, {pairKernels[1], 4, 1000}, {pairKernels[2], 13, 1000}} {
			k := sz.k
			rows := make([]float64, sz.b*sz.n*k.dim)
			asmtest.Lattice(rng, rows, sz.n, k.dim, sz.b, k.spacing(), 0.2)
			x := make([]float64, asm.Len(sz.n, k.dim, sz.b))
			asm.Pack(x, rows, sz.n, k.dim, sz.b)
			e, f := make([]float64, sz.b), make([]float64, len(x))
			b.Run(fmt.Sprintf("kernel=%s/impl=%s/n=%d/b=%d", k.name, im.Name(), sz.n, sz.b), func(b *testing.B) {
				for b.Loop() {
					k.run(im, e, f, x, sz.n, sz.b)
				}
				b.ReportMetric(float64(sz.n*(sz.n-1)/2*sz.b*b.N)/b.Elapsed().Seconds()/1e9, "pairs/ns")
			})
		}
		{
			const K = 1000
			e, w := make([]float64, K), make([]float64, K)
			for i := range e {
				e[i] = 50 * rng.Float64()
			}
			b.Run("kernel=ExpWeights/impl="+im.Name()+"/n=1000", func(b *testing.B) {
				for b.Loop() {
					im.ExpWeights(w, e, 0)
				}
			})
		}
		for _, d := range []int{2, 8, 39, 165} {
			xs := make([]float64, d)
			dst := make([]float64, asm.Lanes*d)
			st := randomState(rng)
			b.Run(fmt.Sprintf("kernel=Perturb/impl=%s/d=%d", im.Name(), d), func(b *testing.B) {
				for b.Loop() {
					im.Perturb(dst, xs, 1, st)
				}
			})
		}
		for _, d := range []int{8, 39, 165} {
			const blocks = 250
			acc, w, f := make([]float64, d*asm.Lanes), make([]float64, blocks*asm.Lanes), make([]float64, blocks*d*asm.Lanes)
			for i := range f {
				f[i] = rng.NormFloat64()
			}
			b.Run(fmt.Sprintf("kernel=LaneAxpy/impl=%s/d=%d/blocks=%d", im.Name(), d, blocks), func(b *testing.B) {
				for b.Loop() {
					im.LaneAxpy(acc, w, f, d, blocks)
				}
			})
		}
	}
}
