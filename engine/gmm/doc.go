// Package gmm implements GMM-40, the 2-D Gaussian mixture target of iDEM
// (Akhound-Sadegh et al., ICML 2024, arXiv:2402.06121; the mixture of
// Midgley et al.'s FAB), as SPEC §2.1 defines it: 40 equally weighted
// components with means in [−40, 40]² and covariance s²·I, s = softplus(1).
//
// Units: the density is normalised in original coordinates x. Training
// happens in y = x/50 with log p̃(y) = log p(50·y) and no Jacobian term; New
// returns that training-space target and NewOriginal the x-space one.
// Values of log p below −10⁴ are masked to −∞ (energy +Inf); the gradient
// is unchanged there, and EnergyForceUnmasked gives the unmasked energies
// for the estimator's all-masked fallback (SPEC §9.5).
package gmm
