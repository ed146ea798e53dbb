package asm

// Sgemm is the float32 twin of Gemm: for an m×k matrix A, a k×n matrix B
// and an m×n matrix C, all float32,
//
//	C[i·ldc + j] += Σ_{p<k} A(i, p)·B[p·ldb + j]   for i < m, j < n,
//
// with A(i, p) = a[i·rsA + p·csA] (row-major A: rsA = lda, csA = 1;
// transposed A: rsA = 1, csA = lda), B and C row-major with ldb ≥ n and
// ldc ≥ n. C may not alias A or B. The generic oracle sums in increasing p
// with one unfused float32 multiply-add at a time. Native implementations
// fuse each multiply-add and sum depth blocks (SgemmKC terms, or 64 when A
// is transposed, rsA < csA) into C in turn, so they differ from generic by
// at most about
// k·2⁻²³·Σ_p |A(i,p)·B(p,j)|. For fixed shapes and strides the result is a
// fixed function of the inputs (no dependence on alignment or threads).
//
// Sgemm checks the lengths once and panics on a short slice or a negative
// size (programmer errors); it is single-threaded and does not allocate.
func (im *Impl) Sgemm(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(errSgemmNegative)
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if rsA < 0 || csA < 0 {
		panic(errSgemmStride)
	}
	if ldb < n || ldc < n {
		panic(errSgemmLd)
	}
	if len(a) < (m-1)*rsA+(k-1)*csA+1 {
		panic(errSgemmShortA)
	}
	if len(b) < (k-1)*ldb+n {
		panic(errSgemmShortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(errSgemmShortC)
	}
	im.sgemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// SgemmNative reports whether im has a native (SIMD) Sgemm; when it does
// not, Sgemm is the plain-Go oracle and callers may prefer an optimised BLAS.
func (im *Impl) SgemmNative() bool { return im.sgemmNative }

const (
	errSgemmNegative = "asm: Sgemm with a negative size"
	errSgemmStride   = "asm: Sgemm with a negative stride of A"
	errSgemmLd       = "asm: Sgemm with ldb < n or ldc < n"
	errSgemmShortA   = "asm: Sgemm with len(a) < (m-1)*rsA + (k-1)*csA + 1"
	errSgemmShortB   = "asm: Sgemm with len(b) < (k-1)*ldb + n"
	errSgemmShortC   = "asm: Sgemm with len(c) < (m-1)*ldc + n"
)

// sgemmGeneric is the oracle: one unfused float32 multiply-add at a time in
// increasing p for every element of C.
func sgemmGeneric(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			s := ci[j]
			for p := 0; p < k; p++ {
				s += float32(a[i*rsA+p*csA] * b[p*ldb+j])
			}
			ci[j] = s
		}
	}
}

// Register tile of the native float32 kernel: sgemmMR rows by sgemmNR
// columns of C (twelve 8-lane YMM or 24 4-lane NEON accumulators).
const (
	sgemmMR = 6
	sgemmNR = 16
	// SgemmKC is the depth of one pass over C. The kc×16 panel of B is
	// packed contiguously (16 KiB at kc = 256) so that it stays in L1 while
	// the 6×kc slivers of A stream past it; a strided panel (ldb = 128
	// floats) would map to 8 of L1's 64 sets and thrash.
	SgemmKC = 256
	// sgemmKCT is the depth block when A is transposed (rsA < csA).
	sgemmKCT = 64
)

// sgemmTiled drives a 6×16 register-tile kernel over C. For each depth
// block and each 16-column block of B it packs the block into a contiguous
// panel (zero-padded on the right), then runs the tile kernel down the rows
// of C. Columns past n and rows past the last whole tile are computed into
// a zeroed scratch tile (the bottom tile overlapping the last whole one)
// and only the new elements are added to C. m < 6 goes to generic. The tile
// kernel (sgemmTile: native when native is set, else sgemmKernelGeneric)
// computes C[0:6][0:16] += A·P for depth k, P the packed panel (row stride
// 16).
func sgemmTiled(native bool, m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	if m < sgemmMR {
		sgemmGeneric(m, n, k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	var panel [SgemmKC * sgemmNR]float32
	var t [sgemmMR * sgemmNR]float32
	mFull := m - m%sgemmMR
	kcMax := SgemmKC
	if rsA < csA {
		// Transposed A: a 6×kc sliver spans kc lines csA apart; with
		// csA·4 a multiple of 512 B they fall into 8 of L1's 64 sets, so
		// keep kc ≤ 64 lines (measured on the EGNN dW shape, 312×128 by 128: 47 → 65 GFLOP/s).
		kcMax = sgemmKCT
	}
	for p0 := 0; p0 < k; p0 += kcMax {
		kc := min(kcMax, k-p0)
		ap := a[p0*csA:]
		for j0 := 0; j0 < n; j0 += sgemmNR {
			nw := min(sgemmNR, n-j0)
			pk := panel[:kc*sgemmNR]
			if nw == sgemmNR {
				// whole rows (a memmove per 64-byte row cost 14% of the
				// EGNN's GEMM time; the native copy loop does not)
				sgemmPack16(native, pk, b[p0*ldb+j0:(p0+kc-1)*ldb+j0+sgemmNR], ldb, kc)
			} else {
				for p := 0; p < kc; p++ {
					row := pk[p*sgemmNR : (p+1)*sgemmNR]
					o := (p0+p)*ldb + j0
					copy(row, b[o:o+nw])
					clear(row[nw:])
				}
			}
			for i := 0; i < mFull; i += sgemmMR {
				ai := ap[i*rsA:]
				if nw == sgemmNR {
					sgemmTile(native, kc, ai, rsA, csA, pk, c[i*ldc+j0:], ldc)
					continue
				}
				t = [sgemmMR * sgemmNR]float32{}
				sgemmTile(native, kc, ai, rsA, csA, pk, t[:], sgemmNR)
				for r := 0; r < sgemmMR; r++ {
					cr := c[(i+r)*ldc+j0 : (i+r)*ldc+j0+nw]
					for q := range cr {
						cr[q] += t[r*sgemmNR+q]
					}
				}
			}
			if mFull < m {
				i := m - sgemmMR
				t = [sgemmMR * sgemmNR]float32{}
				sgemmTile(native, kc, ap[i*rsA:], rsA, csA, pk, t[:], sgemmNR)
				for r := mFull - i; r < sgemmMR; r++ {
					cr := c[(i+r)*ldc+j0 : (i+r)*ldc+j0+nw]
					for q := range cr {
						cr[q] += t[r*sgemmNR+q]
					}
				}
			}
		}
	}
}

// sgemmKernelGeneric is the plain-Go twin of the native 6×16 tile kernel
// (used to test sgemmTiled on every build); p is the packed panel.
func sgemmKernelGeneric(k int, a []float32, rsA, csA int, p []float32, c []float32, ldc int) {
	sgemmGeneric(sgemmMR, sgemmNR, k, a, rsA, csA, p, sgemmNR, c, ldc)
}

// sgemmPack16Generic copies b[q·ldb : q·ldb+16] to p[16q : 16q+16] for
// q < kc.
func sgemmPack16Generic(p, b []float32, ldb, kc int) {
	for q := 0; q < kc; q++ {
		copy(p[q*sgemmNR:(q+1)*sgemmNR], b[q*ldb:q*ldb+sgemmNR])
	}
}
