package gmm_test

import (
	"math"
	"math/rand/v2"
	"testing"

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
