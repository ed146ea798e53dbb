package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCurves(t *testing.T) {
	dir := t.TempDir()
	head := "epoch,wall_s,energy_evals,net_evals,lr,val_loss,x_w2,energy_w1,energy_w2,dist_w2\n"
	runA := filepath.Join(dir, "runA")
	os.Mkdir(runA, 0o755)
	os.WriteFile(filepath.Join(runA, "curve.csv"), []byte(head+
		"5,300,1,1,0.001,2,4.5,2000,1,0.1\n"+
		"10,600,1,1,0.001,2,4.4,8.5,1,0.1\n"+
		"15,900,1,1,0.001,2,4.3,1.5,1,0.1\n"+
		"20,1200,1,1,0.001,2,4.3,1.2,1,0.1\n"+
		"25,1500,1,1,0.001,2,4.3,+Inf,1,0.1\n"), 0o644)
	b := filepath.Join(dir, "b.csv")
	os.WriteFile(b, []byte(head+
		"5,120,1,1,0.001,2,4.5,9,1,0.1\n"+
		"10,240,1,1,0.001,2,4.4,6,1,0.1\n"), 0o644)
	png := filepath.Join(dir, "cmp.png")
	out, stderr, err := runCmd(t, "curves", "-below", "5.2", "-ymax", "100", "-out", png, runA, "bee="+b)
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{
		"| runA | 4 (+1 non-finite) | 1.2 | 20 | 20.0 | 25.0 | 15, 15.0 |",
		"| bee | 2 | 6 | 10 | 4.0 | 4.0 | never |",
		"wrote " + png,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("figure: %v", err)
	}
	if y, n := clipAbove([]float64{2000, 8.5, 100, 101}, 100); n != 2 || y[0] != 100 || y[1] != 8.5 || y[2] != 100 || y[3] != 100 {
		t.Errorf("clipAbove: %v, %d", y, n)
	}
	// x_w2 from the same files; no -below column.
	out, _, err = runCmd(t, "curves", "-metric", "x_w2", runA)
	if err != nil || !strings.Contains(out, "| runA | 5 | 4.3 | 15 | 15.0 | 25.0 |") || strings.Contains(out, "first") {
		t.Errorf("x_w2: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(head+"5,300,1,1,0.001,2,4.5,x,1,0.1\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"curves"}, 2, ""},
		{[]string{"curves", "-metric", "nll", runA}, 1, "needs the columns wall_s and nll"},
		{[]string{"curves", bad}, 1, `line 2: energy_w1 "x" is not a number`},
		{[]string{"curves", filepath.Join(dir, "missing")}, 1, "missing"},
	} {
		_, _, err := runCmd(t, c.args...)
		var sb strings.Builder
		if code := exitStatus(err, &sb); code != c.code || !strings.Contains(sb.String(), c.msg) {
			t.Errorf("%v: exit %d (%q), want %d and %q", c.args, code, sb.String(), c.code, c.msg)
		}
	}
}
