package weights

import (
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// ErrNoWeight reports log weights that are all −Inf (or empty).
var ErrNoWeight = errors.New("weights: no finite log weight")

// check rejects NaN and +Inf log weights (−Inf is a zero weight).
func check(logw []float64) (top float64, err error) {
	top = math.Inf(-1)
	for i, v := range logw {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return 0, fmt.Errorf("weights: log weight %d is %g", i, v)
		}
		top = math.Max(top, v)
	}
	if math.IsInf(top, -1) {
		return 0, ErrNoWeight
	}
	return top, nil
}

// Normalize writes the self-normalised weights softmax(logw) into w (len(logw)).
func Normalize(w, logw []float64) error {
	top, err := check(logw)
	if err != nil {
		return err
	}
	var s float64
	for i, v := range logw {
		w[i] = math.Exp(v - top)
		s += w[i]
	}
	for i := range w[:len(logw)] {
		w[i] /= s
	}
	return nil
}

// ESS returns the normalised effective sample size 1/(n·Σ w̄ᵢ²).
func ESS(logw []float64) (float64, error) {
	w := make([]float64, len(logw))
	if err := Normalize(w, logw); err != nil {
		return 0, err
	}
	var s float64
	for _, v := range w {
		s += v * v
	}
	return 1 / (float64(len(w)) * s), nil
}

// ELBO returns the mean log weight (a lower bound on log Z by Jensen).
func ELBO(logw []float64) (float64, error) {
	if _, err := check(logw); err != nil {
		return 0, err
	}
	var s float64
	for _, v := range logw {
		s += v
	}
	return s / float64(len(logw)), nil
}

// LogZ returns log mean exp(log w), the importance-sampling estimate of
// log Z.
func LogZ(logw []float64) (float64, error) {
	top, err := check(logw)
	if err != nil {
		return 0, err
	}
	var s float64
	for _, v := range logw {
		s += math.Exp(v - top)
	}
	return top + math.Log(s/float64(len(logw))), nil
}

// Mean writes the weighted mean of the rows of x (len(logw) rows of dim)
// into out (dim).
func Mean(out, x []float64, dim int, logw []float64) error {
	if len(x) < dim*len(logw) || len(out) < dim {
		return fmt.Errorf("weights: %d values for %d rows of %d", len(x), len(logw), dim)
	}
	w := make([]float64, len(logw))
	if err := Normalize(w, logw); err != nil {
		return err
	}
	clear(out[:dim])
	for r, wr := range w {
		for j := 0; j < dim; j++ {
			out[j] += wr * x[r*dim+j]
		}
	}
	return nil
}

// Resample returns n indices drawn with replacement with probabilities
// softmax(logw), by systematic resampling on the stream keyed by seed (one
// uniform offset, then evenly spaced points on the cumulative weights).
func Resample(logw []float64, n int, seed uint64) ([]int, error) {
	if n < 0 {
		return nil, fmt.Errorf("weights: cannot draw %d rows", n)
	}
	w := make([]float64, len(logw))
	if err := Normalize(w, logw); err != nil {
		return nil, err
	}
	st := engine.NewStream(seed, 0x7265736d)
	u := st.Float64() / float64(n)
	idx := make([]int, 0, n)
	cum, j := w[0], 0
	for k := 0; k < n; k++ {
		p := u + float64(k)/float64(n)
		for p >= cum && j < len(w)-1 {
			j++
			cum += w[j]
		}
		idx = append(idx, j)
	}
	return idx, nil
}

// LogWeights returns the log importance weights log wᵢ = log p̃ᵢ − log qᵢ
// of rows drawn from a proposal q, for a target p̃ (unnormalised; log p̃ =
// −E for a Boltzmann density). A log p̃ of −Inf (E = +Inf: the row lies
// outside the target's support) gives a zero weight, log w = −Inf. NaN in
// either slice, log p̃ = +Inf, and a log q that is not finite (q drew the
// row, so its density there is positive and finite) are errors naming the
// row, as are slices of different lengths.
func LogWeights(logp, logq []float64) ([]float64, error) {
	if len(logp) != len(logq) {
		return nil, fmt.Errorf("weights: %d log p̃ values but %d log q values", len(logp), len(logq))
	}
	lw := make([]float64, len(logp))
	for i, p := range logp {
		q := logq[i]
		switch {
		case math.IsNaN(p) || math.IsInf(p, 1):
			return nil, fmt.Errorf("weights: row %d: log p̃ is %g", i, p)
		case math.IsNaN(q) || math.IsInf(q, 0):
			return nil, fmt.Errorf("weights: row %d: log q is %g, want a finite value", i, q)
		}
		lw[i] = p - q
	}
	return lw, nil
}

// Summary holds the SPEC §7.6 figures of a set of log weights.
type Summary struct {
	// N is the number of weights, the n of ess@n.
	N int
	// ESS is the normalised effective sample size 1/(n·Σ w̄ᵢ²) ∈ (0, 1].
	ESS float64
	// ELBO is the mean log weight (−Inf when some weight is zero).
	ELBO float64
	// LogZ is log mean exp(log w), the importance-sampling estimate of log Z.
	LogZ float64
	// MaxWeight is the largest normalised weight.
	MaxWeight float64
	// Zero counts the zero weights (log w = −Inf).
	Zero int
}

// Summarize returns the Summary of logw.
func Summarize(logw []float64) (Summary, error) {
	w := make([]float64, len(logw))
	if err := Normalize(w, logw); err != nil {
		return Summary{}, err
	}
	s := Summary{N: len(logw)}
	var s2 float64
	for i, v := range w {
		s2 += v * v
		s.MaxWeight = max(s.MaxWeight, v)
		if math.IsInf(logw[i], -1) {
			s.Zero++
		}
	}
	s.ESS = 1 / (float64(len(w)) * s2)
	var err error
	if s.ELBO, err = ELBO(logw); err != nil {
		return Summary{}, err
	}
	if s.LogZ, err = LogZ(logw); err != nil {
		return Summary{}, err
	}
	return s, nil
}
