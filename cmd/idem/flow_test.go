package main

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idem-project/idem/engine/npy"
)

func TestFlowCLI(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "d.npy")
	val := filepath.Join(dir, "v.npy")
	test := filepath.Join(dir, "t.npy")
	for p, seed := range map[string]string{data: "1", val: "2", test: "3"} {
		if _, stderr, err := runCmd(t, "reference", "-target", "gmm40", "-method", "exact", "-n", "600", "-seed", seed, "-out", p); err != nil {
			t.Fatalf("reference: %v %s", err, stderr)
		}
	}
	run := filepath.Join(dir, "flow")
	args := []string{"flow", "train", "-quiet", "-target", "gmm40", "-data", data, "-val", val, "-out", run, "-steps", "30", "-val-every", "10", "-val-rows", "50", "-width", "16", "-layers", "1", "-batch", "64"}
	out, stderr, err := runCmd(t, args...)
	if err != nil {
		t.Fatalf("flow train: %v\n%s%s", err, out, stderr)
	}
	log, _ := os.ReadFile(filepath.Join(run, "log.jsonl"))
	if n := strings.Count(string(log), `"type":"val"`); n != 3 || !strings.Contains(string(log), `"type":"config"`) {
		t.Fatalf("log:\n%s", log)
	}
	if _, _, err := runCmd(t, args...); err == nil || exitStatus(err, &strings.Builder{}) != 2 {
		t.Errorf("a second run over the first: %v", err)
	}
	// Resume to more steps.
	more := append(append([]string(nil), args...), "-resume")
	for i, a := range more {
		if a == "-steps" {
			more[i+1] = "40"
		}
	}
	if out, stderr, err := runCmd(t, more...); err != nil || !strings.Contains(out, "40 steps") {
		t.Fatalf("resume: %v\n%s%s", err, out, stderr)
	}
	// A new run started from the first one's best parameters names it in
	// its log; -init with -resume is a usage error.
	run2 := filepath.Join(dir, "flow2")
	initArgs := []string{"flow", "train", "-quiet", "-target", "gmm40", "-data", data, "-val", val, "-out", run2, "-steps", "10", "-val-every", "10", "-val-rows", "50", "-width", "16", "-layers", "1", "-batch", "64", "-lr", "3e-4", "-init", filepath.Join(run, "flow.ckpt")}
	if out, stderr, err := runCmd(t, initArgs...); err != nil {
		t.Fatalf("flow train -init: %v\n%s%s", err, out, stderr)
	}
	if log2, _ := os.ReadFile(filepath.Join(run2, "log.jsonl")); !strings.Contains(string(log2), `"init":"`+filepath.Join(run, "flow.ckpt")+` (seal sha256 `) {
		t.Errorf("the -init run's log does not name its start:\n%s", log2)
	}
	if _, _, err := runCmd(t, append(initArgs, "-resume")...); err == nil || exitStatus(err, &strings.Builder{}) != 2 {
		t.Errorf("-init with -resume: %v", err)
	}
	wide := append([]string(nil), initArgs...)
	wide[len(wide)-9] = "32" // -width
	wide = append(wide, "-force")
	if _, _, err := runCmd(t, wide...); err == nil || !strings.Contains(err.Error(), "another configuration") {
		t.Errorf("-init from another width: %v", err)
	}
	js := filepath.Join(dir, "e.json")
	lq := filepath.Join(dir, "logq.npy")
	out, stderr, err = runCmd(t, "flow", "eval", "-quiet", "-flow", filepath.Join(run, "flow.ckpt"), "-test", test, "-ess-n", "100", "-ess-batches", "2", "-json", js, "-logq", lq)
	if err != nil {
		t.Fatalf("flow eval: %v\n%s%s", err, out, stderr)
	}
	var res flowEval
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.NLL == nil || math.IsNaN(*res.NLL) || res.TestRows != 600 || len(res.ESS) != 2 || res.ESS[0].Name != "ess_cnf@16" ||
		res.ESS[1].Name != "ess_cnf@100" || res.ESS[1].Batches != 2 || !(res.ESS[1].Mean > 0 && res.ESS[1].Mean <= 1) || res.Trace != "exact" {
		t.Fatalf("eval output %s", b)
	}
	// -logq holds the per-row log q whose mean is −nll.
	a, err := npy.ReadFile(lq)
	if err != nil || a.Rows != 600 || a.Cols != 1 {
		t.Fatalf("-logq file: %v %+v", err, a)
	}
	var sum float64
	for _, v := range a.Data {
		sum += v
	}
	if got := -sum / 600; math.Abs(got-*res.NLL) > 1e-5*math.Max(1, math.Abs(got)) {
		t.Errorf("-logq mean %v, nll %v", got, *res.NLL)
	}
	// The flow as the log q source of reweight: its ESS on exact samples is
	// a proper fraction, and mixing -logq with -flow is a usage error.
	out, stderr, err = runCmd(t, "reweight", "-quiet", "-target", "gmm40", "-samples", test, "-flow", filepath.Join(run, "flow.ckpt"))
	if err != nil || !strings.Contains(out, "ess") || !strings.Contains(out, "exact trace") {
		t.Fatalf("reweight -flow: %v\n%s%s", err, out, stderr)
	}
	if _, _, err := runCmd(t, "reweight", "-target", "gmm40", "-samples", test, "-flow", "x.ckpt", "-logq", "y.npy"); exitStatus(err, &strings.Builder{}) != 2 {
		t.Errorf("-flow with -logq: %v", err)
	}
	if _, _, err := runCmd(t, "reweight", "-target", "dw4", "-samples", test, "-flow", filepath.Join(run, "flow.ckpt")); exitStatus(err, &strings.Builder{}) != 2 {
		t.Errorf("a GMM flow for DW-4: %v", err)
	}
	// A test set whose checksum does not match is refused, unless
	// -skip-checksum, which warns.
	bad := filepath.Join(dir, "bad.npy")
	b, _ = os.ReadFile(test)
	os.WriteFile(bad, b, 0o644)
	os.WriteFile(bad+".sha256", []byte(strings.Repeat("0", 64)+"  bad.npy\n"), 0o644)
	evalBad := []string{"flow", "eval", "-quiet", "-flow", filepath.Join(run, "flow.ckpt"), "-test", bad, "-max-rows", "20", "-ess-n", "0"}
	if _, _, err := runCmd(t, evalBad...); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("mismatched checksum: %v", err)
	}
	if _, stderr, err := runCmd(t, append(evalBad, "-skip-checksum")...); err != nil || !strings.Contains(stderr, "idem flow eval: warning: -skip-checksum") {
		t.Errorf("-skip-checksum: %v %q", err, stderr)
	}
	// Hutchinson and the tolerance are labelled.
	out, _, err = runCmd(t, "flow", "eval", "-quiet", "-flow", filepath.Join(run, "flow.ckpt"), "-test", test, "-max-rows", "50", "-ess-n", "0", "-probes", "2", "-tol", "1e-3")
	if err != nil || !strings.Contains(out, "hutchinson-2, tol 0.001") || !strings.Contains(out, "over 50 test rows") {
		t.Fatalf("hutchinson: %v\n%s", err, out)
	}
	// -first-row evaluates a part of the split: with -rows dividing it, its
	// log q are those of the same rows in a run from row 0.
	whole, part := filepath.Join(dir, "whole.npy"), filepath.Join(dir, "part.npy")
	base := []string{"flow", "eval", "-quiet", "-flow", filepath.Join(run, "flow.ckpt"), "-test", test, "-ess-n", "0", "-rows", "40"}
	if out, stderr, err := runCmd(t, append(base, "-max-rows", "120", "-logq", whole)...); err != nil {
		t.Fatalf("whole: %v\n%s%s", err, out, stderr)
	}
	out, stderr, err = runCmd(t, append(base, "-first-row", "80", "-max-rows", "40", "-logq", part)...)
	if err != nil || !strings.Contains(out, "over 40 test rows (80 … 119)") {
		t.Fatalf("-first-row: %v\n%s%s", err, out, stderr)
	}
	w, err1 := npy.ReadFile(whole)
	pt, err2 := npy.ReadFile(part)
	if err := errors.Join(err1, err2); err != nil || w.Rows != 120 || pt.Rows != 40 {
		t.Fatalf("log q files: %v", err)
	}
	for r := 0; r < 40; r++ {
		if pt.Data[r] != w.Data[80+r] {
			t.Fatalf("row %d: log q %v from row 80, %v from row 0", 80+r, pt.Data[r], w.Data[80+r])
		}
	}
	if _, _, err := runCmd(t, append(base, "-first-row", "600")...); exitStatus(err, &strings.Builder{}) != 2 || !strings.Contains(err.Error(), "has 600 rows") {
		t.Errorf("-first-row past the end: %v", err)
	}
	if _, _, err := runCmd(t, "flow", "eval", "-quiet", "-flow", filepath.Join(run, "flow.ckpt"), "-first-row", "5"); exitStatus(err, &strings.Builder{}) != 2 || !strings.Contains(err.Error(), "-first-row needs -test") {
		t.Errorf("-first-row without -test: %v", err)
	}
	// Without validation rows the last parameters are kept, and said so.
	out, stderr, err = runCmd(t, "flow", "train", "-quiet", "-target", "gmm40", "-data", data, "-out", filepath.Join(dir, "noval"), "-steps", "5", "-width", "16", "-layers", "1", "-batch", "64")
	if err != nil || !strings.Contains(out, "no validation rows, so the selected parameters are those of step 5") {
		t.Errorf("flow train without -val: %v\n%s%s", err, out, stderr)
	}
}

func TestFlowErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ckpt")
	os.WriteFile(bad, []byte("IDEMFLOW not really"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"flow"}, 2, ""},
		{[]string{"flow", "bogus"}, 2, ""},
		{[]string{"flow", "train", "-target", "gmm41", "-data", "x.npy"}, 2, "unknown target"},
		{[]string{"flow", "train", "-target", "gmm40", "-data", "x.npy", "-lr", "-1"}, 2, "lr"},
		{[]string{"flow", "train", "-target", "gmm40", "-data", filepath.Join(dir, "missing.npy"), "-out", dir}, 1, "missing.npy"},
		{[]string{"flow", "eval", "-flow", bad}, 1, "corrupt"},
		{[]string{"flow", "eval", "-flow", bad, "-probes", "-3"}, 2, "flow eval: -probes -3 is out of range"},
		{[]string{"flow", "eval", "-flow", bad, "-tol", "0"}, 2, "flow eval: -tol 0 is out of range"},
		{[]string{"flow", "eval", "-flow", bad, "extra"}, 2, "unexpected"},
		{[]string{"flow", "eval", "-flow", bad, "-logq", "q.npy"}, 2, "-logq needs -test"},
	} {
		_, stderr, err := runCmd(t, c.args...)
		var sb strings.Builder
		code := exitStatus(err, &sb)
		if code != c.code || !strings.Contains(sb.String()+stderr, c.msg) {
			t.Errorf("%q: exit %d (%v) %q, want %d with %q", c.args, code, err, sb.String()+stderr, c.code, c.msg)
		}
		if errors.Is(err, os.ErrNotExist) && c.code != 1 {
			t.Errorf("%q: %v", c.args, err)
		}
	}
}
