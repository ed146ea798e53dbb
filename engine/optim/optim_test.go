package optim

import (
	"math"
	"testing"
)

// TestAdamFirstStep checks the first step by hand: m̂ = g, v̂ = g², so
// θ₁ = θ₀ − lr·g/(|g| + ε).
func TestAdamFirstStep(t *testing.T) {
	a := NewAdam(2, 0.1)
	p := []float64{1, -1}
	a.Update(p, []float64{2, -0.5})
	want := []float64{1 - 0.1*2/(2+1e-8), -1 + 0.1*0.5/(0.5+1e-8)}
	for i := range p {
		if math.Abs(p[i]-want[i]) > 1e-16 {
			t.Errorf("p[%d] = %.17g, want %.17g", i, p[i], want[i])
		}
	}
	if a.Step != 1 || math.Abs(a.M[0]-0.2) > 1e-16 || math.Abs(a.V[0]-0.004) > 1e-17 {
		t.Errorf("state after one step: step %d m %v v %v", a.Step, a.M, a.V)
	}
}

// TestAdamClosedForm runs several steps and compares against the closed
// form mₙ = (1−β₁)Σβ₁ⁿ⁻ⁱgᵢ, vₙ = (1−β₂)Σβ₂ⁿ⁻ⁱgᵢ²,
// θₙ = θₙ₋₁ − lr·(mₙ/(1−β₁ⁿ))/(√(vₙ/(1−β₂ⁿ)) + ε).
func TestAdamClosedForm(t *testing.T) {
	gs := []float64{0.5, -1.5, 2.0, 1e-3, -0.25, 3.0, 0, -7}
	a := NewAdam(1, 5e-4)
	p := []float64{0.3}
	theta := 0.3
	for n := 1; n <= len(gs); n++ {
		a.Update(p, gs[n-1:n])
		var m, v float64
		for i := 1; i <= n; i++ {
			m += (1 - 0.9) * math.Pow(0.9, float64(n-i)) * gs[i-1]
			v += (1 - 0.999) * math.Pow(0.999, float64(n-i)) * gs[i-1] * gs[i-1]
		}
		mh := m / (1 - math.Pow(0.9, float64(n)))
		vh := v / (1 - math.Pow(0.999, float64(n)))
		theta -= 5e-4 * mh / (math.Sqrt(vh) + 1e-8)
		if math.Abs(p[0]-theta) > 1e-14 {
			t.Fatalf("step %d: θ = %.17g, closed form %.17g", n, p[0], theta)
		}
		if math.Abs(a.M[0]-m) > 1e-15 || math.Abs(a.V[0]-v) > 1e-15 {
			t.Fatalf("step %d: m %v v %v, closed form %v %v", n, a.M[0], a.V[0], m, v)
		}
	}
}

func TestAdamPanicsOnLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Update with wrong length did not panic")
		}
	}()
	NewAdam(3, 1e-3).Update(make([]float64, 2), make([]float64, 2))
}

func TestClipGradNorm(t *testing.T) {
	g := []float64{3, 4}
	if n := ClipGradNorm(g, 0.5); n != 5 {
		t.Errorf("returned norm %v, want 5", n)
	}
	coef := 0.5 / (5 + 1e-6)
	if g[0] != 3*coef || g[1] != 4*coef {
		t.Errorf("clipped to %v, want %v", g, []float64{3 * coef, 4 * coef})
	}
	// Below the limit: untouched, bit for bit.
	g = []float64{0.3, -0.1, 0.2}
	orig := append([]float64(nil), g...)
	n := ClipGradNorm(g, 0.5)
	if math.Abs(n-math.Sqrt(0.14)) > 1e-16 {
		t.Errorf("norm %v, want %v", n, math.Sqrt(0.14))
	}
	for i := range g {
		if g[i] != orig[i] {
			t.Errorf("unclipped gradient changed: %v → %v", orig, g)
		}
	}
	// Exactly at the limit PyTorch still scales by 0.5/(0.5+1e-6) < 1.
	g = []float64{0.3, 0.4}
	c := 0.5 / (Norm(g) + 1e-6)
	if math.Abs(Norm(g)-0.5) > 1e-16 || c >= 1 {
		t.Fatalf("test setup: norm %v", Norm(g))
	}
	ClipGradNorm(g, 0.5)
	if want := 0.3 * c; g[0] != want {
		t.Errorf("at the limit g[0] = %v, want %v", g[0], want)
	}
	// Norm over an odd length with the 4-way split.
	v := make([]float64, 1001)
	var s float64
	for i := range v {
		v[i] = math.Sin(float64(i))
		s += v[i] * v[i]
	}
	if got := Norm(v); math.Abs(got-math.Sqrt(s)) > 1e-12 {
		t.Errorf("Norm = %v, want %v", got, math.Sqrt(s))
	}
}

// TestPlateauScript follows PyTorch's documented behaviour on a scripted
// loss sequence (mode min, factor 0.1, patience 10, rel threshold 1e-4).
func TestPlateauScript(t *testing.T) {
	p := NewPlateau()
	lr := 1e-3
	step := func(metric float64) { lr = p.Step(metric, lr) }
	step(1.0) // best = 1
	for i := 0; i < 10; i++ {
		step(1.0) // 10 bad epochs: not yet more than patience
	}
	if lr != 1e-3 || p.NumBad != 10 {
		t.Fatalf("after 10 bad epochs: lr %v, bad %d", lr, p.NumBad)
	}
	step(0.99995) // within the relative threshold: still bad → 11 > 10
	if math.Abs(lr-1e-4) > 1e-19 || p.NumBad != 0 {
		t.Fatalf("after 11 bad epochs: lr %v (want 1e-4), bad %d", lr, p.NumBad)
	}
	step(0.5) // a real improvement resets
	if p.Best != 0.5 || p.NumBad != 0 {
		t.Fatalf("improvement: best %v bad %d", p.Best, p.NumBad)
	}
	for i := 0; i < 5; i++ {
		step(math.NaN()) // NaN is never better
	}
	if p.NumBad != 5 {
		t.Fatalf("NaN epochs counted %d bad, want 5", p.NumBad)
	}
	step(0.49994) // 0.5·(1−1e-4) = 0.49995: better
	if p.Best != 0.49994 || p.NumBad != 0 {
		t.Fatalf("threshold edge: best %v bad %d", p.Best, p.NumBad)
	}
	if p.Epochs != 19 {
		t.Fatalf("Epochs = %d, want 19", p.Epochs)
	}
	// Near min_lr a reduction smaller than eps is skipped.
	q := NewPlateau()
	small := 1e-8
	for i := 0; i < 12; i++ {
		small = q.Step(1, small)
	}
	if small != 1e-8 {
		t.Errorf("reduction by less than eps applied: lr %v", small)
	}
	q = NewPlateau()
	q.MinLR = 5e-4
	big := 1e-3
	for i := 0; i < 12; i++ {
		big = q.Step(1, big)
	}
	if big != 5e-4 {
		t.Errorf("min_lr not honoured: lr %v", big)
	}
}

func TestPlateauCooldown(t *testing.T) {
	p := NewPlateau()
	p.Patience, p.Cooldown = 1, 2
	lr := 1.0
	var lrs []float64
	for i := 0; i < 9; i++ {
		lr = p.Step(1, lr)
		lrs = append(lrs, lr)
	}
	// best at 1; bad 1; bad 2 > 1 → reduce (epoch 3), cooldown 2 epochs
	// with bad reset, then bad 1, bad 2 → reduce at epoch 7.
	want := []float64{1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01}
	for i := range want {
		if math.Abs(lrs[i]-want[i]) > 1e-15 {
			t.Fatalf("lr sequence %v, want %v", lrs, want)
		}
	}
}

func TestEMA(t *testing.T) {
	p0 := []float64{1, 2}
	e := NewEMA(p0, 0.9)
	p := []float64{3, -2}
	for n := 1; n <= 5; n++ {
		e.Update(p)
		for i := range p {
			want := p[i] + math.Pow(0.9, float64(n))*(p0[i]-p[i])
			if math.Abs(e.Shadow[i]-want) > 1e-14 {
				t.Fatalf("update %d: shadow %v, want %v", n, e.Shadow[i], want)
			}
		}
	}
	dst := make([]float64, 2)
	e.CopyTo(dst)
	if dst[0] != e.Shadow[0] || dst[1] != e.Shadow[1] || e.Updates != 5 {
		t.Errorf("CopyTo %v, shadow %v, updates %d", dst, e.Shadow, e.Updates)
	}
	p0[0] = 100
	if e.Shadow[0] == 100 {
		t.Error("NewEMA aliases params")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	a := NewAdam(3, 1e-3)
	a.Update([]float64{1, 2, 3}, []float64{0.1, -0.2, 0.3})
	e := NewEMA([]float64{1, 2}, 0.99)
	e.Update([]float64{0, 0})
	p := NewPlateau()
	for i := 0; i < 4; i++ {
		p.Step(float64(4-i%2), 1e-3)
	}
	type bm interface {
		MarshalBinary() ([]byte, error)
		UnmarshalBinary([]byte) error
	}
	for name, pair := range map[string][2]bm{"adam": {a, &Adam{}}, "ema": {e, &EMA{}}, "plateau": {p, &Plateau{}}} {
		data, err := pair[0].MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := pair[1].UnmarshalBinary(data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, _ := pair[1].MarshalBinary()
		if string(again) != string(data) {
			t.Errorf("%s: round trip changed the encoding", name)
		}
		// Every truncation fails and leaves the target unchanged.
		for n := 0; n < len(data); n++ {
			if err := pair[1].UnmarshalBinary(data[:n]); err == nil {
				t.Fatalf("%s: truncated to %d bytes accepted", name, n)
			}
		}
		if err := pair[1].UnmarshalBinary(append(data, 0)); err == nil {
			t.Errorf("%s: trailing byte accepted", name)
		}
		after, _ := pair[1].MarshalBinary()
		if string(after) != string(data) {
			t.Errorf("%s: failed loads changed the state", name)
		}
	}
	var b Adam
	if err := b.UnmarshalBinary([]byte("EMA1xxxxxxxx")); err == nil {
		t.Error("wrong tag accepted")
	}
}

func TestAdamAllocs(t *testing.T) {
	a := NewAdam(1000, 1e-3)
	p, g := make([]float64, 1000), make([]float64, 1000)
	for i := range g {
		g[i] = float64(i%7) - 3
	}
	if n := testing.AllocsPerRun(10, func() { ClipGradNorm(g, 0.5); a.Update(p, g) }); n != 0 {
		t.Errorf("%v allocations per clip+Adam step", n)
	}
}
