package mlp

import (
	"github.com/idem-project/idem/asm"
	"gonum.org/v1/gonum/blas"
)

// Tile sizes for the GEMM wrapper. gonum's native Dgemm goes parallel (and
// allocates) once the output has at least four 64×64 blocks; tiles of at most
// 64×128 keep every call serial and allocation-free, and the Pool supplies
// the parallelism instead (no nested parallelism). Tiling the output never
// changes results: every output element is still one sum over k in order.
const (
	tileM = 64
	tileN = 128
)

// gemm multiplies row-major matrices. When im has a native (SIMD) Gemm,
// nn and tn go through asm.Gemm (C += A·B with strided A); otherwise, and
// always for nt, through a blas.Float64 (gonum's blas64 implementation),
// tiling the output as described above. asm.Gemm has no transposed-B form,
// so the model keeps transposed weight copies and uses nn on the native
// path.
type gemm struct {
	impl   blas.Float64
	im     *asm.Impl
	native bool
}

func zeroRows(m, n int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		clear(c[i*ldc : i*ldc+n])
	}
}

// nt computes C = A·Bᵀ + beta·C, with A m×k (lda), B n×k (ldb), C m×n (ldc).
func (g gemm) nt(m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i += tileM {
		mi := min(tileM, m-i)
		for j := 0; j < n; j += tileN {
			nj := min(tileN, n-j)
			g.impl.Dgemm(blas.NoTrans, blas.Trans, mi, nj, k, 1, a[i*lda:], lda, b[j*ldb:], ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// nn computes C = A·B + beta·C, with A m×k (lda), B k×n (ldb), C m×n (ldc).
func (g gemm) nn(m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if g.native && (beta == 0 || beta == 1) {
		if beta == 0 {
			zeroRows(m, n, c, ldc)
		}
		g.im.Gemm(m, n, k, a, lda, 1, b, ldb, c, ldc)
		return
	}
	for i := 0; i < m; i += tileM {
		mi := min(tileM, m-i)
		for j := 0; j < n; j += tileN {
			nj := min(tileN, n-j)
			g.impl.Dgemm(blas.NoTrans, blas.NoTrans, mi, nj, k, 1, a[i*lda:], lda, b[j:], ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// tn computes C = Aᵀ·B + beta·C, with A k×m (lda), B k×n (ldb), C m×n (ldc).
func (g gemm) tn(m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if g.native && (beta == 0 || beta == 1) {
		if beta == 0 {
			zeroRows(m, n, c, ldc)
		}
		g.im.Gemm(m, n, k, a, 1, lda, b, ldb, c, ldc)
		return
	}
	for i := 0; i < m; i += tileM {
		mi := min(tileM, m-i)
		for j := 0; j < n; j += tileN {
			nj := min(tileN, n-j)
			g.impl.Dgemm(blas.Trans, blas.NoTrans, mi, nj, k, 1, a[i:], lda, b[j:], ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}
