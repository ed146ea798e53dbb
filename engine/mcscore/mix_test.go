package mcscore

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/lj"
)

// mixOracle is a plain transcription of Config.MixSigma for one point:
// it redraws the estimator's samples x_k = x + √h·ε_k from the same streams
// (keyed (seed, step, point, k), asm.Generic().Perturb), evaluates them row
// by row and forms a·S_K + (1 − a)·D_K with a = s²/(s² + h), without
// clipping. K must be a multiple of asm.Lanes.
func mixOracle(tg engine.Target, x []float64, h float64, K int, seed, step uint64, pt int, s float64) []float64 {
	n, sp := tg.Shape()
	d := n * sp
	const L = asm.Lanes
	xs := make([]float64, d)
	for i := 0; i < n; i++ {
		for k := 0; k < sp; k++ {
			xs[k*n+i] = x[i*sp+k]
		}
	}
	key := engine.NewStream(seed, step, uint64(pt))
	blk := make([]float64, d*L)
	rows := make([]float64, K*d)
	var state [4 * L]uint64
	for k0 := 0; k0 < K; k0 += L {
		for l := 0; l < L; l++ {
			st := key.Child(uint64(k0 + l))
			for q := 0; q < 4; q++ {
				state[q*L+l] = st.Uint64()
			}
		}
		asm.Generic().Perturb(blk, xs, math.Sqrt(h), state[:])
		for l := 0; l < L; l++ {
			for i := 0; i < n; i++ {
				for k := 0; k < sp; k++ {
					rows[(k0+l)*d+i*sp+k] = blk[asm.Index(n, sp, l, i, k)]
				}
			}
		}
	}
	e := make([]float64, K)
	g := make([]float64, K*d)
	engine.EnergyGrad(tg, e, g, rows, K)
	top := math.Inf(-1)
	for _, v := range e {
		top = math.Max(top, -v)
	}
	force, den := make([]float64, d), make([]float64, d)
	var sw float64
	for c := 0; c < K; c++ {
		w := math.Exp(-e[c] - top)
		sw += w
		for j := 0; j < d; j++ {
			force[j] -= w * g[c*d+j]
			den[j] += w * (rows[c*d+j] - x[j])
		}
	}
	for j := 0; j < d; j++ {
		force[j] /= sw
		den[j] /= sw * h
	}
	if tg.CoMFree() {
		for k := 0; k < sp; k++ {
			var m float64
			for i := 0; i < n; i++ {
				m += den[i*sp+k]
			}
			for i := 0; i < n; i++ {
				den[i*sp+k] -= m / float64(n)
			}
		}
	}
	a := s * s / (s*s + h)
	out := make([]float64, d)
	for j := range out {
		out[j] = a*force[j] + (1-a)*den[j]
	}
	return out
}

// TestMixMatchesOracle holds the mixed estimator to its plain transcription
// on LJ-13 (CoM-free, several items per point) and on a Gaussian (not
// CoM-free), across h from 0 to large.
func TestMixMatchesOracle(t *testing.T) {
	p, err := lj.New(13)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := lj.Mackay(1, 1.0)
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct {
		name string
		tg   engine.Target
		base []float64
		hs   []float64
	}{
		{"lj13", p, base, []float64{0, 1e-4, 0.003, 0.02}},
		{"gauss", gaussian{n: 3, sp: 2}, make([]float64, 6), []float64{0, 0.1, 1, 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.tg.Dim()
			b := len(tc.hs)
			x := make([]float64, 0, b*d)
			for i := 0; i < b; i++ {
				for _, v := range tc.base {
					x = append(x, v+0.05*rng.NormFloat64())
				}
			}
			const K, seed, step, s = 200, 31, 5, 0.3
			est := newEst(t, tc.tg, Config{K: K, Seed: seed, Chunk: 64, MixSigma: s, Impl: asm.Generic()}, 2, b)
			out := make([]float64, b*d)
			if err := est.Estimate(out, x, tc.hs, b, step); err != nil {
				t.Fatal(err)
			}
			for pt := 0; pt < b; pt++ {
				want := mixOracle(tc.tg, x[pt*d:(pt+1)*d], tc.hs[pt], K, seed, step, pt, s)
				for j, w := range want {
					if got := out[pt*d+j]; math.Abs(got-w) > 1e-9*(1+math.Abs(w)) {
						t.Fatalf("point %d (h = %g) coord %d: estimator %v, oracle %v", pt, tc.hs[pt], j, got, w)
					}
				}
			}
		})
	}
}

// TestMixExactForUnitGaussian: for E = ‖x‖²/2 the force form is −m and the
// denoising form (m − x)/h, with m the weighted mean of the samples, so
// with MixSigma = 1 (a = 1/(1 + h)) the mixture is −x/(1 + h), the exact
// noised score, for any K: the sampling noise cancels.
func TestMixExactForUnitGaussian(t *testing.T) {
	tg := gaussian{n: 2, sp: 3}
	d := tg.Dim()
	rng := rand.New(rand.NewPCG(3, 3))
	hs := []float64{0.01, 0.5, 2, 30}
	b := len(hs)
	x := make([]float64, b*d)
	for i := range x {
		x[i] = 2 * rng.NormFloat64()
	}
	for _, K := range []int{8, 100} {
		est := newEst(t, tg, Config{K: K, Seed: 1, MixSigma: 1}, 2, b)
		plain := newEst(t, tg, Config{K: K, Seed: 1}, 2, b)
		out, ref := make([]float64, b*d), make([]float64, b*d)
		if err := est.Estimate(out, x, hs, b, 0); err != nil {
			t.Fatal(err)
		}
		if err := plain.Estimate(ref, x, hs, b, 0); err != nil {
			t.Fatal(err)
		}
		var errMix, errForce float64
		for i := range out {
			want := -x[i] / (1 + hs[i/d])
			errMix = math.Max(errMix, math.Abs(out[i]-want))
			errForce = math.Max(errForce, math.Abs(ref[i]-want))
		}
		t.Logf("K=%d: largest error %.2g mixed, %.2g force form", K, errMix, errForce)
		if errMix > 1e-10 {
			t.Fatalf("K=%d: mixed estimate off the exact score by %g", K, errMix)
		}
		if errForce < 1e-3 {
			t.Fatalf("K=%d: the force form is exact too (%g): the test does not test the mixture", K, errForce)
		}
	}
}

// TestMixSigmaRejected: a negative or infinite MixSigma is an error.
func TestMixSigmaRejected(t *testing.T) {
	p, _ := lj.New(13)
	if _, err := New(p, Config{K: 10, MixSigma: -1}, nil, 1); err == nil {
		t.Fatal("negative MixSigma accepted")
	}
	if _, err := New(p, Config{K: 10, MixSigma: math.Inf(1)}, nil, 1); err == nil {
		t.Fatal("infinite MixSigma accepted")
	}
}
