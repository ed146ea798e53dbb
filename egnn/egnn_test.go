package egnn_test

import (
	"testing"

	"github.com/idem-project/idem/bench"
)

func BenchmarkTrainStep(b *testing.B) { bench.RunGroup(b, bench.EGNNGroup("TrainStep")) }

func BenchmarkSample(b *testing.B) { bench.RunGroup(b, bench.EGNNGroup("Sample")) }
