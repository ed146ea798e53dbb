package engine

import (
	"strings"
	"sync/atomic"
	"testing"
)

func TestPoolCoversEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		p := NewPool(workers)
		for _, n := range []int{0, 1, 7, 64, 1001} {
			for _, grain := range []int{0, 1, 3, 64, 5000} {
				hits := make([]int32, n)
				p.For(n, grain, func(w, lo, hi int) {
					if w < 0 || w >= workers {
						t.Errorf("worker id %d out of range", w)
					}
					if g := max(grain, 1); lo%g != 0 || (hi-lo != g && hi != n) {
						t.Errorf("chunk [%d,%d) does not follow grain %d", lo, hi, g)
					}
					for i := lo; i < hi; i++ {
						atomic.AddInt32(&hits[i], 1)
					}
				})
				for i, h := range hits {
					if h != 1 {
						t.Fatalf("workers=%d n=%d grain=%d: index %d hit %d times", workers, n, grain, i, h)
					}
				}
			}
		}
		p.Close()
	}
}

func TestPoolReraisesPanic(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(error).Error(), "boom") {
			t.Fatalf("want re-raised panic, got %v", r)
		}
		// The pool still works afterwards.
		var sum atomic.Int64
		p.For(100, 1, func(w, lo, hi int) { sum.Add(int64(hi - lo)) })
		if sum.Load() != 100 {
			t.Fatalf("pool broken after panic: %d", sum.Load())
		}
	}()
	p.For(100, 1, func(w, lo, hi int) {
		if lo == 57 {
			panic("boom")
		}
	})
}

func TestPoolForDoesNotAllocate(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	out := make([]float64, 1024)
	fn := func(w, lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] += float64(i)
		}
	}
	p.For(len(out), 16, fn)
	if a := testing.AllocsPerRun(100, func() { p.For(len(out), 16, fn) }); a != 0 {
		t.Fatalf("For allocates %v times per call", a)
	}
}
