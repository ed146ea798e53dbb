package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

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

func egnnSetup(b *testing.B, tg egnnTarget, batch, workers int) (*egnn.Workspace, *egnn.Model, []float64, []float64) {
	m, err := egnn.New(tg.cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	ws, err := m.NewWorkspace(batch, engine.NewPool(workers))
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

// EGNNCases returns the EGNN benchmarks: group "TrainStep" (one fused
// forward+backward of the training batch with an MSE loss gradient and a
// plain SGD update standing in for Adam) and group "Sample" (forward at
// B = 1000), for DW-4, LJ-13 and LJ-55 with 1 and 2 workers.
func EGNNCases() []Case {
	var cs []Case
	for _, tg := range egnnTargets {
		for _, workers := range []int{1, 2} {
			cs = append(cs, Case{
				Group: "TrainStep",
				Name:  fmt.Sprintf("net=egnn/target=%s/B=%d/workers=%d", tg.name, tg.batch, workers),
				Run: func(b *testing.B) {
					B := tg.batch
					ws, m, x, t := egnnSetup(b, tg, B, workers)
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
					b.ReportMetric(EGNNFlops(tg.cfg, B, true)/sec/1e9, "GFLOP/s")
				},
			})
		}
	}
	for _, tg := range egnnTargets {
		for _, workers := range []int{1, 2} {
			cs = append(cs, Case{
				Group: "Sample",
				Name:  fmt.Sprintf("net=egnn/target=%s/B=%d/workers=%d", tg.name, tg.sampleB, workers),
				Run: func(b *testing.B) {
					B := tg.sampleB
					ws, _, x, t := egnnSetup(b, tg, B, workers)
					out := make([]float64, B*tg.cfg.Dim())
					b.ReportAllocs()
					for b.Loop() {
						if err := ws.Forward(out, x, t, B); err != nil {
							b.Fatal(err)
						}
					}
					sec := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(float64(B)/sec, "samples/s")
					b.ReportMetric(EGNNFlops(tg.cfg, B, false)/sec/1e9, "GFLOP/s")
				},
			})
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
