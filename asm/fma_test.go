package asm_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// TestFMALoopAgainstGeneric checks every implementation's FMALoop against
// the generic one, for iteration counts around the native kernels' unroll
// factors (so that their tails in Go are exercised too).
func TestFMALoopAgainstGeneric(t *testing.T) {
	iters := []int{0, 1, 2, 3, 5, 6, 7, 8, 13, 14, 15, 41, 42, 43, 100, 1000, 12345, 100003}
	for _, im := range asmtest.Impls(t) {
		for _, it := range iters {
			t.Run("impl="+im.Name()+"/iters="+strconv.Itoa(it), func(t *testing.T) {
				got, want := im.FMALoop(it), asm.Generic().FMALoop(it)
				if math.IsNaN(got) || math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Fatalf("FMALoop(%d) = %.17g, generic %.17g", it, got, want)
				}
			})
		}
	}
}

// TestFMAFlops pins the flop count that benchmarks report.
func TestFMAFlops(t *testing.T) {
	if got := asm.FMAFlops(10); got != 2*10*asm.FMAAccumulators*asm.FMAWidth {
		t.Fatalf("FMAFlops(10) = %v", got)
	}
}
