// Package sde holds iDEM's variance-exploding noise process and its reverse
// sampler (SPEC §4): the geometric schedule g(t) = σ_min·ρᵗ·√(2 ln ρ),
// ρ = σ_max/σ_min, whose noise variance is h(t) = σ_min²(ρ^{2t} − 1); the
// prior N(0, h(1)·I) (mean-free for molecules); the Euler–Maruyama reverse
// SDE of §4.2 with η on the noise only, any Score (the network, or the
// clipped Monte-Carlo estimator for the GMM initial fill); and the
// negative-time descent of §4.3 for evaluation samples.
//
// Diffusion time t ∈ [0, 1] runs from data (0) to noise (1); h is a variance
// in the target's training units squared (y = x/50 for GMM-40). Randomness
// comes from engine.Stream keys built from (seed, call, step, row), so the
// same seed gives the same bits for any number of workers.
//
// Reference: Akhound-Sadegh et al., ICML 2024, arXiv:2402.06121, and Song
// et al., "Score-based generative modeling through SDEs", ICLR 2021.
package sde
