// Package mlp implements the GMM-40 score network of iDEM (SPEC §5.1;
// Akhound-Sadegh et al., "Iterated Denoising Energy Matching for Sampling
// from Boltzmann Densities", ICML 2024, arXiv:2402.06121), with a manual
// forward pass, backward pass and forward-mode Jacobian products.
//
// Architecture, for an input x ∈ ℝᵈ (d = 2) and a time t:
//
//	e(u; c)  = [sin(c·u·ω₀) … sin(c·u·ω₆₃), cos(c·u·ω₀) … cos(c·u·ω₆₃)],
//	           ω_k = exp(−k·ln(10⁴)/63)
//	z        = [e(x₁; 25), e(x₂; 25), e(t; 1)] ∈ ℝ³⁸⁴
//	h₀       = GELU(W₀z + b₀)                     W₀ ∈ ℝ^{128×384}
//	h_ℓ      = h_{ℓ−1} + GELU(W_ℓh_{ℓ−1} + b_ℓ)   ℓ = 1, 2, 3
//	s        = W₄h₃ + b₄ ∈ ℝ²
//
// with the exact GELU(a) = ½a(1 + erf(a/√2)); 99,074 parameters. For GMM-40
// the input and the output score are in training units y = x/50 (no σ
// scaling). Config generalises the input dimension, embedding scales, width
// and depth, so the same code serves the flow-matching velocity field of
// SPEC §5.3 (in original x units).
//
// Layout: activations are row-major [rows][features]; weights are
// [out][in] as in PyTorch's nn.Linear, stored in one param.Set. Matrix
// products go through asm.Gemm when the implementation (asm.Default(), or
// Model.SetImpl) has a native one, using transposed weight copies refreshed
// on every forward call; otherwise through gonum's blas64 Dgemm, tiled so
// that each call is serial. Batch rows are spread over an engine.Pool.
//
// Determinism: forward and input-gradient values for a row depend only on
// that row; parameter gradients are computed per output feature as one sum
// over the batch in row order. Results are therefore bit-identical for any
// number of workers.
//
// Measured (AMD EPYC Zen 3, 2 cores shared with other jobs, so noisy):
// gonum's Dgemm reaches roughly 3–7 GFLOP/s at 512×128×384 and 512×128×128,
// well under the ~39 GFLOP/s AVX2 FMA peak of one core at 2.45 GHz; see
// bench.MLPCases (group Dgemm) to re-measure.
package mlp
