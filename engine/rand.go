package engine

import (
	"math"
	"math/bits"
)

// Stream is a counter-based random number generator: its output is a pure
// function of its key and the number of values drawn so far. Keys are built
// from indices (seed, step, point, sample), so the numbers a piece of work
// sees do not depend on which worker runs it. The generator is SplitMix64
// over a key hashed from the indices; it is not cryptographic.
type Stream struct {
	state uint64
	spare float64
	has   bool
}

// mix64 is the SplitMix64 / Stafford variant 13 finaliser.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// NewStream returns the stream keyed by seed and the given indices.
func NewStream(seed uint64, idx ...uint64) Stream {
	var s Stream
	s.Reset(seed, idx...)
	return s
}

// Reset rekeys s in place, without allocating.
func (s *Stream) Reset(seed uint64, idx ...uint64) {
	h := mix64(seed ^ 0x6a09e667f3bcc909)
	for _, v := range idx {
		h = mix64(h ^ (v + 0x9e3779b97f4a7c15))
	}
	s.state = h
	s.has = false
}

// Reset3 is Reset with exactly three indices; it never allocates.
func (s *Stream) Reset3(seed, a, b, c uint64) {
	h := mix64(seed ^ 0x6a09e667f3bcc909)
	h = mix64(h ^ (a + 0x9e3779b97f4a7c15))
	h = mix64(h ^ (b + 0x9e3779b97f4a7c15))
	h = mix64(h ^ (c + 0x9e3779b97f4a7c15))
	s.state = h
	s.has = false
}

// Uint64 returns the next 64 random bits.
func (s *Stream) Uint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	return mix64(s.state)
}

// Float64 returns a uniform value in [0, 1) with 53 random bits.
func (s *Stream) Float64() float64 {
	return float64(s.Uint64()>>11) * 0x1p-53
}

// IntN returns a uniform integer in [0, n); n must be positive.
func (s *Stream) IntN(n int) int {
	if n <= 0 {
		panic("engine: IntN with n <= 0")
	}
	// Lemire's multiply-shift with rejection.
	un := uint64(n)
	for {
		hi, lo := bits.Mul64(s.Uint64(), un)
		if lo >= un || lo >= (-un)%un {
			return int(hi)
		}
	}
}

// Norm returns a standard normal value (Marsaglia polar method; values come
// in pairs, the second is kept for the next call).
func (s *Stream) Norm() float64 {
	if s.has {
		s.has = false
		return s.spare
	}
	for {
		u := 2*s.Float64() - 1
		v := 2*s.Float64() - 1
		q := u*u + v*v
		if q > 0 && q < 1 {
			f := math.Sqrt(-2 * math.Log(q) / q)
			s.spare = v * f
			s.has = true
			return u * f
		}
	}
}

// FillNorm fills dst with independent standard normal values.
func (s *Stream) FillNorm(dst []float64) {
	for i := range dst {
		dst[i] = s.Norm()
	}
}
