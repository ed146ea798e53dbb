package mcmc

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// ImportanceConfig configures ImportanceResample.
type ImportanceConfig struct {
	// Target is the density exp(−E) to sample (required).
	Target engine.Target
	// HalfWidth is L > 0: the proposal is uniform on the box [−L, L] of the
	// free coordinates (for molecules, every particle's position relative to
	// the last one). Mass outside the box is lost; Result.EdgeWeight says
	// how much of the weight lies near its faces.
	HalfWidth float64
	// Proposals is the number of uniform proposals (required, > 0).
	Proposals int
	// N is the number of configurations resampled from them (> 0).
	N int
	// Seed keys every random draw.
	Seed uint64
	// Pool runs blocks of proposals in parallel; nil means one worker.
	Pool *engine.Pool
	// Progress, when set, is called from the calling goroutine with the
	// number of proposals evaluated so far and the total.
	Progress func(done, total int)
	// Context, when set, is checked between rounds of blocks; once it is
	// done, ImportanceResample stops and returns context.Cause(Context).
	Context context.Context
}

// ImportanceResult is the output of ImportanceResample.
type ImportanceResult struct {
	// Samples holds Rows = N configurations of Dim values, row-major, in a
	// random order; molecules are centred. Energies holds their E.
	Samples   []float64
	Rows, Dim int
	Energies  []float64
	// Evals counts energy evaluations: every proposal once, and the
	// proposal blocks regenerated to pick the resampled rows.
	Evals int64
	// ESS is Kish's effective sample size (Σw)²/Σw² of the proposals.
	ESS float64
	// LogZ estimates log ∫_box exp(−E) over the free coordinates (relative
	// positions for molecules), in nats.
	LogZ float64
	// MaxWeight is the largest normalised weight of one proposal.
	MaxWeight float64
	// EdgeWeight is the normalised weight of proposals with a free
	// coordinate beyond 0.9·HalfWidth; a value that is not tiny means the
	// box cuts off mass and HalfWidth should grow.
	EdgeWeight float64
}

// importanceBlock is the number of proposals of one work item.
const importanceBlock = 1024

// Phase tags of the importance sampler's random streams.
const (
	tagISPropose = 0x15a0
	tagISDraw    = 0x15a1
	tagISShuffle = 0x15a2
)

// ImportanceResample draws cfg.N configurations from exp(−E) by
// sampling-importance-resampling (Rubin 1988): it evaluates cfg.Proposals
// uniform proposals on a box, weights each by exp(−E) and resamples N of
// them multinomially in proportion to their weights. Being free of Markov
// chains, it cannot get stuck in a mode; its cost grows with the ratio of
// the box to the typical set, so it suits low-dimensional targets (DW-4,
// GMM-40) as an independent check of the MCMC reference.
//
// The draws are keyed by (seed, block) and the weights are summed in block
// order, so the result is bit-identical for any number of workers. A NaN or
// −Inf energy is an error; +Inf has zero weight.
func ImportanceResample(cfg ImportanceConfig) (*ImportanceResult, error) {
	t := cfg.Target
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
	}
	switch {
	case t == nil:
		return nil, bad("no target")
	case !(cfg.HalfWidth > 0) || math.IsInf(cfg.HalfWidth, 0):
		return nil, bad("HalfWidth = %v, want a positive finite value", cfg.HalfWidth)
	case cfg.Proposals <= 0:
		return nil, bad("Proposals = %d, want > 0", cfg.Proposals)
	case cfg.N <= 0:
		return nil, bad("N = %d, want > 0", cfg.N)
	}
	n, sp := t.Shape()
	d := t.Dim()
	if n*sp != d || n <= 0 || sp <= 0 {
		return nil, bad("target shape (%d, %d) inconsistent with Dim %d", n, sp, d)
	}
	pool := cfg.Pool
	if pool == nil {
		pool = engine.NewPool(1)
		defer pool.Close()
	}
	is := &importance{cfg: cfg, n: n, sp: sp, d: d, free: d}
	if t.CoMFree() {
		is.free = d - sp
	}
	is.blocks = (cfg.Proposals + importanceBlock - 1) / importanceBlock
	is.stats = make([]blockStats, is.blocks)
	is.scratch = make([]isScratch, pool.Workers())
	for w := range is.scratch {
		is.scratch[w] = isScratch{
			rows: make([]float64, importanceBlock*d),
			x:    make([]float64, asm.Len(n, sp, importanceBlock)),
			f:    make([]float64, asm.Len(n, sp, importanceBlock)),
			e:    make([]float64, importanceBlock),
			cw:   make([]float64, importanceBlock),
		}
	}

	// Pass 1: per-block maxima and scaled sums of the weights.
	rounds := min(is.blocks, 64)
	for r := 0; r < rounds; r++ {
		lo, hi := r*is.blocks/rounds, (r+1)*is.blocks/rounds
		pool.For(hi-lo, 1, func(w, a, b int) {
			for j := lo + a; j < lo+b; j++ {
				is.weigh(w, j)
			}
		})
		if cfg.Progress != nil {
			cfg.Progress(min(hi*importanceBlock, cfg.Proposals), cfg.Proposals)
		}
		if err := ctxErr(cfg.Context); err != nil {
			return nil, err
		}
	}
	top := math.Inf(-1)
	for j := range is.stats {
		if err := is.stats[j].err; err != nil {
			return nil, err
		}
		top = max(top, is.stats[j].top)
	}
	if math.IsInf(top, -1) {
		return nil, ErrDegenerate
	}
	cum := make([]float64, is.blocks+1)
	var sum2, edge float64
	for j, st := range is.stats {
		sc := math.Exp(st.top - top)
		cum[j+1] = cum[j] + st.sum*sc
		sum2 += st.sum2 * sc * sc
		edge += st.edge * sc
	}
	z := cum[is.blocks]
	res := &ImportanceResult{
		Rows: cfg.N, Dim: d,
		Samples:    make([]float64, cfg.N*d),
		Energies:   make([]float64, cfg.N),
		ESS:        z * z / sum2,
		LogZ:       top + math.Log(z) + float64(is.free)*math.Log(2*cfg.HalfWidth) - math.Log(float64(cfg.Proposals)),
		MaxWeight:  1 / z, // the proposal at the global maximum has weight exp(0)
		EdgeWeight: edge / z,
	}

	// Pass 2: multinomial draws as sorted uniforms on [0, z), each located
	// in its block by the cumulative sums, then within it by regenerating
	// the block.
	st := engine.NewStream(cfg.Seed, tagISDraw)
	u := make([]float64, cfg.N)
	for i := range u {
		u[i] = st.Float64() * z
	}
	slices.Sort(u)
	type span struct{ block, lo, hi int }
	var spans []span
	// locate returns the first block whose cumulative weight passes v (a
	// block with a positive weight); a draw is below z, so one exists, but
	// should rounding say otherwise, the last block with a weight is taken.
	lastPos := is.blocks - 1
	for lastPos > 0 && !(cum[lastPos+1] > cum[lastPos]) {
		lastPos--
	}
	locate := func(v float64) int {
		return min(sort.Search(is.blocks, func(b int) bool { return cum[b+1] > v }), lastPos)
	}
	for i, v := range u { // u is sorted, so each block's draws are contiguous
		if j := locate(v); len(spans) > 0 && spans[len(spans)-1].block == j {
			spans[len(spans)-1].hi = i + 1
		} else {
			spans = append(spans, span{j, i, i + 1})
		}
	}
	if err := ctxErr(cfg.Context); err != nil {
		return nil, err
	}
	regenerated := make([]int64, len(spans))
	pool.For(len(spans), 1, func(w, a, b int) {
		for i, sp := range spans[a:b] {
			regenerated[a+i] = int64(is.pick(w, sp.block, u[sp.lo:sp.hi], cum[sp.block], math.Exp(is.stats[sp.block].top-top), res, sp.lo))
		}
	})
	res.Evals = int64(cfg.Proposals)
	for _, r := range regenerated {
		res.Evals += r
	}

	// Shuffle so that repeated picks are not adjacent.
	sh := engine.NewStream(cfg.Seed, tagISShuffle)
	row := make([]float64, d)
	for i := cfg.N - 1; i > 0; i-- {
		k := sh.IntN(i + 1)
		copy(row, res.Samples[i*d:(i+1)*d])
		copy(res.Samples[i*d:(i+1)*d], res.Samples[k*d:(k+1)*d])
		copy(res.Samples[k*d:(k+1)*d], row)
		res.Energies[i], res.Energies[k] = res.Energies[k], res.Energies[i]
	}
	return res, nil
}

type blockStats struct {
	top       float64 // max −E in the block
	sum, sum2 float64 // Σ exp(−E − top), Σ exp(−2E − 2top)
	edge      float64 // Σ exp(−E − top) over proposals near the box faces
	err       error
}

type isScratch struct {
	rows, x, f, e, cw []float64
}

type importance struct {
	cfg      ImportanceConfig
	n, sp, d int
	free     int
	blocks   int
	stats    []blockStats
	scratch  []isScratch
}

// generate draws and evaluates block j into worker w's scratch; it returns
// the number of proposals in the block.
func (is *importance) generate(w, j int) int {
	s := &is.scratch[w]
	cnt := min(importanceBlock, is.cfg.Proposals-j*importanceBlock)
	st := engine.NewStream(is.cfg.Seed, tagISPropose, uint64(j))
	L := is.cfg.HalfWidth
	for c := 0; c < cnt; c++ {
		row := s.rows[c*is.d : (c+1)*is.d]
		for k := 0; k < is.free; k++ {
			row[k] = (2*st.Float64() - 1) * L
		}
		for k := is.free; k < is.d; k++ {
			row[k] = 0 // the reference particle of a molecule
		}
	}
	asm.Pack(s.x, s.rows[:cnt*is.d], is.n, is.sp, cnt)
	is.cfg.Target.EnergyForce(s.e[:cnt], s.f, s.x, cnt)
	return cnt
}

// nearEdge reports whether row has a free coordinate beyond 0.9·L.
func (is *importance) nearEdge(row []float64) bool {
	lim := 0.9 * is.cfg.HalfWidth
	for _, v := range row[:is.free] {
		if math.Abs(v) > lim {
			return true
		}
	}
	return false
}

func (is *importance) weigh(w, j int) {
	cnt := is.generate(w, j)
	s := &is.scratch[w]
	st := blockStats{top: math.Inf(-1)}
	for _, e := range s.e[:cnt] {
		if math.IsNaN(e) || math.IsInf(e, -1) {
			st.err = fmt.Errorf("mcmc: importance sampling: energy %v in block %d", e, j)
			is.stats[j] = st
			return
		}
		st.top = max(st.top, -e)
	}
	if !math.IsInf(st.top, -1) {
		for c, e := range s.e[:cnt] {
			v := math.Exp(-e - st.top)
			st.sum += v
			st.sum2 += v * v
			if is.nearEdge(s.rows[c*is.d : (c+1)*is.d]) {
				st.edge += v
			}
		}
	}
	is.stats[j] = st
}

// pick regenerates block j and writes to rows first, first+1, … the
// proposals that the sorted draws u fall on; base is the cumulative weight
// before the block and sc converts its scaled weights to the global scale.
// It returns the number of proposals evaluated.
func (is *importance) pick(w, j int, u []float64, base, sc float64, res *ImportanceResult, first int) int {
	cnt := is.generate(w, j)
	s := &is.scratch[w]
	top := is.stats[j].top
	cw := s.cw[:cnt] // the block's own cumulative weights, at its scale
	acc := 0.0
	last := 0 // the last proposal with a positive weight
	for c, e := range s.e[:cnt] {
		v := math.Exp(-e - top)
		acc += v
		cw[c] = acc
		if v > 0 {
			last = c
		}
	}
	for i, v := range u {
		// The first proposal whose cumulative weight passes the draw has a
		// positive weight itself; rounding at the block's top end falls
		// back to the last one with a weight.
		t := (v - base) / sc
		c := sort.Search(cnt, func(k int) bool { return cw[k] > t })
		if c == cnt {
			c = last
		}
		r := first + i
		dst := res.Samples[r*is.d : (r+1)*is.d]
		copy(dst, s.rows[c*is.d:(c+1)*is.d])
		if is.cfg.Target.CoMFree() {
			engine.Centre(dst, is.n, is.sp, 1)
		}
		res.Energies[r] = s.e[c]
	}
	return cnt
}
