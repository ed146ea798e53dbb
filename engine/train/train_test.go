package train

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/preset"
)

// tinyGMM is a scaled-down GMM-40 preset for tests.
func tinyGMM() preset.Preset {
	p, _ := preset.Quick("gmm40")
	p.K, p.Batch, p.Inner, p.NewPerEp = 64, 128, 10, 128
	p.SDESteps, p.InitSteps, p.Epochs, p.ValEvery, p.EvalBatch = 20, 20, 4, 2, 128
	p.InitFill, p.BufferMin, p.BufferCap = 256, 256, 1000
	p.Width, p.Layers, p.EvalSDESteps = 32, 1, 0
	p.KHigh, p.THigh = 0, 0 // one estimator (the split has its own cases)
	p.MixSigma = 0          // the force form of SPEC §3 (the mixture has its own case)
	return p
}

// tinyDW4 is a scaled-down DW-4 preset on the float32 EGNN.
func tinyDW4() preset.Preset {
	p, _ := preset.Quick("dw4")
	p.K, p.Batch, p.Inner, p.NewPerEp = 32, 32, 4, 32
	p.SDESteps, p.Epochs, p.ValEvery, p.EvalBatch = 8, 3, 2, 32
	p.InitFill, p.BufferMin, p.BufferCap = 64, 64, 200
	p.Width, p.Layers = 16, 2
	p.SampleBF16 = false // the float32 path throughout; cases add bf16
	return p
}

func gmmVal(n int) []float64 {
	v := make([]float64, 2*n)
	gmm.Sample(v, n, 99)
	return v
}

func newTrainer(t *testing.T, p preset.Preset, mode Mode, workers int) *Trainer {
	t.Helper()
	var val []float64
	if mode == RefData {
		val = gmmVal(p.EvalBatch * 2)
	}
	tr, err := New(Config{Preset: p, Variant: IDEM, Mode: mode, Seed: 7}, val, workers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

func TestBufferFIFO(t *testing.T) {
	b := NewBuffer(3, 2)
	push := func(v ...float64) error {
		e := make([]float64, len(v)/2)
		for i := range e {
			e[i] = v[2*i]
		}
		return b.Push(v, e, len(v)/2)
	}
	if err := push(1, 1, 2, 2); err != nil || b.Size != 2 || b.Head != 2 {
		t.Fatalf("size %d head %d err %v", b.Size, b.Head, err)
	}
	if err := push(3, 3, 4, 4); err != nil || b.Size != 3 || b.Head != 1 {
		t.Fatalf("size %d head %d err %v", b.Size, b.Head, err)
	}
	// Oldest to newest: 2, 3, 4 (1 was dropped).
	for i, want := range []float64{2, 3, 4} {
		s := b.Oldest(i)
		if b.Row(s)[0] != want || b.E[s] != want {
			t.Fatalf("oldest %d = %v, want %v", i, b.Row(s), want)
		}
	}
	if err := push(5, math.NaN()); err == nil || b.Size != 3 || b.Row(b.Oldest(0))[0] != 2 {
		t.Fatal("a NaN row was accepted or changed the buffer")
	}
}

// TestBufferSamplingUniform: the inner step's draws cover the buffer
// uniformly (with replacement).
func TestBufferSamplingUniform(t *testing.T) {
	p := tinyGMM()
	tr := newTrainer(t, p, DataFree, 1)
	tr.buf = NewBuffer(10, 2)
	x := make([]float64, 20)
	for i := range x {
		x[i] = float64(i / 2)
	}
	_ = tr.buf.Push(x, make([]float64, 10), 10)
	counts := make([]int, 10)
	for s := uint64(0); s < 200; s++ {
		tr.drawX0(p.Batch, s, true)
		for r := 0; r < p.Batch; r++ {
			counts[int(tr.x0[2*r])]++
		}
	}
	n := 200 * p.Batch
	for i, c := range counts {
		// Expected n/10 = 2560, sd ≈ 48.
		if math.Abs(float64(c)-float64(n)/10) > 250 {
			t.Fatalf("slot %d drawn %d times of %d", i, c, n)
		}
	}
}

// fixedLoss is the §6.2 loss on a fixed batch: exact GMM samples noised at
// fixed times, with S_K targets computed once.
type fixedLoss struct {
	xt, tt, target, h []float64
}

func newFixedLoss(t *testing.T, tr *Trainer, b int) *fixedLoss {
	if err := tr.initialFill(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr.drawX0(b, 1<<40, true)
	tr.noise(b, 1000, 0, false)
	f := &fixedLoss{xt: slices.Clone(tr.xt[:2*b]), tt: slices.Clone(tr.tt[:b]), h: slices.Clone(tr.h[:b]), target: make([]float64, 2*b)}
	if err := tr.valEst.Estimate(f.target, f.xt, f.h, b, 1<<40); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixedLoss) eval(tr *Trainer) float64 {
	b := len(f.tt)
	out := make([]float64, 2*b)
	if err := tr.net.Forward(out, f.xt, f.tt, b); err != nil {
		panic(err)
	}
	var l float64
	for r := 0; r < b; r++ {
		var sq float64
		for j := 2 * r; j < 2*r+2; j++ {
			sq += (out[j] - f.target[j]) * (out[j] - f.target[j])
		}
		l += (f.h[r] + 1e-3) * sq / 2
	}
	return l / float64(b)
}

// TestShortRunLowersLoss trains the GMM network briefly and checks the
// loss on a fixed batch falls.
func TestShortRunLowersLoss(t *testing.T) {
	p := tinyGMM()
	p.Epochs, p.Inner, p.Width, p.Layers = 6, 50, 128, 3
	tr := newTrainer(t, p, RefData, 2)
	fl := newFixedLoss(t, tr, 128)
	before := fl.eval(tr)
	var recs []Record
	if err := tr.Run(context.Background(), Hooks{Epoch: func(r Record) error { recs = append(recs, r); return nil }}); err != nil {
		t.Fatal(err)
	}
	after := fl.eval(tr)
	if !(after < 0.5*before) {
		t.Fatalf("fixed-batch loss %g → %g", before, after)
	}
	if len(recs) != p.Epochs || recs[len(recs)-1].Val == nil || recs[0].Val != nil || recs[1].Val == nil {
		t.Fatalf("records: %+v", recs)
	}
	last := recs[len(recs)-1]
	if x := last.Val["x_w2"]; !(x > 0) || math.IsInf(x, 0) {
		t.Fatalf("validation x_w2 = %g", x)
	}
	// Energy evaluations: initial fill (K per point and step, plus the
	// buffer energies), inner steps, sampling, validation.
	st := tr.State()
	inner := uint64(p.Epochs*p.Inner) * uint64(p.Batch*p.K)
	if st.EnergyEvals < inner+uint64(p.InitFill*p.InitSteps*p.K) {
		t.Fatalf("energy evaluations %d, inner steps alone take %d", st.EnergyEvals, inner)
	}
	if st.Step != int64(p.Epochs*p.Inner) || st.Epoch != p.Epochs || !tr.Done() {
		t.Fatalf("state %+v", st)
	}
}

// runTo trains until stop returns true at an epoch boundary (via the Epoch
// hook) or at an inner step (via ctx), then returns the checkpoint bytes.
func checkpointAfter(t *testing.T, tr *Trainer, epoch, inner int) []byte {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := errors.New("stop")
	err := tr.Run(ctx, Hooks{
		Step: func(e, i int, _ float64) {
			if inner > 0 && e == epoch && i == inner {
				cancel()
			}
		},
		Epoch: func(r Record) error {
			if inner == 0 && r.Epoch == epoch {
				return stop
			}
			return nil
		},
	})
	if !errors.Is(err, stop) && !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v", err)
	}
	b, err := tr.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func finalState(t *testing.T, tr *Trainer) []byte {
	if err := tr.Run(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	tr.st.Wall = 0 // wall-clock is the one field allowed to differ
	b, err := tr.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type resumeCase struct {
	name string
	p    preset.Preset
	mode Mode
}

// resumeCases are the runs the resume tests interrupt: GMM-40 with
// reference-data validation (MLP), DW-4 data-free (float32 EGNN, and with
// bfloat16 products everywhere, in sampling only, or in the first epoch
// only), GMM-40 with more MC samples at large t (KHigh), the same with the
// mixed estimator target (MixSigma, as the quick preset) and more training
// times in a window (TFocus), and GMM-40 with an EMA.
func resumeCases() []resumeCase {
	split := tinyGMM()
	split.KHigh, split.THigh = 160, 0.6
	mix := split
	mix.MixSigma = 0.04
	mix.TFocusLo, mix.TFocusHi, mix.TFocusFrac = 0.7, 0.95, 0.4
	bf := tinyDW4()
	bf.BF16 = true
	ema := tinyGMM()
	ema.EMA = 0.9
	mixed := tinyDW4()
	mixed.SampleBF16 = true
	sched := tinyDW4()
	sched.BF16Epochs = 1 // the cuts fall before, at and after the switch
	rsched := bf
	rsched.F32Epochs = 1
	return []resumeCase{{"gmm", tinyGMM(), RefData}, {"dw4", tinyDW4(), DataFree}, {"gmm-k-high", split, RefData}, {"dw4-bf16", bf, DataFree},
		{"dw4-sample-bf16", mixed, DataFree}, {"dw4-bf16-epochs", sched, DataFree},
		{"dw4-f32-epochs", rsched, DataFree}, {"gmm-ema", ema, RefData}, {"gmm-mix", mix, RefData}}
}

// TestEMAOnlyEvaluation: an EMA changes the evaluation samples and
// nothing else: the parameters, the buffer and the loss of a data-free run
// are those of the same run without it; its checkpoints keep the average
// (version 2) and are refused by a run without one.
func TestEMAOnlyEvaluation(t *testing.T) {
	plain := tinyGMM()
	withEMA := tinyGMM()
	withEMA.EMA = 0.95
	a := newTrainer(t, plain, DataFree, 2)
	b := newTrainer(t, withEMA, DataFree, 2)
	var la, lb []float64
	for _, c := range []struct {
		tr   *Trainer
		loss *[]float64
	}{{a, &la}, {b, &lb}} {
		l := c.loss
		if err := c.tr.Run(context.Background(), Hooks{Epoch: func(r Record) error { *l = append(*l, r.Loss); return nil }}); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(a.Params().Data, b.Params().Data) || !slices.Equal(la, lb) || !slices.Equal(a.buf.X, b.buf.X) {
		t.Fatal("the EMA changed training")
	}
	sa, err := a.Sample(context.Background(), 50, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Sample(context.Background(), 50, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(sa, sb) {
		t.Fatal("EMA samples equal the plain parameters' samples")
	}
	if !slices.Equal(a.Params().Data, b.Params().Data) {
		t.Fatal("sampling with the EMA left the averaged parameters in place")
	}
	ck, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(ck[8:]); v != ckptVersionEMA {
		t.Fatalf("EMA checkpoint version %d", v)
	}
	c := newTrainer(t, withEMA, DataFree, 1)
	if err := c.UnmarshalBinary(ck); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.ema.Shadow, b.ema.Shadow) || c.ema.Updates != b.ema.Updates || c.ema.Updates != int64(withEMA.Epochs*withEMA.Inner) {
		t.Fatalf("EMA not restored (updates %d)", c.ema.Updates)
	}
	if err := newTrainer(t, plain, DataFree, 1).UnmarshalBinary(ck); err == nil {
		t.Fatal("a run without EMA loaded an EMA checkpoint")
	}
}

// TestPrecisionTrains: the same DW-4 run in f32 and bf16 ends with
// different parameters (the bfloat16 products are really used), both
// finite, and a checkpoint of one precision is refused by the other.
func TestPrecisionTrains(t *testing.T) {
	f32 := tinyDW4()
	bf := tinyDW4()
	bf.BF16 = true
	a := newTrainer(t, f32, DataFree, 2)
	b := newTrainer(t, bf, DataFree, 2)
	for _, tr := range []*Trainer{a, b} {
		if err := tr.Run(context.Background(), Hooks{}); err != nil {
			t.Fatal(err)
		}
		for _, v := range tr.Params().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatal("non-finite parameter")
			}
		}
	}
	if slices.Equal(a.Params().Data, b.Params().Data) {
		t.Fatal("bf16 and f32 runs ended with identical parameters")
	}
	ck, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := newTrainer(t, f32, DataFree, 1).UnmarshalBinary(ck); err == nil {
		t.Fatal("an f32 trainer loaded a bf16 checkpoint")
	}
}

// TestResumeBitIdentical: a run interrupted (at an epoch boundary, inside
// an epoch, or during validation) and resumed from its checkpoint with 1 or
// 2 workers ends in exactly the state of an uninterrupted run.
func TestResumeBitIdentical(t *testing.T) {
	for _, tc := range resumeCases() {
		t.Run(tc.name, func(t *testing.T) {
			ref := finalState(t, newTrainer(t, tc.p, tc.mode, 1))
			for _, cut := range []struct{ epoch, inner int }{{1, 0}, {2, 3}, {tc.p.ValEvery, 0}} {
				for _, w := range []int{1, 2} {
					a := newTrainer(t, tc.p, tc.mode, 3-w)
					ck := checkpointAfter(t, a, cut.epoch, cut.inner)
					b := newTrainer(t, tc.p, tc.mode, w)
					if err := b.UnmarshalBinary(ck); err != nil {
						t.Fatal(err)
					}
					if got := finalState(t, b); !slices.Equal(got, ref) {
						t.Fatalf("resumed after epoch %d step %d with %d workers: final state differs", cut.epoch, cut.inner, w)
					}
				}
			}
		})
	}
}

// TestCheckpointCorruption: flipped bytes, truncation, another config and
// a missing file are clear errors that leave the trainer unchanged.
func TestCheckpointCorruption(t *testing.T) {
	p := tinyGMM()
	tr := newTrainer(t, p, DataFree, 1)
	good := checkpointAfter(t, tr, 1, 0)
	fresh := newTrainer(t, p, DataFree, 1)
	before, _ := fresh.MarshalBinary()
	for name, data := range map[string][]byte{
		"flipped":   func() []byte { b := slices.Clone(good); b[len(b)/2] ^= 1; return b }(),
		"truncated": good[:len(good)-100],
		"empty":     nil,
		"magic":     append([]byte("NOTACKPT"), good[8:]...),
	} {
		if err := fresh.UnmarshalBinary(data); !errors.Is(err, ErrCorruptCheckpoint) {
			t.Errorf("%s: err = %v, want ErrCorruptCheckpoint", name, err)
		}
	}
	other := p
	other.LR *= 2
	tr2 := newTrainer(t, other, DataFree, 1)
	if err := tr2.UnmarshalBinary(good); !errors.Is(err, ErrConfigMismatch) {
		t.Errorf("other config: err = %v", err)
	}
	if after, _ := fresh.MarshalBinary(); !slices.Equal(before, after) {
		t.Fatal("a failed load changed the trainer")
	}
	// Files: Open restores; a corrupt file is rejected.
	dir := t.TempDir()
	path := filepath.Join(dir, "a.ckpt")
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	re, err := Open(path, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	if re.State().Epoch != 1 {
		t.Fatalf("opened at epoch %d", re.State().Epoch)
	}
	_ = os.WriteFile(path, good[:100], 0o644)
	if _, err := Open(path, nil, 1); err == nil {
		t.Fatal("a truncated file opened")
	}
	if _, err := Open(dir, nil, 1); err == nil {
		t.Fatal("a directory opened")
	}
}

// TestDivergenceNamesEpochAndStep: a non-finite parameter stops the run
// with a DivergenceError.
func TestDivergenceNamesEpochAndStep(t *testing.T) {
	tr := newTrainer(t, tinyGMM(), DataFree, 1)
	checkpointAfter(t, tr, 1, 0)
	tr.Params().Data[3] = math.NaN()
	err := tr.Run(context.Background(), Hooks{})
	var de *DivergenceError
	if !errors.As(err, &de) || de.Epoch != 1 || de.Inner != 0 {
		t.Fatalf("err = %v", err)
	}
}

// TestSampleUnitsAndDeterminism: Sample returns original units (GMM-40 in
// x = 50·y) and the same bits for the same call with any worker count.
func TestSampleUnitsAndDeterminism(t *testing.T) {
	p := tinyGMM()
	a := newTrainer(t, p, DataFree, 1)
	b := newTrainer(t, p, DataFree, 2)
	xa, err := a.Sample(context.Background(), 300, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	xb, _ := b.Sample(context.Background(), 300, 1, nil)
	if !slices.Equal(xa, xb) {
		t.Fatal("samples differ between 1 and 2 workers")
	}
	xc, _ := b.Sample(context.Background(), 300, 2, nil)
	if slices.Equal(xa, xc) {
		t.Fatal("another call gave the same samples")
	}
	// Evaluation samples use EvalSDESteps: 300 rows × steps network evaluations.
	p.EvalSDESteps = 7
	c := newTrainer(t, p, DataFree, 1)
	var evals uint64
	c.score.evals = &evals
	if _, err := c.Sample(context.Background(), 300, 1, nil); err != nil || evals != 300*7 {
		t.Fatalf("network evaluations %d, want %d (err %v)", evals, 300*7, err)
	}
	if c.State().NetEvals != 0 {
		t.Fatal("Sample changed the run's counters")
	}
	// An untrained network's samples stay near the prior, std ≈ 50 in x.
	var ss float64
	for _, v := range xa {
		ss += v * v
	}
	if sd := math.Sqrt(ss / float64(len(xa))); sd < 25 || sd > 100 {
		t.Fatalf("sample sd %g, want about 50 (x units)", sd)
	}
}

// TestCosineLR checks the annealed learning rate against its formula
// base·(f + (1 − f)·½(1 + cos(π·s/S))) and that ReduceLROnPlateau scales
// the base.
func TestCosineLR(t *testing.T) {
	p := tinyGMM()
	p.Cosine, p.LRFinal, p.LR = true, 0.01, 1e-3
	tr := newTrainer(t, p, DataFree, 1)
	total := p.Epochs * p.Inner
	for _, tc := range []struct {
		step int
		want float64
	}{{0, 1e-3}, {total / 2, 1e-3 * (0.01 + 0.99*0.5)}, {total, 1e-5}, {2 * total, 1e-5}} {
		tr.st.Step = int64(tc.step)
		if got := tr.stepLR(); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("step %d: lr %g, want %g", tc.step, got, tc.want)
		}
	}
	tr.st.Step, tr.st.BaseLR = 0, 1e-4
	if got := tr.stepLR(); got != 1e-4 {
		t.Errorf("base 1e-4: lr %g", got)
	}
	p.Cosine = false
	tr2 := newTrainer(t, p, DataFree, 1)
	tr2.st.Step = int64(total / 2)
	if got := tr2.stepLR(); got != 1e-3 {
		t.Errorf("no cosine: lr %g", got)
	}
}

// countdownCtx is cancelled at its n-th Err check: a deterministic way to
// interrupt a run at any safe point (inner steps, end-of-epoch sampling,
// validation sampling).
type countdownCtx struct {
	context.Context
	n int
}

func (c *countdownCtx) Err() error {
	c.n--
	if c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestResumeAfterAnyInterrupt interrupts runs at many points, including
// inside the end-of-epoch and validation sampling, and resumes them: the
// final state and the epoch records must equal an uninterrupted run's.
func TestResumeAfterAnyInterrupt(t *testing.T) {
	for _, tc := range resumeCases() {
		t.Run(tc.name, func(t *testing.T) {
			var want []Record
			collect := func(out *[]Record) Hooks {
				return Hooks{Epoch: func(r Record) error { r.WallSeconds = 0; *out = append(*out, r); return nil }}
			}
			ref := newTrainer(t, tc.p, tc.mode, 1)
			if err := ref.Run(context.Background(), collect(&want)); err != nil {
				t.Fatal(err)
			}
			ref.st.Wall = 0
			refBytes, _ := ref.MarshalBinary()
			stride := 7
			if testing.Short() {
				stride = 23
			}
			for k := 3; k < 200; k += stride {
				var got []Record
				a := newTrainer(t, tc.p, tc.mode, 2)
				err := a.Run(&countdownCtx{context.Background(), k}, collect(&got))
				if err == nil {
					continue // the run ended before the k-th check
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("k = %d: %v", k, err)
				}
				ck, _ := a.MarshalBinary()
				b := newTrainer(t, tc.p, tc.mode, 1)
				if err := b.UnmarshalBinary(ck); err != nil {
					t.Fatal(err)
				}
				if err := b.Run(context.Background(), collect(&got)); err != nil {
					t.Fatal(err)
				}
				b.st.Wall = 0
				if bb, _ := b.MarshalBinary(); !slices.Equal(bb, refBytes) {
					t.Fatalf("interrupted at check %d (epoch %d, step %d): final state differs", k, a.st.Epoch, a.st.Inner)
				}
				if len(got) != len(want) {
					t.Fatalf("interrupted at check %d: %d records, want %d", k, len(got), len(want))
				}
				for i := range got {
					gj, _ := json.Marshal(got[i])
					wj, _ := json.Marshal(want[i])
					if string(gj) != string(wj) {
						t.Fatalf("interrupted at check %d: record %d\n got  %+v\n want %+v", k, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// TestSelectPicksBestBy: the best checkpoint follows the preset's Select
// metric, both x_w2 and energy_w1, and nothing else.
func TestSelectPicksBestBy(t *testing.T) {
	flags := map[string][]bool{}
	for _, sel := range []string{preset.SelectXW2, preset.SelectEnergyW1} {
		p := tinyGMM()
		p.Epochs, p.ValEvery, p.Select = 8, 1, sel
		tr := newTrainer(t, p, RefData, 2)
		var recs []Record
		if err := tr.Run(context.Background(), Hooks{Epoch: func(r Record) error { recs = append(recs, r); return nil }}); err != nil {
			t.Fatal(err)
		}
		low, lowEpoch := math.Inf(1), -1
		for _, r := range recs {
			v, ok := r.Val[sel]
			if !ok {
				t.Fatalf("%s: epoch %d has no %s: %v", sel, r.Epoch, sel, r.Val)
			}
			flags[sel] = append(flags[sel], r.Best)
			if want := v < low; r.Best != want {
				t.Fatalf("%s: epoch %d %s = %g, lowest before %g, Best = %v", sel, r.Epoch, sel, v, low, r.Best)
			}
			if v < low {
				low, lowEpoch = v, r.Epoch
			}
		}
		st := tr.State()
		if st.BestMetric != low || st.BestEpoch != lowEpoch {
			t.Fatalf("%s: best %g at %d, want %g at %d", sel, st.BestMetric, st.BestEpoch, low, lowEpoch)
		}
	}
	// The two metrics must rank the epochs differently, or the test could
	// not tell them apart.
	if slices.Equal(flags[preset.SelectXW2], flags[preset.SelectEnergyW1]) {
		t.Fatalf("x_w2 and energy_w1 mark the same epochs best (%v): choose another run", flags[preset.SelectXW2])
	}
}

// TestEvalEta: evaluation samples use EvalEta (η = 1 reproduces the GMM
// preset's bits; a smaller η shrinks the noise of an untrained network's
// samples toward the prior's), and SetEvalEta rejects bad values.
func TestEvalEta(t *testing.T) {
	p := tinyGMM()
	tr := newTrainer(t, p, DataFree, 1)
	ctx := context.Background()
	x0, _ := tr.Sample(ctx, 400, 1, nil)
	if err := tr.SetEvalEta(p.Eta); err != nil {
		t.Fatal(err)
	}
	x1, _ := tr.Sample(ctx, 400, 1, nil)
	if !slices.Equal(x0, x1) {
		t.Fatal("SetEvalEta(preset η) changed the samples")
	}
	_ = tr.SetEvalEta(0.25)
	x2, _ := tr.Sample(ctx, 400, 1, nil)
	sd := func(x []float64) float64 {
		var ss float64
		for _, v := range x {
			ss += v * v
		}
		return math.Sqrt(ss / float64(len(x)))
	}
	// Untrained score ≈ 0: sd² ≈ σ_max²·(1 + η²) in training units.
	if a, b := sd(x0), sd(x2); !(b < 0.85*a) {
		t.Fatalf("sd %g at η = 1, %g at η = 0.25", a, b)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if tr.SetEvalEta(bad) == nil {
			t.Fatalf("SetEvalEta(%g) accepted", bad)
		}
	}
	_ = tr.SetEvalEta(0)
	if x3, _ := tr.Sample(ctx, 400, 1, nil); !slices.Equal(x0, x3) {
		t.Fatal("SetEvalEta(0) did not restore the preset's η")
	}
}

// TestOpenPrecision: a checkpoint opens with another network precision
// (the same parameters, the new precision in the configuration), an
// unknown precision is an error, and Load still refuses a checkpoint of
// another precision.
func TestOpenPrecision(t *testing.T) {
	p := tinyDW4()
	tr := newTrainer(t, p, DataFree, 1)
	if err := tr.Run(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.ckpt")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	bf, err := OpenPrecision(path, nil, 1, "bf16")
	if err != nil {
		t.Fatal(err)
	}
	defer bf.Close()
	if bf.Config().Preset.Precision() != "bf16" || !slices.Equal(bf.Params().Data, tr.Params().Data) {
		t.Fatalf("precision %q, parameters equal %v", bf.Config().Preset.Precision(), slices.Equal(bf.Params().Data, tr.Params().Data))
	}
	if _, err := bf.Sample(context.Background(), 10, 1, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPrecision(path, nil, 1, "fp8"); err == nil {
		t.Fatal("fp8 accepted")
	}
	// bf16x3 samples: the same draws as f32 and bf16 up to the products'
	// rounding, and nearer f32's than bf16's are.
	draw := func(prec string) []float64 { return sampleAs(t, path, prec, 20, 5) }
	x32, x16, x3 := draw("f32"), draw("bf16"), draw("bf16x3")
	dist := func(a, b []float64) float64 {
		s := 0.0
		for i := range a {
			s += (a[i] - b[i]) * (a[i] - b[i])
		}
		return math.Sqrt(s)
	}
	d3, d16 := dist(x3, x32), dist(x16, x32)
	t.Logf("distance to the f32 samples: bf16x3 %.3g, bf16 %.3g", d3, d16)
	if !(d3 > 0 && d3 < d16/4) {
		t.Fatalf("bf16x3 samples %.3g from f32's, bf16 samples %.3g: want 0 < bf16x3 < bf16/4", d3, d16)
	}
	q := tinyDW4()
	q.BF16 = true
	if err := newTrainer(t, q, DataFree, 1).Load(path); err == nil {
		t.Fatal("Load accepted a checkpoint of another precision")
	}
}

// sampleAs opens the checkpoint at path in precision prec, checks that
// it trains and samples in prec, and returns n samples of Sample call call.
func sampleAs(t *testing.T, path, prec string, n int, call uint64) []float64 {
	t.Helper()
	o, err := OpenPrecision(path, nil, 1, prec)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if p := o.Config().Preset; p.Precision() != prec || p.SamplePrecision() != prec {
		t.Fatalf("OpenPrecision(%q) runs in %s and samples in %s", prec, p.Precision(), p.SamplePrecision())
	}
	x, err := o.Sample(context.Background(), n, call, nil)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestSampleBF16: with sample_bf16 the reverse SDE runs with bfloat16
// products and training with float32 ones. The run's samples are exactly
// those of its checkpoint opened in bf16, not those of the checkpoint
// opened in f32; a checkpoint is refused by a run without the setting.
func TestSampleBF16(t *testing.T) {
	p := tinyDW4()
	p.SampleBF16 = true
	tr := newTrainer(t, p, DataFree, 2)
	if err := tr.Run(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.ckpt")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := tr.Sample(ctx, 40, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	draw := func(prec string) []float64 { return sampleAs(t, path, prec, 40, 3) }
	if !slices.Equal(got, draw("bf16")) {
		t.Fatal("the sample_bf16 run's samples differ from its checkpoint's bf16 samples")
	}
	if slices.Equal(got, draw("f32")) {
		t.Fatal("the sample_bf16 run's samples equal the f32 samples")
	}
	// The buffer's samples come from the bf16 sampler, so the trained
	// parameters differ from those of the same run without the setting.
	plain := newTrainer(t, tinyDW4(), DataFree, 2)
	if err := plain.Run(ctx, Hooks{}); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(plain.Params().Data, tr.Params().Data) {
		t.Fatal("sample_bf16 changed nothing in training")
	}
	if err := newTrainer(t, tinyDW4(), DataFree, 1).Load(path); err == nil {
		t.Fatal("a run without sample_bf16 loaded its checkpoint")
	}
}

// TestPrecisionSchedules: a precision schedule (bf16_epochs with f32,
// f32_epochs with bf16) trains its first epochs exactly as a run in the
// lead precision (the same parameters and buffer bits) and its later ones
// in the run's own, so it ends elsewhere than either; its checkpoint
// samples as its last phase does and is refused by a run without the
// schedule.
func TestPrecisionSchedules(t *testing.T) {
	f32, bf := tinyDW4(), tinyDW4()
	bf.BF16 = true
	bf16Sched, f32Sched := f32, bf
	bf16Sched.BF16Epochs, f32Sched.F32Epochs = 2, 2
	for _, c := range []struct {
		name             string
		sched, lead, run preset.Preset
	}{{"bf16_epochs", bf16Sched, bf, f32}, {"f32_epochs", f32Sched, f32, bf}} {
		t.Run(c.name, func(t *testing.T) {
			for _, w := range []int{1, 2} {
				a := newTrainer(t, c.sched, DataFree, w)
				checkpointAfter(t, a, 2, 0)
				b := newTrainer(t, c.lead, DataFree, 3-w)
				checkpointAfter(t, b, 2, 0)
				if !slices.Equal(a.Params().Data, b.Params().Data) || !slices.Equal(a.buf.X, b.buf.X) {
					t.Fatalf("%d workers: after 2 epochs the schedule's parameters or buffer differ from the %s run's", w, c.lead.Precision())
				}
			}
			ctx := context.Background()
			// Before any epoch the samples are epoch 1's: the lead's.
			fresh := func(p preset.Preset) []float64 {
				x, err := newTrainer(t, p, DataFree, 2).Sample(ctx, 20, 5, nil)
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
			if !slices.Equal(fresh(c.sched), fresh(c.lead)) {
				t.Fatalf("an untrained schedule's samples differ from an untrained %s run's", c.lead.Precision())
			}
			final := func(p preset.Preset) *Trainer {
				tr := newTrainer(t, p, DataFree, 2)
				if err := tr.Run(ctx, Hooks{}); err != nil {
					t.Fatal(err)
				}
				return tr
			}
			a, b, r := final(c.sched), final(c.lead), final(c.run)
			if slices.Equal(a.Params().Data, b.Params().Data) || slices.Equal(a.Params().Data, r.Params().Data) {
				t.Fatal("the schedule's last epoch did not change precision")
			}
			path := filepath.Join(t.TempDir(), "s.ckpt")
			if err := a.Save(path); err != nil {
				t.Fatal(err)
			}
			if err := newTrainer(t, c.run, DataFree, 1).Load(path); err == nil {
				t.Fatalf("a run without %s loaded its checkpoint", c.name)
			}
			// Samples after the last epoch are the run precision's.
			got, err := a.Sample(ctx, 40, 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, sampleAs(t, path, c.run.Precision(), 40, 3)) {
				t.Fatalf("samples of the finished schedule differ from its checkpoint's %s samples", c.run.Precision())
			}
		})
	}
}

// TestSetEpochsExtends: a finished run extended with SetEpochs ends in
// exactly the state of a run started with the longer count (it stopped on
// a validation round); a cosine-annealed run and counts below the epochs
// run are refused.
func TestSetEpochsExtends(t *testing.T) {
	p := tinyDW4()
	p.Epochs = 4
	want := finalState(t, newTrainer(t, p, DataFree, 2))
	p.Epochs = p.ValEvery
	short := newTrainer(t, p, DataFree, 2)
	if err := short.Run(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "short.ckpt")
	if err := short.Save(path); err != nil {
		t.Fatal(err)
	}
	tr, err := Open(path, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.SetEpochs(p.ValEvery - 1); err == nil {
		t.Fatal("SetEpochs below the epochs run succeeded")
	}
	if err := tr.SetEpochs(4); err != nil {
		t.Fatal(err)
	}
	if tr.Done() || tr.Config().Preset.Epochs != 4 {
		t.Fatalf("done %v, epochs %d after SetEpochs(4)", tr.Done(), tr.Config().Preset.Epochs)
	}
	if got := finalState(t, tr); !bytes.Equal(got, want) {
		t.Fatal("the extended run differs from a run of 4 epochs")
	}
	g := tinyGMM() // cosine-annealed
	if !g.Cosine {
		t.Fatal("tinyGMM no longer anneals; pick another cosine preset")
	}
	if err := newTrainer(t, g, DataFree, 1).SetEpochs(g.Epochs + 1); err == nil {
		t.Fatal("a cosine run's length changed")
	}
}
