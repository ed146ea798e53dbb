package main

import (
	"errors"
	"github.com/idem-project/idem/engine/preset"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idem-project/idem/engine/npy"
	"github.com/idem-project/idem/engine/train"
)

// tinySet shrinks the GMM-40 quick preset so that an epoch takes
// milliseconds.
const tinySet = "k=32,batch=64,inner=5,new_per_epoch=64,sde_steps=10,eval_sde_steps=10,init_sde_steps=10,eval_batch=64,width=16,layers=1,init_fill=100,buffer_min=100,buffer_cap=500,val_every=2"

// TestMain lets a test run the command in a child process: with
// IDEM_TEST_MAIN set, the test binary is the idem command.
func TestMain(m *testing.M) {
	if os.Getenv("IDEM_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestTrainSampleCLI(t *testing.T) {
	dir := t.TempDir()
	out, stderr, err := runCmd(t, "train", "-quiet", "-target", "gmm40", "-epochs", "4", "-set", tinySet, "-out", dir, "-seed", "5")
	if err != nil {
		t.Fatalf("train: %v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(out, "training target: S_K mixed with its denoising form, mix_sigma 0.04, clipped at norm 70; t: U[0, 1)\n") {
		t.Fatalf("header does not name the training target:\n%s", out)
	}
	for _, f := range []string{"last.ckpt", "best.ckpt", "log.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	lines := strings.Split(strings.TrimSpace(string(log)), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], `"type":"config"`) || !strings.Contains(lines[0], `"seed":5`) ||
		!strings.Contains(lines[4], `"epoch":4`) || !strings.Contains(lines[4], `"x_w2"`) || !strings.Contains(lines[1], `"energy_evals"`) {
		t.Fatalf("log:\n%s", log)
	}
	samples := filepath.Join(dir, "s.npy")
	if out, stderr, err := runCmd(t, "sample", "-quiet", "-ckpt", filepath.Join(dir, "last.ckpt"), "-n", "70", "-out", samples); err != nil {
		t.Fatalf("sample: %v\n%s%s", err, out, stderr)
	}
	a, err := npy.ReadFile(samples)
	if err != nil || a.Rows != 70 || a.Cols != 2 {
		t.Fatalf("samples: %v %+v", err, a)
	}
	if sum, err := os.ReadFile(samples + ".sha256"); err != nil || !strings.HasPrefix(string(sum), a.SHA256) {
		t.Fatalf("checksum sidecar: %q, file %s", sum, a.SHA256)
	}
	// Same checkpoint and call: the same bits with another worker count.
	again := filepath.Join(dir, "t.npy")
	if _, _, err := runCmd(t, "sample", "-quiet", "-ckpt", filepath.Join(dir, "last.ckpt"), "-n", "70", "-out", again, "-workers", "1"); err != nil {
		t.Fatal(err)
	}
	if b, _ := npy.ReadFile(again); b.SHA256 != a.SHA256 {
		t.Fatal("sampling is not reproducible across worker counts")
	}
	// -mc-below: diagnostic samples from the estimator below t = 0.5, named
	// on stderr; -mc-below 0 gives the network's samples.
	diag := filepath.Join(dir, "d.npy")
	_, se, err := runCmd(t, "sample", "-quiet", "-ckpt", filepath.Join(dir, "last.ckpt"), "-n", "70", "-out", diag, "-mc-below", "0.5", "-mc-k", "16", "-mc-clip", "+Inf")
	if err != nil || !strings.Contains(se, "t ≤ 0.5") {
		t.Fatalf("-mc-below: %v\n%s", err, se)
	}
	if b, _ := npy.ReadFile(diag); b == nil || b.SHA256 == a.SHA256 {
		t.Fatal("-mc-below 0.5 gave the network's samples")
	}
	if _, _, err := runCmd(t, "sample", "-quiet", "-ckpt", filepath.Join(dir, "last.ckpt"), "-n", "70", "-out", diag, "-mc-below", "0"); err != nil {
		t.Fatal(err)
	}
	if b, _ := npy.ReadFile(diag); b == nil || b.SHA256 != a.SHA256 {
		t.Fatal("-mc-below 0 changed the samples")
	}
	// Errors: a corrupt checkpoint, bad flags.
	bad := filepath.Join(dir, "bad.ckpt")
	raw, _ := os.ReadFile(filepath.Join(dir, "last.ckpt"))
	raw[len(raw)/3] ^= 0x40
	_ = os.WriteFile(bad, raw, 0o644)
	if _, _, err := runCmd(t, "sample", "-ckpt", bad, "-n", "5", "-out", filepath.Join(dir, "u.npy")); err == nil || !errors.Is(err, train.ErrCorruptCheckpoint) {
		t.Fatalf("corrupt checkpoint: %v", err)
	}
	if _, _, err := runCmd(t, "train", "-resume", bad, "-out", dir); err == nil {
		t.Fatal("resume from a corrupt checkpoint succeeded")
	}
	for _, args := range [][]string{
		{"train", "-set", "lr=nan"}, {"train", "-set", "nosuch=1"}, {"train", "-preset", "fast"},
		{"train", "-variant", "x"}, {"train", "-epochs", "-1"}, {"train", "extra"},
		{"sample", "-ckpt", bad, "-n", "0", "-out", "x.npy"}, {"sample", "-n", "5"},
		{"sample", "-ckpt", filepath.Join(dir, "last.ckpt"), "-n", "5", "-out", diag, "-mc-k", "10"},
		{"sample", "-ckpt", filepath.Join(dir, "last.ckpt"), "-n", "5", "-out", diag, "-mc-below", "2"},
	} {
		if _, _, err := runCmd(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestTrainSIGINTLeavesCheckpoint sends SIGINT to a training child
// process: it must exit with status 130 and leave a checkpoint that loads,
// and no temporary file.
func TestTrainSIGINTLeavesCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a training process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "train", "-quiet", "-target", "gmm40", "-epochs", "100000", "-set", tinySet, "-out", dir, "-mode", "data-free")
	cmd.Env = append(os.Environ(), "IDEM_TEST_MAIN=1")
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "last.ckpt")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no checkpoint after 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want status 130\n%s", err, errb.String())
	}
	tr, err := train.Open(filepath.Join(dir, "last.ckpt"), nil, 1)
	if err != nil {
		t.Fatalf("checkpoint after SIGINT: %v\n%s", err, errb.String())
	}
	defer tr.Close()
	if tr.State().Epoch < 1 {
		t.Fatalf("checkpoint at epoch %d", tr.State().Epoch)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "tmp") {
			t.Fatalf("temporary file %s left behind", e.Name())
		}
	}
	if !strings.Contains(errb.String(), "resume with -resume") {
		t.Fatalf("stderr: %s", errb.String())
	}
}

// TestTrainRefusesToOverwrite: a fresh run in a directory with an earlier
// run's checkpoints is a usage error unless -force.
func TestTrainRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	args := []string{"train", "-quiet", "-target", "gmm40", "-epochs", "1", "-set", tinySet, "-out", dir, "-mode", "data-free"}
	if _, _, err := runCmd(t, args...); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "last.ckpt"))
	_, _, err := runCmd(t, args...)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("second run: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "last.ckpt")); string(after) != string(before) {
		t.Fatal("the refused run changed the checkpoint")
	}
	if _, _, err := runCmd(t, append(args, "-force", "-seed", "9")...); err != nil {
		t.Fatal(err)
	}
}

// TestTrainResumeCLI: -resume continues in the checkpoint's directory, and
// refuses another validation set.
func TestTrainResumeCLI(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCmd(t, "train", "-quiet", "-target", "gmm40", "-epochs", "2", "-set", tinySet, "-out", dir); err != nil {
		t.Fatal(err)
	}
	last := filepath.Join(dir, "last.ckpt")
	other := filepath.Join(dir, "other.npy")
	x := make([]float64, 2*500)
	for i := range x {
		x[i] = float64(i%50) - 25
	}
	if _, err := npy.WriteFile(other, &npy.Array{Rows: 500, Cols: 2, Data: x}, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, "train", "-quiet", "-resume", last, "-val", other); err == nil || !strings.Contains(err.Error(), "validated against") {
		t.Fatalf("resume with another validation set: %v", err)
	}
	// A finished run resumes to a no-op in its own directory.
	out, stderr, err := runCmd(t, "train", "-quiet", "-resume", last)
	if err != nil || !strings.Contains(out, "resumed") {
		t.Fatalf("resume: %v\n%s%s", err, out, stderr)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log.jsonl"))
	if !strings.Contains(string(log), `"type":"resume"`) {
		t.Fatalf("the resume was not logged in the run directory:\n%s", log)
	}
	// -epochs extends a finished run unless its learning rate is annealed
	// over the run (the GMM-40 quick preset's is).
	if _, _, err := runCmd(t, "train", "-quiet", "-resume", last, "-epochs", "4"); err == nil || !strings.Contains(err.Error(), "anneals") {
		t.Fatalf("extending a cosine run: %v", err)
	}
	flat := t.TempDir()
	if _, _, err := runCmd(t, "train", "-quiet", "-target", "gmm40", "-epochs", "2", "-set", tinySet+",cosine=false", "-out", flat); err != nil {
		t.Fatal(err)
	}
	out, stderr, err = runCmd(t, "train", "-quiet", "-resume", filepath.Join(flat, "last.ckpt"), "-epochs", "4")
	if err != nil || !strings.Contains(out, "done: 4 epochs") {
		t.Fatalf("extending to 4 epochs: %v\n%s%s", err, out, stderr)
	}
	log, _ = os.ReadFile(filepath.Join(flat, "log.jsonl"))
	if !strings.Contains(string(log), `"epochs":4,"from"`) || strings.Count(string(log), `"type":"epoch"`) != 4 {
		t.Fatalf("log of the extended run:\n%s", log)
	}
}

// TestDemoCLI runs the demo at a tiny scale: it must print the table beside
// the paper's row and write the samples, their checksum and the plots.
func TestDemoCLI(t *testing.T) {
	dir := t.TempDir()
	out, stderr, err := runCmd(t, "demo", "-quiet", "-epochs", "2", "-set", tinySet, "-n", "60", "-batches", "2", "-out", dir)
	if err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{"| x_w2 |", "7.42 ± 3.44", "| energy_w1 |", "floor"} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"samples.npy", "samples.npy.sha256", "samples.png", "curve.png", "curve.csv", "best.ckpt"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// A second demo in the same directory starts over.
	if _, _, err := runCmd(t, "demo", "-quiet", "-epochs", "2", "-set", tinySet, "-n", "60", "-batches", "2", "-out", dir); err != nil {
		t.Fatal(err)
	}
}

// TestOverrideOmittedFields: -set reaches the preset fields that the JSON
// leaves out while they are zero (k_high, t_high, t_focus_*, clip_t_low, clip_m_low).
func TestOverrideOmittedFields(t *testing.T) {
	p, err := preset.Quick("gmm40")
	if err != nil {
		t.Fatal(err)
	}
	q, err := overridePreset(p, "k_high=300,t_high=0.75,k=40,t_focus_lo=0.8,t_focus_hi=0.95,t_focus_frac=0.5,clip_t_low=0.3,clip_m_low=100")
	if err != nil {
		t.Fatal(err)
	}
	if q.KHigh != 300 || q.THigh != 0.75 || q.K != 40 || q.TFocusLo != 0.8 || q.TFocusHi != 0.95 || q.TFocusFrac != 0.5 || q.ClipTLow != 0.3 || q.MLow != 100 {
		t.Fatalf("k_high %d, t_high %g, k %d, t_focus %g–%g share %g; want 300, 0.75, 40, 0.8–0.95 share 0.5", q.KHigh, q.THigh, q.K, q.TFocusLo, q.TFocusHi, q.TFocusFrac)
	}
	if _, err := overridePreset(p, "k_hi=3"); err == nil {
		t.Fatal("-set k_hi accepted")
	}
}

// TestTrainPrecisionFlag: -precision sets the preset's arithmetic (also
// reachable as -set bf16=true), and names that do not fit the target's
// network are refused with the reason.
func TestTrainPrecisionFlag(t *testing.T) {
	o := trainOptions{presetName: "quick", target: "dw4", variant: "idem", mode: "data-free", precision: "bf16"}
	cfg, err := o.config()
	if err != nil || cfg.Preset.Precision() != "bf16" {
		t.Fatalf("-precision bf16: %v, precision %q", err, cfg.Preset.Precision())
	}
	o.precision = "bf16x3"
	if cfg, err = o.config(); err != nil || cfg.Preset.Precision() != "bf16x3" {
		t.Fatalf("-precision bf16x3: %v, precision %q", err, cfg.Preset.Precision())
	}
	o.precision, o.set = "", "bf16=true"
	if cfg, err = o.config(); err != nil || !cfg.Preset.BF16 {
		t.Fatalf("-set bf16=true: %v, bf16 %v", err, cfg.Preset.BF16)
	}
	for _, c := range []struct{ target, prec, want string }{
		{"dw4", "fp8", "unknown precision"},
		{"gmm40", "bf16", "needs the EGNN"},
		{"gmm40", "bf16x3", "needs the EGNN"},
	} {
		o := trainOptions{presetName: "quick", target: c.target, variant: "idem", mode: "data-free", precision: c.prec}
		if _, err := o.config(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s -precision %s: error %v, want it to say %q", c.target, c.prec, err, c.want)
		}
	}
}
