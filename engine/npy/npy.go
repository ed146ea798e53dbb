package npy

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/sbinet/npyio"
)

// Array is a row-major 2-D array read from or written to a .npy file.
type Array struct {
	Rows, Cols int
	Data       []float64 // len Rows·Cols
	SHA256     string    // hex digest of the file's bytes (set by Read)
}

// MaxBytes bounds the payload Read accepts (4 GiB).
const MaxBytes = 4 << 30

// ReadFile reads a 2-D float32 or float64 array from path.
func ReadFile(path string) (*Array, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	a, err := Read(raw)
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	return a, nil
}

// Read parses a complete .npy file held in raw.
func Read(raw []byte) (a *Array, err error) {
	hdrLen, descr, err := header(raw)
	if err != nil {
		return nil, err
	}
	if len(descr.shape) != 2 {
		return nil, fmt.Errorf("want a 2-D array, got shape %v", descr.shape)
	}
	rows, cols := descr.shape[0], descr.shape[1]
	if rows < 0 || cols < 0 || (cols > 0 && rows > MaxBytes/cols) {
		return nil, fmt.Errorf("implausible shape %v", descr.shape)
	}
	if descr.fortran {
		return nil, errors.New("Fortran-order arrays are not supported; save with C order")
	}
	var esize int
	switch descr.typ {
	case "<f4":
		esize = 4
	case "<f8":
		esize = 8
	default:
		return nil, fmt.Errorf("dtype %q not supported: want little-endian float32 '<f4' or float64 '<f8'", descr.typ)
	}
	need := int64(rows) * int64(cols) * int64(esize)
	if need > MaxBytes {
		return nil, fmt.Errorf("array of %d bytes exceeds the %d-byte limit", need, MaxBytes)
	}
	if have := int64(len(raw) - hdrLen); have != need {
		return nil, fmt.Errorf("file holds %d data bytes, shape %v of %s needs %d (truncated or corrupt)", have, descr.shape, descr.typ, need)
	}
	// npyio re-parses the header; guard against panics on inputs our own
	// checks let through.
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("malformed .npy file: %v", r)
		}
	}()
	out := &Array{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
	switch esize {
	case 4:
		var v []float32
		if err := npyio.Read(bytes.NewReader(raw), &v); err != nil {
			return nil, err
		}
		if len(v) != rows*cols {
			return nil, fmt.Errorf("read %d values, want %d", len(v), rows*cols)
		}
		for i, x := range v {
			out.Data[i] = float64(x)
		}
	case 8:
		var v []float64
		if err := npyio.Read(bytes.NewReader(raw), &v); err != nil {
			return nil, err
		}
		if len(v) != rows*cols {
			return nil, fmt.Errorf("read %d values, want %d", len(v), rows*cols)
		}
		copy(out.Data, v)
	}
	sum := sha256.Sum256(raw)
	out.SHA256 = hex.EncodeToString(sum[:])
	return out, nil
}

type descr struct {
	typ     string
	fortran bool
	shape   []int
}

// header validates the magic, version and header dictionary.
func header(raw []byte) (int, descr, error) {
	var d descr
	if len(raw) < 10 || string(raw[:6]) != "\x93NUMPY" {
		return 0, d, errors.New("not a .npy file (bad magic)")
	}
	major := raw[6]
	var hlen, start int
	switch major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(raw[8:10])), 10
	case 2, 3:
		if len(raw) < 12 {
			return 0, d, errors.New("truncated header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(raw[8:12])), 12
	default:
		return 0, d, fmt.Errorf("unsupported .npy version %d", major)
	}
	if hlen > 1<<20 || start+hlen > len(raw) {
		return 0, d, errors.New("truncated or oversized header")
	}
	h := string(raw[start : start+hlen])
	var err error
	if d.typ, err = dictString(h, "descr"); err != nil {
		return 0, d, err
	}
	switch f := dictValue(h, "fortran_order"); {
	case strings.HasPrefix(f, "False"):
	case strings.HasPrefix(f, "True"):
		d.fortran = true
	default:
		return 0, d, errors.New("header lacks fortran_order")
	}
	s := dictValue(h, "shape")
	if !strings.HasPrefix(s, "(") || !strings.Contains(s, ")") {
		return 0, d, errors.New("header lacks a shape tuple")
	}
	s = s[1:strings.Index(s, ")")]
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var v int
		if _, err := fmt.Sscanf(part, "%d", &v); err != nil || v < 0 || fmt.Sprint(v) != part {
			return 0, d, fmt.Errorf("bad shape entry %q", part)
		}
		d.shape = append(d.shape, v)
	}
	return start + hlen, d, nil
}

func dictValue(h, key string) string {
	i := strings.Index(h, "'"+key+"'")
	if i < 0 {
		return ""
	}
	rest := strings.TrimSpace(h[i+len(key)+2:])
	if !strings.HasPrefix(rest, ":") {
		return ""
	}
	return strings.TrimSpace(rest[1:])
}

func dictString(h, key string) (string, error) {
	v := dictValue(h, key)
	if len(v) < 2 || v[0] != '\'' {
		return "", fmt.Errorf("header lacks %s", key)
	}
	end := strings.IndexByte(v[1:], '\'')
	if end < 0 {
		return "", fmt.Errorf("header has an unterminated %s", key)
	}
	return v[1 : 1+end], nil
}

// Encode returns the .npy v1.0 encoding of a as little-endian float32
// (the reference-set format).
func Encode(a *Array) ([]byte, error) {
	if a.Rows < 0 || a.Cols < 0 || len(a.Data) != a.Rows*a.Cols {
		return nil, fmt.Errorf("npy: data length %d does not match shape (%d, %d)", len(a.Data), a.Rows, a.Cols)
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", a.Rows, a.Cols)
	pad := 64 - (10+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	dict += strings.Repeat(" ", pad) + "\n"
	buf := make([]byte, 0, 10+len(dict)+4*len(a.Data))
	buf = append(buf, "\x93NUMPY\x01\x00"...)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(dict)))
	buf = append(buf, dict...)
	for _, v := range a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("npy: refusing to write a non-finite value")
		}
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
	}
	return buf, nil
}

// WriteFile writes a as float32 .npy to path atomically and, when
// withChecksum is set, path+".sha256" in sha256sum format. It returns the
// hex SHA-256 of the written file.
func WriteFile(path string, a *Array, withChecksum bool) (string, error) {
	raw, err := Encode(a)
	if err != nil {
		return "", err
	}
	if err := WriteAtomic(path, raw); err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	hexsum := hex.EncodeToString(sum[:])
	if withChecksum {
		line := hexsum + "  " + filepath.Base(path) + "\n"
		if err := WriteAtomic(path+".sha256", []byte(line)); err != nil {
			return "", err
		}
	}
	return hexsum, nil
}

// WriteAtomic writes data to a temporary file in path's directory, syncs it
// and renames it over path, so readers never see a partial file.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, bytes.NewReader(data)); err != nil {
		return fmt.Errorf("npy: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("npy: syncing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("npy: closing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	ok = true
	return nil
}
