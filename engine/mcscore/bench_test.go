package mcscore_test

import (
	"testing"

	"github.com/idem-project/idem/bench"
)

func BenchmarkMCScore(b *testing.B) { bench.RunGroup(b, bench.MCScoreCases()) }
