package egnn

import (
	"github.com/idem-project/idem/asm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// lin is one dense weight block W (out×in, row-major with leading dimension
// ldw, PyTorch layout) and, for the native GEMM, its transpose wt (in×out).
type lin struct {
	w            []float64
	ldw, in, out int
	wt           []float64
}

func newLin(w []float64, ldw, in, out int, native bool) lin {
	l := lin{w: w[:(out-1)*ldw+in], ldw: ldw, in: in, out: out}
	if native {
		l.wt = make([]float64, in*out)
	}
	return l
}

// refresh copies W into its transpose after the parameters changed.
func (l *lin) refresh() {
	if l.wt == nil {
		return
	}
	for o := 0; o < l.out; o++ {
		row := l.w[o*l.ldw : o*l.ldw+l.in]
		for k, v := range row {
			l.wt[k*l.out+o] = v
		}
	}
}

// gemmer routes the three products of a dense layer to asm.Impl.Gemm when
// it is native and to gonum's blas64 otherwise.
type gemmer struct {
	im     *asm.Impl
	native bool
}

func gen(rows, cols, stride int, d []float64) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: stride, Data: d[:(rows-1)*stride+cols]}
}

// fwd: C[m×out] += A[m×in]·Wᵀ.
func (g gemmer) fwd(m int, a []float64, lda int, l *lin, c []float64, ldc int) {
	if m == 0 {
		return
	}
	if g.native {
		g.im.Gemm(m, l.out, l.in, a, lda, 1, l.wt, l.out, c, ldc)
		return
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, gen(m, l.in, lda, a), gen(l.out, l.in, l.ldw, l.w), 1, gen(m, l.out, ldc, c))
}

// bwdIn: dA[m×in] += dC[m×out]·W.
func (g gemmer) bwdIn(m int, dc []float64, lddc int, l *lin, da []float64, ldda int) {
	if m == 0 {
		return
	}
	if g.native {
		g.im.Gemm(m, l.in, l.out, dc, lddc, 1, l.w, l.ldw, da, ldda)
		return
	}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(m, l.out, lddc, dc), gen(l.out, l.in, l.ldw, l.w), 1, gen(m, l.in, ldda, da))
}

// bwdW: dW[out×in] (leading dimension l.ldw) += dC[m×out]ᵀ·A[m×in].
func (g gemmer) bwdW(m int, dc []float64, lddc int, a []float64, lda int, l *lin, dw []float64) {
	if m == 0 {
		return
	}
	if g.native {
		g.im.Gemm(l.out, l.in, m, dc, 1, lddc, a, lda, dw, l.ldw)
		return
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, gen(m, l.out, lddc, dc), gen(m, l.in, lda, a), 1, gen(l.out, l.in, l.ldw, dw))
}
