package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
)

// egnnTarget is one EGNN benchmark shape (SPEC §5.2, §6.1).
type egnnTarget struct {
	name    string
	cfg     egnn.Config
	batch   int // training batch
	sampleB int // sampling batch
}

var egnnTargets = []egnnTarget{
	{"dw4", egnn.Config{N: 4, D: 2, Layers: 3}, 512, 1000},
	{"lj13", egnn.Config{N: 13, D: 3, Layers: 5}, 512, 1000},
	{"lj55", egnn.Config{N: 55, D: 3, Layers: 5}, 128, 1000},
}

// EGNNFlops counts the flops of the dense products of one EGNN pass over b
// configurations (a multiply-add is 2 flops): per layer, the factored first
// edge layer (2 node products F×F), W_m2 and W_x per edge, and the node MLP
// (2F→F, F→F) except in the last layer. With backward, the products are
// counted three times (forward, ∂input, ∂weight). Elementwise work is not
// counted.
func EGNNFlops(cfg egnn.Config, b int, backward bool) float64 {
	F := float64(128)
	if cfg.Hidden != 0 {
		F = float64(cfg.Hidden)
	}
	nodes := float64(b * cfg.N)
	edges := float64(b * cfg.N * (cfg.N - 1))
	perLayer := 2*nodes*2*F*F + edges*2*2*F*F
	total := float64(cfg.Layers)*perLayer + float64(cfg.Layers-1)*nodes*2*(2*F*F+F*F)
	if backward {
		total *= 3
	}
	return total
}

// egnnSetup builds the model with implementation im (asm.Default when nil)
// and a workspace for batch rows on workers, and draws inputs.
func egnnSetup(b *testing.B, tg egnnTarget, batch, workers int, prec egnn.Precision, im *asm.Impl) (*egnn.Workspace, *egnn.Model, []float64, []float64) {
	m, err := egnn.New(tg.cfg, 1)
	if im != nil {
		m, err = egnn.NewWithImpl(tg.cfg, 1, im)
	}
	if err != nil {
		b.Fatal(err)
	}
	ws, err := m.NewWorkspacePrec(batch, engine.NewPool(workers), prec)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, batch*tg.cfg.Dim())
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	t := make([]float64, batch)
	for i := range t {
		t[i] = rng.Float64()
	}
	return ws, m, x, t
}

// FMAPeakF32 measures this core's single-precision FMA peak in GFLOP/s
// (the native FMALoopF32 of the fastest implementation, best of several
// repetitions over about dur).
func FMAPeakF32(dur time.Duration) float64 {
	im := asm.Impls()[len(asm.Impls())-1]
	const iters = 1 << 18
	best := 0.0
	deadline := time.Now().Add(dur)
	for rep := 0; rep < 3 || time.Now().Before(deadline); rep++ {
		t0 := time.Now()
		im.FMALoopF32(iters)
		if g := im.FMAFlopsF32(iters) / time.Since(t0).Seconds() / 1e9; g > best {
			best = g
		}
	}
	return best
}

// egnnName is a case name; float64 keeps the historical names and other
// precisions add a "prec=" element.
func egnnName(tg egnnTarget, B, workers int, prec egnn.Precision) string {
	if prec == egnn.Float64 {
		return fmt.Sprintf("net=egnn/target=%s/B=%d/workers=%d", tg.name, B, workers)
	}
	return fmt.Sprintf("net=egnn/target=%s/B=%d/prec=%v/workers=%d", tg.name, B, prec, workers)
}

// reportPeak measures the one-core FMA peak of the precision (before the
// timed loop) and returns a function reporting the achieved dense GFLOP/s
// as a percentage of workers × that peak ("%peak").
func reportPeak(b *testing.B, prec egnn.Precision, workers int) func(gflops float64) {
	var peak float64
	if prec != egnn.Float64 {
		peak = FMAPeakF32(50 * time.Millisecond)
	} else {
		peak = FMAPeak(50 * time.Millisecond)
	}
	return func(gflops float64) {
		b.ReportMetric(peak, "peak-GFLOP/s/core")
		b.ReportMetric(100*gflops/(peak*float64(workers)), "%peak")
	}
}

// EGNNCases returns the EGNN benchmarks: group "TrainStep" (one fused
// forward+backward of the training batch with an MSE loss gradient and a
// plain SGD update standing in for Adam) and group "Sample" (forward at
// B = 1000), for DW-4, LJ-13 and LJ-55 with 1 and 2 workers, in float64
// (the default), float32 ("prec=f32") and float32 with bfloat16 dense
// products ("prec=bf16"; against the float32 peak). Besides steps/s and the dense
// GFLOP/s they report the measured one-core FMA peak of the precision and
// the dense rate as a percentage of workers × peak (elementwise time
// included, so it is a lower bound on the GEMMs' own efficiency).
func EGNNCases() []Case {
	var cs []Case
	for _, tg := range egnnTargets {
		for _, prec := range []egnn.Precision{egnn.Float64, egnn.Float32, egnn.BFloat16} {
			for _, workers := range []int{1, 2} {
				cs = append(cs, Case{
					Group: "TrainStep",
					Name:  egnnName(tg, tg.batch, workers, prec),
					Run:   egnnTrainRun(tg, workers, prec, nil),
				})
			}
		}
	}
	for _, tg := range egnnTargets {
		for _, prec := range []egnn.Precision{egnn.Float64, egnn.Float32, egnn.BFloat16} {
			for _, workers := range []int{1, 2} {
				cs = append(cs, Case{
					Group: "Sample",
					Name:  egnnName(tg, tg.sampleB, workers, prec),
					Run:   egnnSampleRun(tg, workers, prec, nil),
				})
			}
		}
	}
	return cs
}

// egnnTrainRun is the TrainStep body: one fused forward+backward of the
// training batch with an MSE loss gradient and a plain SGD update, with
// implementation im (asm.Default when nil).
func egnnTrainRun(tg egnnTarget, workers int, prec egnn.Precision, im *asm.Impl) func(b *testing.B) {
	return func(b *testing.B) {
		B := tg.batch
		rep := reportPeak(b, prec, workers)
		ws, m, x, t := egnnSetup(b, tg, B, workers, prec, im)
		d := tg.cfg.Dim()
		target := make([]float64, B*d)
		out := make([]float64, B*d)
		scale := 2 / float64(d*B)
		grad := func(lo, hi int, s, dOut []float64) {
			for i := range dOut {
				dOut[i] = scale * (s[i] - target[lo*d+i])
			}
		}
		ps := m.Params()
		b.ReportAllocs()
		for b.Loop() {
			ps.ZeroGrad()
			if err := ws.ForwardBackward(out, x, t, B, grad, nil); err != nil {
				b.Fatal(err)
			}
			for i, g := range ps.Grad {
				ps.Data[i] -= 1e-9 * g
			}
		}
		sec := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(1/sec, "steps/s")
		gf := EGNNFlops(tg.cfg, B, true) / sec / 1e9
		b.ReportMetric(gf, "GFLOP/s")
		rep(gf)
	}
}

// egnnSampleRun is the Sample body: a forward pass at the sampling batch.
func egnnSampleRun(tg egnnTarget, workers int, prec egnn.Precision, im *asm.Impl) func(b *testing.B) {
	return func(b *testing.B) {
		B := tg.sampleB
		rep := reportPeak(b, prec, workers)
		ws, _, x, t := egnnSetup(b, tg, B, workers, prec, im)
		out := make([]float64, B*tg.cfg.Dim())
		b.ReportAllocs()
		for b.Loop() {
			if err := ws.Forward(out, x, t, B); err != nil {
				b.Fatal(err)
			}
		}
		sec := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(float64(B)/sec, "samples/s")
		gf := EGNNFlops(tg.cfg, B, false) / sec / 1e9
		b.ReportMetric(gf, "GFLOP/s")
		rep(gf)
	}
}

// EGNNImplCases returns group "EGNNImpl": the DW-4 and LJ-13 float32,
// bfloat16 and split-bfloat16 (bf16x3) TrainStep (B = 512) and Sample (B = 1000) cases of EGNNCases
// with 1 and 2 workers, once per implementation with a native SGEMM, so
// that one `go test -bench` run compares them interleaved (-count). The
// [accel] bar sets impl=amx/prec=bf16 against impl=avx2/prec=f32.
func EGNNImplCases() []Case {
	var cs []Case
	for _, workers := range []int{1, 2} {
		for _, im := range asm.Impls() {
			if !im.SgemmNative() {
				continue
			}
			for _, tg := range egnnTargets[:2] {
				for _, prec := range []egnn.Precision{egnn.Float32, egnn.BFloat16, egnn.BFloat16x3} {
					cs = append(cs,
						Case{"EGNNImpl", fmt.Sprintf("impl=%s/step=train/target=%s/B=%d/prec=%v/workers=%d", im.Name(), tg.name, tg.batch, prec, workers),
							egnnTrainRun(tg, workers, prec, im)},
						Case{"EGNNImpl", fmt.Sprintf("impl=%s/step=sample/target=%s/B=%d/prec=%v/workers=%d", im.Name(), tg.name, tg.sampleB, prec, workers),
							egnnSampleRun(tg, workers, prec, im)})
				}
			}
		}
	}
	return cs
}

// EGNNGroup returns the cases of one group ("TrainStep" or "Sample").
func EGNNGroup(group string) []Case {
	var out []Case
	for _, c := range EGNNCases() {
		if c.Group == group {
			out = append(out, c)
		}
	}
	return out
}
