package gmm

import (
	"math"
	"sync"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// Components is the number of mixture components.
const Components = 40

// Std is the component standard deviation s = softplus(1) = ln(1 + e).
const Std = 1.3132616875182228

// MaskLogProb is the threshold below which log p is masked to −∞.
const MaskLogProb = -1e4

// TrainScale is the factor between original and training coordinates:
// x = TrainScale·y.
const TrainScale = 50.0

// GMM is the GMM-40 target in some coordinate scale: E(y) = −log p(scale·y).
// It implements engine.Target and is safe for concurrent use.
type GMM struct {
	scale float64
	name  string
	impl  *asm.Impl // the exponentials of the responsibilities
	// scratch recycles the per-call buffers of EnergyForce (slices handed to
	// an asm.Impl kernel escape, so they cannot live on the stack).
	scratch *sync.Pool
}

type scratch struct{ q, w [Components]float64 }

func newScratchPool() *sync.Pool {
	return &sync.Pool{New: func() any { return new(scratch) }}
}

var _ engine.Target = (*GMM)(nil)

// New returns GMM-40 in training coordinates y = x/50.
func New() *GMM {
	return &GMM{scale: TrainScale, name: "gmm40", impl: defaultImpl(), scratch: newScratchPool()}
}

// NewOriginal returns GMM-40 in original coordinates x.
func NewOriginal() *GMM {
	return &GMM{scale: 1, name: "gmm40-x", impl: defaultImpl(), scratch: newScratchPool()}
}

// WithImpl returns a copy of g whose EnergyForce computes its exponentials
// with im (asm.Impl.ExpWeights); every implementation gives the same bits.
func (g *GMM) WithImpl(im *asm.Impl) *GMM {
	h := *g
	h.impl = im
	return &h
}

// defaultImpl is asm.Default(), or generic when IDEM_IMPL names an
// implementation this machine lacks: ExpWeights gives the same bits in
// every implementation, so only the speed depends on it.
func defaultImpl() *asm.Impl {
	im, err := asm.Default()
	if err != nil {
		return asm.Generic()
	}
	return im
}

// Scale reports the factor x = Scale·y of this target's coordinates.
func (g *GMM) Scale() float64 { return g.scale }

// Name implements engine.Target.
func (g *GMM) Name() string { return g.name }

// Dim implements engine.Target.
func (g *GMM) Dim() int { return 2 }

// Shape implements engine.Target: one "particle" in 2-D.
func (g *GMM) Shape() (n, spatial int) { return 1, 2 }

// CoMFree implements engine.Target: the mixture is not translation invariant.
func (g *GMM) CoMFree() bool { return false }

// Mean returns component k's mean in original units.
func Mean(k int) (x, y float64) { return means[k][0], means[k][1] }

// LogProbScore returns the normalised log p(x) in original units (unmasked)
// and its gradient ∇log p(x) = Σ_k r_k(x)·(μ_k − x)/s².
func LogProbScore(x, y float64) (logp, gx, gy float64) { return NoisedLogProbScore(x, y, 0) }

// LogProb is the masked log p(x) in original units: −∞ below MaskLogProb.
func LogProb(x, y float64) float64 {
	lp, _, _ := LogProbScore(x, y)
	if lp < MaskLogProb {
		return math.Inf(-1)
	}
	return lp
}

// EnergyForce implements engine.Target: E = −log p(scale·y), masked to +Inf,
// and F = scale·∇ₓlog p(scale·y) (unmasked everywhere).
func (g *GMM) EnergyForce(e, f, x []float64, b int) { g.energyForce(e, f, x, b, true) }

// EnergyForceUnmasked is EnergyForce without the −10⁴ mask.
func (g *GMM) EnergyForceUnmasked(e, f, x []float64, b int) { g.energyForce(e, f, x, b, false) }

func (g *GMM) energyForce(e, f, x []float64, b int, mask bool) {
	if len(e) < b || len(x) < asm.Len(1, 2, b) || len(f) < asm.Len(1, 2, b) {
		panic("gmm: EnergyForce: short slice")
	}
	const s2 = Std * Std
	inv2s2 := 1 / (2 * s2)
	logNorm := math.Log(Components) + math.Log(2*math.Pi*s2)
	sc := g.scratch.Get().(*scratch)
	defer g.scratch.Put(sc)
	q, w := &sc.q, &sc.w
	for c := 0; c < b; c++ {
		ix, iy := asm.Index(1, 2, c, 0, 0), asm.Index(1, 2, c, 0, 1)
		px, py := g.scale*x[ix], g.scale*x[iy]
		// q_k = ‖x − μ_k‖²/(2s²); log p = log Σ exp(−q_k) − log(40·2πs²).
		// The explicit float64(·) roundings forbid fused multiply-adds, so
		// the bits are the same on every architecture.
		qmin := math.Inf(1)
		for k := range means {
			dx, dy := px-means[k][0], py-means[k][1]
			q[k] = (float64(dx*dx) + float64(dy*dy)) * inv2s2
			qmin = min(qmin, q[k])
		}
		g.impl.ExpWeights(w[:], q[:], -qmin) // exp(qmin − q_k) ∈ (0, 1]
		// ∇log p = Σ_k r_k (μ_k − x)/s² with r = w/z.
		var z, gx, gy float64
		for k := range means {
			z += w[k]
			gx += float64(w[k] * (means[k][0] - px))
			gy += float64(w[k] * (means[k][1] - py))
		}
		lp := -qmin + math.Log(z) - logNorm
		if mask && lp < MaskLogProb {
			e[c] = math.Inf(1)
		} else {
			e[c] = -lp
		}
		f[ix] = g.scale * (gx / (z * s2))
		f[iy] = g.scale * (gy / (z * s2))
	}
}

// Sample draws n exact samples into dst (row-major pairs, original units):
// k ~ U{0..39}, then x = μ_k + s·z. Sample i uses the stream keyed by
// (seed, i), so any prefix or subset is reproducible on its own.
func Sample(dst []float64, n int, seed uint64) {
	if len(dst) < 2*n {
		panic("gmm: Sample: len(dst) < 2n")
	}
	var st engine.Stream
	for i := 0; i < n; i++ {
		st.Reset(seed, uint64(i))
		k := st.IntN(Components)
		dst[2*i] = means[k][0] + Std*st.Norm()
		dst[2*i+1] = means[k][1] + Std*st.Norm()
	}
}

// NoisedLogProbScore returns log and score of p convolved with N(0, v·I) in
// original units: again a mixture, with component variance s² + v. It is
// the exact target of the Monte-Carlo score estimator, used in tests.
func NoisedLogProbScore(x, y, v float64) (logp, gx, gy float64) {
	s2 := Std*Std + v
	var l [Components]float64
	top := math.Inf(-1)
	for k := range means {
		dx, dy := x-means[k][0], y-means[k][1]
		l[k] = -(dx*dx + dy*dy) / (2 * s2)
		top = math.Max(top, l[k])
	}
	var z float64
	for k := range means {
		w := math.Exp(l[k] - top)
		z += w
		gx += w * (means[k][0] - x)
		gy += w * (means[k][1] - y)
	}
	gx /= z * s2
	gy /= z * s2
	logp = top + math.Log(z) - math.Log(Components) - math.Log(2*math.Pi*s2)
	return
}
