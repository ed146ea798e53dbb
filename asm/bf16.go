package asm

// bfloat16 dense products: the arithmetic of the AMX tile unit's TDPBF16PS
// (bf16 operands, exact products, float32 sums), its plain-Go twin, and the
// rounding of float32 data to bf16.

import "math"

// BF16Depth is the depth (k) of one TDPBF16PS step: a 64-byte tile row holds
// 32 bfloat16 values. The generic SgemmBF16 sums k in blocks of this many.
const BF16Depth = 32

// RoundBF16 writes src rounded to bfloat16 into dst (len(dst) ≥ len(src);
// dst may be src). bfloat16 is the upper half of a float32: its sign, its 8
// exponent bits and 7 mantissa bits. Each value is rounded to nearest, ties
// to even, as VCVTNEPS2BF16 does: zeros and denormals become zeros of the
// same sign, NaNs stay NaN (quiet), finite values can round up to ±Inf. The
// results are float32 values with their low 16 bits zero.
func RoundBF16(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = roundBF16(v)
	}
}

// RoundBF16 is the package-level RoundBF16 (the oracle) in im's kernels:
// the same bits, for any lengths and alignments.
func (im *Impl) RoundBF16(dst, src []float32) {
	dst = dst[:len(src)]
	done := 0
	if im.roundBF16 != nil {
		done = 8 * im.roundBF16(dst, src)
	}
	RoundBF16(dst[done:], src[done:])
}

// ResidualBF16 writes into dst (len(dst) ≥ len(src); dst may be src) what
// RoundBF16 leaves of src: lo = x − bf16(x), where bf16(x) is finite, and
// +0 where it is ±Inf or NaN (the high part carries those). For finite
// bf16(x) the difference is exact in float32, so bf16(x) + bf16(lo)
// represents x to about 2⁻¹⁶ relative: the split operands of the
// three-product bfloat16 GEMM (egnn.BFloat16x3).
func ResidualBF16(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = residualBF16(v)
	}
}

// residualBF16 is ResidualBF16 for one value.
func residualBF16(x float32) float32 {
	h := roundBF16(x)
	if math.Float32bits(h)&0x7f80_0000 == 0x7f80_0000 {
		return 0
	}
	return x - h
}

// ResidualBF16 is the package-level ResidualBF16 (the oracle) in im's
// kernels: the same bits, for any lengths and alignments.
func (im *Impl) ResidualBF16(dst, src []float32) {
	dst = dst[:len(src)]
	done := 0
	if im.residualBF16 != nil {
		done = 8 * im.residualBF16(dst, src)
	}
	ResidualBF16(dst[done:], src[done:])
}

// roundBF16 is RoundBF16 for one value.
func roundBF16(x float32) float32 {
	u := math.Float32bits(x)
	switch u & 0x7f80_0000 {
	case 0: // zero or denormal
		return math.Float32frombits(u & 0x8000_0000)
	case 0x7f80_0000: // Inf or NaN
		if u&0x007f_ffff != 0 {
			u |= 0x0040_0000 // quiet
		}
		return math.Float32frombits(u & 0xffff_0000)
	}
	u += 0x7fff + (u>>16)&1
	return math.Float32frombits(u & 0xffff_0000)
}

// IsBF16 reports whether every value of x is a bfloat16 value (its low 16
// bits are zero), as SgemmBF16 requires of its operands.
func IsBF16(x []float32) bool {
	for _, v := range x {
		if math.Float32bits(v)&0xffff != 0 {
			return false
		}
	}
	return true
}

// SgemmBF16 is Sgemm (same shapes, strides, checks and panics) for operands
// that hold bfloat16 values (see RoundBF16): C += A·B with exact products
// and float32 sums, the arithmetic of the AMX tile unit's TDPBF16PS. For
// other operand values the result depends on the implementation.
//
// The generic implementation reproduces TDPBF16PS's order of operations,
// the twin that an AMX kernel is tested against bit for bit: for every
// element of C and every block of BF16Depth consecutive p (the last one
// shorter), the products of even p and of odd p are summed into two
// float32 accumulators that start at +0, in increasing p; the two sums are
// added; that sum is added into C. Every addition rounds to nearest even;
// inputs and sums below 2⁻¹²⁶ in magnitude are flushed to zero of the same
// sign, but a product below 2⁻¹²⁶ is added exactly (bf16Acc). (This order
// was measured on the Intel machines, and the treatment of tiny products
// by TestGemmBF16TilesNative on one; the manual's pseudo-code differs.)
//
// Implementations without AMX run their Sgemm: the products of bfloat16
// values are exact in float32, so only the order of the sums differs, by at
// most about k·2⁻²³·Σ_p |A(i,p)·B(p,j)|, as between Sgemm implementations.
func (im *Impl) SgemmBF16(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	if !sgemmArgs(m, n, k, len(a), rsA, csA, len(b), ldb, len(c), ldc) {
		return
	}
	if im.sgemmBF16 != nil {
		im.sgemmBF16(m, n, k, a, rsA, csA, b, ldb, c, ldc)
		return
	}
	im.sgemm(m, n, k, a, rsA, csA, b, ldb, c, ldc)
}

// sgemmBF16Generic is SgemmBF16's twin of TDPBF16PS (see SgemmBF16).
func sgemmBF16Generic(m, n, k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			s := ci[j]
			for p0 := 0; p0 < k; p0 += BF16Depth {
				var even, odd float32
				for p := p0; p < min(p0+BF16Depth, k); p++ {
					x, y := a[i*rsA+p*csA], b[p*ldb+j]
					if p&1 == 0 {
						even = bf16Acc(even, x, y)
					} else {
						odd = bf16Acc(odd, x, y)
					}
				}
				s = flushTiny(float32(s + flushTiny(float32(even+odd))))
			}
			ci[j] = s
		}
	}
}

// bf16Acc returns acc + x·y as the tile unit adds a product of bfloat16
// values into a float32 sum: x and y below 2⁻¹²⁶ count as zeros, the
// product is exact (even below 2⁻¹²⁶), the sum is rounded once to nearest
// even, and a sum below 2⁻¹²⁶ is flushed to zero. (The float64 product of
// two bfloat16 values is exact, and so is the float64 sum wherever the
// float32 rounding depends on it, so one conversion rounds it.)
func bf16Acc(acc, x, y float32) float32 {
	return flushTiny(float32(float64(acc) + float64(flushTiny(x))*float64(flushTiny(y))))
}

// flushTiny returns x, or a zero of x's sign when |x| < 2⁻¹²⁶ (a denormal).
func flushTiny(x float32) float32 {
	u := math.Float32bits(x)
	if u&0x7f80_0000 == 0 {
		return math.Float32frombits(u & 0x8000_0000)
	}
	return x
}
