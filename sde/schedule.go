package sde

import (
	"fmt"
	"math"
)

// Geometric is the geometric noise schedule with σ_min < σ_max.
type Geometric struct {
	SigmaMin, SigmaMax float64
}

// NewGeometric validates and returns a geometric schedule.
func NewGeometric(sigmaMin, sigmaMax float64) (Geometric, error) {
	if !(sigmaMin > 0) || !(sigmaMax > sigmaMin) || math.IsInf(sigmaMax, 0) {
		return Geometric{}, fmt.Errorf("sde: need 0 < σ_min < σ_max < ∞, got %g, %g", sigmaMin, sigmaMax)
	}
	return Geometric{sigmaMin, sigmaMax}, nil
}

// G returns the diffusion coefficient g(t) = σ_min·ρᵗ·√(2 ln ρ).
func (s Geometric) G(t float64) float64 {
	rho := s.SigmaMax / s.SigmaMin
	return s.SigmaMin * math.Pow(rho, t) * math.Sqrt(2*math.Log(rho))
}

// G2 returns g(t)² = 2 ln ρ·σ_min²·ρ^{2t}.
func (s Geometric) G2(t float64) float64 {
	rho := s.SigmaMax / s.SigmaMin
	return 2 * math.Log(rho) * s.SigmaMin * s.SigmaMin * math.Pow(rho, 2*t)
}

// H returns the noise variance h(t) = ∫₀ᵗ g² = σ_min²(ρ^{2t} − 1); h(0) = 0.
func (s Geometric) H(t float64) float64 {
	rho := s.SigmaMax / s.SigmaMin
	return s.SigmaMin * s.SigmaMin * math.Expm1(2*t*math.Log(rho))
}
