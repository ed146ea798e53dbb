package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idem-project/idem/engine/mcscore"
)

// TestNoiseCommand: the table has one variance row per K and a signal row,
// -json gives the points in K-major order with the variance falling with K
// on GMM-40 at a large t, and bad command lines are errors.
func TestNoiseCommand(t *testing.T) {
	out, _, err := runCmd(t, "noise", "-target", "gmm40", "-n", "64", "-k", "10,1000", "-t", "0.5,0.9")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| variance, K = 10 |", "| variance, K = 1000 |", "| signal ‖S‖²/d, K = 1000 |", "0.9 (0.316)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("table lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCmd(t, "noise", "-target", "gmm40", "-n", "64", "-k", "10,1000", "-t", "0.5,0.9", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var pts []mcscore.NoisePoint
	if err := json.Unmarshal([]byte(out), &pts); err != nil {
		t.Fatal(err)
	}
	if len(pts) != 4 || pts[1].K != 10 || pts[1].T != 0.9 || pts[3].K != 1000 || !(pts[3].Variance < pts[1].Variance/10) {
		t.Fatalf("points %+v", pts)
	}
	dir := t.TempDir()
	ref := smallReference(t, dir, "dw4", 40)
	if _, _, err := runCmd(t, "noise", "-target", "dw4", "-ref", ref, "-n", "40", "-k", "20", "-t", "0.8"); err != nil {
		t.Fatalf("dw4 with a reference: %v", err)
	}
	// -set mix_sigma: the mixed estimator, named in the header, is far less
	// noisy at large t.
	points := func(extra ...string) []mcscore.NoisePoint {
		args := append([]string{"noise", "-target", "dw4", "-ref", ref, "-n", "40", "-k", "100", "-t", "0.9", "-json"}, extra...)
		out, _, err := runCmd(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		var pts []mcscore.NoisePoint
		if err := json.Unmarshal([]byte(out), &pts); err != nil {
			t.Fatal(err)
		}
		return pts
	}
	mixed, plain := points("-set", "mix_sigma=0.2"), points()
	if len(mixed) != 1 || len(plain) != 1 || !(mixed[0].Variance < plain[0].Variance/5) {
		t.Fatalf("mix_sigma=0.2: %+v, force form: %+v", mixed, plain)
	}
	if out, _, err = runCmd(t, "noise", "-target", "dw4", "-ref", ref, "-n", "40", "-k", "20", "-t", "0.8", "-set", "mix_sigma=0.2"); err != nil || !strings.Contains(out, "mix_sigma 0.2") {
		t.Fatalf("header lacks the mixture (%v):\n%s", err, out)
	}
	for _, args := range [][]string{
		{"noise"}, {"noise", "-target", "lj13"}, {"noise", "-target", "dw4", "-ref", ref, "-set", "mix_sigma=-1"}, {"noise", "-target", "gmm40", "-t", "1.5"},
		{"noise", "-target", "gmm40", "-k", "0"}, {"noise", "-target", "gmm40", "-k", "x"},
		{"noise", "-target", "dw4", "-ref", ref, "-n", "41"}, {"noise", "-target", "lj13", "-ref", ref},
		{"noise", "-target", "gmm40", "-ref", filepath.Join(dir, "missing.npy")},
	} {
		if _, _, err := runCmd(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
