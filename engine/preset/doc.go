// Package preset holds iDEM's per-target settings in one place: the
// schedule, Monte-Carlo estimator, network, optimiser, buffer and sampler
// settings of SPEC §6.1 ("paper") and the settings measured to reach the
// paper's quality fastest on two CPU cores ("quick"). The training loop
// (engine/train), the benchmarks (bench) and the commands read them from
// here.
//
// Units: σ and the noise variance h are in training units (y = x/50 for
// GMM-40, the target's length unit for DW-4 and LJ); times are diffusion
// times in [0, 1]. Reference: Akhound-Sadegh et al., ICML 2024,
// arXiv:2402.06121, Table 5 and the DEM configs at commit 8e95319.
package preset
