package metrics

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/npy"
)

// sharedData returns ../shared/data relative to the module root (the first
// directory above the working directory holding go.mod), skipping when it is
// absent (SPEC §7.4: the reference sets are never committed).
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		tb.Skipf("reference data not present at %s", data)
	}
	return data
}

// loadNpyF32 reads a 2-D .npy file through engine/npy, checks its sha256
// and returns the rows as a Set.
func loadNpyF32(path, sum string) (Set, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return Set{}, err
	}
	if a.SHA256 != sum {
		return Set{}, fmt.Errorf("%s: sha256 %s, want %s", path, a.SHA256, sum)
	}
	return Set{Data: a.Data, Dim: a.Cols}, nil
}

const (
	lj13Test    = "test_split_LJ13-1000.npy"
	lj13TestSum = "c5064a56282e96441f1ff2f1babb13c241a99cd1077aee3667951d06055a785b"
	lj13Val     = "val_split_LJ13-1000.npy"
	lj13ValSum  = "77a051cd50b16bec41e8fa056f6f77e21804d530a7461369f3a3ee985a576eb7"
)

// loadLJ13 returns the shipped LJ-13 test and val splits (10000 × 39 each).
func loadLJ13(tb testing.TB) (test, val Set) {
	tb.Helper()
	dir := sharedData(tb)
	test, err := loadNpyF32(filepath.Join(dir, lj13Test), lj13TestSum)
	if err != nil {
		tb.Fatal(err)
	}
	val, err = loadNpyF32(filepath.Join(dir, lj13Val), lj13ValSum)
	if err != nil {
		tb.Fatal(err)
	}
	if test.Len() != 10000 || test.Dim != 39 || val.Len() != 10000 || val.Dim != 39 {
		tb.Fatalf("shapes %d×%d, %d×%d", test.Len(), test.Dim, val.Len(), val.Dim)
	}
	return test, val
}

// TestLJ13Floors reproduces SPEC §7.3 on the shipped LJ-13 test and val
// splits at n = 1000: floor_x_w2 ≈ 4.24 on rotation-randomised batches and
// ≈ 3.54 without rotation, floor_dist_tvd200 ≈ 0.020.
func TestLJ13Floors(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: three n = 1000 exact OT problems")
	}
	test, val := loadLJ13(t)
	opt := Options{Space: 3, Pool: engine.NewPool(0), Metrics: []string{NameXW2, NameDistTVD200}}
	rot, err := Floor(Batch{X: test}, Batch{X: val}, FloorOptions{N: 1000, Batches: 3, Seed: 1, Rotate: true}, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Metrics = []string{NameXW2}
	plain, err := Floor(Batch{X: test}, Batch{X: val}, FloorOptions{N: 1000, Batches: 3, Seed: 1}, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("floor_x_w2 rotated %.4f ± %.4f, unrotated %.4f; floor_dist_tvd200 %.4f",
		rot[NameXW2].Mean, rot[NameXW2].SD, plain[NameXW2].Mean, rot[NameDistTVD200].Mean)
	check := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.4f, SPEC §7.3 says %.3f ± %.3f", name, got, want, tol)
		}
	}
	check("rotated floor_x_w2", rot[NameXW2].Mean, 4.24, 0.05)
	check("unrotated floor_x_w2", plain[NameXW2].Mean, 3.54, 0.05)
	check("floor_dist_tvd200", rot[NameDistTVD200].Mean, 0.020, 0.006)
	if s := fmt.Sprint(rot[NameDistTVD200Dropped].Mean); rot[NameDistTVD200Dropped].Mean > 0.01 {
		t.Errorf("dropped fraction %s between two reference batches", s)
	}
}

// BenchmarkXAlignedLJ13 times x_w2_aligned and x_w1_aligned at the full
// P-AS size, n = 1000 per side on LJ-13 test vs val (10⁶ alignments), and
// reports the value; it skips without the shipped data.
func BenchmarkXAlignedLJ13(b *testing.B) {
	test, val := loadLJ13(b)
	a, bb, err := DrawPair(Batch{X: test}, Batch{X: val}, 1000, 1, 0, true, 3)
	if err != nil {
		b.Fatal(err)
	}
	p := engine.NewPool(0)
	var w2, w1 float64
	for b.Loop() {
		if w2, w1, err = XAligned(a.X, bb.X, 3, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(w2, "x_w2_aligned")
	b.ReportMetric(w1, "x_w1_aligned")
}
