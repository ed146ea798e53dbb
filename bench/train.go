package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/engine/preset"
	"github.com/idem-project/idem/engine/train"
	"github.com/idem-project/idem/mlp"
	"github.com/idem-project/idem/sde"
)

// TrainCases returns group "Train": the costs of the training loop against
// the parts it is built from, per target (quick preset, float32 EGNN or
// float64 MLP, the given workers):
//
//   - "step=inner": one complete inner step of engine/train (buffer draw,
//     noising, S_K, forward+backward, clipping, Adam);
//   - "step=parts": S_K plus one fused forward+backward of the same batch,
//     run directly; the inner step should be within 10 % of it;
//   - "step=sde": one Euler–Maruyama step of the sampler with the network
//     score at the sampling batch, in the preset's sampling precision;
//   - "step=forward": one network forward at that batch; the SDE step
//     should be within 10 % of it.
func TrainCases() []Case {
	var out []Case
	for _, name := range []string{"gmm40", "dw4", "lj13"} {
		for _, w := range []int{1, 2} {
			p, _ := preset.Quick(name)
			out = append(out,
				Case{"Train", fmt.Sprintf("target=%s/step=inner/B=%d/workers=%d", name, p.Batch, w), innerStepCase(p, w)},
				Case{"Train", fmt.Sprintf("target=%s/step=parts/B=%d/workers=%d", name, p.Batch, w), partsCase(p, w)},
				Case{"Train", fmt.Sprintf("target=%s/step=sde/B=%d/prec=%s/workers=%d", name, p.NewPerEp, p.SamplePrecision(), w), sdeStepCase(p, w, true)},
				Case{"Train", fmt.Sprintf("target=%s/step=forward/B=%d/prec=%s/workers=%d", name, p.NewPerEp, p.SamplePrecision(), w), sdeStepCase(p, w, false)},
			)
		}
	}
	return out
}

// quickFill is the quick preset with a prior fill, so that the benchmarks
// start at once (GMM-40's MC fill takes seconds).
func quickFill(p preset.Preset) preset.Preset {
	p.InitMC = false
	return p
}

func innerStepCase(p preset.Preset, workers int) func(b *testing.B) {
	return func(b *testing.B) {
		tr, err := train.New(train.Config{Preset: quickFill(p), Variant: train.IDEM, Mode: train.DataFree, Seed: 1}, nil, workers)
		if err != nil {
			b.Fatal(err)
		}
		defer tr.Close()
		if err := tr.Fill(context.Background()); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := tr.InnerStep(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	}
}

// netFor builds the preset's network on pool in the arithmetic precision
// (preset.Precisions) and returns a forward and a forward+backward function
// over batches of up to maxB rows.
func netFor(b *testing.B, p preset.Preset, precision string, tg engine.Target, maxB int, pool *engine.Pool) (fwd func(out, x, t []float64, n int), fb func(out, x, t []float64, n int)) {
	if p.Network == preset.MLP {
		m, err := mlp.New(p.MLPConfig(), 1, pool)
		if err != nil {
			b.Fatal(err)
		}
		d := tg.Dim()
		gout := make([]float64, maxB*d)
		fwd = func(out, x, t []float64, n int) { m.Forward(x[:n*d], t[:n], out[:n*d]) }
		fb = func(out, x, t []float64, n int) {
			m.Forward(x[:n*d], t[:n], out[:n*d])
			copy(gout[:n*d], out[:n*d])
			m.Params.ZeroGrad()
			m.Backward(gout[:n*d], nil)
		}
		return fwd, fb
	}
	m, err := egnn.New(p.EGNNConfig(tg), 1)
	if err != nil {
		b.Fatal(err)
	}
	prec, err := egnn.ParsePrecision(precision)
	if err != nil {
		b.Fatal(err)
	}
	ws, err := m.NewWorkspacePrec(maxB, pool, prec)
	if err != nil {
		b.Fatal(err)
	}
	loss := func(lo, hi int, out, dOut []float64) { copy(dOut, out) }
	fwd = func(out, x, t []float64, n int) {
		if err := ws.Forward(out, x, t, n); err != nil {
			b.Fatal(err)
		}
	}
	fb = func(out, x, t []float64, n int) {
		m.Params().ZeroGrad()
		if err := ws.ForwardBackward(out, x, t, n, loss, nil); err != nil {
			b.Fatal(err)
		}
	}
	return fwd, fb
}

// batchFor draws n points as the inner step of a prior-filled buffer does:
// x₀ from the prior N(0, h(1)), t ~ U[0,1), x_t = x₀ + √h(t)·ε (centred for
// molecules), so that S_K costs the same in both benchmarks.
func batchFor(p preset.Preset, tg engine.Target, n int) (x, t, h []float64) {
	sched, _ := p.Schedule()
	rng := rand.New(rand.NewPCG(1, 2))
	d := tg.Dim()
	x, t, h = make([]float64, n*d), make([]float64, n), make([]float64, n)
	np, sp := tg.Shape()
	sd := math.Sqrt(sched.H(1))
	for r := 0; r < n; r++ {
		t[r] = rng.Float64()
		h[r] = sched.H(t[r])
		for j := 0; j < d; j++ {
			x[r*d+j] = rng.NormFloat64()*sd + rng.NormFloat64()*math.Sqrt(h[r])
		}
	}
	if tg.CoMFree() {
		engine.Centre(x, np, sp, n)
	}
	return x, t, h
}

func partsCase(p preset.Preset, workers int) func(b *testing.B) {
	return func(b *testing.B) {
		tg, _ := p.NewTarget()
		pool := engine.NewPool(workers)
		defer pool.Close()
		est, err := mcscore.New(tg, p.Estimator(1), pool, p.Batch)
		if err != nil {
			b.Fatal(err)
		}
		_, fb := netFor(b, p, p.Precision(), tg, p.Batch, pool)
		x, t, h := batchFor(p, tg, p.Batch)
		out := make([]float64, len(x))
		step := uint64(0)
		for b.Loop() {
			step++
			if err := est.Estimate(out, x, h, p.Batch, step); err != nil {
				b.Fatal(err)
			}
			fb(out, x, t, p.Batch)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	}
}

func sdeStepCase(p preset.Preset, workers int, withSDE bool) func(b *testing.B) {
	return func(b *testing.B) {
		tg, _ := p.NewTarget()
		pool := engine.NewPool(workers)
		defer pool.Close()
		n := p.NewPerEp
		fwd, _ := netFor(b, p, p.SamplePrecision(), tg, n, pool)
		x0, t, _ := batchFor(p, tg, n)
		x := make([]float64, len(x0))
		out := make([]float64, len(x))
		sched, _ := p.Schedule()
		np, sp := tg.Shape()
		smp := &sde.Sampler{Sched: sched, Shape: sde.Shape{N: np, D: sp, CoMFree: tg.CoMFree()}, Steps: 1, Eta: p.Eta, Pool: pool}
		score := sde.ScoreFunc(func(out, x []float64, tt float64, _, n int) error {
			for i := range t[:n] {
				t[i] = tt
			}
			fwd(out, x, t, n)
			return nil
		})
		ctx := context.Background()
		call := uint64(0)
		for b.Loop() {
			copy(x, x0) // both variants start from the same states
			if withSDE {
				call++
				if err := smp.Run(ctx, x, n, score, call, nil); err != nil {
					b.Fatal(err)
				}
			} else {
				fwd(out, x, t, n)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	}
}
