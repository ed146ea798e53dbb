package bench

import "testing"

// The benchmark functions of every package live here, so that no package's
// tests import bench; `go test -bench . ./bench` and cmd/idem-bench run the
// same cases.

func BenchmarkPairLJ(b *testing.B)      { RunGroup(b, PairLJCases()) }
func BenchmarkPairDW(b *testing.B)      { RunGroup(b, PairDWCases()) }
func BenchmarkMCScore(b *testing.B)     { RunGroup(b, MCScoreCases()) }
func BenchmarkMCScoreImpl(b *testing.B) { RunGroup(b, MCScoreImplCases()) }
func BenchmarkMLP(b *testing.B)         { RunGroup(b, MLPCases()) }
func BenchmarkEGNN(b *testing.B)        { RunGroup(b, EGNNCases()) }
func BenchmarkSgemm(b *testing.B)       { RunGroup(b, SgemmCases()) }
func BenchmarkEGNNImpl(b *testing.B)    { RunGroup(b, EGNNImplCases()) }
func BenchmarkTrain(b *testing.B)       { RunGroup(b, TrainCases()) }
func BenchmarkFlow(b *testing.B)        { RunGroup(b, FlowCases()) }
