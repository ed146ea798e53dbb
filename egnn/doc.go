// Package egnn implements the E(n)-equivariant graph neural network score
// model of iDEM (Akhound-Sadegh et al. 2024, arXiv:2402.06121, following DEM
// and Satorras et al. 2021, arXiv:2102.09844) with a hand-written forward
// pass, reverse-mode backward pass and forward-mode input-Jacobian product.
//
// Sizes and layout. A configuration is N particles in D dimensions, stored
// row-major as [x₁ y₁ (z₁) x₂ …] (N·D float64, length units of the target).
// Batches are B such rows, one scalar time t per row. The output s ∈ ℝ^{N·D}
// has the same layout and units per unit time (the score, no σ scaling).
//
// Network (SPEC §5.2, hidden width F = 128, L layers, c = CoordsRange/L):
//
//	hᵢ⁰ = W_e·t + b_e,   a_ij = ‖xᵢ⁰ − xⱼ⁰‖²   (fixed edge attribute)
//	r_ij = ‖xᵢ − xⱼ‖²,   ê_ij = (xᵢ − xⱼ)/(√(r_ij + 10⁻⁸) + 1)
//	m_ij = SiLU(W_m2·SiLU(W_m1[hᵢ; hⱼ; r_ij; a_ij] + b_m1) + b_m2)
//	m_ij ← m_ij·σ(w_aᵀm_ij + b_a)
//	xᵢ ← xᵢ + c·Σ_{j≠i} ê_ij·tanh(w_xᵀ·SiLU(W_x·m_ij + b_x))
//	hᵢ ← hᵢ + W_h2·SiLU(W_h1[hᵢ; Σ_{j≠i} m_ij] + b_h1) + b_h2
//	s = P(x^L − x⁰),  P removes the mean over particles.
//
// The graph is fully connected over ordered pairs i ≠ j; node i receives from
// every j. The output never depends on the last layer's node update, so it
// is not computed and its parameters get zero gradient (they still count:
// 115,841 parameters per layer plus 256 for the time embedding).
//
// Cost. The first edge layer is factored, W_m1[hᵢ; hⱼ; r; a] = U·hᵢ + V·hⱼ +
// w_r·r + w_a·a, so its matrix products are paid per node. Per edge and layer
// the forward pass does two 128×128 products (W_m2, W_x) and the backward
// pass four more; these dominate and run through asm.Impl.Gemm (an AVX2+FMA
// 6×8 register-tile kernel) when the implementation has a native GEMM and
// through gonum's blas64 otherwise (Sgemm and blas32 in float32). Edge
// activations are stored as SiLU(z) and σ(z), from which z·σ(z) and
// SiLU'(z) = σ + SiLU·(1−σ) follow without another pass. In float32 the
// edge passes run through fused asm kernels (asm.Impl.EdgeInputF32,
// SiLUDotF32, AttScaleF32, CoordBackF32, AttBackF32, EdgeInputBackF32; AVX2
// on amd64): the gather U·hᵢ + V·hⱼ + w_r·r + w_a·a with its SiLU, SiLU with
// the projections w_aᵀm and w_xᵀSiLU(…), m' = m·att with Σ_j m'_ij, and
// their three backward passes; only per-edge scalars (σ, tanh, geometry)
// stay in Go. Node-level bias gradients and SiLU' (SiLUBackF32, ColSumF32)
// and the float32-to-float64 gradient reduction (AccumF32) are asm too. In
// float64 each stage runs its plain-Go kernel instead. Layer 0's ∂h⁰ only
// feeds the time embedding, so its first-edge-layer products are reduced
// over nodes before multiplying by W_m1 (vectors instead of two GEMMs).
//
// Code layout. workspace.go cuts a batch into chunks and runs them on the
// pool; pass.go holds the three passes over a chunk (forwardChunk,
// backwardChunk, tangentChunk), which call one function per stage and
// pass, named <stage>Forward, <stage>Backward and <stage>Tangent:
//
//	stage              prefix      file                kernels: float32 asm / float64 Go
//	time embedding     embed       stage_io.go         — (no tangent: ḣ⁰ = 0)
//	edge attribute     edgeAttr    stage_edge.go       edgeLengths (Go in both)
//	edge input         edgeInput   stage_edge.go       EdgeInputF32, EdgeInputBackF32 / edgeInputGo, edgeInputBackGo
//	message            message     stage_message.go    (GEMM only)
//	attention          attention   stage_attention.go  SiLUDotF32, AttScaleF32, AttBackF32 / attentionGo, aggregateGo, attentionBackGo
//	coordinate update  coord       stage_coord.go      SiLUDotF32, CoordBackF32 / dotRowsGo, coordBackGo
//	node update        node        stage_node.go       SiLUBackF32, ColSumF32 / siluBackGo, gemmer.colSumRows
//	output             output      stage_io.go         —
//
// A stage function chooses its kernel once per call (the asm edge kernels
// are set in float32 only, gemm.go); the tangent pass runs in float64 only.
// chunk.go holds the chunk scratch, the edge index (chunk.rcv, chunk.snd
// and chunk.edges, the one place edges are enumerated) and layerPass, the
// per-layer view the stages share.
//
// Parallelism and determinism. A batch is cut into chunks of whole
// configurations (about 300 edges each in float64, 768 in float32); a
// chunk's activations live in the scratch of the worker that runs it.
// Parameter gradients are accumulated into a fixed number of group
// buffers, each owned by the worker running its chunks in order, and
// reduced in group order, so results are bit-identical for any number of
// workers. In a training pass the chunk count is rounded
// up to a multiple of the group count so that groups, and hence workers,
// get equal work (DW-4 at B = 512: 8 chunks of 64 configurations).
//
// Precision. Float64 workspaces (NewWorkspace) are the default and the
// oracle. NewWorkspacePrec(…, Float32) runs Forward, Backward and
// ForwardBackward in float32 through asm.Impl.Sgemm (AVX2 6×16 or AVX-512
// 12×32 tiles with packed B panels) and asm.Impl.SiLUF32, on float32 copies of the float64
// parameters taken at every call; gradients are summed per group in float32
// and reduced into the float64 Params().Grad. Outputs and gradients agree
// with Float64 to 1e-4 of each array's largest element (TestFloat32MatchesFloat64;
// measured at most 3.2·10⁻⁵). To keep that, both paths accumulate the coordinate
// displacement x^ℓ − x⁰ and its adjoint separately instead of subtracting
// x^L − x⁰ (which cancels catastrophically in float32). JVP and Divergence
// always run in float64. On the issue-4 training shapes (DW-4 and LJ-13,
// B = 512, one worker) the float32 step took 1.8–1.9× less time than
// float64 (bench/egnn.go, prec=f32; shared 2-core Zen3). The asm edge
// kernels, 768-edge chunks split evenly over the groups and the layer-0
// shortcut then took the float32 DW-4 step from 0.15–0.20 s to 0.10–0.14 s
// of CPU on one worker (best steps 0.10 s; GEMM is now about 75% of it),
// and LJ-13 from 2.5–3.0 s to 1.9–2.1 s, measured back to back against the
// previous commit under a load of about 4 on the 2 cores.
//
// NewWorkspacePrec(…, BFloat16) is Float32 with the operands of the dense
// products rounded to bfloat16 (asm.RoundBF16: the weights once per
// parameter update, the activations per product, into per-worker scratch)
// and summed in float32 by asm.Impl.SgemmBF16, the arithmetic of the AMX
// tile unit. Its generic implementation reproduces TDPBF16PS's order of
// sums. Where the CPU runs the AMX tile GEMM (asm.Impl.HasBF16Tiles) the
// products go to it on packed pairs, bit for bit the generic products
// (TestBFloat16TilesMatchTwin); on CPUs with AVX512_BF16 only, to the
// VDPBF16PS pair GEMM; elsewhere the implementations run their SGEMM on the
// rounded operands, which gives bfloat16's precision but not its speed. On
// the Intel AMX machine (2 workers) the LJ-13 training step (B = 512) took
// 204 ms in BFloat16 against 716 ms in Float32 on avx2 and 502 ms on
// avx512 (bench group EGNNImpl, README "AMX"). Against
// Float64 it agrees to 0.2 of each array's largest element (measured at
// most 0.098, on small gradient tensors of the 5-layer LJ-13 network;
// TestBFloat16MatchesFloat64).
//
// NewWorkspacePrec(…, BFloat16x3) splits every operand x of those
// products into hi = bf16(x) and lo = bf16(x − hi) (asm.ResidualBF16) and
// sums C += A_lo·B_hi + A_hi·B_lo + A_hi·B_hi on the same kernels, in that
// order, so its tile path too is the generic path's bits. It agrees with
// Float64 20–120 times more closely than BFloat16 (at most 0.0013), at three
// times the tile work plus the residual passes: on the Intel AMX machine
// its LJ-13 training step took as long as Float32's (README "AMX").
package egnn
