// Package sde holds iDEM's variance-exploding noise process (SPEC §4): the
// geometric schedule g(t) = σ_min·ρᵗ·√(2 ln ρ), ρ = σ_max/σ_min, whose noise
// variance is h(t) = σ_min²(ρ^{2t} − 1), and (later) the reverse-SDE
// Euler–Maruyama sampler. Diffusion time t ∈ [0, 1] runs from data (0) to
// noise (1); h is a variance in the target's training units squared.
// Reference: Akhound-Sadegh et al., ICML 2024, arXiv:2402.06121, and Song
// et al., "Score-based generative modeling through SDEs", ICLR 2021.
package sde
