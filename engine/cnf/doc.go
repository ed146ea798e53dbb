// Package cnf is the continuous normalising flow that gives idem its NLL and
// ESS figures (SPEC §7.6, following the evaluation protocol of iDEM,
// Akhound-Sadegh et al. 2024, arXiv:2402.06121, and conditional flow
// matching, Lipman et al. 2023, arXiv:2210.02747, with σ = 0).
//
// Time runs from the prior (t = 0) to the data (t = 1), the opposite of the
// diffusion convention. A velocity field v(t, x) is trained by regressing
// v(t, t·x₁ + (1 − t)·x₀) on x₁ − x₀, with x₀ from the prior and x₁ from a
// sample file. Coordinates are the target's original units (GMM-40: x, not
// y = x/50; the GMM network sees x/50 and its output is multiplied by 50, a
// fixed rescaling that keeps its weights at the scale of SPEC §5.1).
//
// Priors: GMM-40 N(0, 50²·I₂); molecules the mean-free Gaussian of standard
// deviation σ_p (DW-4 2, LJ-13 2, LJ-55 1), whose density lives on the
// (N−1)·D-dimensional subspace of zero centre of mass.
//
// Densities. log q(x₁) = log p_prior(x(0)) − ∫₀¹ tr ∂v/∂x dt along the ODE
// trajectory through x₁, integrated with Dormand–Prince 5(4) (engine/ode,
// atol = rtol = 10⁻⁵, RMS norm, Euler at 3000 steps past 3000 evaluations).
// The trace is exact by default: d forward-mode tangent passes per
// evaluation (mlp.Model.Divergence, egnn.Workspace.Divergence). The
// Hutchinson estimator with P Gaussian probes, held fixed along each
// trajectory, is the cheap alternative; its figures are labelled as such.
// Samples drawn from the flow carry their log q from the same solve
// (the augmented state [x, ∫ tr ∂v/∂x] integrated from t = 0 to 1).
//
// Training arithmetic: the EGNN's training passes run in float32 by
// default, or with bfloat16 products (Config.BF16: AMX tiles where present);
// densities are always computed in float64, whatever the training used.
//
// Units: log-densities in nats per configuration, in the coordinates of the
// sample files.
package cnf
