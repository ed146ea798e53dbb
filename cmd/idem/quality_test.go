package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idem-project/idem/bench"
)

// TestQualityPipeline runs a tiny GMM-40 quality pipeline end to end and
// reads its table back; a second run finds every stage done.
func TestQualityPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two samplers and three flows")
	}
	dir := t.TempDir()
	// tinySet with enough SDE steps that no sample leaves GMM-40's support.
	set := strings.NewReplacer("sde_steps=10", "sde_steps=100").Replace(tinySet)
	args := []string{"quality", "-target", "gmm40", "-dir", dir, "-set", set, "-flow-samples", "1000", "-flow-steps", "20",
		"-refine-steps", "3", "-flow-width", "16", "-ess-n", "100"}
	out, stderr, err := runCmd(t, args...)
	if err != nil {
		t.Fatalf("quality: %v\n%s%s", err, out, stderr)
	}
	tables, err := bench.LoadQuality(dir, []string{"gmm40"})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bench.QualityRow{}
	for _, r := range tables[0].Rows {
		rows[r.Label] = r
	}
	want := map[string][]string{
		"idem (quick preset, this engine)":                      {"nll", "ess_cnf@16", "ess_cnf@100", "x_w2", "energy_w1", "energy_evals", "net_evals", "wall_s"},
		"pdem (quick preset, this engine)":                      {"nll", "x_w2", "energy_evals"},
		"idem + refine (3 MALA steps)":                          {"x_w2", "energy_evals"},
		"reference MCMC, same energy budget as idem":            {"x_w2", "energy_evals"},
		"CNF on equilibrium samples (the pipeline's best case)": {"nll", "ess_cnf@16"},
		"iDEM (paper)": {"nll", "x_w2"},
	}
	for label, cols := range want {
		r, ok := rows[label]
		if !ok {
			t.Errorf("no row %q in %v", label, tables[0].Rows)
			continue
		}
		for _, c := range cols {
			if !r.Cells[c].Has {
				t.Errorf("row %q has no %s", label, c)
			}
		}
	}
	if b := rows["idem + refine (3 MALA steps)"].Cells["energy_evals"].Mean - rows["idem (quick preset, this engine)"].Cells["energy_evals"].Mean; b != 1000*4 {
		t.Errorf("refine adds %g energy evaluations, want 1000 rows × 4", b)
	}
	// Everything is cached: the second run runs no command.
	_, stderr, err = runCmd(t, args...)
	if err != nil || strings.Contains(stderr, "idem quality: idem ") {
		t.Errorf("second run: %v\n%s", err, stderr)
	}
	md := tables[0].Markdown()
	if !strings.Contains(md, "| iDEM (paper) | quoted:") || !strings.Contains(md, "this engine") {
		t.Errorf("markdown:\n%s", md)
	}
	if err := bench.WriteQuality(dir, tables); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"quality.md", "quality.csv", "quality.json"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
