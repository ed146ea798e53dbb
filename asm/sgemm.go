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
	if sgemmArgs(m, n, k, len(a), rsA, csA, len(b), ldb, len(c), ldc) {
		im.sgemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
	}
}

// sgemmArgs is the argument check of Sgemm, SgemmBF16 and GemmBF16Pairs
// (k counts A's columns, whatever their element): it panics on a negative
// size or stride, a short leading dimension or a short slice, and reports
// whether there is anything to compute.
func sgemmArgs(m, n, k, lenA, rsA, csA, lenB, ldb, lenC, ldc int) bool {
	if m < 0 || n < 0 || k < 0 {
		panic(errSgemmNegative)
	}
	if m == 0 || n == 0 || k == 0 {
		return false
	}
	if rsA < 0 || csA < 0 {
		panic(errSgemmStride)
	}
	if ldb < n || ldc < n {
		panic(errSgemmLd)
	}
	if lenA < (m-1)*rsA+(k-1)*csA+1 {
		panic(errSgemmShortA)
	}
	if lenB < (k-1)*ldb+n {
		panic(errSgemmShortB)
	}
	if lenC < (m-1)*ldc+n {
		panic(errSgemmShortC)
	}
	return true
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

// sgemmTiled drives the 6×16 register-tile kernel over C (see gemmDrive);
// m < 6 goes to generic.
func sgemmTiled(native bool, m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	if m < sgemmMR {
		sgemmGeneric(m, n, k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	var panel [SgemmKC * sgemmNR]float32
	var t [sgemmMR * sgemmNR]float32
	gemmDrive(geo6x16, native, panel[:], t[:], m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// tileGeometry names a register-tile kernel of gemmDrive and its shape:
// an mr×nr tile of C over a packed kc×nr panel of B (kc the depth block).
// Its tile method computes C[0:mr][0:nr] += A·P for depth k (P the packed
// panel, row stride nr; the native kernel when native is set, else its
// plain-Go twin); pack copies kc whole nr-wide rows of B into the panel.
// The kernels are called directly, not through function values, so that
// the callers' stack scratch does not escape.
type tileGeometry int

const (
	geo6x16  tileGeometry = iota // float32, AVX2 and NEON (sgemmTile, sgemmPack16)
	geo12x32                     // float32, AVX-512 (sgemmTile32, sgemmPack32)
	geo12x16                     // float64, AVX-512 (gemmTile16, gemmPack16)
	geoBF16                      // bfloat16 pairs as float32 bits, AVX512_BF16 (bf16DotTile, sgemmPack32)
)

// shape returns the tile's rows, columns and depth block.
func (g tileGeometry) shape() (mr, nr, kc int) {
	switch g {
	case geo12x32:
		return sgemmMR32, sgemmNR32, sgemmKC32
	case geo12x16:
		return gemmMR16, gemmNR16, gemmKC16
	case geoBF16:
		return bf16DotMR, bf16DotNR, bf16DotKC
	}
	return sgemmMR, sgemmNR, SgemmKC
}

// geoTile runs g's tile kernel; T must be g's element type.
func geoTile[T float32 | float64](g tileGeometry, native bool, k int, a []T, rsA, csA int, p, c []T, ldc int) {
	switch g {
	case geo6x16:
		sgemmTile(native, k, any(a).([]float32), rsA, csA, any(p).([]float32), any(c).([]float32), ldc)
	case geo12x32:
		sgemmTile32(native, k, any(a).([]float32), rsA, csA, any(p).([]float32), any(c).([]float32), ldc)
	case geo12x16:
		gemmTile16(native, k, any(a).([]float64), rsA, csA, any(p).([]float64), any(c).([]float64), ldc)
	case geoBF16:
		bf16DotTile(native, k, asU32(any(a).([]float32)), rsA, csA, asU32(any(p).([]float32)), any(c).([]float32), ldc)
	}
}

// geoPack runs g's packing loop; T must be g's element type.
func geoPack[T float32 | float64](g tileGeometry, native bool, p, b []T, ldb, kc int) {
	switch g {
	case geo6x16:
		sgemmPack16(native, any(p).([]float32), any(b).([]float32), ldb, kc)
	case geo12x32, geoBF16:
		sgemmPack32(native, any(p).([]float32), any(b).([]float32), ldb, kc)
	case geo12x16:
		gemmPack16(native, any(p).([]float64), any(b).([]float64), ldb, kc)
	}
}

// gemmDrive drives the register-tile kernel of geometry g over C, m ≥ mr.
// For each depth block (g's, or sgemmKCT when A is transposed) and each
// nr-column block of B it packs the block into a contiguous panel
// (zero-padded on the right), then runs the tile kernel down the rows of
// C. Columns past n and rows past the last whole tile are computed into
// the zeroed scratch tile t (the bottom tile overlapping the last whole
// one) and only the new elements are added to C. panel holds kc·nr and t
// mr·nr elements of g's shape.
func gemmDrive[T float32 | float64](g tileGeometry, native bool, panel, t []T, m, n, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int) {
	mr, nr, kcMax := g.shape()
	t = t[:mr*nr]
	mFull := m - m%mr
	if rsA < csA {
		// Transposed A: an mr×kc sliver spans kc lines csA apart; with
		// csA·4 a multiple of 512 B they fall into 8 of L1's 64 sets, so
		// keep kc ≤ 64 lines (measured on the EGNN dW shape, 312×128 by 128: 47 → 65 GFLOP/s).
		kcMax = min(kcMax, sgemmKCT)
	}
	for p0 := 0; p0 < k; p0 += kcMax {
		kc := min(kcMax, k-p0)
		ap := a[p0*csA:]
		for j0 := 0; j0 < n; j0 += nr {
			nw := min(nr, n-j0)
			pk := panel[:kc*nr]
			if nw == nr {
				// whole rows (a memmove per 64-byte row cost 14% of the
				// EGNN's GEMM time; the native copy loop does not)
				geoPack(g, native, pk, b[p0*ldb+j0:(p0+kc-1)*ldb+j0+nr], ldb, kc)
			} else {
				for p := 0; p < kc; p++ {
					row := pk[p*nr : (p+1)*nr]
					o := (p0+p)*ldb + j0
					copy(row, b[o:o+nw])
					clear(row[nw:])
				}
			}
			for i := 0; i < mFull; i += mr {
				ai := ap[i*rsA:]
				if nw == nr {
					geoTile(g, native, kc, ai, rsA, csA, pk, c[i*ldc+j0:], ldc)
					continue
				}
				clear(t)
				geoTile(g, native, kc, ai, rsA, csA, pk, t, nr)
				for r := 0; r < mr; r++ {
					cr := c[(i+r)*ldc+j0 : (i+r)*ldc+j0+nw]
					for q := range cr {
						cr[q] += t[r*nr+q]
					}
				}
			}
			if mFull < m {
				i := m - mr
				clear(t)
				geoTile(g, native, kc, ap[i*rsA:], rsA, csA, pk, t, nr)
				for r := mFull - i; r < mr; r++ {
					cr := c[(i+r)*ldc+j0 : (i+r)*ldc+j0+nw]
					for q := range cr {
						cr[q] += t[r*nr+q]
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
