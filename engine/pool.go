package engine

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Pool fans work out over a fixed number of workers. The calling goroutine
// is worker 0; workers 1…W−1 are goroutines started on the first parallel
// For and kept for later calls, so For allocates nothing in steady state.
// Close stops them (they are also stopped when the Pool becomes
// unreachable). A Pool is used by one caller at a time; For is not
// reentrant.
type Pool struct {
	in *poolState
}

type poolState struct {
	workers int
	once    sync.Once
	wake    []chan struct{} // per helper worker
	done    chan struct{}
	closed  atomic.Bool

	// The current job, written by For before waking the helpers.
	fn     func(w, lo, hi int)
	n      int
	grain  int
	chunks int64
	next   atomic.Int64
	failed atomic.Pointer[workerPanic]
}

type workerPanic struct {
	worker int
	value  any
}

// NewPool returns a pool with the given number of workers; workers <= 0
// means runtime.GOMAXPROCS(0).
func NewPool(workers int) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &Pool{in: &poolState{workers: workers}}
	runtime.AddCleanup(p, func(s *poolState) { s.close() }, p.in)
	return p
}

// Workers reports the number of workers.
func (p *Pool) Workers() int { return p.in.workers }

// Close stops the helper goroutines. The pool must not be used afterwards.
func (p *Pool) Close() { p.in.close() }

func (s *poolState) close() {
	if s.closed.Swap(true) {
		return
	}
	for _, c := range s.wake {
		close(c)
	}
}

func (s *poolState) start() {
	s.wake = make([]chan struct{}, s.workers-1)
	s.done = make(chan struct{}, s.workers)
	for i := range s.wake {
		s.wake[i] = make(chan struct{}, 1)
		go func(w int, wake <-chan struct{}) {
			for range wake {
				s.run(w)
				s.done <- struct{}{}
			}
		}(i+1, s.wake[i])
	}
}

// run claims chunks until none are left.
func (s *poolState) run(w int) {
	defer func() {
		if r := recover(); r != nil {
			s.failed.CompareAndSwap(nil, &workerPanic{w, r})
			s.next.Store(s.chunks) // stop the others early
		}
	}()
	for {
		c := s.next.Add(1) - 1
		if c >= s.chunks {
			return
		}
		lo := int(c) * s.grain
		s.fn(w, lo, min(lo+s.grain, s.n))
	}
}

// For splits [0, n) into contiguous chunks of grain items (the last may be
// shorter) and calls fn(w, lo, hi) for each, where w ∈ [0, Workers)
// identifies the worker running it and may index per-worker scratch. Chunk
// boundaries depend only on n and grain, never on the worker count or on
// which worker runs a chunk, so results written per chunk are bit-identical
// for any Workers. A panic in fn is re-raised in the caller after all
// workers have stopped.
func (p *Pool) For(n, grain int, fn func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := (n + grain - 1) / grain
	s := p.in
	helpers := min(s.workers, chunks) - 1
	if helpers <= 0 {
		for c := 0; c < chunks; c++ {
			lo := c * grain
			fn(0, lo, min(lo+grain, n))
		}
		return
	}
	if s.closed.Load() {
		panic("engine: Pool used after Close")
	}
	s.once.Do(s.start)
	s.fn, s.n, s.grain, s.chunks = fn, n, grain, int64(chunks)
	s.next.Store(0)
	s.failed.Store(nil)
	for i := 0; i < helpers; i++ {
		s.wake[i] <- struct{}{}
	}
	s.run(0)
	for i := 0; i < helpers; i++ {
		<-s.done
	}
	s.fn = nil
	if f := s.failed.Load(); f != nil {
		panic(fmt.Errorf("engine: worker %d panicked: %v", f.worker, f.value))
	}
}
