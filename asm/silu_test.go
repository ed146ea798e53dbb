package asm

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestSiLU grades every implementation against a 200-bit reference, with
// guards around the outputs, tails and unaligned starts.
func TestSiLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, im := range Impls() {
		for _, n := range []int{0, 1, 3, 4, 5, 8, 11, 128, 1000} {
			for off := 0; off < 4; off++ {
				name := fmt.Sprintf("impl=%s/n=%d/off=%d", im.Name(), n, off)
				z := make([]float64, off+n)[off:]
				for i := range z {
					switch i % 4 {
					case 0:
						z[i] = 3 * rng.NormFloat64()
					case 1:
						z[i] = 40 * (2*rng.Float64() - 1)
					case 2:
						z[i] = 800 * (2*rng.Float64() - 1)
					default:
						z[i] = 1e-6 * rng.NormFloat64()
					}
				}
				const guard = 3
				sent := math.Float64frombits(0x7ff8_dead_beef_0003)
				sf := make([]float64, n+2*guard)
				gf := make([]float64, n+2*guard)
				for i := range sf {
					sf[i], gf[i] = sent, sent
				}
				s, g := sf[guard:guard+n], gf[guard:guard+n]
				im.SiLU(s, g, z)
				for i := 0; i < guard; i++ {
					for _, v := range []float64{sf[i], sf[n+guard+i], gf[i], gf[n+guard+i]} {
						if math.Float64bits(v) != math.Float64bits(sent) {
							t.Fatalf("%s: guard overwritten", name)
						}
					}
				}
				for i, v := range z {
					wg, ws := siluRef(v)
					if !close(g[i], wg, 1e-15) || !close(s[i], ws, 1e-15) {
						t.Fatalf("%s: z=%v: g=%v s=%v, want %v %v", name, v, g[i], s[i], wg, ws)
					}
				}
			}
		}
	}
}

func close(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)+1e-300
}

// siluRef evaluates σ(z) and z·σ(z) with big.Float Taylor series of e^{−z}
// (clamped at |z| ≤ 708 like the kernels).
func siluRef(z float64) (float64, float64) {
	x := -min(max(z, -708), 708)
	const prec = 200
	// e^x = (e^{x/2^m})^{2^m}
	m := 12
	y := new(big.Float).SetPrec(prec).SetFloat64(x)
	y.Quo(y, new(big.Float).SetPrec(prec).SetFloat64(math.Ldexp(1, m)))
	sum := new(big.Float).SetPrec(prec).SetFloat64(1)
	term := new(big.Float).SetPrec(prec).SetFloat64(1)
	for k := 1; k < 40; k++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		sum.Add(sum, term)
	}
	for i := 0; i < m; i++ {
		sum.Mul(sum, sum)
	}
	one := new(big.Float).SetPrec(prec).SetFloat64(1)
	den := new(big.Float).SetPrec(prec).Add(one, sum)
	g := new(big.Float).SetPrec(prec).Quo(one, den)
	s := new(big.Float).SetPrec(prec).Mul(g, new(big.Float).SetPrec(prec).SetFloat64(z))
	gf, _ := g.Float64()
	sf, _ := s.Float64()
	return gf, sf
}

func BenchmarkSiLU(b *testing.B) {
	z := make([]float64, 4096)
	for i := range z {
		z[i] = float64(i%200)/10 - 10
	}
	s, g := make([]float64, len(z)), make([]float64, len(z))
	for _, im := range Impls() {
		b.Run("impl="+im.Name(), func(b *testing.B) {
			for b.Loop() {
				im.SiLU(s, g, z)
			}
			b.ReportMetric(float64(len(z))*float64(b.N)/b.Elapsed().Seconds()/1e9, "elem/ns")
		})
	}
}

// TestSiLUSpecialValues checks SiLU and SiLUF32 at the clamps, at the
// exponent-range edges of 2^k and at zeros and subnormals, in whole lane
// blocks so that native kernels see them.
func TestSiLUSpecialValues(t *testing.T) {
	z64 := []float64{0, math.Copysign(0, -1), 1e-310, -1e-310, 1e-300, -1e-300,
		708, -708, 707.9, -707.9, 708.1, -708.1, 709, -709, 745, -745,
		1e308, -1e308, 0.5 * math.Ln2, -0.5 * math.Ln2, 36.7, -36.7, 1, -1}
	z32 := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, 1e-30, -1e-30,
		87, -87, 86.9, -86.9, 87.5, -87.5, 88, -88, 103, -103,
		1e38, -1e38, 0.5 * math.Ln2, -0.5 * math.Ln2, 16.7, -16.7, 1, -1}
	for _, im := range Impls() {
		s, g := make([]float64, len(z64)), make([]float64, len(z64))
		im.SiLU(s, g, z64)
		for i, v := range z64 {
			wg, ws := siluRef(v)
			if !close(g[i], wg, 1e-15) || !close(s[i], ws, 1e-15) {
				t.Errorf("impl=%s: SiLU z=%v: g=%v s=%v, want %v %v", im.Name(), v, g[i], s[i], wg, ws)
			}
		}
		s32, g32 := make([]float32, len(z32)), make([]float32, len(z32))
		im.SiLUF32(s32, g32, z32)
		for i, v := range z32 {
			x := min(max(float64(v), -87), 87)
			wg := 1 / (1 + math.Exp(-x))
			ws := float64(v) * wg
			if !close(float64(g32[i]), wg, 1e-6) || !close(float64(s32[i]), ws, 1e-6) {
				t.Errorf("impl=%s: SiLUF32 z=%v: g=%v s=%v, want %v %v", im.Name(), v, g32[i], s32[i], wg, ws)
			}
		}
	}
}
