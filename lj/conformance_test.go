package lj

import (
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/engine/enginetest"
)

func TestConformance(t *testing.T) {
	for _, p := range targets(t) {
		t.Run(p.Name()+"/impl="+p.Impl().Name(), func(t *testing.T) {
			enginetest.TestTarget(t, p, func(rng *rand.Rand) []float64 {
				return randomConfig(rng, p)
			})
		})
	}
}
