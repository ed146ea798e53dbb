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
// on every forward call (narrow layers padded with zero columns to asm.Gemm's
// 8-column tile) and, for the weight gradients, the unit's columns of ∂L/∂a
// packed as rows so that asm.Gemm reads A row-major; otherwise through
// gonum's blas64 Dgemm, tiled so that each call is serial. GELU and GELU′
// come from one asm.GELU call per row chunk and layer (GELU′ is kept for
// the backward and tangent passes). Batch rows are spread over an
// engine.Pool.
//
// Determinism: forward and input-gradient values for a row depend only on
// that row; parameter gradients are computed per output feature as one sum
// over the batch in row order. Results are therefore bit-identical for any
// number of workers.
//
// Measured (AMD EPYC Zen 3, 2 cores shared with other jobs, so noisy): see
// bench.MLPCases, groups TrainStep and Dgemm (asm.Gemm at the network's
// shapes as a fraction of the FMA peak measured in the same process).
// asm.Gemm runs its row-major (nn) case markedly faster than its transposed-A
// (tn) case, hence the packing for the weight gradients.
package mlp
