package atomicfile

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	sha256 "github.com/minio/sha256-simd"
)

// SidecarSuffix is appended to a file's path to name its checksum sidecar.
const SidecarSuffix = ".sha256"

// maxSidecar bounds the bytes read from a sidecar.
const maxSidecar = 4096

// ErrMismatch reports data whose SHA-256 matches neither its sidecar nor
// a pending sidecar.
var ErrMismatch = errors.New("checksum mismatch")

// Status is the outcome of a checksum check that did not fail.
type Status int

const (
	// Matched: the sidecar (or the pending sidecar of a commit in
	// progress) records the data's digest.
	Matched Status = iota + 1
	// Missing: there is no sidecar; the data is unchecked.
	Missing
)

func (s Status) String() string {
	switch s {
	case Matched:
		return "matched"
	case Missing:
		return "missing"
	}
	return "invalid"
}

// Sum returns the hex SHA-256 of data.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// NewHash returns a SHA-256 hash for streaming (hex-encode its Sum).
func NewHash() interface {
	io.Writer
	Sum([]byte) []byte
} {
	return sha256.New()
}

// SidecarPath returns path + ".sha256".
func SidecarPath(path string) string { return path + SidecarSuffix }

// pendingPath returns the pending sidecar of path, ".<base>.sha256.pending".
func pendingPath(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+SidecarSuffix+".pending")
}

// sidecarLine is the sha256sum line of path's digest.
func sidecarLine(path, hexsum string) []byte {
	return []byte(hexsum + "  " + filepath.Base(path) + "\n")
}

// WriteWithChecksum writes data to path and its digest to path+".sha256"
// as one commit (see the package comment) and returns the hex digest.
func WriteWithChecksum(path string, data []byte) (string, error) {
	hexsum := Sum(data)
	err := commit(path, hexsum, func() error { return WriteFile(path, data) }, nil)
	return hexsum, err
}

// WriteFuncWithChecksum is WriteWithChecksum for streamed data: fn is
// called twice, once to hash and once to write, and must write the same
// bytes both times.
func WriteFuncWithChecksum(path string, fn func(io.Writer) error) (string, error) {
	h := sha256.New()
	if err := fn(h); err != nil {
		return "", fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	hexsum := hex.EncodeToString(h.Sum(nil))
	err := commit(path, hexsum, func() error {
		h2 := sha256.New()
		if err := WriteFunc(path, func(w io.Writer) error { return fn(io.MultiWriter(w, h2)) }); err != nil {
			return err
		}
		if got := hex.EncodeToString(h2.Sum(nil)); got != hexsum {
			return fmt.Errorf("atomicfile: %s: the writer produced different bytes on its second call", path)
		}
		return nil
	}, nil)
	return hexsum, err
}

// commit runs the three steps of a checksummed write. hook, when set, is
// called before each step with its number and may fail it (tests).
func commit(path, hexsum string, write func() error, hook func(step int) error) error {
	step := func(n int) error {
		if hook != nil {
			return hook(n)
		}
		return nil
	}
	pending := pendingPath(path)
	if err := step(1); err != nil {
		return err
	}
	if err := WriteFile(pending, sidecarLine(path, hexsum)); err != nil {
		return err
	}
	if err := step(2); err != nil {
		os.Remove(pending)
		return err
	}
	if err := write(); err != nil {
		os.Remove(pending)
		return err
	}
	if err := step(3); err != nil {
		return err
	}
	if err := os.Rename(pending, SidecarPath(path)); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// RemoveChecksum removes path's sidecar and pending sidecar, if any, so
// that data written without a checksum is not checked against a stale one.
func RemoveChecksum(path string) error {
	for _, p := range []string{pendingPath(path), SidecarPath(path)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("atomicfile: %w", err)
		}
	}
	return nil
}

// readSum returns the digest recorded in a sidecar file, "" if the file
// does not exist.
func readSum(p string) (string, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("checksum file: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("checksum file %s is not a regular file", p)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSidecar+1))
	if err != nil {
		return "", fmt.Errorf("checksum file: %w", err)
	}
	if len(b) > maxSidecar {
		return "", fmt.Errorf("checksum file %s exceeds %d bytes", p, maxSidecar)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	sum, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	sum = strings.ToLower(sum)
	if len(sum) != 2*sha256.Size {
		return "", fmt.Errorf("checksum file %s does not start with a 64-digit hex SHA-256", p)
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return "", fmt.Errorf("checksum file %s does not start with a 64-digit hex SHA-256", p)
	}
	return sum, nil
}

// Checker checks data against the digests recorded for its path. Create
// it before reading the data and call Check after: it reads the pending
// and the final sidecar once before and, if needed, once after the data,
// which is what makes a reader racing a commit correct (package comment).
type Checker struct {
	path   string
	before [2]string // pending, sidecar
	err    error
	mid    func() // tests: called between the two reads of a snapshot
}

// NewChecker snapshots the digests recorded for path.
func NewChecker(path string) *Checker { return newChecker(path, nil) }

func newChecker(path string, mid func()) *Checker {
	c := &Checker{path: path, mid: mid}
	c.before, c.err = c.read()
	return c
}

func (c *Checker) read() ([2]string, error) {
	var s [2]string
	var err error
	if s[0], err = readSum(pendingPath(c.path)); err != nil {
		return s, err
	}
	if c.mid != nil {
		c.mid()
	}
	s[1], err = readSum(SidecarPath(c.path))
	return s, err
}

// Check compares the hex digest of the data read from the path with the
// recorded ones. A match gives Matched; no sidecar at all gives Missing;
// anything else is an error (ErrMismatch naming the file and both digests,
// or an unreadable or malformed sidecar).
func (c *Checker) Check(hexsum string) (Status, error) {
	if c.err == nil && (c.before[0] == hexsum || c.before[1] == hexsum) {
		return Matched, nil
	}
	after, err := c.read()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", c.path, err)
	}
	switch {
	case after[0] == hexsum || after[1] == hexsum:
		return Matched, nil
	case after[0] == "" && after[1] == "":
		return Missing, nil
	}
	rec := after[1]
	if rec == "" {
		rec = after[0] + " (pending)"
	}
	return 0, fmt.Errorf("%w: %s has SHA-256 %s, but %s records %s", ErrMismatch, c.path, hexsum, SidecarPath(c.path), rec)
}

// VerifyChecksum checks data, already read from path, against path's
// sidecar. Readers that can should use NewChecker before reading instead.
func VerifyChecksum(path string, data []byte) (Status, error) {
	return NewChecker(path).Check(Sum(data))
}
