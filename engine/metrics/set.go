package metrics

import (
	"github.com/idem-project/idem/engine"

	"errors"
	"fmt"
	"math"
)

// Metric names, exactly as defined in SPEC §7.1. Each name says what the
// number is: a "_w2" is a true Wasserstein-2 distance (a square root), a
// "_w2_sq" its square, a "_w1" a Wasserstein-1 distance.
const (
	NameXW2        = "x_w2"         // √(min_π Σ π_ij ‖a_i − b_j‖²), flattened coordinates, no alignment
	NameXW1        = "x_w1"         // min_π Σ π_ij ‖a_i − b_j‖
	NameXW2Aligned = "x_w2_aligned" // √(min_π Σ π_ij c_ij²), c_ij after particle matching + Kabsch
	NameXW1Aligned = "x_w1_aligned" // min_π Σ π_ij c_ij (DEM's "Eq-EMD2")
	NameEnergyW2   = "energy_w2"    // true 1-D W2 between energy samples
	NameEnergyW2Sq = "energy_w2_sq" // its square (DEM's "energy_w2")
	NameEnergyW1   = "energy_w1"    // 1-D W1 (the blog protocol's "E-W2")
	NameDistW2     = "dist_w2"      // true 1-D W2 between pooled i<j interatomic distances
	NameDistW2Sq   = "dist_w2_sq"   // its square (DEM's and P-AS's "dist_w2")
	NameDistW1     = "dist_w1"      // 1-D W1 between pooled distances
	NameDistTVD200 = "dist_tvd200"  // ½Σ|p−q| over 200 bins on the reference range
	// NameDistTVD200Dropped is the fraction of generated distances outside the
	// reference range, which dist_tvd200 drops (SPEC §9.12).
	NameDistTVD200Dropped = "dist_tvd200_dropped"
)

// FloorPrefix prefixes a metric name to name its finite-sample floor.
const FloorPrefix = "floor_"

// FloorName returns "floor_<metric>".
func FloorName(metric string) string { return FloorPrefix + metric }

// MaxN caps the number of samples per side of an exact optimal-transport
// problem (SPEC §9.13): the cost matrix takes 8·n² bytes (800 MB at the cap)
// and the solver O(n³) time. Sub-sample explicitly above it.
const MaxN = 10000

// Errors returned for bad input; they are wrapped with details, test with
// errors.Is.
var (
	ErrEmpty     = errors.New("metrics: empty sample set")
	ErrDim       = errors.New("metrics: dimension mismatch")
	ErrNonFinite = errors.New("metrics: NaN or Inf in input")
	ErrTooLarge  = errors.New("metrics: problem exceeds the exact-OT cap MaxN")
)

// Set is a set of samples of dimension Dim stored row-major in Data:
// sample i is Data[i*Dim : (i+1)*Dim]. For molecules a sample is the
// flattened particle coordinates (x₁, y₁, z₁, x₂, …), so Dim = N·D.
type Set struct {
	Data []float64
	Dim  int
}

// NewSet checks that data holds a whole number of rows of length dim and
// returns the set.
func NewSet(data []float64, dim int) (Set, error) {
	s := Set{Data: data, Dim: dim}
	if err := s.check(); err != nil {
		return Set{}, err
	}
	return s, nil
}

// Len returns the number of samples.
func (s Set) Len() int {
	if s.Dim <= 0 {
		return 0
	}
	return len(s.Data) / s.Dim
}

// Row returns sample i (a sub-slice, not a copy).
func (s Set) Row(i int) []float64 { return s.Data[i*s.Dim : (i+1)*s.Dim : (i+1)*s.Dim] }

// Clone returns a deep copy.
func (s Set) Clone() Set { return Set{Data: append([]float64(nil), s.Data...), Dim: s.Dim} }

func (s Set) check() error {
	if s.Dim <= 0 {
		return fmt.Errorf("%w: dimension %d", ErrDim, s.Dim)
	}
	if len(s.Data)%s.Dim != 0 {
		return fmt.Errorf("%w: %d values is not a multiple of dimension %d", ErrDim, len(s.Data), s.Dim)
	}
	if len(s.Data) == 0 {
		return ErrEmpty
	}
	return checkFinite(s.Data)
}

func checkFinite(x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: value %d is %v", ErrNonFinite, i, v)
		}
	}
	return nil
}

// checkPair validates two sets for a coordinate metric.
func checkPair(a, b Set) error {
	if err := a.check(); err != nil {
		return fmt.Errorf("first set: %w", err)
	}
	if err := b.check(); err != nil {
		return fmt.Errorf("second set: %w", err)
	}
	if a.Dim != b.Dim {
		return fmt.Errorf("%w: %d vs %d", ErrDim, a.Dim, b.Dim)
	}
	return nil
}

// checkSpace validates a spatial dimension D against a set's Dim = N·D.
func checkSpace(s Set, space int) error {
	if space != 2 && space != 3 {
		return fmt.Errorf("%w: spatial dimension %d (want 2 or 3)", ErrDim, space)
	}
	if s.Dim%space != 0 {
		return fmt.Errorf("%w: sample dimension %d is not a multiple of spatial dimension %d", ErrDim, s.Dim, space)
	}
	return nil
}

// Centre returns a copy of s with every configuration translated so that
// its particles' mean (centre of mass, equal masses) is zero. space is the
// spatial dimension D; Dim must be a multiple of it.
func Centre(s Set, space int) (Set, error) {
	if err := s.check(); err != nil {
		return Set{}, err
	}
	if err := checkSpace(s, space); err != nil {
		return Set{}, err
	}
	c := s.Clone()
	for i := range c.Len() {
		centreRow(c.Row(i), space)
	}
	return c, nil
}

func centreRow(x []float64, space int) { engine.Centre(x, len(x)/space, space, 1) }
