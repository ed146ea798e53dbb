package metrics

import (
	"fmt"
	"math"
	"slices"
)

// Dist1D holds Wasserstein distances between two empirical measures on ℝ.
type Dist1D struct {
	W1   float64 // ∫₀¹ |F_A⁻¹(u) − F_B⁻¹(u)| du
	W2Sq float64 // ∫₀¹ (F_A⁻¹(u) − F_B⁻¹(u))² du
}

// W2 returns the true 1-D W2, √W2Sq.
func (d Dist1D) W2() float64 { return math.Sqrt(d.W2Sq) }

// Compare1D returns the 1-D W1 and squared W2 between the uniform empirical
// measures on a and b through their quantile functions (SPEC §7.1). For
// len(a) = len(b) = n this is sorting both and averaging |a₍ᵢ₎ − b₍ᵢ₎| and
// (a₍ᵢ₎ − b₍ᵢ₎)²; for unequal sizes the two step quantile functions are
// integrated exactly over the merged breakpoints i/len(a) and j/len(b).
// The inputs are not modified.
func Compare1D(a, b []float64) (Dist1D, error) {
	if len(a) == 0 || len(b) == 0 {
		return Dist1D{}, ErrEmpty
	}
	if err := checkFinite(a); err != nil {
		return Dist1D{}, fmt.Errorf("first sample: %w", err)
	}
	if err := checkFinite(b); err != nil {
		return Dist1D{}, fmt.Errorf("second sample: %w", err)
	}
	sa, sb := slices.Clone(a), slices.Clone(b)
	slices.Sort(sa)
	slices.Sort(sb)
	return compareSorted(sa, sb), nil
}

// compareSorted integrates the quantile difference of two sorted samples.
// Positions are integers in units of 1/(n·m), so breakpoints are exact.
func compareSorted(a, b []float64) Dist1D {
	n, m := int64(len(a)), int64(len(b))
	if n == m {
		var s1, s2 float64
		for i, x := range a {
			d := x - b[i]
			s1 += math.Abs(d)
			s2 += d * d
		}
		return Dist1D{W1: s1 / float64(n), W2Sq: s2 / float64(n)}
	}
	var s1, s2 float64
	var i, j, t int64
	for i < n && j < m {
		pa, pb := (i+1)*m, (j+1)*n
		next := min(pa, pb)
		w := float64(next - t)
		d := a[i] - b[j]
		s1 += w * math.Abs(d)
		s2 += w * d * d
		t = next
		if pa == next {
			i++
		}
		if pb == next {
			j++
		}
	}
	nm := float64(n) * float64(m)
	return Dist1D{W1: s1 / nm, W2Sq: s2 / nm}
}

// PairDistances returns the pooled multiset of interatomic distances
// ‖x_p − x_q‖ (p < q, no ε) over all configurations of s, configuration by
// configuration, pairs in lexicographic order: len = n·N(N−1)/2. space is the
// spatial dimension D (2 or 3).
func PairDistances(s Set, space int) ([]float64, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := checkSpace(s, space); err != nil {
		return nil, err
	}
	np := s.Dim / space
	if np < 2 {
		return nil, fmt.Errorf("%w: %d particle(s) have no pairs", ErrDim, np)
	}
	out := make([]float64, 0, s.Len()*np*(np-1)/2)
	for i := range s.Len() {
		x := s.Row(i)
		for p := range np {
			xp := x[p*space : (p+1)*space]
			for q := p + 1; q < np; q++ {
				xq := x[q*space : (q+1)*space]
				var ss float64
				for k, v := range xp {
					d := v - xq[k]
					ss += d * d
				}
				out = append(out, math.Sqrt(ss))
			}
		}
	}
	return out, nil
}

// TVDBins is the number of bins of dist_tvd200.
const TVDBins = 200

// HistTVD returns the total variation distance ½·Σ_k |p_k − q_k| between
// histograms of ref (p) and gen (q) on bins equal bins spanning [min, max]
// of ref, and the fraction of gen outside that range (SPEC §7.1,
// dist_tvd200 with bins = 200):
//
//   - edges are lo + k·(hi − lo)/bins, the last edge exactly hi, and the last
//     bin includes its right edge; values are binned as numpy.histogram does;
//   - generated values outside [lo, hi] are dropped, and each histogram is
//     normalised by its own in-range count;
//   - if every reference value is equal, the range is [lo − ½, hi + ½], as
//     in numpy;
//   - if every generated value is dropped, tvd = 1 and dropped = 1.
func HistTVD(ref, gen []float64, bins int) (tvd, dropped float64, err error) {
	if bins <= 0 {
		return 0, 0, fmt.Errorf("metrics: HistTVD with %d bins", bins)
	}
	if len(ref) == 0 || len(gen) == 0 {
		return 0, 0, ErrEmpty
	}
	if err := checkFinite(ref); err != nil {
		return 0, 0, fmt.Errorf("reference: %w", err)
	}
	if err := checkFinite(gen); err != nil {
		return 0, 0, fmt.Errorf("generated: %w", err)
	}
	lo, hi := slices.Min(ref), slices.Max(ref)
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	edges := make([]float64, bins+1)
	step := (hi - lo) / float64(bins)
	for k := range edges {
		edges[k] = lo + float64(k)*step
	}
	edges[bins] = hi
	p := histogram(ref, edges)
	q := histogram(gen, edges)
	var np, nq int
	for k := range bins {
		np += p[k]
		nq += q[k]
	}
	dropped = float64(len(gen)-nq) / float64(len(gen))
	if nq == 0 {
		return 1, dropped, nil
	}
	var s float64
	for k := range bins {
		s += math.Abs(float64(p[k])/float64(np) - float64(q[k])/float64(nq))
	}
	return s / 2, dropped, nil
}

// histogram counts x in the bins given by edges, dropping values outside
// [edges[0], edges[last]]; the index computation follows numpy's uniform-bin
// fast path, including its correction against the explicit edges.
func histogram(x, edges []float64) []int {
	bins := len(edges) - 1
	lo, hi := edges[0], edges[bins]
	norm := float64(bins) / (hi - lo)
	counts := make([]int, bins)
	for _, v := range x {
		if v < lo || v > hi {
			continue
		}
		k := int((v - lo) * norm)
		if k >= bins {
			k = bins - 1
		}
		if v < edges[k] {
			k--
		} else if k != bins-1 && v >= edges[k+1] {
			k++
		}
		counts[k]++
	}
	return counts
}
