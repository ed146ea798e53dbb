package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/metrics"
	"github.com/idem-project/idem/engine/npy"
)

// runCmd runs one command line and returns stdout, stderr and the error.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// smallReference writes a short DW-4 or GMM run to dir and returns its path.
func smallReference(t *testing.T, dir, target string, n int, extra ...string) string {
	t.Helper()
	path := filepath.Join(dir, target+".npy")
	args := append([]string{"reference", "-target", target, "-n", itoa(n), "-steps", "200", "-warm-steps", "50",
		"-out", path, "-progress=false", "-seed", "3"}, extra...)
	out, stderr, err := runCmd(t, args...)
	if err != nil {
		t.Fatalf("reference: %v\n%s%s", err, out, stderr)
	}
	return path
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestReferenceWritesCentredSet(t *testing.T) {
	dir := t.TempDir()
	path := smallReference(t, dir, "dw4", 40, "-workers", "2")
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Rows != 40 || a.Cols != 8 {
		t.Fatalf("shape (%d, %d), want (40, 8)", a.Rows, a.Cols)
	}
	for r := 0; r < a.Rows; r++ {
		for k := 0; k < 2; k++ {
			s := 0.0
			for i := 0; i < 4; i++ {
				s += a.Data[r*8+2*i+k]
			}
			if math.Abs(s) > 1e-5 {
				t.Fatalf("row %d not centred (Σ = %v)", r, s)
			}
		}
	}
	sum, err := os.ReadFile(path + ".sha256")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(sum), a.SHA256) {
		t.Errorf("checksum file %q does not match %s", sum, a.SHA256)
	}
	// Atomic output: nothing but the file and its checksum is left behind.
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only dw4.npy and its .sha256", names)
	}
}

func TestReferenceSummaryAndWorkers(t *testing.T) {
	dir := t.TempDir()
	var files [2][]byte
	for i, w := range []string{"1", "2"} {
		path := filepath.Join(dir, "lj"+w+".npy")
		out, _, err := runCmd(t, "reference", "-target", "lj13", "-n", "10", "-steps", "30", "-warm-steps", "10",
			"-out", path, "-progress=false", "-workers", w, "-keep", "2", "-thin", "5", "-trace", "4")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"energy E: mean", "production acceptance", "energy evaluations", "virial", "(N−1)·D = 36", "wall-clock", "warm-up β = 1.00", "chains 5"} {
			if !strings.Contains(out, want) {
				t.Errorf("summary lacks %q:\n%s", want, out)
			}
		}
		if files[i], err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("output differs between 1 and 2 workers")
	}
}

func TestReferenceImportance(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dw4-is.npy")
	out, _, err := runCmd(t, "reference", "-target", "dw4", "-method", "is", "-proposals", "200000", "-n", "50",
		"-progress=false", "-out", path)
	if err != nil {
		t.Fatalf("reference -method is: %v\n%s", err, out)
	}
	for _, want := range []string{"method is (box ±7.5, 200000 proposals)", "importance weights: ESS", "ESS < 10·n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Rows != 50 || a.Cols != 8 {
		t.Fatalf("wrote %d × %d, want 50 × 8", a.Rows, a.Cols)
	}
}

func TestReferenceGMM(t *testing.T) {
	dir := t.TempDir()
	path := smallReference(t, dir, "gmm40", 200)
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Rows != 200 || a.Cols != 2 {
		t.Fatalf("shape (%d, %d)", a.Rows, a.Cols)
	}
	for i := 0; i < a.Rows; i++ {
		if lp := gmm.LogProb(a.Data[2*i], a.Data[2*i+1]); lp < -30 {
			t.Fatalf("sample %d at (%v, %v) has log p = %v", i, a.Data[2*i], a.Data[2*i+1], lp)
		}
	}
}

func TestReferenceErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.npy")
	for name, args := range map[string][]string{
		"target":  {"-target", "lj", "-out", out},
		"target0": {"-target", "dw1", "-out", out},
		"method":  {"-target", "dw4", "-out", out, "-method", "hmc"},
		"nodir":   {"-target", "dw4", "-out", filepath.Join(dir, "missing", "x.npy")},
		"suffix":  {"-target", "dw4", "-out", filepath.Join(dir, "x.txt")},
		"keep":    {"-target", "dw4", "-out", out, "-keep", "3"},
		"chains":  {"-target", "dw4", "-out", out, "-chains", "2", "-n", "10"},
		"args":    {"-target", "dw4", "-out", out, "extra"},
		"isflag":  {"-target", "dw4", "-out", out, "-method", "is", "-steps", "10"},
		"boxflag": {"-target", "dw4", "-out", out, "-box", "5"},
	} {
		_, _, err := runCmd(t, append([]string{"reference", "-progress=false"}, args...)...)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, _, err := runCmd(t, "reference"); !errors.Is(err, errUsage) {
		t.Errorf("no flags: err = %v, want usage", err)
	}
	if _, _, err := runCmd(t, "frobnicate"); !errors.Is(err, errUsage) {
		t.Errorf("unknown command: err = %v", err)
	}
	if _, _, err := runCmd(t); !errors.Is(err, errUsage) {
		t.Errorf("no command: err = %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left an output file")
	}
}

// writeInt64NPY writes a little-endian int64 .npy file (a dtype idem does
// not accept).
func writeInt64NPY(t *testing.T, path string, rows, cols int) {
	t.Helper()
	hdr := "{'descr': '<i8', 'fortran_order': False, 'shape': (" + itoa(rows) + ", " + itoa(cols) + "), }"
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	_ = binary.Write(&b, binary.LittleEndian, make([]int64, rows*cols))
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	ref := smallReference(t, dir, "dw4", 120)
	gen := filepath.Join(dir, "gen.npy")
	if _, _, err := runCmd(t, "reference", "-target", "dw4", "-n", "60", "-steps", "200", "-warm-steps", "50",
		"-out", gen, "-progress=false", "-seed", "4"); err != nil {
		t.Fatal(err)
	}
	plots := filepath.Join(dir, "plots")
	out, stderr, err := runCmd(t, "eval", "-target", "dw4", "-samples", gen, "-ref", ref, "-n", "30", "-batches", "2",
		"-floor-batches", "3", "-seed", "5", "-plots", plots)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr)
	}
	for _, m := range metrics.DefaultMetrics(2) {
		if !strings.Contains(out, "| "+m+" |") {
			t.Errorf("report lacks %s:\n%s", m, out)
		}
	}
	for _, want := range []string{"samples sha256", "reference sha256", "seeds: 5", "n per side: 30", "floors on rotation-randomised batches: true"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"dw4_energy.png", "dw4_distance.png"} {
		if st, err := os.Stat(filepath.Join(plots, f)); err != nil || st.Size() == 0 {
			t.Errorf("plot %s: %v", f, err)
		}
	}

	// JSON output parses and carries every metric with a floor.
	js, _, err := runCmd(t, "eval", "-target", "dw4", "-samples", gen, "-ref", ref, "-n", "30", "-batches", "1",
		"-floor-batches", "2", "-protocol", "p-blog", "-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		WithinFloor map[string]bool `json:"within_floor"`
		Report      metrics.Report  `json:"report"`
	}
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		t.Fatalf("JSON: %v\n%s", err, js)
	}
	want, _ := metrics.ProtocolMetrics(metrics.ProtocolBlog, 2)
	if len(o.Report.Entries) != len(want) || len(o.WithinFloor) != len(want) {
		t.Errorf("JSON has %d entries / %d verdicts, want %d", len(o.Report.Entries), len(o.WithinFloor), len(want))
	}

	// Error paths: wrong shape (another target's file), wrong dtype,
	// missing files, missing -ref, too few reference rows.
	lj := filepath.Join(dir, "lj.npy")
	if _, err := npy.WriteFile(lj, &npy.Array{Rows: 5, Cols: 39, Data: make([]float64, 5*39)}, false); err != nil {
		t.Fatal(err)
	}
	ints := filepath.Join(dir, "ints.npy")
	writeInt64NPY(t, ints, 40, 8)
	for name, c := range map[string]struct {
		args []string
		msg  string
	}{
		"shape":     {[]string{"-target", "dw4", "-samples", lj, "-ref", ref}, "needs (rows, 8)"},
		"refshape":  {[]string{"-target", "dw4", "-samples", gen, "-ref", lj}, "has shape (5, 39)"},
		"dtype":     {[]string{"-target", "dw4", "-samples", ints, "-ref", ref}, "dtype"},
		"missing":   {[]string{"-target", "dw4", "-samples", filepath.Join(dir, "nope.npy"), "-ref", ref}, "no such file"},
		"refmiss":   {[]string{"-target", "dw4", "-samples", gen, "-ref", filepath.Join(dir, "nope.npy")}, "no such file"},
		"noref":     {[]string{"-target", "lj13", "-samples", lj}, "-ref is required"},
		"fewrows":   {[]string{"-target", "dw4", "-samples", gen, "-ref", ref, "-n", "100"}, "fewer than -n"},
		"fewref":    {[]string{"-target", "dw4", "-samples", ref, "-ref", gen, "-n", "40"}, "floors need"},
		"protocol":  {[]string{"-target", "dw4", "-samples", gen, "-ref", ref, "-protocol", "p-x"}, "protocol"},
		"format":    {[]string{"-target", "dw4", "-samples", gen, "-ref", ref, "-format", "xml"}, "format"},
		"badtarget": {[]string{"-target", "foo", "-samples", gen, "-ref", ref}, "unknown target"},
	} {
		_, _, err := runCmd(t, append([]string{"eval"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want one mentioning %q", name, err, c.msg)
		}
	}
}

func TestEvalGMMExact(t *testing.T) {
	dir := t.TempDir()
	x := make([]float64, 2*400)
	gmm.Sample(x, 400, 99)
	path := filepath.Join(dir, "exact.npy")
	if _, err := npy.WriteFile(path, &npy.Array{Rows: 400, Cols: 2, Data: x}, true); err != nil {
		t.Fatal(err)
	}
	plots := filepath.Join(dir, "plots")
	out, _, err := runCmd(t, "eval", "-target", "gmm40", "-samples", path, "-n", "200", "-batches", "2", "-floor-batches", "4",
		"-gmm-ref-n", "1000", "-plots", plots)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "exact GMM-40 samples") || !strings.Contains(out, "| x_w2 |") || !strings.Contains(out, "| energy_w2 |") {
		t.Errorf("report:\n%s", out)
	}
	if strings.Contains(out, "dist_") {
		t.Errorf("GMM report has distance metrics:\n%s", out)
	}
	if !strings.Contains(out, "within their floors") {
		t.Errorf("exact samples not within the floors:\n%s", out)
	}
	for _, f := range []string{"gmm40_energy.png", "gmm40_scatter.png"} {
		if _, err := os.Stat(filepath.Join(plots, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestEvalShipped runs the LJ-13 bar check at reduced size: the shipped
// validation split against the test split must sit within every floor.
func TestEvalShipped(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := filepath.Join("..", "..", "..", "shared", "data")
	val, test := filepath.Join(dir, "val_split_LJ13-1000.npy"), filepath.Join(dir, "test_split_LJ13-1000.npy")
	if _, err := os.Stat(test); err != nil {
		t.Skip("shipped data absent")
	}
	out, _, err := runCmd(t, "eval", "-target", "lj13", "-samples", val, "-ref", test, "-n", "200", "-batches", "2",
		"-floor-batches", "3", "-protocol", "p-dem")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "c5064a56282e96441f1ff2f1babb13c241a99cd1077aee3667951d06055a785b") {
		t.Errorf("report lacks the test split's checksum:\n%s", out)
	}
	if !strings.Contains(out, "within their floors") {
		t.Errorf("val vs test above a floor:\n%s", out)
	}
}

func TestExitStatus(t *testing.T) {
	cases := []struct {
		err  error
		code int
		msg  string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{errUsage, 2, ""},
		{usagef("reference: -n 0 is out of range"), 2, "idem: reference: -n 0 is out of range\n"},
		{fmt.Errorf("wrapped: %w", interruptedError{os.Interrupt}), 130, "idem: wrapped: interrupted by interrupt\n"},
		{interruptedError{syscall.SIGTERM}, 143, "idem: interrupted by terminated\n"},
		{errors.New("boom"), 1, "idem: boom\n"},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if code := exitStatus(c.err, &b); code != c.code || b.String() != c.msg {
			t.Errorf("exitStatus(%v) = %d, %q; want %d, %q", c.err, code, b.String(), c.code, c.msg)
		}
	}
	// A cancelled context stops a command with the interruptedError cause.
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(interruptedError{os.Interrupt})
	_, _, err := runCmd2(ctx, "reference", "-target", "dw4", "-n", "20", "-out", filepath.Join(t.TempDir(), "x.npy"), "-progress=false")
	var ie interruptedError
	if !errors.As(err, &ie) {
		t.Errorf("cancelled reference: %v, want interruptedError", err)
	}
}

func runCmd2(ctx context.Context, args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := run(ctx, args, &out, &errb)
	return out.String(), errb.String(), err
}

// TestProgressLines: away from a terminal the progress bar prints plain
// lines, throttled, and its last state on finish.
func TestProgressLines(t *testing.T) {
	var buf strings.Builder
	b := newBar(&buf, 10, "work", "steps")
	if b.pb != nil {
		t.Fatal("a bar on a strings.Builder is in terminal mode")
	}
	b.Set(2) // within lineEvery of the start: no line
	if buf.Len() != 0 {
		t.Fatalf("a line before lineEvery passed: %q", buf.String())
	}
	b.lineEvery = 0
	b.Set(3)
	b.Describe("work (loss 1.5)")
	b.lineEvery = time.Hour
	b.Set(9)
	b.finish()
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if strings.Contains(buf.String(), "\r") || len(got) != 3 {
		t.Fatalf("lines %q", buf.String())
	}
	for i, want := range []string{"work: 3/10 steps (30%)", "work (loss 1.5): 3/10 steps (30%)", "work (loss 1.5): 9/10 steps (90%)"} {
		if !strings.HasPrefix(got[i], want) || !strings.Contains(got[i], "elapsed") || !strings.HasSuffix(got[i], "left") {
			t.Errorf("line %d = %q, want prefix %q", i, got[i], want)
		}
	}
	// A resumed run's remaining time comes from the steps run since it
	// resumed: 6 steps in 6 s leave 2 s for the last 2, not 0.4 s.
	buf.Reset()
	r := newBar(&buf, 20, "resumed", "steps")
	r.Resume(12)
	r.start = r.start.Add(-6 * time.Second)
	r.Set(18)
	r.finish()
	if !strings.HasSuffix(strings.TrimSpace(buf.String()), "6s elapsed, 2s left") {
		t.Errorf("resumed bar: %q", buf.String())
	}
}
