package train

import (
	"context"
	"math"
	"slices"
	"testing"
)

// TestMCBelow: Tau = 0 leaves the samples the network's (the SDE grid never
// reaches t = 0); Tau = 1 never calls the network, so the samples do not
// depend on its parameters; a Tau in between differs from both. The
// clipping norm reaches the estimator, the same bits come with 1 and 2
// workers, nil restores the network, and bad settings are refused.
func TestMCBelow(t *testing.T) {
	p := tinyDW4()
	ctx := context.Background()
	sample := func(tr *Trainer, c *MCBelow) []float64 {
		t.Helper()
		if err := tr.SetMCBelow(c); err != nil {
			t.Fatal(err)
		}
		x, err := tr.Sample(ctx, 40, 3, nil)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tr := newTrainer(t, p, DataFree, 2)
	plain := sample(tr, nil)
	if got := sample(tr, &MCBelow{Tau: 0}); !slices.Equal(got, plain) {
		t.Fatal("Tau = 0 changed the samples")
	}
	mc := sample(tr, &MCBelow{Tau: 1, K: 64})
	half := sample(tr, &MCBelow{Tau: 0.5, K: 64})
	if slices.Equal(mc, plain) || slices.Equal(half, plain) || slices.Equal(half, mc) {
		t.Fatal("Tau = 0.5 or 1 gave the network's samples, or the same as each other")
	}
	if got := sample(tr, &MCBelow{Tau: 0.5, K: 64, M: 1e-3}); slices.Equal(got, half) {
		t.Fatal("the clipping norm did not reach the estimator")
	}
	unclipped := sample(tr, &MCBelow{Tau: 0.5, K: 64, M: math.Inf(1)})
	if slices.Equal(unclipped, half) {
		t.Fatal("M = +Inf still clipped")
	}
	// Tau = 1: the network's parameters do not matter.
	ps := tr.Params().Data
	saved := slices.Clone(ps)
	for i := range ps {
		ps[i] *= 1.5
	}
	if got := sample(tr, &MCBelow{Tau: 1, K: 64}); !slices.Equal(got, mc) {
		t.Fatal("Tau = 1 samples depend on the network")
	}
	if got := sample(tr, nil); slices.Equal(got, plain) {
		t.Fatal("scaled parameters gave the same network samples")
	}
	copy(ps, saved)
	if got := sample(tr, nil); !slices.Equal(got, plain) {
		t.Fatal("nil did not restore the network")
	}
	one := newTrainer(t, p, DataFree, 1)
	if got := sample(one, &MCBelow{Tau: 0.5, K: 64, M: math.Inf(1)}); !slices.Equal(got, unclipped) {
		t.Fatal("1 and 2 workers differ")
	}
	for _, c := range []MCBelow{{Tau: -0.1}, {Tau: 1.5}, {Tau: math.NaN()}, {Tau: 0.5, K: -1}, {Tau: 0.5, M: -1}, {Tau: 0.5, M: math.NaN()}} {
		if err := tr.SetMCBelow(&c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}
