package bench

import (
	"sync"
	"testing"
	"time"

	"github.com/idem-project/idem/asm"
)

// Case is one benchmark: Group is the top-level benchmark name without the
// "Benchmark" prefix (e.g. "PairLJ") and Name the sub-benchmark path
// (e.g. "impl=avx2/n=55/b=1024"). Run is a standard benchmark body.
type Case struct {
	Group string
	Name  string
	Run   func(b *testing.B)
}

// RunGroup runs every case of cases as a sub-benchmark of b; the
// Benchmark* functions in this module are one call to it.
func RunGroup(b *testing.B, cases []Case) {
	for _, c := range cases {
		b.Run(c.Name, c.Run)
	}
}

// FMAPeak measures this core's double-precision FMA peak in GFLOP/s by
// timing the native FMALoop of the fastest implementation on one goroutine.
// It takes about dur and reports the best of several repetitions.
func FMAPeak(dur time.Duration) float64 { return FMAPeakParallel(1, dur) }

// FMAPeakParallel measures the aggregate FMA throughput of workers goroutines
// running FMALoop at once, in GFLOP/s (best of several repetitions).
func FMAPeakParallel(workers int, dur time.Duration) float64 {
	im := asm.Impls()[len(asm.Impls())-1]
	const iters = 1 << 20
	best := 0.0
	deadline := time.Now().Add(dur)
	for rep := 0; rep < 3 || time.Now().Before(deadline); rep++ {
		var wg sync.WaitGroup
		t0 := time.Now()
		for w := 1; w < workers; w++ {
			wg.Go(func() { im.FMALoop(iters) })
		}
		im.FMALoop(iters) // the caller is one of the workers
		wg.Wait()
		el := time.Since(t0).Seconds()
		if g := float64(workers) * im.FMAFlops(iters) / el / 1e9; g > best {
			best = g
		}
	}
	return best
}
