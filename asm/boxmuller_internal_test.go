package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBoxMullerAccuracy compares the float32 transform with float64
// math.Log, math.Sqrt and math.Sincos on the same u₁ and θ.
func TestBoxMullerAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var worstAbs, worstR float64
	for i := 0; i < 1000000; i++ {
		w := rng.Uint64()
		if i == 0 {
			w = 0 // u₁ = 1, r = 0
		}
		z0, z1 := boxMuller(w)
		hi, lo := uint32(w>>32), uint32(w)
		u1 := 1 - float64(hi>>9)*0x1p-23
		r := math.Sqrt(-2 * math.Log(u1))
		sn, cs := math.Sincos(2 * math.Pi * (float64(lo&3) + float64(lo>>9)*0x1p-23) / 4)
		worstAbs = max(worstAbs, math.Abs(float64(z0)-r*cs), math.Abs(float64(z1)-r*sn))
		if r > 0 {
			worstR = max(worstR, math.Abs(math.Hypot(float64(z0), float64(z1))-r)/r)
		}
	}
	if worstAbs > 1.5e-6 || worstR > 5e-7 {
		t.Errorf("worst absolute error %.3g (want ≤ 1.5e-6), worst radius error %.3g relative (want ≤ 5e-7)", worstAbs, worstR)
	}
	t.Logf("worst absolute error %.3g, worst radius error %.3g relative", worstAbs, worstR)
}
