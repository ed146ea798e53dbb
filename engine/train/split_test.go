package train

import (
	"math"
	"slices"
	"testing"

	"github.com/idem-project/idem/engine/mcscore"
	"github.com/idem-project/idem/engine/preset"
)

// TestKHighSplit: with KHigh > 0 the rows with t ≥ THigh get their targets
// from a KHigh-sample estimator on its own streams and the others from the
// K-sample one, each keyed by the row's place among its group; the energy
// evaluations count both.
func TestKHighSplit(t *testing.T) {
	p := tinyGMM()
	p.KHigh, p.THigh = 160, 0.6
	tr := newTrainer(t, p, DataFree, 2)
	b := p.Batch
	const step = 3
	tr.drawX0(b, step, false)
	tr.noise(b, tagNoise, step, true)
	before := tr.st.EnergyEvals
	if err := tr.estimateTargets(b, step); err != nil {
		t.Fatal(err)
	}
	var lo, hi []int
	for r, tt := range tr.tt[:b] {
		if tt >= p.THigh {
			hi = append(hi, r)
		} else {
			lo = append(lo, r)
		}
	}
	if len(lo) < 10 || len(hi) < 10 {
		t.Fatalf("degenerate split: %d rows below and %d above t = %g", len(lo), len(hi), p.THigh)
	}
	if got, want := tr.st.EnergyEvals-before, uint64(len(lo)*p.K+len(hi)*p.KHigh); got != want {
		t.Fatalf("energy evaluations %d, want %d·%d + %d·%d = %d", got, len(lo), p.K, len(hi), p.KHigh, want)
	}
	for _, g := range []struct {
		rows []int
		k    int
		tag  uint64
	}{{lo, p.K, tagEstimator}, {hi, p.KHigh, tagEstimatorHigh}} {
		want := groupTargets(t, tr, p, g.rows, g.k, g.tag, step)
		for i, r := range g.rows {
			for j := 0; j < 2; j++ {
				if got := tr.target_[2*r+j]; got != want[2*i+j] {
					t.Fatalf("K = %d group: row %d target[%d] = %v, want %v", g.k, r, j, got, want[2*i+j])
				}
			}
		}
	}
	// Without KHigh the whole batch goes through the K-sample estimator.
	p.KHigh = 0
	tr0 := newTrainer(t, p, DataFree, 1)
	copy(tr0.xt, tr.xt[:2*b])
	copy(tr0.h, tr.h[:b])
	copy(tr0.tt, tr.tt[:b])
	if err := tr0.estimateTargets(b, step); err != nil {
		t.Fatal(err)
	}
	all := make([]int, b)
	for i := range all {
		all[i] = i
	}
	want := groupTargets(t, tr0, p, all, p.K, tagEstimator, step)
	for i, v := range want {
		if tr0.target_[i] != v {
			t.Fatalf("KHigh = 0: target[%d] = %v, want %v", i, tr0.target_[i], v)
		}
	}
}

// groupTargets runs a fresh estimator with k samples and the tag's seed on
// the listed rows of tr.xt, gathered in order.
func groupTargets(t *testing.T, tr *Trainer, p preset.Preset, rows []int, k int, tag, step uint64) []float64 {
	t.Helper()
	tg, err := p.NewTarget()
	if err != nil {
		t.Fatal(err)
	}
	ec := p.Estimator(subSeed(tr.cfg.Seed, tag))
	ec.K = k
	est, err := mcscore.New(tg, ec, nil, len(rows))
	if err != nil {
		t.Fatal(err)
	}
	x, h, out := make([]float64, 2*len(rows)), make([]float64, len(rows)), make([]float64, 2*len(rows))
	for i, r := range rows {
		copy(x[2*i:2*i+2], tr.xt[2*r:2*r+2])
		h[i] = tr.h[r]
	}
	if err := est.Estimate(out, x, h, len(rows), step); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTFocus: with a focus share f the first round(f·B) training rows draw
// t from the window, by the same uniform that the plain draw maps to
// [0, 1); the other rows and the noise are the plain draw's, and the
// validation loss (focus off) ignores the setting.
func TestTFocus(t *testing.T) {
	p := tinyGMM()
	plain := newTrainer(t, p, DataFree, 1)
	p.TFocusLo, p.TFocusHi, p.TFocusFrac = 0.8, 0.95, 0.3
	focus := newTrainer(t, p, DataFree, 1)
	b := p.Batch
	nf := int(math.Round(0.3 * float64(b)))
	if nf < 1 || nf >= b {
		t.Fatalf("batch %d too small for the test", b)
	}
	for _, tr := range []*Trainer{plain, focus} {
		tr.drawX0(b, 5, false)
		tr.noise(b, tagNoise, 5, true)
	}
	for r := 0; r < b; r++ {
		u := plain.tt[r]
		want := u
		if r < nf {
			want = p.TFocusLo + (p.TFocusHi-p.TFocusLo)*u
			if !(want >= 0.8 && want < 0.95) {
				t.Fatalf("row %d: t = %v outside the window", r, want)
			}
		}
		if focus.tt[r] != want || focus.h[r] != focus.sched.H(want) {
			t.Fatalf("row %d: t = %v, h = %v, want t = %v", r, focus.tt[r], focus.h[r], want)
		}
	}
	// The noise ε is the plain draw's: x_t − x₀ scales by √h.
	d := focus.d
	for r := nf; r < b; r++ {
		for j := r * d; j < (r+1)*d; j++ {
			if focus.xt[j] != plain.xt[j] {
				t.Fatalf("row %d: x_t differs outside the focus rows", r)
			}
		}
	}
	for _, tr := range []*Trainer{plain, focus} {
		tr.noise(b, tagValLoss, 5, false)
	}
	if !slices.Equal(plain.tt[:b], focus.tt[:b]) || !slices.Equal(plain.xt[:b*d], focus.xt[:b*d]) {
		t.Fatal("the validation draw depends on the focus")
	}
}
