package mlp

import (
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// cpuClock reads a Linux CPU-time clock (2: the process, 3: the calling
// thread) with nanosecond resolution.
func cpuClock(id uintptr) time.Duration {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, id, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// TestCriticalPath reports, for forward + backward of the GMM network at
// B = 512 on two workers, each worker's thread CPU per phase and the
// critical path Σ_phase max_worker: the time two free cores would take.
// It measures balance on a machine whose cores are shared with other jobs,
// where wall time cannot show a parallel speed-up. It only logs; run it with
// IDEM_MLP_CRITPATH=1 go test -run CriticalPath -v ./mlp.
func TestCriticalPath(t *testing.T) {
	if os.Getenv("IDEM_MLP_CRITPATH") == "" {
		t.Skip("set IDEM_MLP_CRITPATH=1 to measure")
	}
	r := rand.New(rand.NewPCG(1, 2))
	const b, steps = 512, 100
	x, ts, g := randSlice(r, b*2, 1), randSlice(r, b, 1), randSlice(r, b*2, 1e-3)
	out := make([]float64, b*2)
	m := mustNew(t, GMM(), 1, 2)
	names := []string{"forward rows", "backward rows", "weight-gradient panels", "weight transposes"}
	var busy [4][2]time.Duration
	wrap := func(ph int, f func(w, lo, hi int)) func(w, lo, hi int) {
		return func(w, lo, hi int) {
			runtime.LockOSThread()
			t0 := cpuClock(3)
			f(w, lo, hi)
			busy[ph][w] += cpuClock(3) - t0
			runtime.UnlockOSThread()
		}
	}
	m.fwdFn, m.bwdFn, m.gradFn, m.wtFn = wrap(0, m.fwdFn), wrap(1, m.bwdFn), wrap(2, m.gradFn), wrap(3, m.wtFn)
	m.Forward(x, ts, out)
	m.Backward(g, nil)
	busy = [4][2]time.Duration{}
	c0 := cpuClock(2)
	for range steps {
		m.Params.ZeroGrad()
		m.Forward(x, ts, out)
		m.Backward(g, nil)
	}
	total := (cpuClock(2) - c0) / steps
	var crit, work time.Duration
	for ph, name := range names {
		w0, w1 := busy[ph][0]/steps, busy[ph][1]/steps
		crit += max(w0, w1)
		work += w0 + w1
		t.Logf("%-24s worker 0 %8v  worker 1 %8v", name, w0, w1)
	}
	t.Logf("per forward+backward: process CPU %v, in chunks %v, critical path %v, two-core estimate %v",
		total, work, crit, crit+total-work)
}
