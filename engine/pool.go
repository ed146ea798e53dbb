package engine

import (
	"fmt"
	"runtime"
	"sync"
)

// Pool fans work out over a fixed number of workers. It holds no goroutines
// between calls; each For call starts at most Workers goroutines and joins
// them. A Pool is safe for use by one caller at a time.
type Pool struct {
	workers int
}

// NewPool returns a pool with the given number of workers; workers <= 0
// means runtime.GOMAXPROCS(0).
func NewPool(workers int) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Pool{workers: workers}
}

// Workers reports the number of workers.
func (p *Pool) Workers() int { return p.workers }

// For splits [0, n) into contiguous chunks of at least grain items (the last
// may be shorter) and calls fn(w, lo, hi) for each, where w ∈ [0, Workers)
// identifies the worker running it and may index per-worker scratch. Chunk
// boundaries depend only on n and grain, never on the worker count, so any
// reduction done per chunk in index order is bit-identical for any Workers.
// A panic in fn is re-raised in the caller after all workers have stopped.
func (p *Pool) For(n, grain int, fn func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := (n + grain - 1) / grain
	workers := min(p.workers, chunks)
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			lo := c * grain
			fn(0, lo, min(lo+grain, n))
		}
		return
	}
	p.forParallel(workers, chunks, n, grain, fn)
}

// forParallel is For with several workers; it is a separate function so that
// the one-worker path allocates nothing.
func (p *Pool) forParallel(workers, chunks, n, grain int, fn func(w, lo, hi int)) {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		next   int
		failed any
	)
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					if failed == nil {
						failed = fmt.Errorf("engine: worker %d panicked: %v", w, r)
					}
					next = chunks
					mu.Unlock()
				}
			}()
			for {
				mu.Lock()
				c := next
				next++
				mu.Unlock()
				if c >= chunks {
					return
				}
				lo := c * grain
				fn(w, lo, min(lo+grain, n))
			}
		})
	}
	wg.Wait()
	if failed != nil {
		panic(failed)
	}
}
