package asm

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// geluTol is the accuracy bar for GELU (relative to math.Erf/Erfc-based
// and big.Float references).
const geluTol = 1e-14

// sqrtHalfLo is 1/√2 − invSqrt2, the rounding error of the constant.
var sqrtHalfLo = func() float64 {
	s := new(big.Float).SetPrec(200).SetFloat64(0.5)
	s.Sqrt(s)
	s.Sub(s, new(big.Float).SetFloat64(invSqrt2))
	f, _ := s.Float64()
	return f
}()

// geluRef returns Φ(a) and φ(a) from math.Erfc and math.Exp, correcting
// to first order for the rounding of a/√2 and of a², whose effect grows
// like a²·2⁻⁵³ in the tails (math.Erfc itself is accurate to < 1 ulp).
func geluRef(a float64) (cdf, pdf float64) {
	s2 := a * a
	e2 := math.FMA(a, a, -s2)
	if s2 < 1500 {
		pdf = math.Exp(-0.5*s2) * (1 - 0.5*e2) * invSqrt2Pi
	}
	p := a * invSqrt2
	delta := math.FMA(a, invSqrt2, -p) + a*sqrtHalfLo // a/√2 = p + delta
	// Φ(a) = ½·erfc(−p − delta) ≈ ½·erfc(−p) + delta·e^{−p²}/√π.
	cdf = 0.5*math.Erfc(-p) + delta*math.Exp(-p*p)/math.SqrtPi
	return cdf, pdf
}

// geluErr returns the errors of (y, d) at a relative to the reference, in
// units of the reference magnitude (d: of Φ + |a|·φ), with an absolute
// floor of 1e-300 for the flushed tail.
func geluErr(a, y, d float64, cdf, pdf float64) (ey, ed float64) {
	wy := a * cdf
	wd := cdf + a*pdf
	ey = math.Abs(y-wy) / (math.Abs(wy) + 1e-300/geluTol)
	ed = math.Abs(d-wd) / (cdf + math.Abs(a)*pdf + 1e-300/geluTol)
	if y == wy {
		ey = 0
	}
	if d == wd {
		ed = 0
	}
	return ey, ed
}

func geluInputs(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch i % 5 {
		case 0:
			x[i] = 2 * rng.NormFloat64()
		case 1:
			x[i] = 45 * (2*rng.Float64() - 1)
		case 2:
			x[i] = 1e-9 * rng.NormFloat64()
		case 3:
			x[i] = 6 * (2*rng.Float64() - 1)
		default:
			x[i] = -10 * rng.Float64()
		}
	}
	return x
}

// TestGELU grades every implementation against geluRef, with guards
// around both outputs, tails, unaligned starts, and unchanged inputs.
func TestGELU(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{13, 55, 128, 1000}
	for n := 0; n <= 2*8+7; n++ { // every tail of the 4- and 8-lane kernels
		sizes = append(sizes, n)
	}
	for _, im := range Impls() {
		for _, n := range sizes {
			for off := 0; off < 4; off++ {
				name := fmt.Sprintf("impl=%s/n=%d/off=%d", im.Name(), n, off)
				x := make([]float64, off+n)[off:]
				copy(x, geluInputs(rng, n))
				x0 := append([]float64(nil), x...)
				const guard = 4
				sent := math.Float64frombits(0x7ff8_dead_beef_0004)
				yf := make([]float64, off+n+2*guard)[off:]
				df := make([]float64, off+n+2*guard)[off:]
				for i := range yf {
					yf[i], df[i] = sent, sent
				}
				y, d := yf[guard:guard+n], df[guard:guard+n]
				im.GELU(y, d, x)
				for i := 0; i < guard; i++ {
					for _, v := range []float64{yf[i], yf[n+guard+i], df[i], df[n+guard+i]} {
						if math.Float64bits(v) != math.Float64bits(sent) {
							t.Fatalf("%s: guard overwritten", name)
						}
					}
				}
				for i, a := range x {
					if math.Float64bits(a) != math.Float64bits(x0[i]) {
						t.Fatalf("%s: input modified", name)
					}
					cdf, pdf := geluRef(a)
					if ey, ed := geluErr(a, y[i], d[i], cdf, pdf); ey > geluTol || ed > geluTol {
						t.Fatalf("%s: a=%v: y=%v d=%v, want %v %v", name, a, y[i], d[i], a*cdf, cdf+a*pdf)
					}
				}
			}
		}
	}
}

// TestGELUDense sweeps a dense grid over [−40, 40], the neighbourhoods of
// the range boundaries and the flush threshold, and special values; it
// reports the largest errors seen and checks that native implementations
// agree with generic.
func TestGELUDense(t *testing.T) {
	var x []float64
	for a := -40.0; a <= 40; a += 1.0 / 1024 {
		x = append(x, a, a+0.3e-3)
	}
	for _, b := range []float64{geluR1, geluR2, geluR3, 6, 28} {
		for _, s := range []float64{-1, 1} {
			c := s * b * math.Sqrt2
			for _, v := range []float64{c, math.Nextafter(c, 0), math.Nextafter(c, 2*c)} {
				x = append(x, v, math.Nextafter(v, 0), math.Nextafter(v, 2*v))
			}
		}
	}
	flush := math.Sqrt(-2 * geluFlush)
	for _, v := range []float64{flush, math.Nextafter(flush, 0), math.Nextafter(flush, 40)} {
		x = append(x, v, -v)
	}
	x = append(x, 0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-300, -1e-300, 1e-20, -1e-20,
		-0.7517915241, 1e3, -1e3, 1e300, -1e300, math.MaxFloat64, -math.MaxFloat64)
	for len(x)%4 != 0 {
		x = append(x, 0.25)
	}
	want := make([][2]float64, len(x))
	for i, a := range x {
		want[i][0], want[i][1] = geluRef(a)
	}
	gy, gd := make([]float64, len(x)), make([]float64, len(x))
	Generic().GELU(gy, gd, x)
	for _, im := range Impls() {
		y, d := make([]float64, len(x)), make([]float64, len(x))
		im.GELU(y, d, x)
		var maxY, maxD, maxG float64
		for i, a := range x {
			ey, ed := geluErr(a, y[i], d[i], want[i][0], want[i][1])
			if ey > geluTol || ed > geluTol || math.IsNaN(y[i]) || math.IsNaN(d[i]) {
				t.Errorf("impl=%s: a=%v (%#x): y=%v d=%v, want %v %v", im.Name(), a, math.Float64bits(a),
					y[i], d[i], a*want[i][0], want[i][0]+a*want[i][1])
			}
			sy := math.Abs(a*want[i][0]) + 1e-300
			sd := want[i][0] + math.Abs(a)*want[i][1] + 1e-300
			eg := max(math.Abs(y[i]-gy[i])/sy, math.Abs(d[i]-gd[i])/sd)
			maxY, maxD, maxG = max(maxY, ey), max(maxD, ed), max(maxG, eg)
		}
		t.Logf("impl=%s: %d points: max rel error y %.2g, d %.2g; vs generic %.2g", im.Name(), len(x), maxY, maxD, maxG)
		if maxG > 1e-15 {
			t.Errorf("impl=%s differs from generic by %.2g relative", im.Name(), maxG)
		}
	}
	// The AVX-512 kernel does the AVX2 kernel's operations on 8 lanes, so
	// the two agree bit for bit.
	if a2, err := ByName("avx2"); err == nil {
		if a5, err := ByName("avx512"); err == nil {
			y2, d2, y5, d5 := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
			a2.GELU(y2, d2, x)
			a5.GELU(y5, d5, x)
			for i := range x {
				if math.Float64bits(y2[i]) != math.Float64bits(y5[i]) || math.Float64bits(d2[i]) != math.Float64bits(d5[i]) {
					t.Fatalf("a=%v: avx512 y=%v d=%v, avx2 y=%v d=%v", x[i], y5[i], d5[i], y2[i], d2[i])
				}
			}
		}
	}
}

// TestGELUSpecial checks NaN propagation and the saturated tails.
func TestGELUSpecial(t *testing.T) {
	x := []float64{math.NaN(), 50, -50, 1e10, -1e10, 38, -38, 0}
	for _, im := range Impls() {
		y, d := make([]float64, len(x)), make([]float64, len(x))
		im.GELU(y, d, x)
		if !math.IsNaN(y[0]) || !math.IsNaN(d[0]) {
			t.Errorf("impl=%s: GELU(NaN) = %v, %v", im.Name(), y[0], d[0])
		}
		for i, a := range x[1:7] {
			wy, wd := max(a, 0), 0.0
			if a > 0 {
				wd = 1
			}
			if y[i+1] != wy || d[i+1] != wd {
				t.Errorf("impl=%s: GELU(%v) = %v, %v; want %v, %v", im.Name(), a, y[i+1], d[i+1], wy, wd)
			}
		}
		if y[7] != 0 || d[7] != 0.5 {
			t.Errorf("impl=%s: GELU(0) = %v, %v", im.Name(), y[7], d[7])
		}
	}
}

// TestGELUBig checks Φ and φ against 300-bit series (erf by its Taylor
// series, e^x by Taylor after halving) for |a| ≤ 6, independently of the
// fdlibm approximations.
func TestGELUBig(t *testing.T) {
	const prec = 300
	nf := func(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }
	pi, _ := new(big.Float).SetPrec(prec).SetString("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899863")
	exp := func(x *big.Float) *big.Float { // e^x for |x| ≤ 20
		const m = 10
		y := new(big.Float).SetPrec(prec).Quo(x, nf(1<<m))
		sum, term := nf(1), nf(1)
		for k := 1; k < 45; k++ {
			term.Mul(term, y)
			term.Quo(term, nf(float64(k)))
			sum.Add(sum, term)
		}
		for i := 0; i < m; i++ {
			sum.Mul(sum, sum)
		}
		return sum
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var x []float64
	for i := 0; i < 400; i++ {
		x = append(x, 12*rng.Float64()-6)
	}
	x = append(x, -6, -5.5, -4.04, -3.5, -1.77, -1.19, -0.75, -1e-5, 1e-5, 0.75, 1.19, 1.77, 3.5, 4.04, 6)
	for len(x)%4 != 0 {
		x = append(x, 1)
	}
	cdfs, pdfs := make([]float64, len(x)), make([]float64, len(x))
	sqrtPi := new(big.Float).SetPrec(prec).Sqrt(pi)
	for i, a := range x {
		u := nf(0.5)
		u.Sqrt(u).Mul(u, nf(a)) // a/√2
		u2 := new(big.Float).SetPrec(prec).Mul(u, u)
		// erf(u) = 2/√π Σ (−1)ⁿ u^{2n+1}/(n!(2n+1))
		sum, pw := nf(0), new(big.Float).SetPrec(prec).Set(u)
		for n := 0; n < 400; n++ {
			term := new(big.Float).SetPrec(prec).Quo(pw, nf(float64(2*n+1)))
			sum.Add(sum, term)
			pw.Mul(pw, u2)
			pw.Quo(pw, nf(float64(-(n + 1))))
		}
		sum.Mul(sum, nf(2)).Quo(sum, sqrtPi)
		cdf := sum.Add(sum, nf(1)).Mul(sum, nf(0.5))
		cdfs[i], _ = cdf.Float64()
		pdf := exp(new(big.Float).SetPrec(prec).Neg(u2))
		pdf.Quo(pdf, new(big.Float).SetPrec(prec).Sqrt(new(big.Float).SetPrec(prec).Mul(pi, nf(2))))
		pdfs[i], _ = pdf.Float64()
	}
	for _, im := range Impls() {
		y, d := make([]float64, len(x)), make([]float64, len(x))
		im.GELU(y, d, x)
		var maxY, maxD float64
		for i, a := range x {
			ey, ed := geluErr(a, y[i], d[i], cdfs[i], pdfs[i])
			maxY, maxD = max(maxY, ey), max(maxD, ed)
			if ey > geluTol || ed > geluTol {
				t.Errorf("impl=%s: a=%v: y=%v d=%v, want %v %v", im.Name(), a, y[i], d[i], a*cdfs[i], cdfs[i]+a*pdfs[i])
			}
			// The math.Erfc reference agrees with the series.
			c, p := geluRef(a)
			if math.Abs(c-cdfs[i]) > 1e-15*cdfs[i] || math.Abs(p-pdfs[i]) > 1e-15*pdfs[i] {
				t.Errorf("geluRef(%v) = %v, %v; series %v, %v", a, c, p, cdfs[i], pdfs[i])
			}
		}
		t.Logf("impl=%s: max rel error vs 300-bit series: y %.2g, d %.2g", im.Name(), maxY, maxD)
	}
}

func FuzzGELU(f *testing.F) {
	for _, v := range []float64{0, -0.75, 1.19, -1.77, 4.04, -37.5, 39} {
		f.Add(v, v/3, -v, 2*v)
	}
	f.Fuzz(func(t *testing.T, a, b, c, e float64) {
		x := []float64{a, b, c, e, a, b, c, e, a, -b, -c, -e, -a} // a whole 8-lane block, a 4-lane one, a tail
		for _, im := range Impls() {
			y, d := make([]float64, len(x)), make([]float64, len(x))
			im.GELU(y, d, x)
			for i, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e150 {
					continue
				}
				cdf, pdf := geluRef(v)
				if ey, ed := geluErr(v, y[i], d[i], cdf, pdf); ey > geluTol || ed > geluTol {
					t.Fatalf("impl=%s: a=%v: y=%v d=%v, want %v %v", im.Name(), v, y[i], d[i], v*cdf, cdf+v*pdf)
				}
			}
		}
	})
}

func BenchmarkGELU(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 4096)
	for i := range x {
		x[i] = 1.5 * rng.NormFloat64()
	}
	y, d := make([]float64, len(x)), make([]float64, len(x))
	for _, im := range Impls() {
		b.Run("impl="+im.Name(), func(b *testing.B) {
			for b.Loop() {
				im.GELU(y, d, x)
			}
			b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e9, "elem/ns")
		})
	}
}
