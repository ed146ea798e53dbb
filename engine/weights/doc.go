// Package weights computes self-normalised importance weights from log
// weights log wᵢ = log p̃(xᵢ) − log q(xᵢ) (target over proposal, in nats):
// the normalised weights, the effective sample size ESS = 1/(n·Σ w̄ᵢ²) ∈
// (0, 1] (SPEC §7.6's ess_cnf; report it with its n, as ess_cnf@n), the
// ELBO mean log w (DEM's "logz"), the importance-sampling estimate log Z =
// log mean exp(log w), weighted means, and resampling with replacement keyed
// by a seed. LogWeights forms log w from log p̃ and log q (a row outside the
// target's support, E = +Inf, gets weight zero) and Summarize gathers the
// reported figures (`idem reweight`). Everything is computed stably by subtracting the largest log
// weight. Reference: Kong (1992) for the ESS; SPEC §7.6 for the names.
package weights
