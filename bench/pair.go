package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
)

// PairFlops is the number of floating-point operations counted per LJ pair
// for the FMA-peak fraction (the convention: 23 per pair). The AVX2
// kernel executes 31 when an FMA counts as two (3 sub, 3 FMA for r², 1 div,
// 2 mul for r⁻⁶, sub+FMA for the energy, 4 for the force factor, 6 FMA for
// the two force updates).
const PairFlops = 23

// pairCase builds one pair-kernel benchmark over b jittered-lattice
// configurations of n particles.
func pairCase(group string, im *asm.Impl, n, dim, b int, run func(e, f, x []float64)) Case {
	return Case{
		Group: group,
		Name:  fmt.Sprintf("impl=%s/n=%d/b=%d", im.Name(), n, b),
		Run: func(tb *testing.B) {
			rng := rand.New(rand.NewPCG(uint64(n), uint64(b)))
			rows := make([]float64, b*n*dim)
			spacing := 1.1
			if group == "PairDW" {
				spacing = 3.5
			}
			latticeRows(rng, rows, n, dim, b, spacing)
			x := make([]float64, asm.Len(n, dim, b))
			asm.Pack(x, rows, n, dim, b)
			e, f := make([]float64, b), make([]float64, len(x))
			tb.ReportAllocs()
			for tb.Loop() {
				run(e, f, x)
			}
			pairs := float64(n*(n-1)/2) * float64(b) * float64(tb.N)
			sec := tb.Elapsed().Seconds()
			tb.ReportMetric(pairs/sec/1e9, "pairs/ns")
			tb.ReportMetric(float64(b)*float64(tb.N)/sec, "configs/s")
		},
	}
}

func latticeRows(rng *rand.Rand, dst []float64, n, dim, b int, spacing float64) {
	side := 1
	for pow(side, dim) < n {
		side++
	}
	for c := 0; c < b; c++ {
		perm := rng.Perm(pow(side, dim))
		for i := 0; i < n; i++ {
			cell := perm[i]
			for d := 0; d < dim; d++ {
				dst[(c*n+i)*dim+d] = spacing*float64(cell%side) + 0.2*(2*rng.Float64()-1)
				cell /= side
			}
		}
	}
}

func pow(a, k int) int {
	r := 1
	for ; k > 0; k-- {
		r *= a
	}
	return r
}

// PairSizes are the particle counts and batch sizes benchmarked.
var (
	PairLJSizes = []int{4, 13, 55}
	PairDWSizes = []int{4, 13, 55}
	PairBatches = []int{1024, 4096}
)

// PairLJCases returns the LJ kernel cases for every implementation.
func PairLJCases() []Case {
	var out []Case
	for _, im := range asm.Impls() {
		for _, n := range PairLJSizes {
			for _, b := range PairBatches {
				out = append(out, pairCase("PairLJ", im, n, 3, b, func(e, f, x []float64) { im.PairLJ(e, f, x, n, b, 1) }))
			}
		}
	}
	return out
}

// PairDWCases returns the 2-D double-well kernel cases (DW-4 is 2-D).
func PairDWCases() []Case {
	var out []Case
	for _, im := range asm.Impls() {
		for _, n := range PairDWSizes {
			for _, b := range PairBatches {
				out = append(out, pairCase("PairDW", im, n, 2, b, func(e, f, x []float64) { im.PairDW(e, f, x, n, 2, b) }))
			}
		}
	}
	return out
}
