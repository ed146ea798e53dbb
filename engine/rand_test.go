package engine

import (
	"math"
	"testing"
)

// TestNormMoments checks the ziggurat's first four moments and its tail
// mass against the standard normal.
func TestNormMoments(t *testing.T) {
	t.Run("Norm", func(t *testing.T) { s := NewStream(42, 1); testMoments(t, s.Norm) })
	t.Run("FillNorm", func(t *testing.T) { testMoments(t, bulk(NewStream(42, 1))) })
}

// bulk adapts FillNorm to a one-value-at-a-time generator.
func bulk(s Stream) func() float64 {
	buf := make([]float64, 37)
	i := len(buf)
	return func() float64 {
		if i == len(buf) {
			s.FillNorm(buf)
			i = 0
		}
		i++
		return buf[i-1]
	}
}

func testMoments(t *testing.T, norm func() float64) {
	const n = 2_000_000
	var m1, m2, m3, m4 float64
	tail := 0
	for i := 0; i < n; i++ {
		v := norm()
		m1 += v
		m2 += v * v
		m3 += v * v * v
		m4 += v * v * v * v
		if math.Abs(v) > zigR {
			tail++
		}
	}
	m1, m2, m3, m4 = m1/n, m2/n, m3/n, m4/n
	se := 1 / math.Sqrt(n)
	if math.Abs(m1) > 5*se || math.Abs(m2-1) > 5*math.Sqrt2*se || math.Abs(m3) > 5*math.Sqrt(15)*se || math.Abs(m4-3) > 5*math.Sqrt(96)*se {
		t.Fatalf("moments %.5f %.5f %.5f %.5f", m1, m2, m3, m4)
	}
	// P(|Z| > r) = erfc(r/√2).
	want := math.Erfc(zigR/math.Sqrt2) * n
	if math.Abs(float64(tail)-want) > 5*math.Sqrt(want) {
		t.Fatalf("tail count %d, want %.0f", tail, want)
	}
}

// TestNormCDF compares the empirical CDF with Φ at several points
// (Kolmogorov–Smirnov style bound).
func TestNormCDF(t *testing.T) {
	t.Run("Norm", func(t *testing.T) { s := NewStream(7); testCDF(t, s.Norm) })
	t.Run("FillNorm", func(t *testing.T) { testCDF(t, bulk(NewStream(7))) })
}

func testCDF(t *testing.T, norm func() float64) {
	const n = 1_000_000
	edges := []float64{-3, -2, -1.5, -1, -0.5, -0.1, 0, 0.3, 0.7, 1.2, 2, 2.8, 3.5}
	counts := make([]int, len(edges))
	for i := 0; i < n; i++ {
		v := norm()
		for j, e := range edges {
			if v <= e {
				counts[j]++
			}
		}
	}
	for j, e := range edges {
		want := 0.5 * math.Erfc(-e/math.Sqrt2)
		got := float64(counts[j]) / n
		if math.Abs(got-want) > 5*math.Sqrt(want*(1-want)/n)+1e-6 {
			t.Fatalf("P(Z ≤ %g) = %.5f, want %.5f", e, got, want)
		}
	}
}

func TestStreamKeyed(t *testing.T) {
	a, b := NewStream(1, 2, 3), NewStream(1, 2, 3)
	var c Stream
	c.Reset3(1, 2, 3, 0)
	for i := 0; i < 10; i++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("same key gave different streams")
		}
	}
	d := NewStream(1, 2, 4)
	e := NewStream(1, 2, 3)
	if d.Uint64() == e.Uint64() {
		t.Fatal("different keys gave the same first value")
	}
	for i := 0; i < 1000; i++ {
		if v := c.IntN(7); v < 0 || v >= 7 {
			t.Fatalf("IntN out of range: %d", v)
		}
		if f := c.Float64(); f < 0 || f >= 1 {
			t.Fatalf("Float64 out of range: %v", f)
		}
	}
}

func BenchmarkNorm(b *testing.B) {
	s := NewStream(1)
	var acc float64
	for b.Loop() {
		acc += s.Norm()
	}
	_ = acc
}

func BenchmarkFillNorm(b *testing.B) {
	s := NewStream(1)
	buf := make([]float64, 3900)
	for b.Loop() {
		s.FillNorm(buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(buf)), "ns/value")
}

func BenchmarkUint64(b *testing.B) {
	s := NewStream(1)
	var acc uint64
	for b.Loop() {
		acc += s.Uint64()
	}
	_ = acc
}

func TestChildEqualsLongerKey(t *testing.T) {
	for _, k := range []uint64{0, 1, 99, 1 << 40} {
		a := NewStream(5, 6, 7).Child(k)
		b := NewStream(5, 6, 7, k)
		var c Stream
		c.Reset3(5, 6, 7, k)
		for i := 0; i < 5; i++ {
			x, y, z := a.Uint64(), b.Uint64(), c.Uint64()
			if x != y || y != z {
				t.Fatalf("k=%d: Child %x, NewStream %x, Reset3 %x", k, x, y, z)
			}
		}
	}
}
