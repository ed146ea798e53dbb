// Package mcscore implements iDEM's Monte-Carlo score estimator S_K
// (Akhound-Sadegh et al., ICML 2024, arXiv:2402.06121, eq. 8; SPEC §3):
//
//	S_K(x, t) = Σ_k w_k·(−∇E(x + √h(t)·ε_k)),   w = softmax_k(−E(x + √h(t)·ε_k)),
//
// a self-normalised importance estimate of ∇log p_t(x), the score of the
// target convolved with N(0, h(t)·I), with bias O(1/K). The weights are
// computed with a streaming log-sum-exp. Targets are clipped per particle
// (molecules) or as a whole vector (GMM) to norm M.
//
// Work is split into items of a fixed number of samples of one point, so a
// single point with large K also spreads over the workers. Every
// perturbation ε_{b,k} is drawn from a generator seeded by the stream keyed
// (seed, step, b, k) (asm.Impl.Perturb: Box–Muller on xoshiro256**), and
// partial sums are combined per point in item order, so results are
// bit-identical for any number of workers.
package mcscore
