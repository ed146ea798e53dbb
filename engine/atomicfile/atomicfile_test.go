package atomicfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// umask reads the process umask from /proc (Linux); ok is false elsewhere.
func umask() (os.FileMode, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return os.FileMode(m), err == nil
		}
	}
	return 0, false
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.bin")
	for _, content := range []string{"first", "second, longer"} {
		if err := WriteFile(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %v, want only out.bin", names)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := umask(); ok {
		if want := Mode &^ m; st.Mode().Perm() != want {
			t.Errorf("mode %v, want %v (0644 less umask %03o)", st.Mode().Perm(), want, m)
		}
	}
}

func TestWriteFuncErrorKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.bin")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFunc(p, func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("x"), 1<<20))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("old file changed to %d bytes", len(got))
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %v after a failed write", names)
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "missing", "x"), nil); err == nil {
		t.Error("want an error for a missing directory")
	}
	if err := WriteFile(dir, nil); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("writing over a directory: %v", err)
	}
	if err := CheckWritable(filepath.Join(dir, "ok")); err != nil {
		t.Errorf("CheckWritable: %v", err)
	}
	if err := CheckWritable(filepath.Join(dir, "missing", "x")); err == nil {
		t.Error("CheckWritable: want an error for a missing directory")
	}
	if os.Getuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		if err := CheckWritable(filepath.Join(ro, "x")); err == nil {
			t.Error("CheckWritable: want an error for a read-only directory")
		}
	}
	if names := entries(t, dir); len(names) != 1 && len(names) != 0 {
		t.Errorf("directory holds %v", names)
	}
}

func TestChecksumRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.npy")
	if st, err := VerifyChecksum(p, []byte("x")); err != nil || st != Missing {
		t.Fatalf("no sidecar: %v, %v; want Missing", st, err)
	}
	sum, err := WriteWithChecksum(p, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	line, _ := os.ReadFile(p + ".sha256")
	if want := sum + "  a.npy\n"; string(line) != want || sum != Sum([]byte("hello")) {
		t.Fatalf("sidecar %q, want %q", line, want)
	}
	if st, err := VerifyChecksum(p, []byte("hello")); err != nil || st != Matched {
		t.Fatalf("good pair: %v, %v", st, err)
	}
	_, err = VerifyChecksum(p, []byte("hellO"))
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "a.npy.sha256") {
		t.Fatalf("changed data: %v, want ErrMismatch naming the sidecar", err)
	}
	if names := entries(t, dir); len(names) != 2 {
		t.Fatalf("directory holds %v", names)
	}
	s2, err := WriteFuncWithChecksum(p, func(w io.Writer) error { _, err := io.WriteString(w, "streamed"); return err })
	if err != nil || s2 != Sum([]byte("streamed")) {
		t.Fatalf("WriteFuncWithChecksum: %v", err)
	}
	for _, bad := range []string{"", "zz", strings.Repeat("g", 64) + "  a.npy\n", strings.Repeat("0", 5000)} {
		os.WriteFile(p+".sha256", []byte(bad), 0o644)
		if _, err := VerifyChecksum(p, []byte("streamed")); err == nil {
			t.Errorf("malformed sidecar %.20q accepted", bad)
		}
	}
	if err := RemoveChecksum(p); err != nil {
		t.Fatal(err)
	}
	if st, err := VerifyChecksum(p, []byte("streamed")); st != Missing || err != nil {
		t.Fatalf("after RemoveChecksum: %v, %v", st, err)
	}
}

// TestCommitFailures fails each step of a checksummed commit and checks
// that a reader accepts what is left and that it is the old or the new
// pair.
func TestCommitFailures(t *testing.T) {
	for step := 1; step <= 3; step++ {
		t.Run(fmt.Sprint("step=", step), func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			if _, err := WriteWithChecksum(p, []byte("old")); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("injected")
			err := commit(p, Sum([]byte("new")), func() error { return WriteFile(p, []byte("new")) },
				func(s int) error {
					if s == step {
						return boom
					}
					return nil
				})
			if !errors.Is(err, boom) {
				t.Fatalf("err %v", err)
			}
			data, _ := os.ReadFile(p)
			want := "old"
			if step == 3 {
				want = "new"
			}
			if string(data) != want {
				t.Fatalf("data %q, want %q", data, want)
			}
			if st, err := VerifyChecksum(p, data); err != nil || st != Matched {
				t.Fatalf("reader: %v, %v", st, err)
			}
			for _, n := range entries(t, dir) {
				if IsTemp(n) || (step < 3 && strings.HasSuffix(n, ".pending")) {
					t.Errorf("left behind: %s", n)
				}
			}
		})
	}
}

// TestReaderRacingCommit places the three steps of a commit at every
// possible point of a reader's five reads (pending, sidecar, data,
// pending, sidecar) and requires the reader to accept what it read.
func TestReaderRacingCommit(t *testing.T) {
	const slots = 6 // before op 0, …, after op 4
	for a := 0; a < slots; a++ {
		for b := a; b < slots; b++ {
			for c := b; c < slots; c++ {
				dir := t.TempDir()
				p := filepath.Join(dir, "f")
				if _, err := WriteWithChecksum(p, []byte("old")); err != nil {
					t.Fatal(err)
				}
				newSum := Sum([]byte("new"))
				steps := []func(){
					func() { must(t, WriteFile(pendingPath(p), sidecarLine(p, newSum))) },
					func() { must(t, WriteFile(p, []byte("new"))) },
					func() { must(t, os.Rename(pendingPath(p), SidecarPath(p))) },
				}
				at := []int{a, b, c}
				next := 0
				slot := func(s int) {
					for next < 3 && at[next] == s {
						steps[next]()
						next++
					}
				}
				mids := []int{1, 4}
				mid := func() { slot(mids[0]); mids = mids[1:] }
				slot(0)
				ck := newChecker(p, mid)
				slot(2)
				data, err := os.ReadFile(p)
				must(t, err)
				slot(3)
				if len(mids) == 2 { // the first snapshot skipped no mid
					t.Fatal("no mid call in the first snapshot")
				}
				st, err := ck.Check(Sum(data))
				slot(4) // in case Check matched without a second snapshot
				slot(5)
				if err != nil || st != Matched {
					t.Errorf("steps at %v, read %q: %v, %v", at, data, st, err)
				}
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzSidecar checks that a sidecar of any content gives a digest only
// when it starts with 64 hex digits, and that a Checker never accepts data
// whose digest the sidecar does not record.
func FuzzSidecar(f *testing.F) {
	f.Add([]byte(Sum([]byte("x")) + "  a\n"))
	f.Add([]byte("zz"))
	f.Add([]byte(strings.ToUpper(Sum([]byte("x"))) + " *a"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, side []byte) {
		p := filepath.Join(dir, "d")
		must(t, os.WriteFile(SidecarPath(p), side, 0o644))
		sum, err := readSum(SidecarPath(p))
		if err == nil && len(sum) != 64 {
			t.Fatalf("digest %q", sum)
		}
		for _, data := range []string{"x", "y"} {
			st, cerr := NewChecker(p).Check(Sum([]byte(data)))
			if cerr == nil && (st != Matched || sum != Sum([]byte(data))) {
				t.Fatalf("accepted %q with sidecar %q: %v", data, side, st)
			}
		}
	})
}
