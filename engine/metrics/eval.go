package metrics

import (
	"fmt"
	"math"
	"slices"

	"github.com/idem-project/idem/engine"
)

// Batch is one side of a comparison: configurations and, optionally, their
// energies E(x) in kT (one per configuration; nil skips energy metrics).
// A batch used only for energy metrics may leave X empty.
type Batch struct {
	X      Set
	Energy []float64
}

// Len returns the number of samples: rows of X, or energies if X is empty.
func (b Batch) Len() int {
	if len(b.X.Data) > 0 {
		return b.X.Len()
	}
	return len(b.Energy)
}

// Options selects what Compute evaluates.
type Options struct {
	// Space is the spatial dimension D (2 or 3) of molecular targets: sets
	// are centred, and the aligned and interatomic-distance metrics become
	// available. 0 means plain vectors (GMM-40, compared in x units).
	Space int
	// Metrics lists the metric names to compute (the constants of this
	// package); nil means DefaultMetrics(Space). Requesting NameDistTVD200 also
	// reports NameDistTVD200Dropped.
	Metrics []string
	// Pool spreads cost matrices over workers; nil means one worker.
	Pool *engine.Pool
}

// DefaultMetrics returns every metric defined for the given spatial
// dimension (0 for plain vectors), in SPEC §7.1 order.
func DefaultMetrics(space int) []string {
	if space == 0 {
		return []string{NameXW2, NameXW1, NameEnergyW2, NameEnergyW2Sq, NameEnergyW1}
	}
	return []string{NameXW2, NameXW1, NameXW2Aligned, NameXW1Aligned, NameEnergyW2, NameEnergyW2Sq, NameEnergyW1,
		NameDistW2, NameDistW2Sq, NameDistW1, NameDistTVD200, NameDistTVD200Dropped}
}

// Protocol names (SPEC §7.2).
const (
	ProtocolDEM  = "p-dem"
	ProtocolAS   = "p-as"
	ProtocolBlog = "p-blog"
)

// ProtocolMetrics returns the metrics one published protocol reports
// (SPEC §7.2), leaving out the ones undefined for plain vectors when
// space = 0.
func ProtocolMetrics(protocol string, space int) ([]string, error) {
	var m []string
	switch protocol {
	case ProtocolDEM:
		m = []string{NameXW2, NameEnergyW2Sq, NameDistW2Sq, NameDistTVD200, NameDistTVD200Dropped}
	case ProtocolAS:
		m = []string{NameXW2Aligned, NameEnergyW2, NameDistW2Sq}
	case ProtocolBlog:
		m = []string{NameXW2, NameEnergyW1, NameDistW1}
	default:
		return nil, fmt.Errorf("metrics: unknown protocol %q (want %s, %s or %s)", protocol, ProtocolDEM, ProtocolAS, ProtocolBlog)
	}
	if space == 0 {
		m = slices.DeleteFunc(m, func(s string) bool { return needsSpace(s) })
	}
	return m, nil
}

func needsSpace(metric string) bool {
	switch metric {
	case NameXW2Aligned, NameXW1Aligned, NameDistW2, NameDistW2Sq, NameDistW1, NameDistTVD200, NameDistTVD200Dropped:
		return true
	}
	return false
}

func needsX(metric string) bool {
	switch metric {
	case NameEnergyW2, NameEnergyW2Sq, NameEnergyW1:
		return false
	}
	return true
}

func known(metric string) bool {
	return slices.Contains(DefaultMetrics(3), metric)
}

// Compute evaluates the requested metrics between a generated batch gen and
// a reference batch ref and returns them by name. Molecular sets (Space > 0)
// are centred first (copies; the inputs are not modified). Expensive shared
// pieces — the squared-distance matrix of x_w2/x_w1, the aligned cost matrix
// of x_w2_aligned/x_w1_aligned, the pooled distances — are computed once.
func Compute(gen, ref Batch, opt Options) (map[string]float64, error) {
	metrics := opt.Metrics
	if metrics == nil {
		metrics = DefaultMetrics(opt.Space)
	}
	if slices.Contains(metrics, NameDistTVD200) && !slices.Contains(metrics, NameDistTVD200Dropped) {
		metrics = append(slices.Clone(metrics), NameDistTVD200Dropped)
	}
	if opt.Space != 0 && opt.Space != 2 && opt.Space != 3 {
		return nil, fmt.Errorf("%w: spatial dimension %d (want 0, 2 or 3)", ErrDim, opt.Space)
	}
	var wantX, wantE bool
	for _, m := range metrics {
		if !known(m) {
			return nil, fmt.Errorf("metrics: unknown metric %q", m)
		}
		if needsSpace(m) && opt.Space == 0 {
			return nil, fmt.Errorf("metrics: %s needs a molecular target (Options.Space 2 or 3)", m)
		}
		wantX = wantX || needsX(m)
		wantE = wantE || !needsX(m)
	}
	if wantE {
		if len(gen.Energy) == 0 || len(ref.Energy) == 0 {
			return nil, fmt.Errorf("%w: energy metrics requested but a batch has no energies", ErrEmpty)
		}
		for _, b := range []Batch{gen, ref} {
			if len(b.X.Data) > 0 && b.X.Dim > 0 && len(b.Energy) != b.X.Len() {
				return nil, fmt.Errorf("%w: %d energies for %d configurations", ErrDim, len(b.Energy), b.X.Len())
			}
		}
	}
	var ga, ra Set // centred (molecules) or as given
	if wantX {
		if err := checkPair(gen.X, ref.X); err != nil {
			return nil, err
		}
		ga, ra = gen.X, ref.X
		if opt.Space > 0 {
			var err error
			if ga, err = Centre(gen.X, opt.Space); err != nil {
				return nil, err
			}
			if ra, err = Centre(ref.X, opt.Space); err != nil {
				return nil, err
			}
		}
	}
	out := make(map[string]float64, len(metrics))
	var (
		sq, aligned    []float64
		eDist, dDist   *Dist1D
		genDist, refDs []float64
	)
	distances := func() error {
		if genDist != nil {
			return nil
		}
		var err error
		if genDist, err = PairDistances(ga, opt.Space); err != nil {
			return err
		}
		refDs, err = PairDistances(ra, opt.Space)
		return err
	}
	for _, m := range metrics {
		if _, done := out[m]; done {
			continue
		}
		var err error
		switch m {
		case NameXW2, NameXW1:
			if sq == nil {
				if sq, err = SqDist(ga, ra, opt.Pool); err != nil {
					return nil, err
				}
			}
			c := sq
			if m == NameXW1 {
				c = make([]float64, len(sq))
				for i, v := range sq {
					c[i] = math.Sqrt(v)
				}
			}
			w, err := OT(c, ga.Len(), ra.Len())
			if err != nil {
				return nil, err
			}
			if m == NameXW2 {
				w = math.Sqrt(w)
			}
			out[m] = w
		case NameXW2Aligned, NameXW1Aligned:
			if aligned == nil {
				if aligned, err = AlignedCost(ga, ra, opt.Space, opt.Pool); err != nil {
					return nil, err
				}
			}
			c := aligned
			if m == NameXW2Aligned {
				c = make([]float64, len(aligned))
				for i, v := range aligned {
					c[i] = v * v
				}
			}
			w, err := OT(c, ga.Len(), ra.Len())
			if err != nil {
				return nil, err
			}
			if m == NameXW2Aligned {
				w = math.Sqrt(w)
			}
			out[m] = w
		case NameEnergyW2, NameEnergyW2Sq, NameEnergyW1:
			if eDist == nil {
				d, err := Compare1D(gen.Energy, ref.Energy)
				if err != nil {
					return nil, fmt.Errorf("energies: %w", err)
				}
				eDist = &d
			}
			out[m] = map[string]float64{NameEnergyW2: eDist.W2(), NameEnergyW2Sq: eDist.W2Sq, NameEnergyW1: eDist.W1}[m]
		case NameDistW2, NameDistW2Sq, NameDistW1:
			if err := distances(); err != nil {
				return nil, err
			}
			if dDist == nil {
				d, err := Compare1D(genDist, refDs)
				if err != nil {
					return nil, err
				}
				dDist = &d
			}
			out[m] = map[string]float64{NameDistW2: dDist.W2(), NameDistW2Sq: dDist.W2Sq, NameDistW1: dDist.W1}[m]
		case NameDistTVD200, NameDistTVD200Dropped:
			if err := distances(); err != nil {
				return nil, err
			}
			tvd, dropped, err := HistTVD(refDs, genDist, TVDBins)
			if err != nil {
				return nil, err
			}
			out[NameDistTVD200], out[NameDistTVD200Dropped] = tvd, dropped
		}
	}
	// Only what was asked for (the TVD case fills its pair).
	for k := range out {
		if !slices.Contains(metrics, k) {
			delete(out, k)
		}
	}
	return out, nil
}

// Stat summarises one metric over independent batches.
type Stat struct {
	Mean    float64 `json:"mean"`
	SD      float64 `json:"sd"` // sample standard deviation (n−1); 0 for a single batch
	Batches int     `json:"batches"`
}

// Summarize returns the mean and sample standard deviation of xs.
func Summarize(xs []float64) Stat {
	s := Stat{Batches: len(xs)}
	if len(xs) == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(len(xs))
	if len(xs) > 1 {
		var v float64
		for _, x := range xs {
			v += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(v / float64(len(xs)-1))
	}
	return s
}

// FloorOptions configures Floor.
type FloorOptions struct {
	N       int    // samples per side
	Batches int    // independent batch pairs (SPEC §7.3 uses 10)
	Seed    uint64 // all draws and rotations derive from (Seed, batch index)
	// Rotate gives every configuration of both batches an independent
	// uniform random rotation (SPEC §7.3, §9.11); molecules only.
	Rotate bool
}

// Floor returns floor_<metric> for every metric of opt: the metric between
// two independent reference batches of FloorOptions.N samples, as mean ± sd
// over FloorOptions.Batches batch pairs drawn by DrawPair (disjoint draws
// from refA when refB is empty, else one batch from each). The map is keyed
// by the metric name (not the floor_ name). Results depend only on the
// inputs and the seed.
func Floor(refA, refB Batch, fo FloorOptions, opt Options) (map[string]Stat, error) {
	if fo.Batches <= 0 || fo.N <= 0 {
		return nil, fmt.Errorf("metrics: Floor needs N > 0 and Batches > 0 (got %d, %d)", fo.N, fo.Batches)
	}
	if fo.Rotate && opt.Space == 0 {
		return nil, fmt.Errorf("metrics: Floor with Rotate needs Options.Space 2 or 3")
	}
	vals := map[string][]float64{}
	for k := range fo.Batches {
		a, b, err := DrawPair(refA, refB, fo.N, fo.Seed, uint64(k), fo.Rotate, opt.Space)
		if err != nil {
			return nil, err
		}
		r, err := Compute(a, b, opt)
		if err != nil {
			return nil, fmt.Errorf("floor batch %d: %w", k, err)
		}
		for m, v := range r {
			vals[m] = append(vals[m], v)
		}
	}
	out := make(map[string]Stat, len(vals))
	for m, v := range vals {
		out[m] = Summarize(v)
	}
	return out, nil
}
