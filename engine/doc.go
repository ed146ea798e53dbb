// Package engine holds the pieces every part of idem shares: the Target
// interface for Boltzmann densities μ(x) ∝ exp(−E(x)) at kT = 1, the
// deterministic worker Pool, and counter-based random streams.
//
// Units: energies are in units of kT (ε for Lennard-Jones), coordinates in
// the target's own units (σ-free r_m = 1 for LJ, training space y = x/50 for
// GMM-40). Conventions follow SPEC.md and Akhound-Sadegh et al., "Iterated
// Denoising Energy Matching for Sampling from Boltzmann Densities", ICML 2024
// (arXiv:2402.06121).
//
// Determinism: every random number derives from indices (seed, step, point,
// sample) through Stream, never from a worker id or the clock, so results are
// bit-identical for any number of workers.
package engine
