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
// Config.MixSigma (not in the paper) mixes S_K with the denoising form of
// the same importance estimate (Tweedie's formula), from the same samples
// and weights:
//
//	D_K = Σ_k w_k·(x_k − x)/h,   S = a·S_K + (1 − a)·D_K,   a = s²/(s² + h),
//
// with D_K centred for CoM-free targets. Both forms tend to ∇log p_t(x); the
// force form's variance grows with h and the denoising form's falls as 1/h,
// and for a Gaussian target of unit curvature s = 1 cancels the sampling
// noise exactly. s ≈ 1/√(typical curvature) sets the crossover (0.2 for
// DW-4). Cf. De Bortoli et al., "Target score matching", arXiv:2402.08667.
// Both forms share the self-normalised bias; where the weights collapse
// onto one sample (LJ-13 above t ≈ 0.4) they disagree by as much as the
// score itself, and the mixture is not an improvement there (README).
//
// Non-finite energies. A sample with energy +Inf (density zero) gets weight
// zero; a point whose K samples are all +Inf is an error (ErrNoFiniteSample)
// unless the target offers unmasked energies (Unmasked). A NaN energy or a
// NaN force in any sample of a point is an error wrapping ErrNaNEnergy that
// names the point and its h, never a silent zero weight: the NaN check is
// folded into the scan for the largest log-weight, which visits every
// energy anyway, and a NaN force shows up in the weighted force sum, which
// is checked once per point. An energy of −Inf is an error too.
//
// Work is split into items of a fixed number of samples of one point, so a
// single point with large K also spreads over the workers. Every
// perturbation ε_{b,k} is drawn from a generator seeded by the stream keyed
// (seed, step, b, k) (asm.Impl.Perturb: Box–Muller on xoshiro256**), and
// partial sums are combined per point in item order, so results are
// bit-identical for any number of workers.
package mcscore
