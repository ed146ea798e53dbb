package preset

import (
	"math"
	"testing"

	"github.com/idem-project/idem/engine/mcscore"
)

// TestPaperMatchesSpec holds the paper presets against SPEC §6.1's table,
// written out here column by column.
func TestPaperMatchesSpec(t *testing.T) {
	type row struct {
		net                       Network
		layers                    int
		smin, smax                float64
		k                         int
		clip                      mcscore.ClipMode
		m                         float64
		hWeighted                 bool
		lr                        float64
		plateau                   bool
		batch, inner, newPer      int
		initMC                    bool
		eta                       float64
		neg, epochs, valEvery, eb int
	}
	spec := map[string]row{
		"gmm40": {MLP, 3, 1e-5, 1, 500, mcscore.ClipWhole, 70, true, 5e-4, false, 512, 100, 1000, true, 1.0, 0, 1000, 10, 1000},
		"dw4":   {EGNN, 3, 1e-5, 3, 1000, mcscore.ClipPerParticle, 20, false, 1e-3, true, 512, 100, 1000, false, 1.0, 0, 1000, 10, 1000},
		"lj13":  {EGNN, 5, 0.01, 2, 1000, mcscore.ClipPerParticle, 20, false, 1e-3, true, 512, 100, 1000, false, 0.9, 0, 1000, 10, 1024},
		"lj55":  {EGNN, 5, 0.5, 4, 100, mcscore.ClipPerParticle, 20, false, 1e-3, true, 128, 100, 128, false, 0.5, 10, 2000, 5, 128},
	}
	for name, w := range spec {
		p, err := Paper(name)
		if err != nil {
			t.Fatal(err)
		}
		got := row{p.Network, p.Layers, p.SigmaMin, p.SigmaMax, p.K, p.Clip, p.M, p.HWeighted, p.LR, p.Plateau,
			p.Batch, p.Inner, p.NewPerEp, p.InitMC, p.Eta, p.NegSteps, p.Epochs, p.ValEvery, p.EvalBatch}
		if got != w {
			t.Errorf("%s:\n got  %+v\n want %+v", name, got, w)
		}
		// Shared settings.
		if p.GradClip != 0.5 || p.BufferCap != 10000 || p.BufferMin != 1000 || p.InitFill != 1024 || p.SDESteps != 1000 || p.Width != 128 || p.Cosine || p.MixSigma != 0 || p.TFocusFrac != 0 || p.ClipTLow != 0 {
			t.Errorf("%s: shared settings %+v", name, p)
		}
		if name == "lj55" && (p.NegDt != 1e-4 || p.NegM != 20) {
			t.Errorf("lj55 negative time: dt %g, M %g", p.NegDt, p.NegM)
		}
		if name == "gmm40" && (p.InitSteps != 1000 || p.InitM != 70) {
			t.Errorf("gmm40 initial fill: %d steps, M %g", p.InitSteps, p.InitM)
		}
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
		q, err := Quick(name)
		if err != nil || q.Validate() != nil {
			t.Errorf("quick %s: %v %v", name, err, q.Validate())
		}
		// Quick keeps the method: same estimator, schedule, loss and network family.
		if q.Clip != p.Clip || q.M != p.M || q.SigmaMin != p.SigmaMin || q.SigmaMax != p.SigmaMax || q.HWeighted != p.HWeighted || q.Network != p.Network {
			t.Errorf("quick %s changes the method: %+v", name, q)
		}
	}
	if _, err := Paper("lj7"); err == nil {
		t.Error("unknown target accepted")
	}
	if _, err := Get("fast", "dw4"); err == nil {
		t.Error("unknown preset accepted")
	}
}

func TestTargetsAndParams(t *testing.T) {
	want := map[string]int{"gmm40": 2, "dw4": 8, "lj13": 39, "lj55": 165}
	for name, d := range want {
		p, _ := Paper(name)
		tg, err := p.NewTarget()
		if err != nil || tg.Dim() != d {
			t.Fatalf("%s: %v, dim %d", name, err, tg.Dim())
		}
	}
	p, _ := Paper("gmm40")
	if n := p.MLPConfig().NumParams(); n != 99074 {
		t.Errorf("MLP parameters %d, SPEC 99,074", n)
	}
	if p.Scale() != 50 {
		t.Errorf("GMM scale %g", p.Scale())
	}
}

func TestSelectValidated(t *testing.T) {
	p, _ := Quick("lj13")
	if p.SelectMetric() != SelectEnergyW1 {
		t.Fatalf("lj13 quick selects by %q", p.SelectMetric())
	}
	g, _ := Quick("gmm40")
	if g.Select != "" || g.SelectMetric() != SelectXW2 {
		t.Fatalf("gmm40 quick select %q → %q", g.Select, g.SelectMetric())
	}
	p.Select = "nll"
	if err := p.Validate(); err == nil {
		t.Fatal("select nll accepted")
	}
}

// TestKHighValidated: k_high needs 0 < t_high < 1; zero turns it off.
func TestKHighValidated(t *testing.T) {
	p, _ := Quick("gmm40")
	for _, c := range []struct {
		k  int
		th float64
		ok bool
	}{{0, 0, true}, {200, 0.75, true}, {-1, 0.5, false}, {200, 0, false}, {200, 1, false}, {200, math.NaN(), false}} {
		p.KHigh, p.THigh = c.k, c.th
		if err := p.Validate(); (err == nil) != c.ok {
			t.Fatalf("k_high %d, t_high %g: error %v, want ok = %v", c.k, c.th, err, c.ok)
		}
	}
}

// TestPrecision: the precision names round-trip through SetPrecision, and
// Validate refuses bf16 without float32, bf16x3 without bf16 and any reduced
// precision on the MLP.
func TestPrecision(t *testing.T) {
	p, _ := Quick("lj13")
	if p.Precision() != "f32" {
		t.Fatalf("lj13 quick precision %q, want f32", p.Precision())
	}
	for _, name := range Precisions() {
		if err := p.SetPrecision(name); err != nil {
			t.Fatal(err)
		}
		if p.Precision() != name || p.Validate() != nil {
			t.Fatalf("SetPrecision(%q): Precision() = %q, Validate %v", name, p.Precision(), p.Validate())
		}
	}
	if err := p.SetPrecision("fp8"); err == nil {
		t.Fatal("fp8 accepted")
	}
	p.Float32, p.BF16, p.BF16x3 = false, true, false
	if err := p.Validate(); err == nil {
		t.Fatal("bf16 without float32 accepted")
	}
	p.Float32, p.BF16, p.BF16x3 = true, false, true
	if err := p.Validate(); err == nil {
		t.Fatal("bf16x3 without bf16 accepted")
	}
	// f32 training with bf16 sampling; SetPrecision names every pass.
	p.Float32, p.BF16, p.BF16x3, p.SampleBF16 = true, false, false, true
	if p.Validate() != nil || p.Precision() != "f32" || p.SamplePrecision() != "bf16" {
		t.Fatalf("sample_bf16: Validate %v, precision %s, sampling %s", p.Validate(), p.Precision(), p.SamplePrecision())
	}
	for _, name := range Precisions() {
		q := p
		if err := q.SetPrecision(name); err != nil || q.SampleBF16 || q.SamplePrecision() != name {
			t.Fatalf("SetPrecision(%q) on sample_bf16: %v, sampling %s", name, err, q.SamplePrecision())
		}
	}
	q := p
	q.Float32 = false
	if q.Validate() == nil {
		t.Fatal("sample_bf16 without float32 accepted")
	}
	q.Float32, q.BF16 = true, true
	if q.Validate() != nil || q.SamplePrecision() != "bf16" {
		t.Fatalf("sample_bf16 with bf16: %v, sampling %s", q.Validate(), q.SamplePrecision())
	}
	// A precision schedule needs f32 (its later epochs' arithmetic), and
	// naming one precision for every pass clears it.
	q = p
	q.BF16Epochs = 3
	if q.Validate() != nil {
		t.Fatalf("bf16_epochs with f32: %v", q.Validate())
	}
	for _, name := range Precisions() {
		r := q
		if err := r.SetPrecision(name); err != nil || r.BF16Epochs != 0 {
			t.Fatalf("SetPrecision(%q) kept bf16_epochs %d (%v)", name, r.BF16Epochs, err)
		}
	}
	for _, bad := range []func(r *Preset){
		func(r *Preset) { r.BF16Epochs = -1 },
		func(r *Preset) { r.BF16 = true },
		func(r *Preset) { r.Float32 = false },
	} {
		r := q
		bad(&r)
		if r.Validate() == nil {
			t.Fatalf("bf16_epochs %d with float32 %v, bf16 %v accepted", r.BF16Epochs, r.Float32, r.BF16)
		}
	}
	// The opposite schedule needs bf16, and SetPrecision clears it too.
	q = p
	q.BF16, q.F32Epochs = true, 4
	if lp, n := q.Lead(); q.Validate() != nil || lp != "f32" || n != 4 {
		t.Fatalf("f32_epochs with bf16: %v, lead %s × %d", q.Validate(), lp, n)
	}
	if lp, n := p.Lead(); lp != p.Precision() || n != 0 {
		t.Fatalf("no schedule: lead %s × %d", lp, n)
	}
	for _, name := range Precisions() {
		r := q
		if err := r.SetPrecision(name); err != nil || r.F32Epochs != 0 {
			t.Fatalf("SetPrecision(%q) kept f32_epochs %d (%v)", name, r.F32Epochs, err)
		}
	}
	for _, bad := range []func(r *Preset){
		func(r *Preset) { r.F32Epochs = -1 },
		func(r *Preset) { r.BF16 = false },
		func(r *Preset) { r.BF16, r.Float32 = false, false },
	} {
		r := q
		bad(&r)
		if r.Validate() == nil {
			t.Fatalf("f32_epochs %d with float32 %v, bf16 %v accepted", r.F32Epochs, r.Float32, r.BF16)
		}
	}
	g, _ := Quick("gmm40")
	if g.Precision() != "f64" {
		t.Fatalf("gmm40 precision %q", g.Precision())
	}
	g.Float32 = true
	if err := g.Validate(); err == nil {
		t.Fatal("f32 MLP accepted")
	}
}

// TestEMAValidated: ema must be in [0, 1).
func TestEMAValidated(t *testing.T) {
	p, _ := Quick("dw4")
	for _, c := range []struct {
		ema float64
		ok  bool
	}{{0, true}, {0.999, true}, {1, false}, {-0.1, false}, {math.NaN(), false}} {
		p.EMA = c.ema
		if err := p.Validate(); (err == nil) != c.ok {
			t.Errorf("ema %v: error %v, want ok = %v", c.ema, err, c.ok)
		}
	}
}

// TestMixSigmaValidated: mix_sigma must be finite and ≥ 0, and reaches the
// estimator's settings.
func TestMixSigmaValidated(t *testing.T) {
	p, _ := Quick("dw4")
	for _, c := range []struct {
		s  float64
		ok bool
	}{{0, true}, {0.2, true}, {-0.1, false}, {math.Inf(1), false}, {math.NaN(), false}} {
		p.MixSigma = c.s
		if err := p.Validate(); (err == nil) != c.ok {
			t.Errorf("mix_sigma %v: error %v, want ok = %v", c.s, err, c.ok)
		}
	}
	p.MixSigma = 0.2
	if got := p.Estimator(1).MixSigma; got != 0.2 {
		t.Fatalf("Estimator().MixSigma = %v", got)
	}
}

// TestTFocusValidated: a focus share needs a window inside [0, 1].
func TestTFocusValidated(t *testing.T) {
	p, _ := Quick("dw4")
	for _, c := range []struct {
		lo, hi, f float64
		ok        bool
	}{{0, 0, 0, true}, {0.8, 0.95, 0.5, true}, {0, 1, 1, true}, {0.9, 0.8, 0.5, false}, {0.8, 0.8, 0.5, false},
		{-0.1, 0.5, 0.5, false}, {0.5, 1.1, 0.5, false}, {0.8, 0.95, 1.5, false}, {0.8, 0.95, -0.5, false}, {0.8, 0.95, math.NaN(), false}} {
		p.TFocusLo, p.TFocusHi, p.TFocusFrac = c.lo, c.hi, c.f
		if err := p.Validate(); (err == nil) != c.ok {
			t.Errorf("t_focus %v–%v share %v: error %v, want ok = %v", c.lo, c.hi, c.f, err, c.ok)
		}
	}
}

// TestClipTLow: clip_t_low must lie in [0, 1] with a positive finite
// clip_m_low, and reaches the estimator as h(clip_t_low) on the preset's
// schedule.
func TestClipTLow(t *testing.T) {
	p, _ := Paper("lj13")
	if c := p.Estimator(1); c.ClipHLow != 0 || c.MLow != 0 {
		t.Fatalf("ClipHLow %v, MLow %v without clip_t_low", c.ClipHLow, c.MLow)
	}
	p.ClipTLow, p.MLow = 0.3, 100
	s, _ := p.Schedule()
	if c := p.Estimator(1); c.ClipHLow != s.H(0.3) || !(c.ClipHLow > 0) || c.MLow != 100 {
		t.Fatalf("ClipHLow %v, MLow %v; want h(0.3) = %v, 100", c.ClipHLow, c.MLow, s.H(0.3))
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]float64{{-0.1, 100}, {1.1, 100}, {math.NaN(), 100}, {0.3, 0}, {0.3, -1}, {0.3, math.Inf(1)}, {0.3, math.NaN()}} {
		p.ClipTLow, p.MLow = c[0], c[1]
		if err := p.Validate(); err == nil {
			t.Errorf("clip_t_low %v, clip_m_low %v accepted", c[0], c[1])
		}
	}
}
