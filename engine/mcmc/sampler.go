package mcmc

import (
	"fmt"
	"math"
	"sort"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// Stream phases: the second key of every engine.Stream the sampler draws
// from is one of these (plus a stage index), so no two phases share numbers.
const (
	tagInit     = 1
	tagResample = 1 << 20 // + stage (0: the start)
	tagWarm     = 2 << 20 // + stage
	tagProd     = 3 << 20
)

// blockTarget is the number of float64 values one lane-blocked buffer of a
// block should hold (32 KiB), so that the block's x, x′ and forces stay in
// the L2 cache while its chains take a segment of steps.
const blockTarget = 4096

// segmentWork bounds the pair work (configurations × (pairs + dims)) of one
// parallel segment, so progress reports arrive a few times per second.
const segmentWork = 2e7

// sampler holds the state of all chains.
type sampler struct {
	cfg     *Config
	t       engine.Target
	pool    *engine.Pool
	n, sp   int
	d       int
	chains  int
	block   int // chains per block, a multiple of asm.Lanes
	nblocks int
	trap    float64
	keep    int

	// Lane-blocked buffers over all chains: state, its force (tempered when
	// the phase is), proposals and their forces.
	x, f, xp, fp []float64
	// Per chain: E, E_trap and the phase's energy U = β(E − E_trap) + E_trap.
	e, et, u []float64

	acc     []int64 // accepted proposals per block in the current phase
	moved   []bool  // per chain: a production proposal was accepted
	scratch []scratch
	evals   int64
	done    int // steps per chain done, for Progress
	total   int

	res *Result
}

// scratch is per-worker memory.
type scratch struct {
	z      []float64 // normals of one chain, layout order
	uni    []float64 // acceptance uniforms of one block
	ep, ef []float64 // proposal energies E and E_trap of one block
	row    []float64 // one row-major configuration
	g      []float64 // MALA drift factors per particle of the block's chains (block·n)
	gp     []float64 // the same for one proposal (n)
}

// phase describes a run of Metropolis steps at one β.
type phase struct {
	method Method
	tag    uint64
	beta   float64
	step   float64
	steps  int
	prod   bool // production: capture kept samples and the trace
}

func newSampler(cfg *Config) *sampler {
	t := cfg.Target
	n, sp := t.Shape()
	s := &sampler{cfg: cfg, t: t, pool: cfg.Pool, n: n, sp: sp, d: n * sp, chains: cfg.Chains, keep: max(cfg.Keep, 1)}
	if s.pool == nil {
		s.pool = engine.NewPool(1) // closed by run
	}
	s.trap = cfg.Trap
	if s.trap < 0 {
		s.trap = 0
		if tr, ok := t.(trapper); ok {
			s.trap = tr.Trap()
		}
	}
	s.block = cfg.Block
	if s.block == 0 {
		g := max(1, int(math.Round(float64(blockTarget)/float64(s.d*asm.Lanes))))
		// At least four blocks per worker when there are enough chains.
		per := (s.chains + 4*s.pool.Workers() - 1) / (4 * s.pool.Workers())
		g = min(g, max(1, (per+asm.Lanes-1)/asm.Lanes))
		s.block = g * asm.Lanes
	}
	s.nblocks = (s.chains + s.block - 1) / s.block
	size := asm.Len(n, sp, s.chains)
	s.x = make([]float64, size)
	s.f = make([]float64, size)
	s.xp = make([]float64, size)
	s.fp = make([]float64, size)
	s.e = make([]float64, s.chains)
	s.et = make([]float64, s.chains)
	s.u = make([]float64, s.chains)
	s.acc = make([]int64, s.nblocks)
	s.moved = make([]bool, s.chains)
	s.scratch = make([]scratch, s.pool.Workers())
	for w := range s.scratch {
		s.scratch[w] = scratch{
			z:   make([]float64, s.d),
			uni: make([]float64, s.block),
			ep:  make([]float64, s.block),
			ef:  make([]float64, s.block),
			row: make([]float64, s.d),
			g:   make([]float64, s.block*n),
			gp:  make([]float64, n),
		}
	}
	return s
}

// blockRange returns the chains [lo, hi) of block b and the lane-blocked
// offsets [olo, ohi) of their values.
func (s *sampler) blockRange(b int) (lo, hi, olo, ohi int) {
	lo = b * s.block
	hi = min(lo+s.block, s.chains)
	olo = lo * s.d
	ohi = asm.Blocks(hi) * asm.Lanes * s.d
	return
}

// base returns the offset of chain c's first value in a lane-blocked buffer;
// value j (layout order: dimension-major, then particle) is at base + j·Lanes.
func (s *sampler) base(c int) int {
	return (c/asm.Lanes)*s.d*asm.Lanes + c%asm.Lanes
}

func (s *sampler) run() (*Result, error) {
	cfg := s.cfg
	if cfg.Pool == nil {
		defer s.pool.Close()
	}
	s.res = &Result{Dim: s.d, Rows: s.keep * s.chains, TraceChains: cfg.Trace}
	s.res.Samples = make([]float64, s.res.Rows*s.d)
	s.res.Energies = make([]float64, s.res.Rows)
	if cfg.Trace > 0 {
		s.res.Trace = make([]float64, cfg.Steps*cfg.Trace)
	}
	stages := max(len(cfg.Ladder)-1, 0)
	s.total = stages*cfg.WarmSteps + cfg.Steps

	// Start.
	if cfg.Start != nil {
		s.startFrom(cfg.Start)
	} else {
		s.initialise()
	}
	beta0 := 1.0
	if len(cfg.Ladder) > 0 {
		beta0 = cfg.Ladder[0]
	}
	s.evaluate(beta0)
	s.res.Init = Stage{Beta: beta0, ESS: 1}
	if cfg.Start != nil {
		s.res.StartEnergies = append([]float64(nil), s.e...)
	}
	if cfg.InitResample {
		logw := make([]float64, s.chains)
		for c := range logw {
			logw[c] = -s.e[c]
		}
		ess, err := s.resample(logw, tagResample)
		if err != nil {
			return nil, fmt.Errorf("resampling the start: %w", err)
		}
		s.res.Init.ESS = ess
		s.evaluate(beta0)
	}

	// Annealed SMC warm-up.
	logw := make([]float64, s.chains)
	for i := 1; i < len(cfg.Ladder); i++ {
		beta, db := cfg.Ladder[i], cfg.Ladder[i]-cfg.Ladder[i-1]
		for c := range logw {
			logw[c] = -db * (s.e[c] - s.et[c])
		}
		ess, err := s.resample(logw, tagResample+uint64(i))
		if err != nil {
			return nil, fmt.Errorf("resampling before stage β = %v: %w", beta, err)
		}
		s.evaluate(beta)
		ph := phase{method: cfg.WarmMethod, tag: tagWarm + uint64(i), beta: beta, step: WarmStep(cfg.Step, beta, cfg.WarmMaxStep), steps: cfg.WarmSteps}
		st := s.runPhase(ph)
		st.ESS = ess
		s.res.Warm = append(s.res.Warm, st)
		if err := ctxErr(cfg.Context); err != nil {
			return nil, err
		}
	}

	// Production.
	if len(cfg.Ladder) > 0 || beta0 != 1 {
		s.evaluate(1)
	}
	if cfg.Steps == 0 {
		s.capture(0, 0, s.chains)
	}
	s.res.Prod = s.runPhase(phase{method: cfg.Method, tag: tagProd, beta: 1, step: cfg.Step, steps: cfg.Steps, prod: true})
	s.res.Prod.ESS = 1
	if err := ctxErr(cfg.Context); err != nil {
		return nil, err
	}
	s.res.Evals = s.evals
	for _, m := range s.moved {
		if !m {
			s.res.Unmoved++
		}
	}
	if s.t.CoMFree() {
		engine.Centre(s.res.Samples, s.n, s.sp, s.res.Rows)
	}
	return s.res, nil
}

// initialise draws the start of every chain.
func (s *sampler) initialise() {
	cfg := s.cfg
	s.pool.For(s.nblocks, 1, func(w, blo, bhi int) {
		row := s.scratch[w].row
		for b := blo; b < bhi; b++ {
			lo, hi, _, _ := s.blockRange(b)
			for c := lo; c < hi; c++ {
				st := engine.NewStream(cfg.Seed, tagInit, uint64(c))
				for j := range row {
					if cfg.Init == InitGauss {
						row[j] = cfg.InitScale * st.Norm()
					} else {
						row[j] = cfg.InitScale * (2*st.Float64() - 1)
					}
				}
				if s.t.CoMFree() {
					engine.Centre(row, s.n, s.sp, 1)
				}
				s.scatter(s.x, c, row)
			}
		}
	})
	s.fillPadding(s.x)
}

// startFrom copies the row-major configurations start (Chains rows) into
// the chains, centring molecules.
func (s *sampler) startFrom(start []float64) {
	s.pool.For(s.nblocks, 1, func(w, blo, bhi int) {
		row := s.scratch[w].row
		for b := blo; b < bhi; b++ {
			lo, hi, _, _ := s.blockRange(b)
			for c := lo; c < hi; c++ {
				copy(row, start[c*s.d:(c+1)*s.d])
				if s.t.CoMFree() {
					engine.Centre(row, s.n, s.sp, 1)
				}
				s.scatter(s.x, c, row)
			}
		}
	})
	s.fillPadding(s.x)
}

// fillPadding copies the last chain into the padding lanes of buf, so that
// kernels see valid configurations there.
func (s *sampler) fillPadding(buf []float64) {
	last := s.chains - 1
	bl := s.base(last)
	for c := s.chains; c < asm.Blocks(s.chains)*asm.Lanes; c++ {
		bc := s.base(c)
		for j := 0; j < s.d; j++ {
			buf[bc+j*asm.Lanes] = buf[bl+j*asm.Lanes]
		}
	}
}

// scatter writes the row-major configuration row to chain c of buf.
func (s *sampler) scatter(buf []float64, c int, row []float64) {
	bc := s.base(c)
	for k := 0; k < s.sp; k++ {
		for i := 0; i < s.n; i++ {
			buf[bc+(k*s.n+i)*asm.Lanes] = row[i*s.sp+k]
		}
	}
}

// gather reads chain c of buf into the row-major row.
func (s *sampler) gather(row []float64, buf []float64, c int) {
	bc := s.base(c)
	for k := 0; k < s.sp; k++ {
		for i := 0; i < s.n; i++ {
			row[i*s.sp+k] = buf[bc+(k*s.n+i)*asm.Lanes]
		}
	}
}

// trapEnergy returns E_trap of chain c of buf.
func (s *sampler) trapEnergy(buf []float64, c int) float64 {
	if s.trap == 0 {
		return 0
	}
	bc := s.base(c)
	sum := 0.0
	for k := 0; k < s.sp; k++ {
		off := bc + k*s.n*asm.Lanes
		m := 0.0
		for i := 0; i < s.n; i++ {
			m += buf[off+i*asm.Lanes]
		}
		m /= float64(s.n)
		for i := 0; i < s.n; i++ {
			v := buf[off+i*asm.Lanes] - m
			sum += v * v
		}
	}
	return 0.5 * s.trap * sum
}

// temperForce turns the force F = −∇E of chain c in f into the force of
// U_β = β(E − E_trap) + E_trap: βF + (1 − β)·(−k(xᵢ − x̄)).
func (s *sampler) temperForce(f, x []float64, c int, beta float64) {
	if beta == 1 {
		return
	}
	bc := s.base(c)
	for k := 0; k < s.sp; k++ {
		off := bc + k*s.n*asm.Lanes
		m := 0.0
		for i := 0; i < s.n; i++ {
			m += x[off+i*asm.Lanes]
		}
		m /= float64(s.n)
		for i := 0; i < s.n; i++ {
			p := off + i*asm.Lanes
			f[p] = beta*f[p] - (1-beta)*s.trap*(x[p]-m)
		}
	}
}

// evaluate computes E, E_trap, U and the force of U (tempered) of every
// chain at inverse temperature beta. Every phase starts with it, so the
// forces of a MALA phase are fresh even after a random-walk phase, which does
// not keep them up to date.
func (s *sampler) evaluate(beta float64) {
	s.pool.For(s.nblocks, 1, func(w, blo, bhi int) {
		for b := blo; b < bhi; b++ {
			lo, hi, olo, ohi := s.blockRange(b)
			s.t.EnergyForce(s.e[lo:hi], s.f[olo:ohi], s.x[olo:ohi], hi-lo)
			for c := lo; c < hi; c++ {
				s.et[c] = s.trapEnergy(s.x, c)
				s.u[c] = tempered(s.e[c], s.et[c], beta)
				s.temperForce(s.f, s.x, c, beta)
			}
		}
	})
	s.evals += int64(s.chains)
}

// tempered returns U = β(E − E_trap) + E_trap (E itself at β = 1, so that
// production energies are exactly the target's).
func tempered(e, et, beta float64) float64 {
	if beta == 1 {
		return e
	}
	return beta*(e-et) + et
}

// resample replaces the chains by a multinomial draw of ancestors with
// weights ∝ exp(logw) and returns the normalised ESS of the weights. It is
// serial and in chain order, so it does not depend on the worker count.
// E, E_trap and U are not updated: call evaluate afterwards.
func (s *sampler) resample(logw []float64, tag uint64) (float64, error) {
	m := math.Inf(-1)
	for _, v := range logw {
		if v > m && !math.IsNaN(v) && !math.IsInf(v, 1) {
			m = v
		}
	}
	if math.IsInf(m, -1) {
		return 0, ErrDegenerate
	}
	cum := make([]float64, len(logw))
	sum, sum2 := 0.0, 0.0
	for c, v := range logw {
		w := 0.0
		if !math.IsNaN(v) && !math.IsInf(v, 1) {
			w = math.Exp(v - m)
		}
		sum += w
		sum2 += w * w
		cum[c] = sum
	}
	ess := sum * sum / (sum2 * float64(len(logw)))
	st := engine.NewStream(s.cfg.Seed, tag)
	copy(s.xp, s.x)
	for c := range logw {
		r := st.Float64() * sum
		a := sort.SearchFloat64s(cum, r)
		// SearchFloat64s finds the first cum ≥ r; step over zero-weight
		// chains, whose cum equals their predecessor's.
		for a < len(cum)-1 && cum[a] <= r {
			a++
		}
		src, dst := s.base(a), s.base(c)
		for j := 0; j < s.d; j++ {
			s.x[dst+j*asm.Lanes] = s.xp[src+j*asm.Lanes]
		}
	}
	copy(s.xp, s.x) // keeps the padding lanes of xp valid
	return ess, nil
}

// runPhase runs ph.steps Metropolis steps on every chain, in segments
// between which Progress is called.
func (s *sampler) runPhase(ph phase) Stage {
	clear(s.acc)
	copy(s.xp, s.x)
	pairs := s.n*(s.n-1)/2 + s.d
	seg := int(segmentWork / float64(s.chains*pairs))
	seg = min(max(seg, 1), 1000)
	for t0 := 0; t0 < ph.steps; t0 += seg {
		nt := min(seg, ph.steps-t0)
		s.pool.For(s.nblocks, 1, func(w, blo, bhi int) {
			for b := blo; b < bhi; b++ {
				s.runBlock(w, b, ph, t0, nt)
			}
		})
		s.evals += int64(nt) * int64(s.chains)
		s.done += nt
		if s.cfg.Progress != nil {
			s.cfg.Progress(s.done, s.total)
		}
		if ctxErr(s.cfg.Context) != nil {
			break
		}
	}
	var acc int64
	for _, a := range s.acc {
		acc += a
	}
	st := Stage{Beta: ph.beta, Step: ph.step, Steps: ph.steps}
	if ph.steps > 0 {
		st.Accept = float64(acc) / (float64(ph.steps) * float64(s.chains))
	}
	return st
}

// runBlock advances the chains of block b by steps t0 … t0+nt−1 of phase ph.
func (s *sampler) runBlock(w, b int, ph phase, t0, nt int) {
	cfg := s.cfg
	sc := &s.scratch[w]
	lo, hi, olo, ohi := s.blockRange(b)
	nb := hi - lo
	L := asm.Lanes
	step := ph.step
	h := step * step
	mala := ph.method == MALA
	var acc int64
	var st engine.Stream
	for t := t0; t < t0+nt; t++ {
		// Propose.
		for c := lo; c < hi; c++ {
			st.Reset3(cfg.Seed, ph.tag, uint64(c), uint64(t))
			st.FillNorm(sc.z)
			bc := s.base(c)
			if mala {
				g := sc.g[(c-lo)*s.n : (c-lo+1)*s.n]
				s.driftScale(g, s.f, c, h)
				i := 0 // particle of coordinate j (layout: dimension-major)
				for j, z := range sc.z {
					p := bc + j*L
					s.xp[p] = s.x[p] + g[i]*(0.5*h)*s.f[p] + step*z
					if i++; i == s.n {
						i = 0
					}
				}
			} else {
				for j, z := range sc.z {
					p := bc + j*L
					s.xp[p] = s.x[p] + step*z
				}
			}
			sc.uni[c-lo] = st.Float64()
		}
		s.t.EnergyForce(sc.ep[:nb], s.fp[olo:ohi], s.xp[olo:ohi], nb)
		// Accept or reject.
		for c := lo; c < hi; c++ {
			ep := sc.ep[c-lo]
			etp := 0.0
			if ph.beta != 1 {
				etp = s.trapEnergy(s.xp, c)
			}
			up := tempered(ep, etp, ph.beta)
			logA := s.u[c] - up
			bc := s.base(c)
			if mala {
				s.temperForce(s.fp, s.xp, c, ph.beta)
				g := sc.g[(c-lo)*s.n : (c-lo+1)*s.n]
				s.driftScale(sc.gp, s.fp, c, h)
				// log q(x | x′) − log q(x′ | x).
				fwd, rev := 0.0, 0.0
				i := 0
				for j := 0; j < s.d; j++ {
					p := bc + j*L
					a := s.xp[p] - s.x[p] - g[i]*(0.5*h)*s.f[p]
					r := s.x[p] - s.xp[p] - sc.gp[i]*(0.5*h)*s.fp[p]
					fwd += a * a
					rev += r * r
					if i++; i == s.n {
						i = 0
					}
				}
				logA += (fwd - rev) / (2 * h)
			}
			// NaN (e.g. +Inf − +Inf) compares false: rejected.
			if math.Log(sc.uni[c-lo]) < logA {
				for j := 0; j < s.d; j++ {
					p := bc + j*L
					s.x[p] = s.xp[p]
				}
				if mala {
					for j := 0; j < s.d; j++ {
						p := bc + j*L
						s.f[p] = s.fp[p]
					}
				}
				s.e[c], s.et[c], s.u[c] = ep, etp, up
				if ph.prod {
					s.moved[c] = true
				}
				acc++
			}
		}
		if ph.prod {
			if cfg.Trace > 0 && lo < cfg.Trace {
				for c := lo; c < min(hi, cfg.Trace); c++ {
					s.res.Trace[t*cfg.Trace+c] = s.e[c]
				}
			}
			// Keep slot k holds the state after step Steps − (keep−1−k)·Thin.
			if r := ph.steps - (t + 1); r%max(cfg.Thin, 1) == 0 {
				if k := s.keep - 1 - r/max(cfg.Thin, 1); k >= 0 && (cfg.Thin > 0 || r == 0) {
					s.capture(k, lo, hi)
				}
			}
		}
	}
	s.acc[b] += acc
}

// driftScale writes to g, for every particle i of chain c in the force
// buffer f, the factor that truncates its MALA drift (h/2)·Fᵢ to a length
// of at most Config.DriftClip: min(1, clip/‖(h/2)·Fᵢ‖), or 1 without a clip.
func (s *sampler) driftScale(g, f []float64, c int, h float64) {
	clip := s.cfg.DriftClip
	if clip == 0 {
		for i := range g {
			g[i] = 1
		}
		return
	}
	bc := s.base(c)
	for i := 0; i < s.n; i++ {
		q := 0.0
		for k := 0; k < s.sp; k++ {
			v := f[bc+(k*s.n+i)*asm.Lanes]
			q += v * v
		}
		// A non-finite force gives a NaN proposal, which is rejected,
		// as without a clip.
		g[i] = 1
		if l := 0.5 * h * math.Sqrt(q); l > clip {
			g[i] = clip / l
		}
	}
}

// capture copies the current state of chains [lo, hi) into keep slot k.
func (s *sampler) capture(k, lo, hi int) {
	for c := lo; c < hi; c++ {
		row := k*s.chains + c
		s.gather(s.res.Samples[row*s.d:(row+1)*s.d], s.x, c)
		s.res.Energies[row] = s.e[c]
	}
}
