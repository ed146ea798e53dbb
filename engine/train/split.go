package train

import (
	"fmt"

	"github.com/idem-project/idem/engine/mcscore"
)

// splitScratch holds the rows of one inner step split by t for the two
// estimators of a preset with KHigh > 0.
type splitScratch struct {
	lo, hi    []int     // row indices with t < THigh and t ≥ THigh
	x, h, out []float64 // the gathered rows, their h(t) and targets
}

func newSplitScratch(b, d int) splitScratch {
	return splitScratch{lo: make([]int, 0, b), hi: make([]int, 0, b),
		x: make([]float64, b*d), h: make([]float64, b), out: make([]float64, b*d)}
}

// estimateTargets writes the clipped S_K targets of the b rows of tr.xt into
// tr.target_ and counts the energy evaluations. With KHigh > 0 the rows
// with t ≥ THigh get KHigh samples from their own estimator (its own
// random streams), the others K.
func (tr *Trainer) estimateTargets(b int, step uint64) error {
	p := tr.p
	if p.KHigh == 0 {
		if err := tr.est.Estimate(tr.target_, tr.xt, tr.h, b, step); err != nil {
			return err
		}
		tr.st.EnergyEvals += uint64(b) * uint64(p.K)
		return nil
	}
	sp := &tr.split
	sp.lo, sp.hi = sp.lo[:0], sp.hi[:0]
	for r, t := range tr.tt[:b] {
		if t >= p.THigh {
			sp.hi = append(sp.hi, r)
		} else {
			sp.lo = append(sp.lo, r)
		}
	}
	if err := tr.estimateRows(tr.est, sp.lo, step); err != nil {
		return err
	}
	if err := tr.estimateRows(tr.estHi, sp.hi, step); err != nil {
		return err
	}
	tr.st.EnergyEvals += uint64(len(sp.lo))*uint64(p.K) + uint64(len(sp.hi))*uint64(p.KHigh)
	return nil
}

// estimateRows runs est on the listed rows of tr.xt (gathered, so that the
// estimator's streams are keyed by the position in the list) and scatters
// the targets into tr.target_.
func (tr *Trainer) estimateRows(est *mcscore.Estimator, rows []int, step uint64) error {
	if len(rows) == 0 {
		return nil
	}
	d, sp := tr.d, &tr.split
	for i, r := range rows {
		copy(sp.x[i*d:(i+1)*d], tr.xt[r*d:(r+1)*d])
		sp.h[i] = tr.h[r]
	}
	if err := est.Estimate(sp.out, sp.x, sp.h, len(rows), step); err != nil {
		// err numbers the points within this group of rows.
		return fmt.Errorf("among the %d rows with t %s %g: %w", len(rows), tr.groupSign(rows), tr.p.THigh, err)
	}
	for i, r := range rows {
		copy(tr.target_[r*d:(r+1)*d], sp.out[i*d:(i+1)*d])
	}
	return nil
}

// groupSign is "≥" for the rows of the high-t group, else "<".
func (tr *Trainer) groupSign(rows []int) string {
	if tr.tt[rows[0]] >= tr.p.THigh {
		return "≥"
	}
	return "<"
}
