package asm

// Gemm computes C += A·B for an m×k matrix A, a k×n matrix B and an m×n
// matrix C, all float64:
//
//	C[i·ldc + j] += Σ_{p<k} A(i, p)·B[p·ldb + j]   for i < m, j < n,
//
// where A(i, p) = a[i·rsA + p·csA]. The general strides of A let one kernel
// serve a row-major A (rsA = lda, csA = 1) and a transposed one (rsA = 1,
// csA = lda), as in the weight gradient dW += dZᵀ·X of a dense layer. B and
// C are row-major with leading dimensions ldb ≥ n and ldc ≥ n. C may not
// alias A or B. The sum over p runs in increasing p, one multiply-add at a
// time, so each element's result is a fixed function of the inputs and the
// shape; native implementations fuse each multiply-add (one rounding), so they
// differ from generic by at most about k·2⁻⁵² · Σ_p |A(i,p)·B(p,j)|.
//
// Gemm checks the lengths once and panics on a short slice or a negative size
// (programmer errors); it is single-threaded and does not allocate.
func (im *Impl) Gemm(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(errGemmNegative)
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if rsA < 0 || csA < 0 {
		panic(errGemmStride)
	}
	if ldb < n || ldc < n {
		panic(errGemmLd)
	}
	if len(a) < (m-1)*rsA+(k-1)*csA+1 {
		panic(errGemmShortA)
	}
	if len(b) < (k-1)*ldb+n {
		panic(errGemmShortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(errGemmShortC)
	}
	im.gemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// GemmNative reports whether im has a native (SIMD) Gemm; when it does not,
// Gemm is the plain-Go oracle and callers may prefer an optimised BLAS.
func (im *Impl) GemmNative() bool { return im.gemmNative }

const (
	errGemmNegative = "asm: Gemm with a negative size"
	errGemmStride   = "asm: Gemm with a negative stride of A"
	errGemmLd       = "asm: Gemm with ldb < n or ldc < n"
	errGemmShortA   = "asm: Gemm with len(a) < (m-1)*rsA + (k-1)*csA + 1"
	errGemmShortB   = "asm: Gemm with len(b) < (k-1)*ldb + n"
	errGemmShortC   = "asm: Gemm with len(c) < (m-1)*ldc + n"
)

// gemmGeneric is the oracle: one unfused multiply-add at a time in
// increasing p for every element of C.
func gemmGeneric(m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			s := ci[j]
			for p := 0; p < k; p++ {
				s += float64(a[i*rsA+p*csA] * b[p*ldb+j])
			}
			ci[j] = s
		}
	}
}

// Register tile of the native kernels: gemmMR rows by gemmNR columns of C.
const (
	gemmMR = 6
	gemmNR = 8
	// gemmKC is the depth of one pass over C: a kc×n panel of B (up to
	// 128 KiB at n = 128) stays in L2 while the 6×kc slivers of A cycle
	// through L1.
	gemmKC = 128
)

// gemmTiled drives a 6×8 register-tile kernel over C. Tiles that would
// cross the bottom or right edge are recomputed overlapping the last full
// tile into a zeroed scratch tile, of which only the new rows/columns are
// added to C; blocks narrower than a tile go to generic. The tile kernel
// (gemmTile: the native one when native is set, else gemmKernelGeneric)
// computes C[0:6][0:8] += A·B for depth k with Gemm's argument conventions.
func gemmTiled(native bool, m, n, k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	if m < gemmMR || n < gemmNR {
		gemmGeneric(m, n, k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	mFull := m - m%gemmMR
	nFull := n - n%gemmNR
	// A transposed (rsA < csA, as in the weight gradient dZᵀ·X) is read
	// one cache line per depth step; such slivers are first copied, p-major,
	// into pk (A(r, p) at pk[p·6 + r]). Row-major A is read in place.
	var pk [gemmMR * gemmKC]float64
	packA := rsA < csA
	sliver := func(ai []float64, kc int) ([]float64, int, int) {
		if !packA {
			return ai, rsA, csA
		}
		gemmPackA(&pk, ai, rsA, csA, kc)
		return pk[:kc*gemmMR], 1, gemmMR
	}
	for p0 := 0; p0 < k; p0 += gemmKC {
		kc := min(gemmKC, k-p0)
		ap := a[p0*csA:]
		bp := b[p0*ldb:]
		for i := 0; i < mFull; i += gemmMR {
			ai, rs, cs := sliver(ap[i*rsA:], kc)
			ci := c[i*ldc:]
			for j := 0; j < nFull; j += gemmNR {
				gemmTile(native, kc, ai, rs, cs, bp[j:], ldb, ci[j:], ldc)
			}
			if nFull < n {
				gemmEdge(native, kc, ai, rs, cs, bp[n-gemmNR:], ldb, ci[n-gemmNR:], ldc, 0, nFull-(n-gemmNR))
			}
		}
		if mFull < m {
			i := m - gemmMR
			ai, rs, cs := sliver(ap[i*rsA:], kc)
			ci := c[i*ldc:]
			r0 := mFull - i
			for j := 0; j < nFull; j += gemmNR {
				gemmEdge(native, kc, ai, rs, cs, bp[j:], ldb, ci[j:], ldc, r0, 0)
			}
			if nFull < n {
				gemmEdge(native, kc, ai, rs, cs, bp[n-gemmNR:], ldb, ci[n-gemmNR:], ldc, r0, nFull-(n-gemmNR))
			}
		}
	}
}

// gemmPackA copies the 6×kc sliver A(r, p) = a[r·rsA + p·csA] into pk,
// p-major.
func gemmPackA(pk *[gemmMR * gemmKC]float64, a []float64, rsA, csA, kc int) {
	if rsA == 1 { // the six values of one depth step are contiguous
		for p := 0; p < kc; p++ {
			src := a[p*csA : p*csA+gemmMR]
			dst := pk[p*gemmMR : p*gemmMR+gemmMR]
			dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = src[0], src[1], src[2], src[3], src[4], src[5]
		}
		return
	}
	for p := 0; p < kc; p++ {
		row := pk[p*gemmMR : p*gemmMR+gemmMR]
		ap := a[p*csA:]
		for r := range row {
			row[r] = ap[r*rsA]
		}
	}
}

// gemmEdge computes one overlapping tile into scratch and adds its rows
// ≥ r0 and columns ≥ c0 to C.
func gemmEdge(native bool, kc int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int, r0, c0 int) {
	var t [gemmMR * gemmNR]float64
	gemmTile(native, kc, a, rsA, csA, b, ldb, t[:], gemmNR)
	for r := r0; r < gemmMR; r++ {
		for q := c0; q < gemmNR; q++ {
			c[r*ldc+q] += t[r*gemmNR+q]
		}
	}
}

// gemmKernelGeneric is the plain-Go twin of the native 6×8 tile kernels
// (used to test gemmTiled on every build).
func gemmKernelGeneric(k int, a []float64, rsA, csA int, b []float64, ldb int, c []float64, ldc int) {
	gemmGeneric(gemmMR, gemmNR, k, a, rsA, csA, b, ldb, c, ldc)
}
