package mcscore

import (
	"math"
	"testing"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/gmm"
)

// TestNoiseProfile: on GMM-40 (training units) the estimator's variance at
// a large noise level falls with K like 1/K (weights that do not collapse),
// is nearly zero at a tiny noise level, and the profile has the same bits
// for 1 and 2 workers.
func TestNoiseProfile(t *testing.T) {
	const n = 200
	x := make([]float64, 2*n)
	gmm.Sample(x, n, 3)
	for i := range x {
		x[i] /= gmm.TrainScale
	}
	tg := gmm.New()
	cfg := Config{Clip: ClipWhole, M: 70, Seed: 9}
	ts, hs := []float64{0.1, 0.9}, []float64{1e-8, 0.1}
	ks := []int{10, 1000}
	var runs [][]NoisePoint
	for _, w := range []int{1, 2} {
		pool := engine.NewPool(w)
		p, err := NoiseProfile(tg, cfg, pool, x, n, ts, hs, ks)
		pool.Close()
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, p)
	}
	for i := range runs[0] {
		if runs[0][i] != runs[1][i] {
			t.Fatalf("point %d: 1 worker %+v, 2 workers %+v", i, runs[0][i], runs[1][i])
		}
	}
	p := runs[0]
	if len(p) != 4 || p[0].K != 10 || p[1].T != 0.9 || p[2].K != 1000 || p[3].H != 0.1 {
		t.Fatalf("profile order: %+v", p)
	}
	lowK, highK := p[1].Variance, p[3].Variance
	if r := lowK / highK; !(r > 30 && r < 300) {
		t.Fatalf("variance at h = 0.1: K = 10 %g, K = 1000 %g, ratio %g; want about 100", lowK, highK, r)
	}
	if !(p[0].Variance < 1e-3*p[0].Signal) || !(p[0].Signal > 0) {
		t.Fatalf("h = 1e-8: variance %g against signal %g", p[0].Variance, p[0].Signal)
	}
	if _, err := NoiseProfile(tg, cfg, nil, x, n, ts, hs[:1], ks); err == nil {
		t.Fatal("mismatched times and levels accepted")
	}
	if _, err := NoiseProfile(tg, cfg, nil, x, n, ts, []float64{0.1, math.NaN()}, ks); err == nil {
		t.Fatal("NaN noise level accepted")
	}
	if _, err := NoiseProfile(tg, cfg, nil, x[:3], n, ts, hs, ks); err == nil {
		t.Fatal("short rows accepted")
	}
}
