package bench

import (
	"testing"

	"github.com/idem-project/idem/asm"
)

// TestTrainStepAllocs requires a steady-state training step (forward,
// backward, clip, Adam) and a divergence evaluation to allocate nothing with
// one worker. (With several workers engine.Pool itself allocates for its
// goroutines.)
func TestTrainStepAllocs(t *testing.T) {
	for _, im := range asm.Impls() {
		t.Run("impl="+im.Name(), func(t *testing.T) {
			if im.GemmNative() {
				// A partial register tile (7×9) exercises asm.Gemm's edge path.
				a, c := make([]float64, 9*9), make([]float64, 7*9)
				if n := testing.AllocsPerRun(3, func() { im.Gemm(7, 9, 9, a, 9, 1, a, 9, c, 9) }); n != 0 {
					t.Skipf("asm.Gemm itself allocates %v times per call on edge tiles; fix asm before requiring zero here", n)
				}
			}
			testAllocs(t, im)
		})
	}
}

func testAllocs(t *testing.T, im *asm.Impl) {
	tr := NewMLPTrainer(130, 1)
	tr.Model.SetImpl(im)
	tr.Step()
	if a := testing.AllocsPerRun(5, tr.Step); a != 0 {
		t.Errorf("training step: %v allocations per run, want 0", a)
	}
	div := make([]float64, len(tr.T))
	tr.Model.Divergence(tr.X, tr.T, tr.Out, div)
	if a := testing.AllocsPerRun(5, func() { tr.Model.Divergence(tr.X, tr.T, tr.Out, div) }); a != 0 {
		t.Errorf("divergence: %v allocations per run, want 0", a)
	}
	gx := make([]float64, len(tr.X))
	tr.Model.Forward(tr.X, tr.T, tr.Out)
	tr.Model.Backward(tr.GOut, gx)
	if a := testing.AllocsPerRun(5, func() { tr.Model.Forward(tr.X, tr.T, tr.Out); tr.Model.Backward(tr.GOut, gx) }); a != 0 {
		t.Errorf("forward+backward with input gradient: %v allocations per run, want 0", a)
	}
}

// TestTrainStepLearns checks that repeated steps on a fixed batch reduce
// the loss (an end-to-end check of forward, backward, clip and Adam).
func TestTrainStepLearns(t *testing.T) {
	tr := NewMLPTrainer(64, 2)
	tr.Step()
	first := tr.LastLoss
	for range 60 {
		tr.Step()
	}
	if tr.LastLoss > 0.7*first {
		t.Errorf("loss %v after 60 steps, started at %v", tr.LastLoss, first)
	}
}
