package ode

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/idem-project/idem/engine"
)

// decay is dy/dt = −λ_r·y with a rate per row.
func decay(rates []float64) Func {
	return func(_ float64, y, dy []float64, rows int) error {
		for r := 0; r < rows; r++ {
			dy[r] = -rates[r] * y[r]
		}
		return nil
	}
}

// oscillator is x' = v, v' = −ω²x per row.
func oscillator(omega float64) Func {
	return func(_ float64, y, dy []float64, rows int) error {
		for r := 0; r < rows; r++ {
			dy[2*r], dy[2*r+1] = y[2*r+1], -omega*omega*y[2*r]
		}
		return nil
	}
}

func TestDecayAndBackward(t *testing.T) {
	rates := []float64{0.5, 1, 3, 10}
	y := []float64{1, 2, -1, 0.5}
	y0 := slices.Clone(y)
	res, err := Solve(decay(rates), y, 1, 4, 0, 1, Options{})
	if err != nil || res.Fallback {
		t.Fatal(err, res)
	}
	for r, v := range y {
		want := y0[r] * math.Exp(-rates[r])
		// atol = rtol = 1e-5 per step; the global error stays within a few times that.
		if math.Abs(v-want) > 10*(1e-5+1e-5*math.Abs(want)) {
			t.Errorf("row %d: %g, want %g", r, v, want)
		}
	}
	// Backward from t = 1 to 0 returns to the start (up to the forward
	// error amplified by e^rate; row 3's e^10 is left out).
	if _, err := Solve(decay(rates), y, 1, 4, 1, 0, Options{Atol: 1e-10, Rtol: 1e-10}); err != nil {
		t.Fatal(err)
	}
	for r := range y[:3] {
		if math.Abs(y[r]-y0[r]) > 1e-4 {
			t.Errorf("round trip row %d: %g, want %g", r, y[r], y0[r])
		}
	}
}

func TestOscillatorTolerance(t *testing.T) {
	const w = 2.0
	for _, tol := range []float64{1e-5, 1e-8} {
		y := []float64{1, 0, 0, w} // cos and sin solutions
		res, err := Solve(oscillator(w), y, 2, 2, 0, 2*math.Pi, Options{Atol: tol, Rtol: tol})
		if err != nil {
			t.Fatal(err)
		}
		e := math.Max(math.Abs(y[0]-1), math.Abs(y[2]))
		if e > 200*tol {
			t.Errorf("tol %g: error %g after %d evaluations", tol, e, res.Evals)
		}
		if tol == 1e-8 && e > 1e-5 {
			t.Errorf("tightening the tolerance did not help: %g", e)
		}
	}
}

// TestFixedStepOrder checks fifth-order convergence of the Dormand–Prince
// stages: halving the step divides the error by about 2⁵ = 32.
func TestFixedStepOrder(t *testing.T) {
	errAt := func(n int) float64 {
		y := []float64{1, 0}
		if _, err := SolveFixed(oscillator(1), y, 2, 1, 0, 2, n, nil); err != nil {
			t.Fatal(err)
		}
		return math.Hypot(y[0]-math.Cos(2), y[1]+math.Sin(2))
	}
	for _, n := range []int{8, 16} {
		ratio := errAt(n) / errAt(2*n)
		if ratio < 24 || ratio > 40 {
			t.Errorf("n = %d: error ratio %g, want ≈ 32", n, ratio)
		}
	}
}

// TestEulerFallback: past the evaluation budget the solve is redone with
// fixed-step Euler, whose result is checked against the formula.
func TestEulerFallback(t *testing.T) {
	rates := []float64{1}
	y := []float64{1}
	res, err := Solve(decay(rates), y, 1, 1, 0, 1, Options{Atol: 1e-12, Rtol: 1e-12, MaxEvals: 50})
	if err != nil || !res.Fallback {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if want := math.Pow(1-1.0/50, 50); math.Abs(y[0]-want) > 1e-14 {
		t.Fatalf("Euler: %g, want (1 − 1/50)^50 = %g", y[0], want)
	}
	if res.Evals < 50 {
		t.Fatalf("evaluations %d", res.Evals)
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	rows := 3000
	rates := make([]float64, rows)
	y := make([]float64, rows)
	for i := range rates {
		rates[i] = 0.1 + float64(i%17)
		y[i] = float64(i%5) - 2
	}
	var ref []float64
	for _, w := range []int{1, 2, 3} {
		yy := slices.Clone(y)
		if _, err := Solve(decay(rates), yy, 1, rows, 0, 1, Options{Pool: engine.NewPool(w)}); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = yy
		} else if !slices.Equal(ref, yy) {
			t.Fatalf("%d workers differ", w)
		}
	}
}

func TestErrors(t *testing.T) {
	boom := errors.New("boom")
	bad := func(float64, []float64, []float64, int) error { return boom }
	if _, err := Solve(bad, []float64{1}, 1, 1, 0, 1, Options{}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := Solve(decay([]float64{1}), []float64{1}, 1, 2, 0, 1, Options{}); err == nil {
		t.Fatal("short state accepted")
	}
	if _, err := Solve(decay([]float64{1}), []float64{1}, 1, 1, 0, math.NaN(), Options{}); err == nil {
		t.Fatal("NaN time accepted")
	}
	nan := func(_ float64, y, dy []float64, _ int) error { dy[0] = math.NaN(); return nil }
	if res, err := Solve(nan, []float64{1}, 1, 1, 0, 1, Options{MaxEvals: 100}); err == nil && !res.Fallback {
		t.Fatal("a NaN derivative neither failed nor fell back")
	}
}

// TestStepCallback: Options.Step sees each accepted step's time, increasing
// towards t1 and ending there, in both directions and in the Euler fallback.
func TestStepCallback(t *testing.T) {
	for _, span := range [][2]float64{{0, 2 * math.Pi}, {1, 0}} {
		var ts []float64
		y := []float64{1, 0}
		res, err := Solve(oscillator(2), y, 2, 1, span[0], span[1], Options{Step: func(t float64) { ts = append(ts, t) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != res.Accepted || res.Accepted < 2 {
			t.Fatalf("span %v: %d calls for %d accepted steps", span, len(ts), res.Accepted)
		}
		dir := math.Copysign(1, span[1]-span[0])
		for i := 1; i < len(ts); i++ {
			if dir*(ts[i]-ts[i-1]) <= 0 {
				t.Fatalf("span %v: time went from %g to %g", span, ts[i-1], ts[i])
			}
		}
		if ts[len(ts)-1] != span[1] {
			t.Errorf("span %v: last step at %g", span, ts[len(ts)-1])
		}
	}
	var n int
	var last float64
	y := []float64{1}
	res, err := Solve(decay([]float64{1}), y, 1, 1, 0, 1, Options{Atol: 1e-12, Rtol: 1e-12, MaxEvals: 50, Step: func(t float64) { n++; last = t }})
	if err != nil || !res.Fallback {
		t.Fatalf("res %+v, err %v", res, err)
	}
	if n != res.Accepted+50 || math.Abs(last-1) > 1e-12 {
		t.Errorf("fallback: %d calls (accepted %d + 50 Euler steps), last at %g", n, res.Accepted, last)
	}
}
