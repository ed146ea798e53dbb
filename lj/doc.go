// Package lj implements the particle targets of iDEM (Akhound-Sadegh et al.,
// ICML 2024, arXiv:2402.06121) on top of the pair kernels of package asm:
//
//   - LJ-n, Lennard-Jones clusters in 3-D in the benchmark convention
//     (SPEC §2.3): E = Σ_{i≠j} [d⁻¹² − 2d⁻⁶] + ½Σ‖xᵢ − x̄‖², ordered pairs
//     (each unordered pair counted twice), ε = r_m = 1,
//     d = √(‖xᵢ − xⱼ‖² + 10⁻⁶). LJ-13 and LJ-55 are the paper's.
//   - DW-n, the double-well potential (SPEC §2.2): E = Σ_{i<j}
//     [0.9(d−4)⁴ − 4(d−4)²], d = ‖xᵢ − xⱼ‖, in 2-D (DW-4) or 3-D.
//
// Units: energies in kT (ε for LJ), lengths in r_m (LJ) or the double
// well's own unit. Configurations are flattened [x₁, y₁, (z₁), x₂, …].
//
// The package also loads reference configurations from NumPy .npy files,
// centres them, builds Mackay icosahedra and relaxes configurations to local
// minima with L-BFGS.
package lj
