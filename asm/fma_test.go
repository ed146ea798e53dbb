package asm_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// TestFMALoopAgainstGeneric checks every implementation's FMALoop against
// the Go reference of its width, bit for bit, for iteration counts around
// the native kernels' unroll factors (so that their tails in Go are
// exercised too); the generic one is the 4-lane reference.
func TestFMALoopAgainstGeneric(t *testing.T) {
	iters := []int{0, 1, 2, 3, 5, 6, 7, 8, 13, 14, 15, 41, 42, 43, 100, 1000, 12345, 100003}
	if g := asm.Generic(); g.FMALanes() != 4 || g.FMALoop(1000) != asm.FMALoopRef(1000, 4) {
		t.Fatalf("generic FMALoop: %d lanes", g.FMALanes())
	}
	for _, im := range asmtest.Impls(t) {
		for _, it := range iters {
			t.Run("impl="+im.Name()+"/iters="+strconv.Itoa(it), func(t *testing.T) {
				got, want := im.FMALoop(it), asm.FMALoopRef(it, im.FMALanes())
				if math.IsNaN(got) || got != want {
					t.Fatalf("FMALoop(%d) = %.17g, the %d-lane reference %.17g", it, got, im.FMALanes(), want)
				}
			})
		}
	}
}

// TestFMAFlops pins the flop counts that benchmarks report, and the lane
// counts of the loops: ZMM registers where the implementation has AVX-512.
func TestFMAFlops(t *testing.T) {
	for _, im := range asmtest.Impls(t) {
		lanes := 4
		if im.Name() == "avx512" || im.Name() == "amx" {
			lanes = 8
		}
		if im.FMALanes() != lanes || im.FMALanesF32() != 2*lanes {
			t.Fatalf("impl=%s: FMALanes %d, FMALanesF32 %d, want %d, %d", im.Name(), im.FMALanes(), im.FMALanesF32(), lanes, 2*lanes)
		}
		if got := im.FMAFlops(10); got != 2*10*asm.FMAAccumulators*float64(lanes) {
			t.Fatalf("impl=%s: FMAFlops(10) = %v", im.Name(), got)
		}
		if got := im.FMAFlopsF32(10); got != 2*10*asm.FMAAccumulators*float64(2*lanes) {
			t.Fatalf("impl=%s: FMAFlopsF32(10) = %v", im.Name(), got)
		}
	}
}
