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
// 8-column tile) and, for the weight gradients, the panel's columns of ∂L/∂a
// packed as rows so that asm.Gemm reads A row-major; otherwise through
// gonum's blas64 Dgemm, tiled so that each call is serial. Biases are
// written into the output rows before the product is accumulated onto them.
// The embedding's sines and cosines come from asm.SinCos, GELU and GELU′
// from one asm.GELU call per row chunk and layer (GELU′ is kept for the
// backward and tangent passes).
//
// Parallelism (engine.Pool): the forward, input-gradient and tangent passes
// split the batch into about four chunks of whole 6-row register tiles (at
// least 48 rows; two per worker on two cores, so a descheduled worker
// leaves one to steal); the weight gradients are split into panels of
// about 64 output features (66 + 62 for a 128-wide layer, input layer
// first), each one GEMM over the whole batch with k = B, so both phases give
// each worker large, well-shaped products. (The first version used
// 24-feature panels and 60-row chunks, and packed each panel with a row
// stride of 512 doubles, which put all its rows in one L1 set: packing cost
// about 2 ms per step; see packLd.)
//
// Determinism: chunk and panel boundaries depend only on the batch size and
// the configuration, never on the worker count; forward and input-gradient
// values for a row depend only on that row and its chunk; parameter
// gradients are computed per output feature as one sum over the batch in
// row order, each panel writing only its own rows, so no cross-worker
// reduction is needed. Results are therefore bit-identical for any number
// of workers.
//
// Measured (AMD EPYC Zen 3, 2 cores shared with other jobs, so noisy): see
// bench.MLPCases, groups TrainStep and Dgemm (asm.Gemm at the network's
// shapes as a fraction of the FMA peak measured in the same process).
// asm.Gemm runs its row-major (nn) case markedly faster than its transposed-A
// (tn) case, hence the packing for the weight gradients.
//
// CPU per training step at B = 512 (forward, backward, clip, Adam; two
// workers; CLOCK_PROCESS_CPUTIME_ID, old and new code alternated, load 4–5
// on two cores): 15.6–16.0 ms before the panel/chunk restructuring, packing
// stride, fused biases and asm.SinCos, 13.3–13.4 ms after. The split was
// already balanced: the busier worker's thread CPU summed over the phases
// (the step's critical path on two free cores) is about half the chunk CPU
// both before (7.1–7.4 ms) and after (6.4–6.5 ms), so two free cores would
// take about 7.7 ms per step with the serial clip and Adam (0.8 ms). What
// hid the speed-up was the machine: with other jobs on both cores, process
// CPU time equals wall time for two workers. What remains is asm.Gemm
// (about 60% of the CPU), asm.GELU (about 15%: some 8 ns per element in the
// step) and Adam.
package mlp
