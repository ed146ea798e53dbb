package asm_test

import (
	"testing"

	"github.com/idem-project/idem/bench"
)

func BenchmarkPairLJ(b *testing.B) { bench.RunGroup(b, bench.PairLJCases()) }
func BenchmarkPairDW(b *testing.B) { bench.RunGroup(b, bench.PairDWCases()) }
