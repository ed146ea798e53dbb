package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/engine/preset"
	"github.com/idem-project/idem/sde"
)

// ScoreTarget is one estimator benchmark setting: the SPEC §6.1 K, batch,
// schedule and clipping of a target, read from engine/preset.
type ScoreTarget struct {
	Name             string
	K, B             int
	SigmaMin, Sigmax float64
	Clip             mcscore.ClipMode
	M                float64
	// New builds the target with its kernels pinned to im (nil: the
	// default implementation).
	New func(im *asm.Impl) (engine.Target, error)
	// Point draws a typical training point (row-major).
	Point func(rng *rand.Rand, tg engine.Target) []float64
}

// ScoreTargets returns the paper preset's K and batch per target.
func ScoreTargets() []ScoreTarget {
	points := map[string]func(rng *rand.Rand, tg engine.Target) []float64{
		"gmm40": func(rng *rand.Rand, _ engine.Target) []float64 {
			k := rng.IntN(gmm.Components)
			x, y := gmm.Mean(k)
			return []float64{(x + rng.NormFloat64()) / 50, (y + rng.NormFloat64()) / 50}
		},
		"dw4":  func(rng *rand.Rand, tg engine.Target) []float64 { return jittered(rng, tg, 3.5) },
		"lj13": func(rng *rand.Rand, tg engine.Target) []float64 { return jittered(rng, tg, 1.1) },
		"lj55": func(rng *rand.Rand, tg engine.Target) []float64 { return jittered(rng, tg, 1.1) },
	}
	var out []ScoreTarget
	for _, name := range preset.Targets() {
		p, err := preset.Paper(name)
		if err != nil {
			panic(err) // every listed target has a preset
		}
		out = append(out, ScoreTarget{name, p.K, p.Batch, p.SigmaMin, p.SigmaMax, p.Clip, p.M, p.NewTargetImpl, points[name]})
	}
	return out
}

func jittered(rng *rand.Rand, tg engine.Target, spacing float64) []float64 {
	n, sp := tg.Shape()
	x := make([]float64, n*sp)
	latticeRows(rng, x, n, sp, 1, spacing)
	engine.Centre(x, n, sp, 1)
	return x
}

// MCScoreCase benchmarks one estimator call per iteration (B points, t ~
// U[0,1) per point, the target's schedule) with the given workers.
func MCScoreCase(st ScoreTarget, workers int) Case {
	return Case{
		Group: "MCScore",
		Name:  fmt.Sprintf("target=%s/K=%d/B=%d/workers=%d", st.Name, st.K, st.B, workers),
		Run:   mcscoreRun(st, workers, nil),
	}
}

// MCScoreImplCases returns group "MCScoreImpl": the cases of MCScoreCases
// once per native implementation (asm.Impls but generic), with the target's
// energy and force kernels and the estimator's perturbations, weights and
// lane sums pinned to it, so that one `go test -bench` run compares them
// interleaved (-count).
func MCScoreImplCases() []Case {
	var out []Case
	for _, st := range ScoreTargets() {
		for _, w := range []int{1, 2} {
			for _, im := range asm.Impls() {
				if im == asm.Generic() {
					continue
				}
				out = append(out, Case{
					Group: "MCScoreImpl",
					Name:  fmt.Sprintf("impl=%s/target=%s/K=%d/B=%d/workers=%d", im.Name(), st.Name, st.K, st.B, w),
					Run:   mcscoreRun(st, w, im),
				})
			}
		}
	}
	return out
}

// mcscoreRun is the body of the MCScore cases; a nil im leaves the target
// and the estimator on asm.Default.
func mcscoreRun(st ScoreTarget, workers int, im *asm.Impl) func(b *testing.B) {
	return func(b *testing.B) {
		tg, err := st.New(im)
		if err != nil {
			b.Fatal(err)
		}
		sched, err := sde.NewGeometric(st.SigmaMin, st.Sigmax)
		if err != nil {
			b.Fatal(err)
		}
		pool := engine.NewPool(workers)
		defer pool.Close()
		est, err := mcscore.New(tg, mcscore.Config{K: st.K, Clip: st.Clip, M: st.M, Seed: 1, Impl: im}, pool, st.B)
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		d := tg.Dim()
		x := make([]float64, 0, st.B*d)
		h := make([]float64, st.B)
		for i := 0; i < st.B; i++ {
			x = append(x, st.Point(rng, tg)...)
			h[i] = sched.H(rng.Float64())
		}
		out := make([]float64, st.B*d)
		b.ReportAllocs()
		step := uint64(0)
		for b.Loop() {
			step++
			if err := est.Estimate(out, x, h, st.B, step); err != nil {
				b.Fatal(err)
			}
		}
		sec := b.Elapsed().Seconds()
		b.ReportMetric(float64(st.B)*float64(b.N)/sec, "points/s")
		b.ReportMetric(float64(st.B)*float64(st.K)*float64(b.N)/sec, "evals/s")
	}
}

// MCScoreCases returns every target with 1 and 2 workers.
func MCScoreCases() []Case {
	var out []Case
	for _, st := range ScoreTargets() {
		for _, w := range []int{1, 2} {
			out = append(out, MCScoreCase(st, w))
		}
	}
	return out
}
