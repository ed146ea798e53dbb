package optim

import "math"

// Norm returns the Euclidean norm of g, summing squares in a fixed order
// (four interleaved partial sums, combined pairwise).
func Norm(g []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(g); i += 4 {
		s0 += g[i] * g[i]
		s1 += g[i+1] * g[i+1]
		s2 += g[i+2] * g[i+2]
		s3 += g[i+3] * g[i+3]
	}
	for ; i < len(g); i++ {
		s0 += g[i] * g[i]
	}
	return math.Sqrt((s0 + s1) + (s2 + s3))
}

// ClipGradNorm scales g in place so that its norm is at most maxNorm, with
// the semantics of torch.nn.utils.clip_grad_norm_: total = ‖g‖₂,
// coef = maxNorm/(total + 10⁻⁶), and g ← coef·g only if coef < 1. It returns
// the norm before clipping. A non-finite norm leaves g scaled by a
// non-finite or zero factor, as in PyTorch with error_if_nonfinite=false.
func ClipGradNorm(g []float64, maxNorm float64) float64 {
	total := Norm(g)
	coef := maxNorm / (total + 1e-6)
	if coef < 1 || math.IsNaN(coef) {
		for i := range g {
			g[i] *= coef
		}
	}
	return total
}
