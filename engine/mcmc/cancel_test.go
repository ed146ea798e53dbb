package mcmc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/idem-project/idem/engine/mcmc"
	"github.com/idem-project/idem/lj"
)

// TestContextStops cancels from the progress callback and requires both
// samplers to stop with the context's cause.
func TestContextStops(t *testing.T) {
	p, err := lj.NewDW(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("stop here")
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	calls := 0
	progress := func(done, total int) {
		calls++
		if calls == 1 {
			cancel(cause)
		}
	}
	_, err = mcmc.Run(mcmc.Config{Target: p, Chains: 64, Seed: 1, Step: 0.5, Steps: 100000, Init: mcmc.InitUniform, InitScale: 3,
		Ladder: mcmc.UniformLadder(5), WarmSteps: 100000, Progress: progress, Context: ctx})
	if !errors.Is(err, cause) {
		t.Errorf("Run: %v, want the cause", err)
	}
	calls = 0
	_, err = mcmc.ImportanceResample(mcmc.ImportanceConfig{Target: p, HalfWidth: 7.5, Proposals: 1 << 24, N: 10, Seed: 1,
		Progress: progress, Context: ctx})
	if !errors.Is(err, cause) || calls != 1 {
		t.Errorf("ImportanceResample: %v after %d rounds, want the cause after 1", err, calls)
	}
}
