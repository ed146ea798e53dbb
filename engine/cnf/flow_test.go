package cnf

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
)

// gaussData is rows draws of N(mu, sd²) per coordinate.
func gaussData(rows, d int, mu, sd float64, seed uint64) []float64 {
	s := engine.NewStream(seed)
	x := make([]float64, rows*d)
	for i := range x {
		x[i] = mu + sd*s.Norm()
	}
	return x
}

func smallGMMConfig() Config {
	c, _ := Default("gmm40")
	c.Width, c.Layers, c.Batch, c.Steps, c.ValEvery, c.ValRows = 32, 1, 128, 300, 100, 200
	return c
}

// TestTrainingLearnsGaussian trains the GMM flow on N(10, 5²) and checks that
// the validation NLL approaches the entropy of that Gaussian, far below the
// prior's cross-entropy.
func TestTrainingLearnsGaussian(t *testing.T) {
	c := smallGMMConfig()
	if testing.Short() {
		c.Steps = 150
	}
	data := gaussData(4000, 2, 10, 5, 1)
	val := gaussData(500, 2, 10, 5, 2)
	f, err := New(c, data, val, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []Record
	if err := f.Train(context.Background(), nil, func(r Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	entropy := 2 * (0.5*math.Log(2*math.Pi*25) + 0.5)
	var priorNLL float64 // cross-entropy of the data under the prior
	for r := 0; r < 500; r++ {
		priorNLL -= c.Prior().LogProb(val[r*2:r*2+2]) / 500
	}
	last := recs[len(recs)-1]
	t.Logf("records %+v; entropy %.3f, prior NLL %.3f", recs, entropy, priorNLL)
	if len(recs) != (c.Steps+c.ValEvery-1)/c.ValEvery {
		t.Errorf("%d records for %d steps, validation every %d", len(recs), c.Steps, c.ValEvery)
	}
	if !(f.State().BestNLL < entropy+0.5) || !(last.Loss < recs[0].Loss) {
		t.Errorf("best validation NLL %.3f (entropy %.3f, prior %.3f), losses %.4g → %.4g", f.State().BestNLL, entropy, priorNLL, recs[0].Loss, last.Loss)
	}
}

func TestCheckpointResumeBitIdentical(t *testing.T) {
	c := smallGMMConfig()
	c.Steps, c.ValEvery = 40, 20
	data := gaussData(1000, 2, -3, 4, 3)
	val := gaussData(100, 2, -3, 4, 4)
	run := func(workers, stopAt int, dir string) []byte {
		f, err := New(c, data, val, workers)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if stopAt > 0 {
			ctx, cancel := context.WithCancelCause(context.Background())
			stop := errors.New("stop")
			err := f.Train(ctx, func(done, _ int, _ float64) {
				if done == stopAt {
					cancel(stop)
				}
			}, nil)
			if !errors.Is(err, stop) {
				t.Fatalf("interrupted run: %v", err)
			}
			p := filepath.Join(dir, "flow.ckpt")
			if err := f.Save(p); err != nil {
				t.Fatal(err)
			}
			g, err := Open(p, data, val, workers)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			f = g
		}
		if err := f.Train(context.Background(), nil, nil); err != nil {
			t.Fatal(err)
		}
		f.st.Wall = 0 // the one field that is measured, not computed
		b, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := run(1, 0, "")
	for _, w := range []int{1, 2} {
		for _, stop := range []int{7, 20, 33} {
			if got := run(w, stop, t.TempDir()); !bytes.Equal(got, want) {
				t.Errorf("workers %d, stopped at step %d: the resumed state differs", w, stop)
			}
		}
	}
}

func TestCheckpointErrors(t *testing.T) {
	c := smallGMMConfig()
	c.Steps, c.ValEvery = 5, 0
	data := gaussData(500, 2, 0, 1, 5)
	f, err := New(c, data, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Train(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.ckpt")
	if err := f.Save(p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	before, _ := f.MarshalBinary()
	for name, bad := range map[string][]byte{"truncated": b[:len(b)/2], "flipped": flip(b, len(b)/3), "empty": {}} {
		q := filepath.Join(dir, name)
		os.WriteFile(q, bad, 0o644)
		if err := f.Load(q); !errors.Is(err, ErrCorruptCheckpoint) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := Open(q, nil, nil, 1); !errors.Is(err, ErrCorruptCheckpoint) {
			t.Errorf("Open %s: %v", name, err)
		}
	}
	if after, _ := f.MarshalBinary(); !bytes.Equal(before, after) {
		t.Error("a failed Load changed the flow")
	}
	c2 := c
	c2.Seed++
	g, err := New(c2, data, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Load(p); !errors.Is(err, ErrConfigMismatch) {
		t.Errorf("other config: %v", err)
	}
	// Evaluation only: no data needed.
	e, err := Open(p, nil, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Step(); err == nil {
		t.Error("a step without data succeeded")
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

func TestBadInput(t *testing.T) {
	c := smallGMMConfig()
	nan := gaussData(10, 2, 0, 1, 1)
	nan[7] = math.NaN()
	if _, err := New(c, nan, nil, 1); err == nil {
		t.Error("NaN training data accepted")
	}
	if _, err := New(c, []float64{1, 2, 3}, nil, 1); err == nil {
		t.Error("ragged data accepted")
	}
	for _, mut := range []func(*Config){
		func(c *Config) { c.PriorStd = 0 },
		func(c *Config) { c.LR = math.NaN() },
		func(c *Config) { c.Batch = 0 },
		func(c *Config) { c.Net = "cnn" },
		func(c *Config) { c.LRFinal = 1 },
	} {
		c := smallGMMConfig()
		mut(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("invalid config %+v accepted", c)
		}
	}
	if _, err := Default("gmm41"); err == nil {
		t.Error("unknown target accepted")
	}
	if c, err := Default("lj38"); err != nil || c.N != 38 || c.PriorStd != 1 {
		t.Errorf("lj38: %+v %v", c, err)
	}
}

// TestInitFrom starts a flow of another seed and schedule from a trained
// checkpoint's best parameters and checks that it carries them, starts its
// own optimiser afresh, and refuses other networks, corrupt files and
// flows that have already trained.
func TestInitFrom(t *testing.T) {
	c := smallGMMConfig()
	c.Steps, c.ValEvery = 30, 10
	data := gaussData(1000, 2, 2, 3, 6)
	val := gaussData(200, 2, 2, 3, 7)
	f, err := New(c, data, val, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Train(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "flow.ckpt")
	if err := f.Save(p); err != nil {
		t.Fatal(err)
	}
	f.UseBest()
	x := gaussData(64, 2, 2, 3, 8)
	tt := make([]float64, 64)
	for i := range tt {
		tt[i] = float64(i) / 64
	}
	want := make([]float64, len(x))
	if err := f.Field().Velocity(want, x, tt, 64); err != nil {
		t.Fatal(err)
	}

	c2 := c
	c2.Seed, c2.LR, c2.LRFinal, c2.Steps = 9, 3e-4, 1e-5, 20
	g, err := New(c2, data, val, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.InitFrom(p); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, len(x))
	if err := g.Field().Velocity(got, x, tt, 64); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("velocity[%d] = %v after InitFrom, the checkpoint's best gives %v", i, got[i], want[i])
		}
	}
	if g.Config().Init == "" || g.State().Step != 0 || g.lr(0) != c2.LR {
		t.Errorf("init %q, step %d, lr %g: want the checkpoint named and a fresh schedule", g.Config().Init, g.State().Step, g.lr(0))
	}
	for _, m := range g.adam.M {
		if m != 0 {
			t.Fatal("InitFrom carried the checkpoint's Adam moments")
		}
	}
	// The initialised flow trains and saves; its checkpoint reopens.
	if err := g.Train(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	q := filepath.Join(t.TempDir(), "g.ckpt")
	if err := g.Save(q); err != nil {
		t.Fatal(err)
	}
	if h, err := Open(q, data, val, 1); err != nil {
		t.Errorf("reopening an initialised run: %v", err)
	} else {
		if h.Config().Init != g.Config().Init {
			t.Errorf("reopened init %q, want %q", h.Config().Init, g.Config().Init)
		}
		h.Close()
	}
	if err := g.InitFrom(p); err == nil {
		t.Error("InitFrom after training succeeded")
	}

	c3 := c
	c3.Width = 16
	w, err := New(c3, data, val, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	before := append([]float64(nil), w.field.Params().Data...)
	if err := w.InitFrom(p); !errors.Is(err, ErrConfigMismatch) {
		t.Errorf("another width: %v", err)
	}
	b, _ := os.ReadFile(p)
	bad := filepath.Join(t.TempDir(), "bad.ckpt")
	os.WriteFile(bad, flip(b, len(b)/2), 0o644)
	c4 := c
	c4.Seed = 11
	v, err := New(c4, data, val, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.InitFrom(bad); !errors.Is(err, ErrCorruptCheckpoint) {
		t.Errorf("corrupt checkpoint: %v", err)
	}
	if v.Config().Init != "" {
		t.Error("a failed InitFrom named its checkpoint")
	}
	for i, p := range w.field.Params().Data {
		if p != before[i] {
			t.Fatal("a refused InitFrom changed the parameters")
		}
	}
}

// TestDefaultWorkers: workers ≤ 0 means GOMAXPROCS, as for engine.NewPool
// (the command line's -workers 0); it once meant a single worker.
func TestDefaultWorkers(t *testing.T) {
	c := smallGMMConfig()
	f, err := New(c, gaussData(200, 2, 0, 1, 9), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.pool.Workers(), runtime.GOMAXPROCS(0); got != want {
		t.Fatalf("workers 0 gave a pool of %d, want GOMAXPROCS = %d", got, want)
	}
}

// TestBF16Training: a bf16 flow runs its EGNN training passes with bfloat16
// products (its losses differ from f32's, by little), keeps the choice in
// its checkpoint, and hands its parameters to an f32 continuation; the MLP
// flow refuses it.
func TestBF16Training(t *testing.T) {
	c, err := Default("dw4")
	if err != nil {
		t.Fatal(err)
	}
	c.Width, c.Layers, c.Batch, c.Steps, c.ValEvery, c.ValRows = 16, 1, 64, 6, 3, 50
	data := gaussData(500, 8, 0, 1, 21)
	val := gaussData(50, 8, 0, 1, 22)
	losses := func(c Config) (*Flow, []float64) {
		f, err := New(c, data, val, 2)
		if err != nil {
			t.Fatal(err)
		}
		var l []float64
		for range c.Steps {
			v, err := f.Step()
			if err != nil {
				t.Fatal(err)
			}
			l = append(l, v)
		}
		return f, l
	}
	f32, l32 := losses(c)
	defer f32.Close()
	cb := c
	cb.BF16 = true
	bf, lb := losses(cb)
	defer bf.Close()
	if p := bf.field.(*egnnField).ws.Precision(); p != egnn.BFloat16 || cb.TrainPrecision() != egnn.BFloat16 {
		t.Fatalf("bf16 flow trains in %v", p)
	}
	if p := f32.field.(*egnnField).ws.Precision(); p != egnn.Float32 {
		t.Fatalf("f32 flow trains in %v", p)
	}
	same := true
	for i := range l32 {
		if rel := math.Abs(lb[i]-l32[i]) / l32[i]; rel > 0.02 {
			t.Errorf("step %d: bf16 loss %.6g, f32 %.6g", i, lb[i], l32[i])
		}
		same = same && lb[i] == l32[i]
	}
	if same {
		t.Error("bf16 losses equal f32's bit for bit: the bf16 products are not in use")
	}

	p := filepath.Join(t.TempDir(), "bf16.ckpt")
	if err := bf.Save(p); err != nil {
		t.Fatal(err)
	}
	if rc, err := ReadConfig(p); err != nil || !rc.BF16 {
		t.Errorf("checkpoint config bf16 = %v, %v", rc.BF16, err)
	}
	h, err := Open(p, data, val, 1)
	if err != nil {
		t.Fatal(err)
	}
	if h.field.(*egnnField).ws.Precision() != egnn.BFloat16 {
		t.Error("a reopened bf16 run trains in another precision")
	}
	h.Close()
	c2 := c
	c2.Seed = 5
	g, err := New(c2, data, val, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.InitFrom(p); err != nil {
		t.Errorf("f32 continuation of a bf16 flow: %v", err)
	}

	m := smallGMMConfig()
	m.BF16 = true
	if err := m.Validate(); err == nil {
		t.Error("an MLP flow accepted bf16")
	}
}
