package npy

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/idem-project/idem/engine/atomicfile"
)

// Array is a row-major 2-D array read from or written to a .npy file.
type Array struct {
	Rows, Cols int
	Data       []float64 // len Rows·Cols
	SHA256     string    // hex digest of the file's bytes (set by Read and ReadFile)
	// Checksum is the outcome of ReadFile's sidecar check: Matched or
	// Missing; zero when the check was skipped or for Read.
	Checksum atomicfile.Status
}

// MaxValues bounds the values an array may hold (2²⁹, 4 GiB as float64)
// unless Options.MaxValues sets another bound.
const MaxValues = 1 << 29

// MaxBytes is the payload bound of a float64 file at MaxValues.
const MaxBytes = 8 * MaxValues

// maxHeader bounds the header dictionary (numpy writes under 100 bytes;
// version 2 allows up to 4 GiB).
const maxHeader = 1 << 16

// Options configures ReadFile.
type Options struct {
	// SkipChecksum skips the sidecar check.
	SkipChecksum bool
	// MaxValues bounds Rows·Cols; 0 means the package's MaxValues.
	MaxValues int
	// Vector also accepts a 1-D array of shape (n,), read as n rows of one
	// column (per-row values such as log densities, as numpy saves a 1-D
	// array).
	Vector bool
}

// ReadFile reads a 2-D float32 or float64 array from path and checks it
// against its sidecar path+".sha256" when there is one.
func ReadFile(path string) (*Array, error) { return ReadFileOptions(path, Options{}) }

// ReadFileOptions is ReadFile with options.
func ReadFileOptions(path string, opt Options) (*Array, error) {
	var ck *atomicfile.Checker
	if !opt.SkipChecksum {
		ck = atomicfile.NewChecker(path)
	}
	// Stat before opening: opening a FIFO would block until a writer comes.
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("npy: %s is not a regular file (%v)", path, st.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("npy: %s is not a regular file (%v)", path, st.Mode().Type())
	}
	a, err := decode(f, st.Size(), opt.MaxValues, opt.Vector)
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	if ck != nil {
		if a.Checksum, err = ck.Check(a.SHA256); err != nil {
			return nil, fmt.Errorf("npy: %w", err)
		}
	}
	return a, nil
}

// Read parses a complete .npy file held in raw.
func Read(raw []byte) (*Array, error) {
	return decode(bytes.NewReader(raw), int64(len(raw)), 0, false)
}

// decode reads a .npy file of exactly size bytes from r: the header first,
// then exactly the payload it declares. With vector, a 1-D shape (n,) is
// read as (n, 1).
func decode(r io.Reader, size int64, maxValues int, vector bool) (*Array, error) {
	if maxValues <= 0 {
		maxValues = MaxValues
	}
	h := atomicfile.NewHash()
	r = io.TeeReader(r, h)
	hdrLen, d, err := header(r, size)
	if err != nil {
		return nil, err
	}
	if vector && len(d.shape) == 1 {
		d.shape = append(d.shape, 1)
	}
	if len(d.shape) != 2 {
		if vector {
			return nil, fmt.Errorf("want a 1-D array or a 2-D array, got shape %v", d.shape)
		}
		return nil, fmt.Errorf("want a 2-D array, got shape %v", d.shape)
	}
	if d.fortran {
		return nil, errors.New("Fortran-order arrays are not supported; save with C order")
	}
	var esize int64
	switch d.typ {
	case "<f4":
		esize = 4
	case "<f8":
		esize = 8
	default:
		return nil, fmt.Errorf("dtype %q not supported: want little-endian float32 '<f4' or float64 '<f8'", d.typ)
	}
	rows, cols := d.shape[0], d.shape[1]
	if cols > 0 && rows > maxValues/cols {
		return nil, fmt.Errorf("shape %v exceeds the limit of %d values (%d GiB as float64)", d.shape, maxValues, int64(maxValues)*8>>30)
	}
	need := int64(rows) * int64(cols) * esize
	if have := size - hdrLen; have != need {
		return nil, fmt.Errorf("file holds %d data bytes, shape %v of %s needs %d (truncated or corrupt)", have, d.shape, d.typ, need)
	}
	out := &Array{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
	buf := make([]byte, min(need, 1<<20))
	for i := 0; i < len(out.Data); {
		n := min(int64(len(out.Data)-i)*esize, int64(len(buf)))
		if _, err := io.ReadFull(r, buf[:n]); err != nil {
			return nil, fmt.Errorf("reading the data: %w (file changed while read?)", err)
		}
		for j := int64(0); j < n; j += esize {
			if esize == 4 {
				out.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf[j:])))
			} else {
				out.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[j:]))
			}
			i++
		}
	}
	var one [1]byte
	if n, _ := r.Read(one[:]); n != 0 {
		return nil, errors.New("file grew while read")
	}
	out.SHA256 = hex.EncodeToString(h.Sum(nil))
	return out, nil
}

type descr struct {
	typ     string
	fortran bool
	shape   []int
}

// header reads and validates the magic, version and header dictionary
// from a file of size bytes and returns the header's length.
func header(r io.Reader, size int64) (int64, descr, error) {
	var d descr
	var pre [12]byte
	if size < 10 {
		return 0, d, errors.New("not a .npy file (shorter than the 10-byte preamble)")
	}
	if _, err := io.ReadFull(r, pre[:10]); err != nil {
		return 0, d, fmt.Errorf("reading the preamble: %w", err)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return 0, d, errors.New("not a .npy file (bad magic)")
	}
	var hlen, start int64
	switch pre[6] {
	case 1:
		hlen, start = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		if size < 12 {
			return 0, d, errors.New("truncated header")
		}
		if _, err := io.ReadFull(r, pre[10:12]); err != nil {
			return 0, d, fmt.Errorf("reading the preamble: %w", err)
		}
		hlen, start = int64(binary.LittleEndian.Uint32(pre[8:12])), 12
	default:
		return 0, d, fmt.Errorf("unsupported .npy version %d", pre[6])
	}
	if hlen > maxHeader {
		return 0, d, fmt.Errorf("header of %d bytes exceeds the %d-byte limit", hlen, maxHeader)
	}
	if start+hlen > size {
		return 0, d, fmt.Errorf("truncated header: %d bytes declared, file has %d", hlen, size-start)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return 0, d, fmt.Errorf("reading the header: %w", err)
	}
	if err := parseDict(string(hb), &d); err != nil {
		return 0, d, err
	}
	return start + hlen, d, nil
}

// parseDict parses the header dictionary strictly, as numpy writes it:
// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" padded
// with spaces and ended by a newline, the three keys in any order, each
// exactly once, nothing else.
func parseDict(h string, d *descr) error {
	bad := func(why string) error { return fmt.Errorf("malformed header dictionary: %s", why) }
	if !strings.HasSuffix(h, "\n") {
		return bad("not ended by a newline")
	}
	h = strings.TrimSpace(h)
	if !strings.HasPrefix(h, "{") || !strings.HasSuffix(h, "}") {
		return bad("not enclosed in braces")
	}
	p := &dictParser{s: h[1 : len(h)-1]}
	seen := map[string]bool{}
	for {
		p.space()
		if p.done() {
			break
		}
		key, err := p.str()
		if err != nil {
			return bad(err.Error())
		}
		if seen[key] {
			return bad("key " + key + " repeated")
		}
		seen[key] = true
		p.space()
		if !p.eat(':') {
			return bad("no ':' after " + key)
		}
		p.space()
		switch key {
		case "descr":
			if d.typ, err = p.str(); err != nil {
				return bad(err.Error())
			}
		case "fortran_order":
			switch {
			case p.word("False"):
			case p.word("True"):
				d.fortran = true
			default:
				return bad("fortran_order is not True or False")
			}
		case "shape":
			if d.shape, err = p.tuple(); err != nil {
				return bad(err.Error())
			}
		default:
			return bad(fmt.Sprintf("unknown key %q", key))
		}
		p.space()
		if p.done() {
			break
		}
		if !p.eat(',') {
			return bad("entries not separated by ','")
		}
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return fmt.Errorf("header lacks %s", k)
		}
	}
	return nil
}

type dictParser struct {
	s string
	i int
}

func (p *dictParser) done() bool { return p.i >= len(p.s) }

func (p *dictParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *dictParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dictParser) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

// str parses a quoted string without escapes.
func (p *dictParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errors.New("expected a quoted string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.ContainsAny(v, "\\\n") {
		return "", errors.New("escapes in strings are not supported")
	}
	p.i += end + 2
	return v, nil
}

// tuple parses "(a, b, …)" of non-negative decimal integers.
func (p *dictParser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("shape is not a tuple")
	}
	var out []int
	for {
		p.space()
		if p.eat(')') {
			return out, nil
		}
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		digits := p.s[j:p.i]
		if digits == "" || len(digits) > 18 || (len(digits) > 1 && digits[0] == '0') {
			return nil, fmt.Errorf("bad shape entry %q", p.s[j:min(j+20, len(p.s))])
		}
		v, _ := strconv.Atoi(digits)
		out = append(out, v)
		p.space()
		if p.eat(')') {
			return out, nil
		}
		if !p.eat(',') {
			return nil, errors.New("shape entries not separated by ','")
		}
		if len(out) > 32 {
			return nil, errors.New("shape has more than 32 dimensions")
		}
	}
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
		f := float32(v)
		if math.IsNaN(v) || math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("npy: refusing to write %v (not finite as float32)", v)
		}
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(f))
	}
	return buf, nil
}

// WriteFile writes a as float32 .npy to path atomically and, when
// withChecksum is set, path+".sha256" in sha256sum format, as one commit
// (package engine/atomicfile). Without withChecksum a stale sidecar is
// removed first. It returns the hex SHA-256 of the written file.
func WriteFile(path string, a *Array, withChecksum bool) (string, error) {
	raw, err := Encode(a)
	if err != nil {
		return "", err
	}
	if withChecksum {
		return atomicfile.WriteWithChecksum(path, raw)
	}
	if err := atomicfile.RemoveChecksum(path); err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(path, raw); err != nil {
		return "", err
	}
	return atomicfile.Sum(raw), nil
}

// WriteAtomic writes data to path through atomicfile.WriteFile, so
// readers never see a partial file.
func WriteAtomic(path string, data []byte) error { return atomicfile.WriteFile(path, data) }
