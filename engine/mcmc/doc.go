// Package mcmc is idem's reference sampler: many independent Markov chains
// for a Boltzmann density μ(x) ∝ exp(−E(x)) at kT = 1, run together in the
// lane-blocked layout of package asm so that one Target.EnergyForce call
// evaluates a whole block of proposals with the SIMD pair kernels. It
// produces the reference sets of SPEC §7.5 (DW-4, LJ-13, LJ-55 — any LJ-n or
// DW-n — and GMM-40) and is the equal-energy-budget MCMC baseline of SPEC
// §8.3.
//
// # Recipe
//
// The default recipe is the public one of Aggarwal et al., "Models trained
// with unnormalized density functions: a need for a course correction"
// (ICLR 2025 blogpost track, protocol P-blog), as SPEC §7.5 states it:
//
//   - Start: LJ z ~ N(0, I) centred; DW uniform in [−3, 3]^d centred; GMM
//     uniform in [−45, 45]² resampled ∝ exp(−E) (Config.Init,
//     Config.InitScale, Config.InitResample).
//   - Warm-up by annealed sequential Monte Carlo (Config.Ladder): for each
//     β_i of the ladder after the first, resample the chains multinomially
//     with weights exp(−(β_i − β_{i−1})·E_pair), then run Config.WarmSteps
//     Metropolis steps on U_β = β·E_pair + E_trap with step min(s/β, s_max).
//     Only the pair part is tempered: E_trap = (k/2)·Σᵢ‖xᵢ − x̄‖² is the
//     harmonic trap of the LJ benchmark (k = Config.Trap, or the target's
//     own Trap() when it has one), and E_pair = E − E_trap.
//   - Production: Config.Steps Metropolis steps on E.
//   - Output: Config.Keep configurations per chain, the last one at the end
//     of the run and the others Config.Thin steps apart before it; centred
//     when the target is translation invariant. Random rotations are left
//     to the caller (metrics.RotateEach).
//
// Two proposals are available (Config.Method):
//
//   - RWM, random-walk Metropolis, x′ = x + s·z, z ~ N(0, I_d), accepted
//     with probability min(1, exp(−(U(x′) − U(x)))). This is the SPEC recipe.
//   - MALA, the Metropolis-adjusted Langevin algorithm (Roberts & Tweedie,
//     Bernoulli 2(4), 1996), x′ = x + (s²/2)·F(x) + s·z with F = −∇U, accepted
//     with probability min(1, exp(−U(x′) + U(x) − ‖x − x′ − (s²/2)F(x′)‖²/(2s²)
//   - ‖x′ − x − (s²/2)F(x)‖²/(2s²))). The pair kernels return forces with
//     every energy, so a MALA step costs the same one energy evaluation as a
//     random-walk step. SPEC §7.5 allows such substitutes when validated; the
//     measured comparison is recorded below.
//
// # Refinement
//
// Config.Start replaces the drawn start by given configurations, one row
// per chain, and runs production only (no ladder): Config.Steps steps of
// RWM or MALA at kT = 1 from the samples of another sampler, such as an
// iDEM checkpoint (`idem refine`). Both kernels leave exp(−E) invariant, so
// a refinement started from exact samples stays exact, and one started
// from approximate samples moves toward the target. Result.Evals counts
// the start's evaluation (one per row) plus one per row per step, so the
// refined sampler can be compared at an equal energy budget;
// Result.StartEnergies and Result.Unmoved (chains that accepted nothing)
// describe the start.
//
// Plain MALA gets stuck on such starts: on LJ-13 samples of an iDEM run,
// 10% of the rows (overlapping particles, forces ≈ 10²–10³) accepted nothing
// in 100 steps of s = 0.04. Config.DriftClip truncates every particle's
// drift (s²/2)·Fᵢ to a length, in the proposal and the reverse density
// alike, which keeps the kernel exact (the truncated MALA, MALTA, of
// Roberts & Tweedie 1996, per particle): near an overlap the proposal is
// a random walk, elsewhere plain MALA. With the clip at s = 0.03, no row
// stayed stuck, and 150 steps brought the energy W1 from 11.7 to 0.68–0.77
// (three seeds) against the shipped LJ-13 test split, where the SPEC random
// walk needs about 500 steps (measurements in the README).
//
// # Budget
//
// Result.Evals counts energy evaluations (one configuration each, forces
// included): one per chain per Metropolis step, plus one per chain at the
// start and after every resampling. This is the budget of the equal-budget
// comparison (SPEC §8.3, §9.18).
//
// # Determinism
//
// Every random number comes from an engine.Stream keyed by (seed, phase,
// chain, step), where the phase names the start, a warm-up stage, a
// resampling or production; resampling draws are keyed by (seed, phase).
// Chains are split into fixed blocks of whole lane groups, which the pool
// runs in any order; production chains are independent, and resampling is
// done serially in chain order. The output is therefore bit-identical for
// any number of workers (and any block size).
//
// # Units
//
// Energies in kT (ε for LJ), coordinates in the target's units (r_m = 1 for
// LJ; x, not y = x/50, when the GMM-40 target passed is gmm.NewOriginal()).
// Step sizes are in coordinate units.
//
// # Measurements
//
// Mixing per energy evaluation, measured as the integrated autocorrelation
// time τ of the energy (IAT, Sokal window) in production after the SPEC
// warm-up, in steps = evaluations per chain (lower is better), with
// `idem reference -trace K` on the 2-core development machine (AMD EPYC,
// Go 1.26.8; K chains × T production steps):
//
//	target  proposal  s       acceptance  τ (steps)   K × T
//	DW-4    RWM       0.5     0.047       200         256 × 20000   (SPEC)
//	DW-4    RWM       0.25    0.22        102         256 × 20000
//	DW-4    MALA      0.25    0.41         51         256 × 20000
//	DW-4    MALA      0.4     0.046       313         256 × 20000
//	LJ-13   RWM       0.025   0.32       2541         128 × 30000   (SPEC)
//	LJ-13   RWM       0.04    0.13      >3042         128 × 30000
//	LJ-13   MALA      0.025   0.82        998          64 × 20000
//	LJ-13   MALA      0.04    0.44        830         128 × 30000
//	LJ-13   MALA      0.06    0.087      1847         128 × 30000
//	LJ-55   RWM       0.0075  0.34     >13971          64 × 40000   (SPEC)
//	LJ-55   MALA      0.012   0.91       2640          64 × 40000
//	LJ-55   MALA      0.018   0.71       1700          64 × 40000
//	LJ-55   MALA      0.025   0.34       1697          64 × 40000
//	LJ-55   MALA      0.032   0.075     >4324          64 × 40000
//
// MALA mixes the energy about 3× (LJ-13) and more than 8× (LJ-55) faster
// per evaluation than the SPEC random walk, at the same cost per step
// (the kernels return forces anyway). MALA cannot replace the warm-up's
// random walk (Config.WarmMethod): from a random start the forces of
// overlapping particles are ≈ 10¹³ and no proposal is accepted.
//
// # Importance resampling
//
// ImportanceResample is a second, chain-free reference for low-dimensional
// targets: sampling-importance-resampling (Rubin 1988) from a uniform box
// over the free coordinates. It cannot get stuck, so it checks the chains.
// On DW-4 (`idem reference -target dw4 -method is -proposals 4000000000
// -seed 7`: box ±7.5, ESS 5.8·10⁵, 181 s on two workers of an Intel Xeon)
// its 10,000 rows and the RWM recipe's (seed 1) agree on all twelve
// `idem eval` metrics within their floors (dist_w2 0.039 ± 0.033 against a
// floor of 0.064 ± 0.044), while both sit above the floor against the
// shipped DW-4 test split on distances (dist_w2 0.195 and 0.210 against
// 0.057): the shipped set's pair distances are not those of the SPEC §2.2
// potential at kT = 1 (IS pair-distance mean 4.044, shipped 3.970).
// On GMM-40 (box ±60, 2·10⁷ proposals, ESS 9.7·10⁵) its log Z is −0.0012
// and its mean energy 6.868 ± 0.022, against the exact 0 and the entropy
// 6.859 of SPEC §2.1.
//
// Throughput (evaluations per second, two workers, shared machine):
// DW-4 ≈ 1.2·10⁷, LJ-13 ≈ 2.4·10⁶, LJ-55 ≈ 2–5·10⁵. Drawing the
// proposal's normals costs about as much as the LJ-13 kernel.
package mcmc
