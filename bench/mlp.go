package bench

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/optim"
	"github.com/idem-project/idem/mlp"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// MLPTrainer is one GMM training step's worth of network work on a fixed
// batch: zero the gradients, forward, the gradient of the mean squared error
// against a fixed target (SPEC §6.2 without λ(t)), backward, clipping to
// total norm 0.5, and an Adam step at lr 5·10⁻⁴. It is shared by the
// benchmarks and the zero-allocation test.
type MLPTrainer struct {
	Model              *mlp.Model
	Adam               *optim.Adam
	X, T, Target       []float64
	Out, GOut          []float64
	LastNorm, LastLoss float64

	pool   *engine.Pool
	adamFn func(w, lo, hi int)
}

// NewMLPTrainer builds a GMM network on a pool of the given workers and a
// random batch of b rows (seeded, so runs are repeatable).
func NewMLPTrainer(b, workers int) *MLPTrainer {
	cfg := mlp.GMM()
	pool := engine.NewPool(workers)
	m, err := mlp.New(cfg, 1, pool)
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	d := cfg.InDim
	tr := &MLPTrainer{Model: m, Adam: optim.NewAdam(m.Params.Len(), 5e-4),
		X: make([]float64, b*d), T: make([]float64, b), Target: make([]float64, b*d),
		Out: make([]float64, b*d), GOut: make([]float64, b*d), pool: pool}
	tr.adamFn = func(_, lo, hi int) { tr.Adam.ApplyRange(m.Params.Data, m.Params.Grad, lo, hi) }
	for i := range tr.X {
		tr.X[i] = r.NormFloat64() * 0.5
		tr.Target[i] = r.NormFloat64()
	}
	for i := range tr.T {
		tr.T[i] = r.Float64()
	}
	return tr
}

// Step runs one training step.
func (tr *MLPTrainer) Step() {
	m := tr.Model
	m.Params.ZeroGrad()
	m.Forward(tr.X, tr.T, tr.Out)
	scale := 2 / float64(len(tr.Out))
	var loss float64
	for i, s := range tr.Out {
		e := s - tr.Target[i]
		loss += e * e
		tr.GOut[i] = scale * e
	}
	tr.LastLoss = loss / float64(len(tr.Out))
	m.Backward(tr.GOut, nil)
	tr.LastNorm = optim.ClipGradNorm(m.Params.Grad, 0.5)
	// Adam is elementwise: one step, split over the workers.
	tr.Adam.Advance()
	n := len(m.Params.Data)
	tr.pool.For(n, (n/tr.pool.Workers()+7)&^7, tr.adamFn)
}

// MLPTrainFLOPs is the matrix-product flop count of one training step at
// batch b: forward 2b(384·128 + 3·128² + 128·2) plus backward
// 2b(384·128 + 2·3·128² + 2·128·2) (weight gradients for every layer,
// activation gradients for all but the input layer) = 252.4 MFLOP at
// b = 512. Embedding, GELU, clipping and Adam are not counted.
func MLPTrainFLOPs(b int) float64 {
	c := mlp.GMM()
	return 3*c.FLOPs(b) - 2*float64(b*c.EmbedDim()*c.Width)
}

// MLPCases returns the MLP benchmarks: TrainStep (one MLPTrainer.Step at
// B = 512), Sample (a forward pass at B = 1000, flops c.FLOPs(1000) =
// 201.7 MFLOP), each for 1 and 2 workers, and Dgemm (gonum's blas64 Dgemm
// at the two dense shapes of the forward pass, as one whole call and as the
// serial 64×128 tiles the network uses).
func MLPCases() []Case {
	var cs []Case
	for _, w := range []int{1, 2} {
		cs = append(cs, Case{Group: "TrainStep", Name: fmt.Sprintf("net=mlp/target=gmm/B=512/workers=%d", w), Run: func(b *testing.B) {
			tr := NewMLPTrainer(512, w)
			tr.Step()
			peak := cachedFMAPeak()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tr.Step()
			}
			s := b.Elapsed().Seconds()
			g := MLPTrainFLOPs(512) * float64(b.N) / s / 1e9
			b.ReportMetric(float64(b.N)/s, "steps/s")
			b.ReportMetric(g, "GFLOP/s")
			// Matrix-product flops over the whole step's time, against the
			// one-core FMA peak times the workers (a lower bound on the
			// dense parts' own efficiency).
			b.ReportMetric(peak, "peakGFLOP/s")
			b.ReportMetric(100*g/(peak*float64(w)), "%peak")
		}})
	}
	for _, w := range []int{1, 2} {
		cs = append(cs, Case{Group: "Sample", Name: fmt.Sprintf("net=mlp/target=gmm/B=1000/workers=%d", w), Run: func(b *testing.B) {
			tr := NewMLPTrainer(1000, w)
			tr.Model.Forward(tr.X, tr.T, tr.Out)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tr.Model.Forward(tr.X, tr.T, tr.Out)
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(1000*float64(b.N)/s, "samples/s")
			b.ReportMetric(mlp.GMM().FLOPs(1000)*float64(b.N)/s/1e9, "GFLOP/s")
		}})
	}
	// asm.Gemm of every native implementation at the network's shapes:
	// forward/backward activations (nn, row-major A) and weight gradients
	// (tn, A read transposed), reported against the FMA peak measured in
	// the same process.
	for _, sh := range []struct {
		op           string
		m, n, k, pad int
	}{{"nn", 512, 128, 384, 0}, {"nn", 512, 128, 128, 0},
		{"tn", 128, 384, 512, 0}, {"nn", 128, 384, 512, 0}, {"tn", 128, 128, 512, 0}, {"nn", 128, 128, 512, 0}, {"nn", 66, 384, 512, 0},
		{"nn", 624, 128, 128, 0}, {"tn", 128, 128, 624, 0}} { // the last two: the EGNN's float64 edge products (LJ-13, 4 configurations)
		for _, im := range asm.Impls() {
			if !im.GemmNative() {
				continue
			}
			cs = append(cs, Case{Group: "Dgemm", Name: fmt.Sprintf("impl=%s/op=%s/m=%d/n=%d/k=%d/pad=%d", im.Name(), sh.op, sh.m, sh.n, sh.k, sh.pad), Run: func(b *testing.B) {
				m, n, k, pad := sh.m, sh.n, sh.k, sh.pad
				// Leading dimensions are the row length plus pad (a pad of 8
				// doubles makes a 128- or 384-wide row an odd number of cache
				// lines, avoiding L1 set conflicts between rows).
				rsA, csA, lda := k+pad, 1, k+pad
				if sh.op == "tn" { // A stored k×m
					lda = m + pad
					rsA, csA = 1, lda
				}
				ldb, ldc := n+pad, n+pad
				r := rand.New(rand.NewPCG(3, 4))
				a, bb, c := make([]float64, max(m, k)*lda), make([]float64, k*ldb), make([]float64, m*ldc)
				for i := range a {
					a[i] = r.Float64()
				}
				for i := range bb {
					bb[i] = r.Float64()
				}
				peak := cachedFMAPeak()
				b.ResetTimer()
				for b.Loop() {
					im.Gemm(m, n, k, a, rsA, csA, bb, ldb, c, ldc)
				}
				g := 2 * float64(m*n*k) * float64(b.N) / b.Elapsed().Seconds() / 1e9
				b.ReportMetric(g, "GFLOP/s")
				b.ReportMetric(100*g/peak, "%peak")
			}})
		}
	}
	for _, k := range []int{384, 128} {
		for _, op := range []string{"nt", "nn"} {
			for _, tiled := range []bool{false, true} {
				cs = append(cs, Case{Group: "Dgemm", Name: fmt.Sprintf("impl=gonum/op=%s/m=512/n=128/k=%d/tiled=%v", op, k, tiled), Run: func(b *testing.B) {
					const m, n = 512, 128
					r := rand.New(rand.NewPCG(3, 4))
					a, bb, c := make([]float64, m*k), make([]float64, n*k), make([]float64, m*n)
					for i := range a {
						a[i] = r.Float64()
					}
					for i := range bb {
						bb[i] = r.Float64()
					}
					impl := blas64.Implementation()
					// nt: B is n×k (ldb k); nn: B is k×n (ldb n).
					tb, ldb, bStep := blas.Trans, k, k
					if op == "nn" {
						tb, ldb, bStep = blas.NoTrans, n, 1
					}
					b.ResetTimer()
					for b.Loop() {
						if !tiled {
							impl.Dgemm(blas.NoTrans, tb, m, n, k, 1, a, k, bb, ldb, 0, c, n)
							continue
						}
						for i := 0; i < m; i += 64 {
							for j := 0; j < n; j += 128 {
								impl.Dgemm(blas.NoTrans, tb, 64, 128, k, 1, a[i*k:], k, bb[j*bStep:], ldb, 0, c[i*n+j:], n)
							}
						}
					}
					b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				}})
			}
		}
	}
	return cs
}

var fmaPeakOnce = sync.OnceValue(func() float64 { return FMAPeak(300 * time.Millisecond) })

// cachedFMAPeak is FMAPeak measured once per process, so that benchmarks
// can report their fraction of the peak measured in the same run.
func cachedFMAPeak() float64 { return fmaPeakOnce() }
