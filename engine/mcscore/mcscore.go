package mcscore

import (
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// ClipMode selects how the estimate is clipped.
type ClipMode int

const (
	// ClipNone leaves the estimate as it is.
	ClipNone ClipMode = iota
	// ClipPerParticle clips each particle's spatial vector to norm M.
	ClipPerParticle
	// ClipWhole clips the whole flattened vector to norm M.
	ClipWhole
)

// ClipEps is added to the norm in the clipping factor min(1, M/(‖v‖+ε)).
const ClipEps = 1e-6

// Config holds the estimator's settings.
type Config struct {
	K     int      // Monte-Carlo samples per point
	Clip  ClipMode // clipping rule
	M     float64  // clipping norm
	Seed  uint64   // root of every random stream
	Chunk int      // samples per work item (multiple of asm.Lanes); 0 means DefaultChunk
	// MixSigma, when positive, mixes the force form S_K with the denoising
	// form D_K = Σ_k w_k·(x_k − x)/h (centred for CoM-free targets), which has
	// the same weights and the same limit ∇log p_t(x):
	//
	//	S = a·S_K + (1 − a)·D_K,   a = MixSigma²/(MixSigma² + h),
	//
	// before clipping. S_K's variance grows with h and D_K's falls, so the
	// mixture follows the smaller (README, "Another estimator"). Zero
	// gives S_K alone (SPEC §3).
	MixSigma float64
	// ClipHLow, when positive, clips points with h < ClipHLow at MLow
	// instead of M: at small h S_K has little noise and the true score can
	// exceed M (LJ forces), so a tight clip there only biases it.
	ClipHLow float64
	MLow     float64
	// Impl draws the Gaussian perturbations (asm.Impl.Perturb); nil means
	// asm.Default(). Implementations agree to about 1e-15 relative, so
	// bit-identical results need the same Impl.
	Impl *asm.Impl
}

// DefaultChunk is the number of samples per work item for dimension d:
// about 16384/d (the chunk's positions and forces then take about 256 KiB,
// half of a Zen 3 L2), a multiple of asm.Lanes between 32 and 512. On LJ-13
// (K = 1000, B = 512, 2 workers, best of 4, one run) chunks of 32, 64, 128,
// 256 and 512 samples gave 6109, 7052, 7760, 7809 and 7983 points/s: fewer,
// larger items cost less per-item work (repeated runs on this shared machine
// vary by ±15%, so only the trend from 32 to 128 is clear). With K ≥ 100 a
// point still spreads over several items.
func DefaultChunk(d int) int {
	c := 16384 / max(d, 1)
	return max(32, min(512, c&^(asm.Lanes-1)))
}

// Unmasked is implemented by targets whose energies are masked to +Inf in
// places (GMM-40). When every sample of a point is masked, the estimator
// computes the weights from the unmasked energies instead (SPEC §9.5).
type Unmasked interface {
	EnergyForceUnmasked(e, f, x []float64, b int)
}

// ErrNoFiniteSample reports a point whose K samples all have energy +Inf
// (density zero), so that the weights are undefined.
var ErrNoFiniteSample = errors.New("mcscore: every Monte-Carlo sample has a non-finite energy")

// ErrNaNEnergy reports a point with a Monte-Carlo sample whose energy or
// force is NaN: the target failed there, and giving the sample zero weight
// would hide it.
var ErrNaNEnergy = errors.New("mcscore: NaN energy or force in a Monte-Carlo sample")

// Item and point states (Estimator.status, Estimator.pointState). States
// from stNegInf up are errors; when a point's items disagree the largest
// wins.
const (
	stOK        int8 = iota
	stNoFinite       // every sample has energy +Inf
	stNegInf         // a sample has energy −Inf
	stInfSum         // the weighted force sum is ±Inf (point only)
	stNaNSum         // the weighted force sum is NaN: a NaN force (point only)
	stNaNEnergy      // a sample has energy NaN
)

// Estimator computes S_K for batches of points. It owns per-worker scratch
// and is used by one goroutine at a time.
type Estimator struct {
	target   engine.Target
	unmasked Unmasked
	impl     *asm.Impl
	cfg      Config
	pool     *engine.Pool
	n, sp, d int
	comFree  bool
	chunks   int // work items per point
	stride   int // values per item in part
	maxB     int

	scratch []scratch
	// part holds one item's partial sums: max ℓ, Σw, then Σw·f (d values)
	// and, when mixing, Σw·x_k (d values), each relative to that item's max.
	part   []float64
	status []int8 // per item: stOK, stNoFinite, stNegInf or stNaNEnergy

	// The current call's inputs, read by the workers.
	x, h       []float64
	step       uint64
	useUnmask  bool
	itemFn     func(w, lo, hi int)
	reduceFn   func(w, lo, hi int)
	out        []float64
	evals      uint64
	pointState []int8
}

type scratch struct {
	xb, fb, e []float64
	xs        []float64 // the point, SoA order j = k·n + i
	state     [4 * asm.Lanes]uint64
	acc       []float64 // Σ w·f per (j, lane)
	accX      []float64 // Σ w·x_k per (j, lane), when mixing
	den       []float64 // D_K of one point, when mixing
	impl      *asm.Impl
	w         []float64 // weights of one chunk
}

// New returns an estimator for t with room for maxBatch points per call.
func New(t engine.Target, cfg Config, pool *engine.Pool, maxBatch int) (*Estimator, error) {
	if cfg.K < 1 {
		return nil, fmt.Errorf("mcscore: K must be positive, got %d", cfg.K)
	}
	if cfg.Clip != ClipNone && !(cfg.M > 0) {
		return nil, fmt.Errorf("mcscore: clipping norm must be positive, got %g", cfg.M)
	}
	if !(cfg.ClipHLow >= 0) || math.IsInf(cfg.ClipHLow, 0) {
		return nil, fmt.Errorf("mcscore: ClipHLow must be finite and ≥ 0, got %g", cfg.ClipHLow)
	}
	if cfg.Clip != ClipNone && cfg.ClipHLow > 0 && !(cfg.MLow > 0) {
		return nil, fmt.Errorf("mcscore: the clipping norm below ClipHLow must be positive, got %g", cfg.MLow)
	}
	if !(cfg.MixSigma >= 0) || math.IsInf(cfg.MixSigma, 0) {
		return nil, fmt.Errorf("mcscore: MixSigma must be finite and ≥ 0, got %g", cfg.MixSigma)
	}
	if cfg.Chunk == 0 {
		cfg.Chunk = DefaultChunk(t.Dim())
	}
	if cfg.Chunk < 1 || cfg.Chunk%asm.Lanes != 0 {
		return nil, fmt.Errorf("mcscore: Chunk must be a positive multiple of %d, got %d", asm.Lanes, cfg.Chunk)
	}
	if maxBatch < 1 {
		return nil, fmt.Errorf("mcscore: maxBatch must be positive, got %d", maxBatch)
	}
	if pool == nil {
		pool = engine.NewPool(0)
	}
	e := &Estimator{target: t, cfg: cfg, pool: pool, maxB: maxBatch, impl: cfg.Impl}
	if e.impl == nil {
		im, err := asm.Default()
		if err != nil {
			return nil, err
		}
		e.impl = im
	}
	e.n, e.sp = t.Shape()
	e.d = t.Dim()
	e.comFree = t.CoMFree()
	e.stride = e.d + 2
	if cfg.MixSigma > 0 {
		e.stride = 2*e.d + 2
	}
	e.unmasked, _ = t.(Unmasked)
	// Split K into equal items of at most Chunk samples (rounded up to
	// whole lane blocks), so that no item is a small remainder.
	items := (cfg.K + cfg.Chunk - 1) / cfg.Chunk
	chunk := ((cfg.K+items-1)/items + asm.Lanes - 1) / asm.Lanes * asm.Lanes
	e.cfg.Chunk = chunk
	e.chunks = (cfg.K + chunk - 1) / chunk
	e.scratch = make([]scratch, pool.Workers())
	for w := range e.scratch {
		L := asm.Len(e.n, e.sp, chunk)
		e.scratch[w] = scratch{xb: make([]float64, L), fb: make([]float64, L), e: make([]float64, chunk),
			impl: e.impl, xs: make([]float64, e.d), acc: make([]float64, e.d*asm.Lanes), w: make([]float64, asm.Blocks(chunk)*asm.Lanes)}
		if cfg.MixSigma > 0 {
			e.scratch[w].accX = make([]float64, e.d*asm.Lanes)
			e.scratch[w].den = make([]float64, e.d)
		}
	}
	e.part = make([]float64, maxBatch*e.chunks*e.stride)
	e.status = make([]int8, maxBatch*e.chunks)
	e.pointState = make([]int8, maxBatch)
	e.itemFn = e.runItems
	e.reduceFn = e.reducePoints
	return e, nil
}

// Evals reports the energy+force evaluations spent so far.
func (e *Estimator) Evals() uint64 { return e.evals }

// Config reports the settings in use (Chunk resolved).
func (e *Estimator) Config() Config { return e.cfg }

// Estimate writes the clipped S_K(x_b, t_b) for b row-major points
// x[b·d:(b+1)·d] into out, where h[b] = h(t_b) is the noise variance of
// point b. step distinguishes calls (training steps) in the random streams.
//
// A sample with energy +Inf (density zero) gets weight zero. Estimate
// returns an error naming the point and its h when every sample of a point
// has energy +Inf and the target has no unmasked fallback (wrapping
// ErrNoFiniteSample), when a sample of a point has a NaN energy or a NaN
// force (wrapping ErrNaNEnergy; an infinite force on a sample of weight zero
// also gives NaN and is reported so), or when an energy is −Inf or the
// weighted force sum is infinite. out is then unspecified.
func (e *Estimator) Estimate(out, x, h []float64, b int, step uint64) error {
	if b > e.maxB {
		return fmt.Errorf("mcscore: batch of %d exceeds the estimator's maximum %d", b, e.maxB)
	}
	if len(out) < b*e.d || len(x) < b*e.d || len(h) < b {
		return fmt.Errorf("mcscore: short slices for %d points of dimension %d", b, e.d)
	}
	for i := 0; i < b; i++ {
		if !(h[i] >= 0) || math.IsInf(h[i], 0) {
			return fmt.Errorf("mcscore: noise variance h[%d] = %g is not a finite non-negative number", i, h[i])
		}
	}
	for i, v := range x[:b*e.d] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("mcscore: point %d has a non-finite coordinate", i/e.d)
		}
	}
	e.x, e.h, e.step, e.out = x, h, step, out
	defer func() { e.x, e.h, e.out = nil, nil, nil }()

	items := b * e.chunks
	e.useUnmask = false
	e.pool.For(items, e.grain(items), e.itemFn)
	e.evals += uint64(b) * uint64(e.cfg.K)
	e.pool.For(b, e.grain(b), e.reduceFn)

	var retry []int
	for i := 0; i < b; i++ {
		switch st := e.pointState[i]; st {
		case stOK:
		case stNoFinite:
			if e.unmasked == nil {
				return pointError(st, i, h[i], "")
			}
			retry = append(retry, i)
		default:
			return pointError(st, i, h[i], "")
		}
	}
	for _, i := range retry {
		// All K samples masked: weights from the unmasked energies.
		e.useUnmask = true
		e.pool.For(e.chunks, 1, func(w, lo, hi int) { e.runItems(w, i*e.chunks+lo, i*e.chunks+hi) })
		e.evals += uint64(e.cfg.K)
		e.reducePoints(0, i, i+1)
		if st := e.pointState[i]; st != stOK {
			return pointError(st, i, h[i], ", unmasked energies")
		}
	}
	return nil
}

// pointError describes the error state st of point i with noise variance h.
func pointError(st int8, i int, h float64, where string) error {
	switch st {
	case stNoFinite:
		return fmt.Errorf("%w (point %d, h = %g%s)", ErrNoFiniteSample, i, h, where)
	case stNaNEnergy:
		return fmt.Errorf("%w (point %d, h = %g%s: a sample has energy NaN)", ErrNaNEnergy, i, h, where)
	case stNaNSum:
		return fmt.Errorf("%w (point %d, h = %g%s: the weighted force sum is NaN, from a NaN force or an infinite force on a sample of weight zero)", ErrNaNEnergy, i, h, where)
	case stNegInf:
		return fmt.Errorf("mcscore: point %d (h = %g%s): a sample has energy −Inf", i, h, where)
	default:
		return fmt.Errorf("mcscore: point %d (h = %g%s): the weighted force sum is infinite (an infinite force)", i, h, where)
	}
}

// grain spreads items over about four chunks per worker.
func (e *Estimator) grain(items int) int {
	return max(1, items/(4*e.pool.Workers()))
}

// runItems computes the partial sums of items [lo, hi).
func (e *Estimator) runItems(w, lo, hi int) {
	s := &e.scratch[w]
	var st engine.Stream
	d, n, sp := e.d, e.n, e.sp
	const L = asm.Lanes
	for item := lo; item < hi; item++ {
		pt, ch := item/e.chunks, item%e.chunks
		k0 := ch * e.cfg.Chunk
		kc := min(e.cfg.Chunk, e.cfg.K-k0)
		x := e.x[pt*d : (pt+1)*d]
		for i := 0; i < n; i++ {
			for k := 0; k < sp; k++ {
				s.xs[k*n+i] = x[i*sp+k]
			}
		}
		sq := math.Sqrt(e.h[pt])
		key := engine.NewStream(e.cfg.Seed, e.step, uint64(pt))
		for bl := 0; bl < asm.Blocks(kc); bl++ {
			// Lane l of block bl is sample k = k0 + 4·bl + l; its ε comes
			// from a generator seeded by the stream keyed (seed, step, point, k).
			for l := 0; l < L; l++ {
				st = key.Child(uint64(k0 + bl*L + l))
				for q := 0; q < 4; q++ {
					s.state[q*L+l] = st.Uint64()
				}
			}
			e.impl.Perturb(s.xb[bl*d*L:(bl+1)*d*L], s.xs, sq, s.state[:])
		}
		if e.useUnmask {
			e.unmasked.EnergyForceUnmasked(s.e, s.fb, s.xb, kc)
		} else {
			e.target.EnergyForce(s.e, s.fb, s.xb, kc)
		}
		part := e.part[item*e.stride : (item+1)*e.stride]
		e.status[item] = s.accumulate(part, kc, n, sp)
	}
}

// accumulate writes (max ℓ, Σ exp(ℓ−max), Σ exp(ℓ−max)·f) over kc samples,
// with the force sums in the point's row-major order, followed by
// Σ exp(ℓ−max)·x_k when mixing (s.accX set), and returns the
// item's state: stNaNEnergy if any energy is NaN, else stNegInf if any is
// −Inf (part is then not written), stNoFinite if all are +Inf, else stOK.
// NaN forces are caught later, in the point's weighted sum.
func (s *scratch) accumulate(part []float64, kc, n, sp int) int8 {
	const L = asm.Lanes
	d := n * sp
	top := math.Inf(-1)
	negInf := false
	for c := 0; c < kc; c++ {
		en := s.e[c]
		if !(en > math.Inf(-1)) { // −Inf or NaN: one compare on the hot path
			if en != en {
				return stNaNEnergy
			}
			negInf = true // keep scanning: a NaN takes precedence
			continue
		}
		if l := -en; l > top { // +Inf energies never win
			top = l
		}
	}
	if negInf {
		return stNegInf
	}
	clear(part)
	part[0] = top
	if math.IsInf(top, -1) {
		return stNoFinite
	}
	// Weights exp(ℓ − max); +Inf energies get zero weight (no NaN reaches
	// ExpWeights).
	clear(s.w)
	s.impl.ExpWeights(s.w[:kc], s.e[:kc], top)
	var sumw float64
	for _, w := range s.w[:kc] {
		sumw += w
	}
	part[1] = sumw
	// Lane-wise accumulation over contiguous blocks, then a lane sum.
	clear(s.acc)
	s.impl.LaneAxpy(s.acc, s.w, s.fb, d, asm.Blocks(kc))
	acc := s.acc
	out := part[2 : 2+d]
	for i := 0; i < n; i++ {
		for k := 0; k < sp; k++ {
			a := acc[(k*n+i)*L:]
			out[i*sp+k] = (a[0] + a[1]) + (a[2] + a[3])
		}
	}
	if s.accX != nil { // mixing: the weighted positions too
		clear(s.accX)
		s.impl.LaneAxpy(s.accX, s.w, s.xb, d, asm.Blocks(kc))
		outX := part[2+d:]
		for i := 0; i < n; i++ {
			for k := 0; k < sp; k++ {
				a := s.accX[(k*n+i)*L:]
				outX[i*sp+k] = (a[0] + a[1]) + (a[2] + a[3])
			}
		}
	}
	return stOK
}

// reducePoints combines the items of points [lo, hi) in order, divides and
// clips.
func (e *Estimator) reducePoints(w, lo, hi int) {
	d := e.d
	for pt := lo; pt < hi; pt++ {
		out := e.out[pt*d : (pt+1)*d]
		e.pointState[pt] = stOK
		top := math.Inf(-1)
		for ch := 0; ch < e.chunks; ch++ {
			it := pt*e.chunks + ch
			if st := e.status[it]; st >= stNegInf {
				e.pointState[pt] = max(e.pointState[pt], st)
				continue
			}
			top = math.Max(top, e.part[it*e.stride])
		}
		if e.pointState[pt] != stOK {
			continue
		}
		if math.IsInf(top, -1) {
			e.pointState[pt] = stNoFinite
			continue
		}
		clear(out)
		var sumw float64
		for ch := 0; ch < e.chunks; ch++ {
			it := pt*e.chunks + ch
			if e.status[it] != stOK {
				continue
			}
			part := e.part[it*e.stride : (it+1)*e.stride]
			scale := math.Exp(part[0] - top)
			sumw += scale * part[1]
			for j := range out {
				out[j] += scale * part[2+j]
			}
		}
		inv := 1 / sumw
		for j := range out {
			out[j] *= inv
		}
		if e.cfg.MixSigma > 0 {
			e.mix(out, e.scratch[w].den, pt, top, inv)
		}
		for j := range out {
			if v := out[j]; v != v {
				e.pointState[pt] = stNaNSum
			} else if math.IsInf(v, 0) && e.pointState[pt] == stOK {
				e.pointState[pt] = stInfSum
			}
		}
		if e.pointState[pt] != stOK {
			continue
		}
		m := e.cfg.M
		if e.h[pt] < e.cfg.ClipHLow {
			m = e.cfg.MLow
		}
		Clip(out, e.cfg.Clip, m, e.sp)
	}
}

// mix replaces the force form in out (point pt) by a·S_K + (1 − a)·D_K
// (Config.MixSigma), from the items' Σw·x_k sums; top and inv are the
// point's largest log-weight and 1/Σw, den is d values of scratch.
func (e *Estimator) mix(out, den []float64, pt int, top, inv float64) {
	h := e.h[pt]
	if h == 0 {
		return // a = 1
	}
	d := e.d
	s2 := e.cfg.MixSigma * e.cfg.MixSigma
	a := s2 / (s2 + h)
	clear(den)
	for ch := 0; ch < e.chunks; ch++ {
		it := pt*e.chunks + ch
		if e.status[it] != stOK {
			continue
		}
		part := e.part[it*e.stride : (it+1)*e.stride]
		scale := math.Exp(part[0]-top) * inv
		for j := range den {
			den[j] += scale * part[2+d+j]
		}
	}
	// D_K = (Σw·x_k/Σw − x)/h, centred for CoM-free targets.
	x := e.x[pt*d : (pt+1)*d]
	for j := range den {
		den[j] = (den[j] - x[j]) / h
	}
	if e.comFree {
		engine.Centre(den, e.n, e.sp, 1)
	}
	for j := range out {
		out[j] = a*out[j] + (1-a)*den[j]
	}
}

// Clip applies v ← min(1, M/(‖v‖ + 10⁻⁶))·v to v as a whole (ClipWhole) or
// to each consecutive spatial-dimension block (ClipPerParticle).
func Clip(v []float64, mode ClipMode, m float64, spatial int) {
	switch mode {
	case ClipWhole:
		clipBlock(v, m)
	case ClipPerParticle:
		for i := 0; i+spatial <= len(v); i += spatial {
			clipBlock(v[i:i+spatial], m)
		}
	}
}

func clipBlock(v []float64, m float64) {
	var s float64
	for _, x := range v {
		s += x * x
	}
	if f := m / (math.Sqrt(s) + ClipEps); f < 1 {
		for i := range v {
			v[i] *= f
		}
	}
}
