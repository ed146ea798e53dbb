package gmm_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine/enginetest"
	"github.com/idem-project/idem/engine/gmm"
)

func TestConformance(t *testing.T) {
	for _, g := range []*gmm.GMM{gmm.New(), gmm.NewOriginal()} {
		t.Run(g.Name(), func(t *testing.T) {
			enginetest.TestTarget(t, g, func(rng *rand.Rand) []float64 {
				k := rng.IntN(gmm.Components)
				mx, my := gmm.Mean(k)
				return []float64{(mx + 2*rng.NormFloat64()) / g.Scale(), (my + 2*rng.NormFloat64()) / g.Scale()}
			})
		})
	}
}

// TestNormalised integrates p over a grid covering every mode: ∫p = 1.
func TestNormalised(t *testing.T) {
	const h = 0.1
	sum := 0.0
	for x := -50.0; x <= 50; x += h {
		for y := -50.0; y <= 50; y += h {
			lp, _, _ := gmm.LogProbScore(x, y)
			sum += math.Exp(lp) * h * h
		}
	}
	if math.Abs(sum-1) > 1e-3 {
		t.Fatalf("∫p = %.6f", sum)
	}
}

func TestMaskAndStd(t *testing.T) {
	if math.Abs(gmm.Std-1.3132617) > 1e-7 {
		t.Fatalf("s = %.8f", gmm.Std)
	}
	if lp := gmm.LogProb(1e4, 1e4); !math.IsInf(lp, -1) {
		t.Fatalf("far point not masked: %v", lp)
	}
	mx, my := gmm.Mean(0)
	if lp := gmm.LogProb(mx, my); math.IsInf(lp, 0) || lp > 0 {
		t.Fatalf("log p at a mean = %v", lp)
	}
}

// TestSampleMoments checks exact samples: every draw is within 8 s of some
// mean, and the overall mean matches the mixture mean.
func TestSampleMoments(t *testing.T) {
	const n = 200000
	x := make([]float64, 2*n)
	gmm.Sample(x, n, 9)
	var mx, my, wantX, wantY float64
	for i := 0; i < n; i++ {
		mx += x[2*i]
		my += x[2*i+1]
	}
	for k := 0; k < gmm.Components; k++ {
		a, b := gmm.Mean(k)
		wantX += a / gmm.Components
		wantY += b / gmm.Components
	}
	mx /= n
	my /= n
	// Between-component sd is about 23, so the standard error is ~0.05.
	if math.Abs(mx-wantX) > 0.3 || math.Abs(my-wantY) > 0.3 {
		t.Fatalf("sample mean (%.3f, %.3f), want (%.3f, %.3f)", mx, my, wantX, wantY)
	}
	y := make([]float64, 10)
	gmm.Sample(y, 5, 9)
	for i := range y {
		if y[i] != x[i] {
			t.Fatal("samples are not reproducible per index")
		}
	}
}

func TestStdIsSoftplusOne(t *testing.T) {
	if gmm.Std != math.Log1p(math.E) {
		t.Fatalf("Std = %.17g, ln(1+e) = %.17g", gmm.Std, math.Log1p(math.E))
	}
}

// TestEnergyForceMatchesLogProbScore checks the batched target against the
// scalar formula at points near every mode and far out (down to the mask),
// and that every implementation gives the same bits.
func TestEnergyForceMatchesLogProbScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	const b = 203
	rows := make([]float64, 2*b)
	for c := 0; c < b; c++ {
		k := rng.IntN(gmm.Components)
		mx, my := gmm.Mean(k)
		sd := []float64{0.5, 3, 30, 300}[c%4]
		rows[2*c], rows[2*c+1] = mx+sd*rng.NormFloat64(), my+sd*rng.NormFloat64()
	}
	var ref []float64
	for _, im := range asm.Impls() {
		for _, g := range []*gmm.GMM{gmm.New().WithImpl(im), gmm.NewOriginal().WithImpl(im)} {
			xb := make([]float64, asm.Len(1, 2, b))
			fb := make([]float64, len(xb))
			y := make([]float64, len(rows))
			for i, v := range rows {
				y[i] = v / g.Scale()
			}
			asm.Pack(xb, y, 1, 2, b)
			e := make([]float64, b)
			g.EnergyForce(e, fb, xb, b)
			for c := 0; c < b; c++ {
				lp, gx, gy := gmm.LogProbScore(rows[2*c], rows[2*c+1])
				want := -lp
				if lp < gmm.MaskLogProb {
					want = math.Inf(1)
				}
				fx, fy := fb[asm.Index(1, 2, c, 0, 0)], fb[asm.Index(1, 2, c, 0, 1)]
				if !(e[c] == want || math.Abs(e[c]-want) <= 1e-12*math.Abs(want)) {
					t.Fatalf("%s/%s: E(%v, %v) = %v, want %v", im.Name(), g.Name(), rows[2*c], rows[2*c+1], e[c], want)
				}
				for _, p := range [][2]float64{{fx, g.Scale() * gx}, {fy, g.Scale() * gy}} {
					if math.Abs(p[0]-p[1]) > 1e-10*(1+math.Abs(p[1])) {
						t.Fatalf("%s/%s: force at (%v, %v) = %v, want %v", im.Name(), g.Name(), rows[2*c], rows[2*c+1], p[0], p[1])
					}
				}
			}
			if g.Scale() == 1 {
				out := append(append([]float64(nil), e...), fb...)
				if ref == nil {
					ref = out
				} else {
					for i := range out {
						if math.Float64bits(out[i]) != math.Float64bits(ref[i]) {
							t.Fatalf("%s: output %d differs from the first implementation", im.Name(), i)
						}
					}
				}
			}
		}
	}
}

func TestEnergyForceDoesNotAllocate(t *testing.T) {
	g := gmm.New()
	const b = 64
	x := make([]float64, asm.Len(1, 2, b))
	f := make([]float64, len(x))
	e := make([]float64, b)
	for i := range x {
		x[i] = float64(i%7) * 0.1
	}
	if a := testing.AllocsPerRun(50, func() { g.EnergyForce(e, f, x, b) }); a != 0 {
		t.Fatalf("EnergyForce allocates %v times per call", a)
	}
}
