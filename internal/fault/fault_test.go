package fault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bins holds the built commands; empty when the go tool is unavailable.
var bins = map[string]string{}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "idem-fault-")
	if err != nil {
		panic(err)
	}
	for _, c := range []string{"idem", "idem-bench"} {
		out := filepath.Join(dir, c)
		cmd := exec.Command("go", "build", "-o", out, "github.com/idem-project/idem/cmd/"+c)
		if b, err := cmd.CombinedOutput(); err == nil {
			bins[c] = out
		} else {
			fmt.Fprintf(os.Stderr, "fault: building %s: %v\n%s", c, err, b)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs a built command and fails the test on a panic or a crash.
func run(t *testing.T, name string, args ...string) result {
	t.Helper()
	bin := bins[name]
	if bin == "" {
		t.Skipf("%s not built", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{out.String(), errb.String(), 0}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %q: %v", name, args, err)
	}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "fatal error") || r.code < 0 || r.code > 2 {
		t.Fatalf("%s %q crashed (status %d):\n%s", name, args, r.code, r.stderr)
	}
	return r
}

// npyFile returns a .npy v1.0 file with header dict h and payload.
func npyFile(h string, payload []byte) []byte {
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(h)))
	return append(append(b, h...), payload...)
}

// reference writes a small DW-4 reference set with idem and returns it.
func reference(t *testing.T, dir, name string, n int, seed int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	r := run(t, "idem", "reference", "-target", "dw4", "-method", "is", "-proposals", "20000", "-n", strconv.Itoa(n),
		"-seed", strconv.Itoa(seed), "-progress=false", "-out", p)
	if r.code != 0 {
		t.Fatalf("reference: status %d\n%s", r.code, r.stderr)
	}
	return p
}

func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	ref := reference(t, dir, "ref.npy", 60, 1)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f4 := "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 8), }"
	good, _ := os.ReadFile(ref)
	bad := map[string]string{
		"truncated":    write("trunc.npy", good[:len(good)-7]),
		"lying header": write("lie.npy", npyFile(fmt.Sprintf(f4, 1<<40), make([]byte, 64))),
		"huge header":  write("big.npy", npyFile(fmt.Sprintf(f4, 400000000), make([]byte, 64))),
		"int dtype":    write("int.npy", npyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (20, 8), }", make([]byte, 640))),
		"big endian":   write("be.npy", npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (20, 8), }", make([]byte, 640))),
		"wrong cols":   write("cols.npy", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (20, 7), }", make([]byte, 560))),
		"not npy":      write("text.npy", []byte("hello, world\n")),
		"empty":        write("empty.npy", nil),
		"directory":    dir,
		"missing":      filepath.Join(dir, "nope.npy"),
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		bad["endless device"] = "/dev/zero"
	}
	if fifo := filepath.Join(dir, "fifo.npy"); mkfifo(fifo) == nil {
		bad["fifo"] = fifo
	}
	for name, p := range bad {
		t.Run(name, func(t *testing.T) {
			for _, args := range [][]string{
				{"eval", "-target", "dw4", "-samples", p, "-ref", ref, "-n", "10", "-batches", "1", "-floor-batches", "1"},
				{"refine", "-target", "dw4", "-samples", p, "-steps", "3", "-out", filepath.Join(dir, "refined.npy"), "-progress=false"},
				{"reweight", "-target", "dw4", "-samples", p, "-logq", ref},
				{"reweight", "-target", "dw4", "-samples", ref, "-logq", p},
			} {
				r := run(t, "idem", args...)
				if r.code != 1 || !strings.Contains(r.stderr, filepath.Base(p)) {
					t.Errorf("idem %s: status %d, want 1 and a message naming %s:\n%s", args[0], r.code, filepath.Base(p), r.stderr)
				}
			}
		})
	}
	t.Run("checksum", func(t *testing.T) {
		// Same file, other content: the sidecar no longer matches.
		other := reference(t, t.TempDir(), "ref.npy", 60, 2)
		b, _ := os.ReadFile(other)
		sam := write("sam.npy", b)
		os.WriteFile(sam+".sha256", []byte(hex.EncodeToString(make([]byte, 32))+"  sam.npy\n"), 0o644)
		args := []string{"eval", "-target", "dw4", "-samples", sam, "-ref", ref, "-n", "10", "-batches", "1", "-floor-batches", "1"}
		if r := run(t, "idem", args...); r.code != 1 || !strings.Contains(r.stderr, "checksum mismatch") || !strings.Contains(r.stderr, "sam.npy.sha256") {
			t.Errorf("mismatching sidecar: status %d\n%s", r.code, r.stderr)
		}
		if r := run(t, "idem", append(args, "-skip-checksum")...); r.code != 0 || !strings.Contains(r.stderr, "warning: -skip-checksum") {
			t.Errorf("-skip-checksum: status %d\n%s", r.code, r.stderr)
		}
		os.Remove(sam + ".sha256")
		if r := run(t, "idem", args...); r.code != 0 || !strings.Contains(r.stderr, "has no checksum file") {
			t.Errorf("missing sidecar: status %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("huge coordinates", func(t *testing.T) {
		// Finite float64 coordinates whose squares overflow: LJ energies
		// stay finite, the W2 metrics do not.
		payload := make([]byte, 0, 40*39*8)
		rng := rand.New(rand.NewPCG(1, 2))
		for range 40 * 39 {
			payload = binary.LittleEndian.AppendUint64(payload, mathFloat64bits(1e300*(rng.Float64()+1)))
		}
		huge := write("huge.npy", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (40, 39), }", payload))
		for _, format := range []string{"markdown", "json"} {
			r := run(t, "idem", "eval", "-target", "lj13", "-samples", huge, "-ref", huge, "-n", "10", "-batches", "2", "-floor-batches", "2", "-format", format)
			if r.code == 0 && (strings.Contains(r.stdout, "Inf") && !strings.Contains(r.stdout, "overflow")) {
				t.Errorf("%s report prints Inf without overflow:\n%s", format, r.stdout)
			}
			if r.code == 1 && !strings.Contains(r.stderr, "huge.npy") {
				t.Errorf("%s: status 1 without naming the file:\n%s", format, r.stderr)
			}
		}
	})
}

func TestAbsurdFlags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "o.npy")
	ref := reference(t, dir, "ref.npy", 60, 1)
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	cases := [][]string{
		{"reference", "-target", "dw4", "-out", out, "-n", "1000000000000"},
		{"reference", "-target", "dw4", "-out", out, "-chains", "9223372036854775807"},
		{"reference", "-target", "dw4", "-out", out, "-n", "100", "-keep", "9223372036854775807", "-thin", "1"},
		{"reference", "-target", "dw4", "-out", out, "-method", "is", "-n", "1000000000000"},
		{"reference", "-target", "dw4", "-out", out, "-method", "is", "-proposals", "9223372036854775807"},
		{"reference", "-target", "dw4", "-out", out, "-method", "is", "-box", "NaN"},
		{"reference", "-target", "dw4", "-out", out, "-step", "-1"},
		{"reference", "-target", "dw4", "-out", out, "-step", "NaN"},
		{"reference", "-target", "dw4", "-out", out, "-step", "+Inf"},
		{"reference", "-target", "dw4", "-out", out, "-warm-max-step", "NaN"},
		{"reference", "-target", "dw4", "-out", out, "-workers", "-3"},
		{"reference", "-target", "dw4", "-out", out, "-trace", "-1"},
		{"reference", "-target", "dw4", "-out", out, "-ladder", "-7"},
		{"reference", "-target", "dw4", "-out", out, "-n", "0"},
		{"reference", "-target", "dw4", "-out", out, "extra"},
		{"reference", "-target", "lj99999", "-out", out},
		{"reference", "-target", "dw4", "-out", filepath.Join(dir, "missing", "o.npy")},
		{"reference", "-target", "dw4", "-out", dir + "/.npy/"},
		{"reference", "-target", "dw4", "-out", out, "-max-mem", "NaN"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-n", "0"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-n", "1000000000"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-batches", "1000000000"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-floor-batches", "-1"},
		{"eval", "-target", "gmm40", "-samples", ref, "-gmm-ref-n", "9223372036854775807"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-format", "xml"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-protocol", "nope"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "more"},
		{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-plots", ref},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-step", "0"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-step", "-1"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-step", "NaN"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-step", "+Inf"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "-5", "-out", out},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-drift-clip", "NaN"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-method", "hmc"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-workers", "-3"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-keep", "9223372036854775807", "-thin", "1"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "-max-mem", "NaN"},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", filepath.Join(dir, "missing", "o.npy")},
		{"refine", "-target", "lj99999", "-samples", ref, "-steps", "5", "-out", out},
		{"refine", "-target", "dw4", "-samples", ref, "-steps", "5", "-out", out, "extra"},
		{"reweight", "-target", "dw4", "-samples", ref},
		{"reweight", "-target", "dw4", "-samples", ref, "-logq", ref, "-resample", "-1", "-out", out},
		{"reweight", "-target", "dw4", "-samples", ref, "-logq", ref, "-resample", "1000000000000", "-out", out},
		{"reweight", "-target", "dw4", "-samples", ref, "-logq", ref, "-resample", "10"},
		{"reweight", "-target", "dw4", "-samples", ref, "-logq", ref, "-out", out},
		{"reweight", "-target", "dw4", "-samples", ref, "-logq", ref, "-batch", "-1"},
		{"reweight", "-target", "dw4", "-samples", ref, "-logq", ref, "-max-mem", "NaN"},
		{"reweight", "-target", "dw4", "-samples", ref, "-logq", ref, "-weights", filepath.Join(dir, "missing", "w.npy")},
	}
	if os.Getuid() != 0 {
		cases = append(cases, []string{"reference", "-target", "dw4", "-out", filepath.Join(ro, "o.npy")},
			[]string{"eval", "-target", "dw4", "-samples", ref, "-ref", ref, "-plots", ro})
	}
	for _, args := range cases {
		r := run(t, "idem", args...)
		if r.code != 2 || strings.Count(r.stderr, "\n") == 0 {
			t.Errorf("idem %q: status %d, want 2 with a message:\n%s", args, r.code, r.stderr)
		}
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 {
			t.Errorf("idem %q: %d lines of error, want one:\n%s", args, len(lines), r.stderr)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 { // ref.npy, its sidecar, ro
		t.Errorf("absurd flags left files behind: %v", ents)
	}
	// A flag the parser rejects: its message and the usage, once, status 2.
	for _, c := range [][]string{{"idem", "eval", "-bogus"}, {"idem", "reference", "-n", "x"}, {"idem", "refine", "-step", "x"}, {"idem", "reweight", "-bogus"}, {"idem-bench", "-bogus"}} {
		r := run(t, c[0], c[1:]...)
		first, _, _ := strings.Cut(r.stderr, "\n")
		if r.code != 2 || first == "" || strings.Count(r.stderr, first) != 1 || strings.HasPrefix(r.stderr, c[0]+": ") || strings.Contains(r.stderr, "\n"+c[0]+": ") {
			t.Errorf("%q: status %d, want 2 and one message:\n%s", c, r.code, r.stderr)
		}
	}
	for _, args := range [][]string{{"-groups", "Nope"}, {"-groups", "PairLJ,nope"}, {"extra"}, {"-format", "csv"}} {
		if r := run(t, "idem-bench", args...); r.code != 2 || strings.Count(r.stderr, "idem-bench:") != 1 {
			t.Errorf("idem-bench %q: status %d, want 2 and one message:\n%s", args, r.code, r.stderr)
		}
	}
}

// TestSignals interrupts `idem reference` at random moments around its
// write and requires the complete old or new pair and no other file.
func TestSignals(t *testing.T) {
	if bins["idem"] == "" {
		t.Skip("idem not built")
	}
	count := 20
	if v := os.Getenv("IDEM_FAULT_SIGNALS"); v != "" {
		count, _ = strconv.Atoi(v)
	}
	dir := t.TempDir()
	out := reference(t, dir, "set.npy", 20000, 0)
	args := func(seed int) []string {
		return []string{"reference", "-target", "dw4", "-method", "is", "-proposals", "20000", "-n", "20000",
			"-seed", strconv.Itoa(seed), "-progress=false", "-out", out}
	}
	// One uninterrupted run sets the range of the random delays.
	start := time.Now()
	run(t, "idem", args(1)...)
	span := time.Since(start)
	rng := rand.New(rand.NewPCG(7, 11))
	var during, before, after, startup int
	for i := range count {
		old := pair(t, out)
		sig, want := os.Interrupt, 130
		if i%2 == 1 {
			sig, want = syscall.SIGTERM, 143
		}
		cmd := exec.Command(bins["idem"], args(i+2)...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Float64() * 1.2 * float64(span)))
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		code := 0
		var ee *exec.ExitError
		killed := false
		if errors.As(err, &ee) {
			code = ee.ExitCode()
			// A signal before main installs its handler, or after it
			// removes it on the way out, kills the process (the shell
			// reports 128 + n too): before any write or after all of them.
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				code, killed = 128+int(ws.Signal()), true
			}
		}
		if code != 0 && code != want {
			t.Fatalf("run %d: status %d after %v, want 0 or %d:\n%s", i, code, sig, want, errb.String())
		}
		now := pair(t, out)
		switch {
		case killed:
			startup++
		case code == 0:
			after++
		case now == old:
			before++
		default:
			during++ // the write in progress was finished, then the exit
		}
	}
	t.Logf("%d signals: %d killed before or after the handler (complete pair), %d before the write (old pair kept), %d during or after it (new pair, status 130/143), %d after exit",
		count, startup, before, during, after)
}

// pair checks that dir holds only path and its sidecar, that the sidecar
// records path's digest, and returns the digest.
func pair(t *testing.T, path string) string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want only the file and its sidecar", names)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	side, err := os.ReadFile(path + ".sha256")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	if string(side) != h+"  "+filepath.Base(path)+"\n" {
		t.Fatalf("sidecar %q does not match the file (%s)", side, h)
	}
	return h
}
