package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/gmm"
	"github.com/idem-project/idem/engine/npy"
	"github.com/idem-project/idem/engine/weights"
)

// exactGMM writes n exact GMM-40 samples (x units) to dir/name and returns
// the path and the samples.
func exactGMM(t *testing.T, dir, name string, n int, seed uint64) (string, []float64) {
	t.Helper()
	x := make([]float64, 2*n)
	gmm.Sample(x, n, seed)
	path := filepath.Join(dir, name)
	if _, err := npy.WriteFile(path, &npy.Array{Rows: n, Cols: 2, Data: x}, true); err != nil {
		t.Fatal(err)
	}
	// What the file holds: float32 values.
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, a.Data
}

// writeColumn writes v as a float64 .npy of shape (len(v),), as numpy saves
// a 1-D array.
func writeColumn(t *testing.T, path string, v []float64) {
	t.Helper()
	hdr := "{'descr': '<f8', 'fortran_order': False, 'shape': (" + strconv.Itoa(len(v)) + ",), }"
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	_ = binary.Write(&b, binary.LittleEndian, v)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// number returns the float after prefix in out.
func number(t *testing.T, out, prefix string) float64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(prefix) + `(-?[0-9.e+-]+|[-+]?Inf)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output lacks %q:\n%s", prefix, out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%q: %v", m[1], err)
	}
	return v
}

// TestRefineCommand refines a short DW-4 run: the output continues every
// row, is identical for 1 and 2 workers, and the summary counts the budget.
func TestRefineCommand(t *testing.T) {
	dir := t.TempDir()
	in := smallReference(t, dir, "dw4", 40)
	var files [2][]byte
	for i, w := range []string{"1", "2"} {
		out := filepath.Join(dir, "refined"+w+".npy")
		stdout, _, err := runCmd(t, "refine", "-target", "dw4", "-samples", in, "-steps", "25", "-out", out, "-workers", w, "-progress=false")
		if err != nil {
			t.Fatalf("refine: %v\n%s", err, stdout)
		}
		for _, want := range []string{"mala s = 0.25 (drift clipped to 0.25 per particle), 25 steps", "energy E before: mean", "energy E after:  mean",
			"acceptance", "energy evaluations 1040 (1.04e+03): 26 per row (1 at the start + 25 steps)", "wall-clock"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("summary lacks %q:\n%s", want, stdout)
			}
		}
		if acc := number(t, stdout, "acceptance "); acc < 0.2 || acc > 0.9 {
			t.Errorf("acceptance %v", acc)
		}
		a, err := npy.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if a.Rows != 40 || a.Cols != 8 || a.Checksum != atomicfile.Matched {
			t.Fatalf("wrote (%d, %d), checksum status %v", a.Rows, a.Cols, a.Checksum)
		}
		files[i], _ = os.ReadFile(out)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("output differs between 1 and 2 workers")
	}
	orig, _ := npy.ReadFile(in)
	ref, _ := npy.ReadFile(filepath.Join(dir, "refined1.npy"))
	same := 0
	for r := 0; r < 40; r++ {
		if slicesEqual(orig.Data[r*8:(r+1)*8], ref.Data[r*8:(r+1)*8], 1e-6) {
			same++
		}
	}
	if same > 4 {
		t.Errorf("%d of 40 rows unchanged after 25 steps", same)
	}

	// -keep 3 -thin 5 with the random walk: three states per row.
	out := filepath.Join(dir, "kept.npy")
	stdout, _, err := runCmd(t, "refine", "-target", "dw4", "-samples", in, "-steps", "10", "-keep", "3", "-thin", "5", "-method", "rwm",
		"-out", out, "-progress=false")
	if err != nil {
		t.Fatal(err)
	}
	if a, err := npy.ReadFile(out); err != nil || a.Rows != 120 {
		t.Fatalf("-keep 3: %v, rows %d", err, a.Rows)
	}
	if !strings.Contains(stdout, "rwm s = 0.5, 10 steps") || strings.Contains(stdout, "drift") {
		t.Errorf("rwm summary:\n%s", stdout)
	}
}

func slicesEqual(a, b []float64, tol float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// TestRefineKeepsExactSamples: exact GMM-40 samples stay exact under
// refinement — the refined set is within every floor against exact
// samples, and its mean energy is the GMM's entropy.
func TestRefineKeepsExactSamples(t *testing.T) {
	dir := t.TempDir()
	in, _ := exactGMM(t, dir, "exact.npy", 4000, 11)
	out := filepath.Join(dir, "refined.npy")
	stdout, _, err := runCmd(t, "refine", "-target", "gmm40", "-samples", in, "-steps", "40", "-out", out, "-progress=false")
	if err != nil {
		t.Fatal(err)
	}
	// ⟨E⟩ = ⟨−log p⟩ = entropy 6.859 (SPEC §2.1); sd of E is about 1.
	if e := number(t, stdout, "energy E after:  mean "); math.Abs(e-6.859) > 0.1 {
		t.Errorf("refined mean energy %v, want 6.859 ± 0.1", e)
	}
	if acc := number(t, stdout, "acceptance "); acc < 0.4 {
		t.Errorf("acceptance %v", acc)
	}
	rep, _, err := runCmd(t, "eval", "-target", "gmm40", "-samples", out, "-n", "1000", "-batches", "3", "-floor-batches", "5", "-gmm-ref-n", "4000")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep, "within their floors") {
		t.Errorf("refined exact samples above a floor:\n%s", rep)
	}
}

func TestRefineErrors(t *testing.T) {
	dir := t.TempDir()
	in := smallReference(t, dir, "dw4", 12)
	out := filepath.Join(dir, "o.npy")
	lj := filepath.Join(dir, "lj.npy")
	if _, err := npy.WriteFile(lj, &npy.Array{Rows: 3, Cols: 39, Data: make([]float64, 3*39)}, true); err != nil {
		t.Fatal(err)
	}
	base := []string{"refine", "-target", "dw4", "-samples", in, "-steps", "5", "-out", out, "-progress=false"}
	for name, c := range map[string]struct {
		args  []string
		usage bool
		msg   string
	}{
		"step 0":       {[]string{"-step", "0"}, true, "-step 0"},
		"step neg":     {[]string{"-step", "-0.1"}, true, "positive"},
		"step nan":     {[]string{"-step", "NaN"}, true, "positive"},
		"step inf":     {[]string{"-step", "+Inf"}, true, "positive"},
		"clip neg":     {[]string{"-drift-clip", "-2"}, true, "-drift-clip"},
		"clip rwm":     {[]string{"-method", "rwm", "-drift-clip", "0.1"}, true, "mala only"},
		"method":       {[]string{"-method", "hmc"}, true, "unknown method"},
		"keep":         {[]string{"-keep", "3"}, true, "-thin"},
		"keep long":    {[]string{"-keep", "3", "-thin", "5"}, true, "need at least 10 steps"},
		"workers":      {[]string{"-workers", "-1"}, true, "-workers"},
		"target":       {[]string{"-target", "lj0"}, true, "target"},
		"extra":        {[]string{"extra"}, true, "unexpected"},
		"missing file": {[]string{"-samples", filepath.Join(dir, "nope.npy")}, false, "no such file"},
		"shape":        {[]string{"-samples", lj}, false, "needs (rows, 8)"},
		"out suffix":   {[]string{"-out", filepath.Join(dir, "o.txt")}, true, ".npy"},
		"out dir":      {[]string{"-out", filepath.Join(dir, "no", "o.npy")}, true, "cannot write"},
	} {
		_, _, err := runCmd(t, append(append([]string{}, base...), c.args...)...)
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), c.msg) || errors.As(err, &ue) != c.usage {
			t.Errorf("%s: err = %v, want a usage error (%v) mentioning %q", name, err, c.usage, c.msg)
		}
	}
	if _, _, err := runCmd(t, "refine", "-target", "dw4", "-samples", in, "-out", out); !errors.Is(err, errUsage) {
		t.Errorf("no -steps: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left an output file")
	}
}

// gmmLogQ returns log q of the proposal N(0, σ²·I₂).
func gmmLogQ(x, y, sigma float64) float64 {
	return -(x*x+y*y)/(2*sigma*sigma) - math.Log(2*math.Pi*sigma*sigma)
}

// TestReweightExactProposal: with q = p (exact GMM-40 samples and their
// exact log density), every weight is equal: ess = 1 and ELBO = log Z = 0
// (GMM-40 is normalised).
func TestReweightExactProposal(t *testing.T) {
	dir := t.TempDir()
	in, x := exactGMM(t, dir, "exact.npy", 500, 3)
	logq := make([]float64, 500)
	for i := range logq {
		logq[i] = gmm.LogProb(x[2*i], x[2*i+1])
	}
	lq := filepath.Join(dir, "logq.npy")
	writeColumn(t, lq, logq)
	w := filepath.Join(dir, "w.npy")
	out, stderr, err := runCmd(t, "reweight", "-target", "gmm40", "-samples", in, "-logq", lq, "-weights", w, "-batch", "100")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "logq.npy has no checksum file") {
		t.Errorf("no warning for the unchecked log q file:\n%s", stderr)
	}
	for prefix, want := range map[string]float64{"ess@500 = ": 1, "elbo = ": 0, "logz_is = ": 0, "ess@100 = ": 1} {
		if v := number(t, out, prefix); math.Abs(v-want) > 1e-6 {
			t.Errorf("%s%v, want %v\n%s", prefix, v, want, out)
		}
	}
	a, err := npy.ReadFile(w)
	if err != nil || a.Rows != 500 || a.Cols != 1 {
		t.Fatalf("weights file: %v", err)
	}
	for _, v := range a.Data {
		if math.Abs(v-1.0/500) > 1e-8 {
			t.Fatalf("weight %v, want 1/500", v)
		}
	}
}

// TestReweightGaussianProposal reweights a Gaussian proposal N(0, 25²·I₂)
// toward GMM-40: the reported figures match package weights on the same
// log weights, log Z ≈ 0, and the resampled rows have the mixture's mean.
func TestReweightGaussianProposal(t *testing.T) {
	dir := t.TempDir()
	const n, sigma = 100000, 25.0
	rng := rand.New(rand.NewPCG(8, 9))
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = float64(float32(sigma * rng.NormFloat64())) // as stored
	}
	in := filepath.Join(dir, "q.npy")
	if _, err := npy.WriteFile(in, &npy.Array{Rows: n, Cols: 2, Data: x}, true); err != nil {
		t.Fatal(err)
	}
	logq := make([]float64, n)
	logp := make([]float64, n)
	for i := range logq {
		logq[i] = gmmLogQ(x[2*i], x[2*i+1], sigma)
		logp[i] = gmm.LogProb(x[2*i], x[2*i+1])
		if logp[i] < gmm.MaskLogProb {
			logp[i] = math.Inf(-1)
		}
	}
	lq := filepath.Join(dir, "logq.npy")
	if _, err := npy.WriteFile(lq, &npy.Array{Rows: n, Cols: 1, Data: logq}, true); err != nil {
		t.Fatal(err)
	}
	// float32 storage of log q, as the command reads it.
	a, _ := npy.ReadFile(lq)
	lw, _ := weights.LogWeights(logp, a.Data)
	want, err := weights.Summarize(lw)
	if err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "res.npy")
	out, _, err := runCmd(t, "reweight", "-target", "gmm40", "-samples", in, "-logq", lq, "-resample", "4000", "-out", res, "-seed", "5")
	if err != nil {
		t.Fatal(err)
	}
	if v := number(t, out, fmt.Sprintf("ess@%d = ", n)); math.Abs(v-want.ESS) > 1e-5*want.ESS {
		t.Errorf("ess %v, package weights gives %v", v, want.ESS)
	}
	if v := number(t, out, "logz_is = "); math.Abs(v-want.LogZ) > 1e-4 || math.Abs(v) > 0.05 {
		t.Errorf("logz_is %v, want %v and ≈ 0 (GMM-40 is normalised)", v, want.LogZ)
	}
	if v := number(t, out, "elbo = "); !(v < want.LogZ) || math.Abs(v-want.ELBO) > 1e-4 {
		t.Errorf("elbo %v, want %v", v, want.ELBO)
	}
	b, err := npy.ReadFile(res)
	if err != nil || b.Rows != 4000 {
		t.Fatalf("resampled file: %v", err)
	}
	// The mixture's mean is the mean of its 40 component means.
	var mx, my, rx, ry float64
	for i := 0; i < gmm.Components; i++ {
		cx, cy := gmm.Mean(i)
		mx += cx / gmm.Components
		my += cy / gmm.Components
	}
	for i := 0; i < b.Rows; i++ {
		rx += b.Data[2*i] / float64(b.Rows)
		ry += b.Data[2*i+1] / float64(b.Rows)
	}
	// The mixture's sd per axis is about 25; with ESS ≈ want.ESS·n rows
	// behind 4000 draws the standard error is under 0.6.
	if math.Hypot(rx-mx, ry-my) > 2.5 {
		t.Errorf("resampled mean (%.2f, %.2f), mixture mean (%.2f, %.2f)", rx, ry, mx, my)
	}
	t.Logf("ESS %.4g of %d; resampled mean (%.2f, %.2f) vs (%.2f, %.2f)", want.ESS, n, rx, ry, mx, my)
}

func TestReweightErrors(t *testing.T) {
	dir := t.TempDir()
	in, x := exactGMM(t, dir, "s.npy", 50, 1)
	lq := filepath.Join(dir, "lq.npy")
	v := make([]float64, 50)
	for i := range v {
		v[i] = gmm.LogProb(x[2*i], x[2*i+1])
	}
	writeColumn(t, lq, v)
	short := filepath.Join(dir, "short.npy")
	writeColumn(t, short, v[:49])
	nan := filepath.Join(dir, "nan.npy")
	v[7] = math.NaN()
	writeColumn(t, nan, v)
	wide := filepath.Join(dir, "wide.npy")
	if _, err := npy.WriteFile(wide, &npy.Array{Rows: 50, Cols: 2, Data: x}, true); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "o.npy")
	base := []string{"reweight", "-target", "gmm40", "-samples", in}
	for name, c := range map[string]struct {
		args  []string
		usage bool
		msg   string
	}{
		"no logq":     {nil, true, "-logq or -flow is required"},
		"short logq":  {[]string{"-logq", short}, false, "want one value per sample: (50,)"},
		"wide logq":   {[]string{"-logq", wide}, false, "has shape (50, 2)"},
		"nan logq":    {[]string{"-logq", nan}, false, "row 7: log q is NaN"},
		"miss logq":   {[]string{"-logq", filepath.Join(dir, "nope.npy")}, false, "no such file"},
		"no out":      {[]string{"-logq", lq, "-resample", "10"}, true, "needs -out"},
		"no resample": {[]string{"-logq", lq, "-out", out}, true, "needs -resample"},
		"resample":    {[]string{"-logq", lq, "-resample", "-1", "-out", out}, true, "-resample"},
		"batch":       {[]string{"-logq", lq, "-batch", "51"}, true, "exceeds"},
		"suffix":      {[]string{"-logq", lq, "-weights", filepath.Join(dir, "w.txt")}, true, ".npy"},
		"same":        {[]string{"-logq", lq, "-weights", out, "-resample", "3", "-out", out}, true, "same file"},
		"target":      {[]string{"-logq", lq, "-target", "dw4"}, false, "needs (rows, 8)"},
		"extra":       {[]string{"-logq", lq, "x"}, true, "unexpected"},
	} {
		_, _, err := runCmd(t, append(append([]string{}, base...), c.args...)...)
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), c.msg) || errors.As(err, &ue) != c.usage {
			t.Errorf("%s: err = %v, want a usage error (%v) mentioning %q", name, err, c.usage, c.msg)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left an output file")
	}
}

// TestRefineInterrupted: a cancelled context stops a refinement with the
// interruptedError cause and writes nothing.
func TestRefineInterrupted(t *testing.T) {
	dir := t.TempDir()
	in := smallReference(t, dir, "dw4", 8)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(interruptedError{os.Interrupt})
	out := filepath.Join(dir, "o.npy")
	_, _, err := runCmd2(ctx, "refine", "-target", "dw4", "-samples", in, "-steps", "100000", "-out", out, "-progress=false")
	var ie interruptedError
	if !errors.As(err, &ie) {
		t.Errorf("cancelled refine: %v, want interruptedError", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an interrupted refine wrote its output")
	}
}
