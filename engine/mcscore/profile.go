package mcscore

import (
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// NoisePoint is the clipped estimator's noise at one noise level and one
// sample count K, averaged over the rows it was measured on.
type NoisePoint struct {
	K int     `json:"k"`
	T float64 `json:"t"` // diffusion time (as given)
	H float64 `json:"h"` // noise variance h(t)
	// Variance is ½‖S − S′‖²/d for two estimates S, S′ with independent
	// samples: the per-coordinate variance of one estimate.
	Variance float64 `json:"variance"`
	// Signal is ‖(S + S′)/2‖²/d, the per-coordinate power of the target.
	Signal float64 `json:"signal"`
}

// NoiseProfile measures where S_K is noisy: for every noise level hs[i]
// (diffusion time ts[i]) and every K in ks it noises the n rows of x to
// x + √h·ε (centred for CoM-free targets), computes two clipped estimates
// with independent samples and averages their Variance and Signal over the
// rows. cfg gives the clipping, the seed (of the noise and the samples)
// and the implementation; its K is ignored. The result is ordered by K,
// then by level, and is the same for any pool size.
func NoiseProfile(t engine.Target, cfg Config, pool *engine.Pool, x []float64, n int, ts, hs []float64, ks []int) ([]NoisePoint, error) {
	d := t.Dim()
	switch {
	case n < 1 || len(x) < n*d:
		return nil, fmt.Errorf("mcscore: NoiseProfile needs n ≥ 1 rows of %d values, got n = %d and %d values", d, n, len(x))
	case len(ts) != len(hs) || len(hs) == 0 || len(ks) == 0:
		return nil, errors.New("mcscore: NoiseProfile needs as many times as noise levels, and at least one of each and one K")
	}
	for i, h := range hs {
		if !(h >= 0) || math.IsInf(h, 0) {
			return nil, fmt.Errorf("mcscore: NoiseProfile: noise variance h = %g at t = %g is not finite and non-negative", h, ts[i])
		}
	}
	n0, sp := t.Shape()
	xt := make([]float64, n*d)
	hv := make([]float64, n)
	s1, s2 := make([]float64, n*d), make([]float64, n*d)
	var out []NoisePoint
	for _, k := range ks {
		c := cfg
		c.K = k
		est, err := New(t, c, pool, n)
		if err != nil {
			return nil, err
		}
		for i, h := range hs {
			// The same noised rows for every K (keyed by the level).
			st := engine.NewStream(cfg.Seed, 1<<32, uint64(i))
			st.FillNorm(xt)
			sq := math.Sqrt(h)
			for j := range xt {
				xt[j] = x[j] + sq*xt[j]
			}
			if t.CoMFree() {
				engine.Centre(xt, n0, sp, n)
			}
			for r := range hv {
				hv[r] = h
			}
			if err := est.Estimate(s1, xt, hv, n, uint64(2*i)); err != nil {
				return nil, err
			}
			if err := est.Estimate(s2, xt, hv, n, uint64(2*i+1)); err != nil {
				return nil, err
			}
			var v, s float64
			for j := range s1 {
				diff, mean := s1[j]-s2[j], (s1[j]+s2[j])/2
				v += diff * diff / 2
				s += mean * mean
			}
			nd := float64(n * d)
			out = append(out, NoisePoint{K: k, T: ts[i], H: h, Variance: v / nd, Signal: s / nd})
		}
	}
	return out, nil
}
