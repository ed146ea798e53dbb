package sde

import (
	"math"
	"testing"
)

// TestGeometricTable checks the per-target values of SPEC §4.1.
func TestGeometricTable(t *testing.T) {
	for _, tc := range []struct {
		smin, smax, h1, g0, g1 float64
	}{
		{1e-5, 1, 1 - 1e-10, 4.80e-5, 4.7985},
		{1e-5, 3, 9 - 1e-10, 5.02e-5, 15.067},
		{0.01, 2, 3.9999, 0.032553, 6.5105},
		{0.5, 4, 15.75, 1.01967, 8.1573},
	} {
		s, err := NewGeometric(tc.smin, tc.smax)
		if err != nil {
			t.Fatal(err)
		}
		rel := func(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }
		if rel(s.H(1), tc.h1) > 1e-6 || rel(s.G(0), tc.g0) > 5e-3 || rel(s.G(1), tc.g1) > 1e-4 || s.H(0) != 0 {
			t.Fatalf("σ=%g..%g: h(1)=%.10g g(0)=%.6g g(1)=%.6g", tc.smin, tc.smax, s.H(1), s.G(0), s.G(1))
		}
		// h′(t) = g(t)².
		for _, tt := range []float64{0.1, 0.5, 0.9} {
			const dt = 1e-6
			d := (s.H(tt+dt) - s.H(tt-dt)) / (2 * dt)
			if rel(d, s.G2(tt)) > 1e-6 || rel(s.G(tt)*s.G(tt), s.G2(tt)) > 1e-12 {
				t.Fatalf("h′(%g) = %g, g² = %g", tt, d, s.G2(tt))
			}
		}
	}
	if _, err := NewGeometric(2, 1); err == nil {
		t.Fatal("σ_min > σ_max should fail")
	}
}
