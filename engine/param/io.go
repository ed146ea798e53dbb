package param

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/idem-project/idem/engine/atomicfile"
)

// File format (all integers little-endian):
//
//	magic    8 bytes  "IDEMPARM"
//	version  uint32   1
//	count    uint32   number of tensors
//	count ×  { nameLen uint32, name [nameLen]byte, ndim uint32, dims [ndim]uint64 }
//	n        uint64   number of float64 values (= Set.Len())
//	digest   32 bytes SHA-256 of the payload bytes
//	payload  n × float64 (IEEE 754 bits, little-endian), in tensor order
//
// Only Data is stored; gradients are not.

const (
	fileMagic   = "IDEMPARM"
	fileVersion = 1
	maxNameLen  = 1 << 12
	maxDims     = 16
)

var (
	// ErrCorrupt reports a file that is truncated, has a bad magic or
	// version, or whose payload fails its SHA-256 check.
	ErrCorrupt = errors.New("param: corrupt parameter data")
	// ErrMismatch reports a well-formed file whose tensor names or shapes
	// differ from the Set it is loaded into.
	ErrMismatch = errors.New("param: parameter data does not match the set")
)

// MarshalBinary encodes the parameter values with their names and shapes.
func (s *Set) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary loads values written by MarshalBinary or WriteTo. It
// requires the same tensor names and shapes in the same order, a valid
// digest and no trailing bytes; on any error the Set is unchanged.
func (s *Set) UnmarshalBinary(data []byte) error {
	if !s.done {
		return errors.New("param: UnmarshalBinary before Finish")
	}
	r := bytes.NewReader(data)
	vals, err := s.decode(&countReader{r: r})
	if err != nil {
		return err
	}
	if r.Len() != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, r.Len())
	}
	copy(s.Data, vals)
	return nil
}

// WriteTo writes the encoded Set to w.
func (s *Set) WriteTo(w io.Writer) (int64, error) {
	if !s.done {
		return 0, errors.New("param: WriteTo before Finish")
	}
	var hdr []byte
	hdr = append(hdr, fileMagic...)
	hdr = binary.LittleEndian.AppendUint32(hdr, fileVersion)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(s.Tensors)))
	for _, t := range s.Tensors {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(t.Name)))
		hdr = append(hdr, t.Name...)
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(t.Shape)))
		for _, d := range t.Shape {
			hdr = binary.LittleEndian.AppendUint64(hdr, uint64(d))
		}
	}
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(s.Data)))
	payload := make([]byte, 8*len(s.Data))
	for i, v := range s.Data {
		binary.LittleEndian.PutUint64(payload[8*i:], math.Float64bits(v))
	}
	sum := sha256.Sum256(payload)
	hdr = append(hdr, sum[:]...)
	n, err := w.Write(hdr)
	total := int64(n)
	if err != nil {
		return total, err
	}
	n, err = w.Write(payload)
	return total + int64(n), err
}

// ReadFrom reads one encoded Set from r, consuming exactly its bytes, and
// loads the values into s. The names and shapes must equal s's, in order;
// on any error s is unchanged. Errors wrap ErrCorrupt or ErrMismatch (or are
// the reader's own error).
func (s *Set) ReadFrom(r io.Reader) (int64, error) {
	if !s.done {
		return 0, errors.New("param: ReadFrom before Finish")
	}
	rd := &countReader{r: r}
	vals, err := s.decode(rd)
	if err != nil {
		return rd.n, err
	}
	copy(s.Data, vals)
	return rd.n, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) full(p []byte) error {
	k, err := io.ReadFull(c.r, p)
	c.n += int64(k)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated after %d bytes", ErrCorrupt, c.n)
	}
	return err
}

func (c *countReader) u32() (uint32, error) {
	var b [4]byte
	err := c.full(b[:])
	return binary.LittleEndian.Uint32(b[:]), err
}

func (c *countReader) u64() (uint64, error) {
	var b [8]byte
	err := c.full(b[:])
	return binary.LittleEndian.Uint64(b[:]), err
}

func (s *Set) decode(rd *countReader) ([]float64, error) {
	var magic [8]byte
	if err := rd.full(magic[:]); err != nil {
		return nil, err
	}
	if string(magic[:]) != fileMagic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, magic[:])
	}
	ver, err := rd.u32()
	if err != nil {
		return nil, err
	}
	if ver != fileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d (want %d)", ErrCorrupt, ver, fileVersion)
	}
	count, err := rd.u32()
	if err != nil {
		return nil, err
	}
	if int64(count) != int64(len(s.Tensors)) {
		return nil, fmt.Errorf("%w: %d tensors in data, %d in set", ErrMismatch, count, len(s.Tensors))
	}
	for _, t := range s.Tensors {
		nl, err := rd.u32()
		if err != nil {
			return nil, err
		}
		if nl > maxNameLen {
			return nil, fmt.Errorf("%w: tensor name length %d", ErrCorrupt, nl)
		}
		name := make([]byte, nl)
		if err := rd.full(name); err != nil {
			return nil, err
		}
		if string(name) != t.Name {
			return nil, fmt.Errorf("%w: tensor %q in data where the set has %q", ErrMismatch, name, t.Name)
		}
		nd, err := rd.u32()
		if err != nil {
			return nil, err
		}
		if nd > maxDims {
			return nil, fmt.Errorf("%w: tensor %q has %d dimensions", ErrCorrupt, name, nd)
		}
		shape := make([]int, nd)
		for i := range shape {
			d, err := rd.u64()
			if err != nil {
				return nil, err
			}
			if d > math.MaxInt32 {
				return nil, fmt.Errorf("%w: tensor %q dimension %d", ErrCorrupt, name, d)
			}
			shape[i] = int(d)
		}
		if !slices.Equal(shape, t.Shape) {
			return nil, fmt.Errorf("%w: tensor %q has shape %v in data, %v in set", ErrMismatch, t.Name, shape, t.Shape)
		}
	}
	n, err := rd.u64()
	if err != nil {
		return nil, err
	}
	if n != uint64(len(s.Data)) {
		return nil, fmt.Errorf("%w: %d values in data, %d in set", ErrCorrupt, n, len(s.Data))
	}
	var want [sha256.Size]byte
	if err := rd.full(want[:]); err != nil {
		return nil, err
	}
	payload := make([]byte, 8*n)
	if err := rd.full(payload); err != nil {
		return nil, err
	}
	if got := sha256.Sum256(payload); got != want {
		return nil, fmt.Errorf("%w: payload SHA-256 %x, header says %x", ErrCorrupt, got, want)
	}
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(payload[8*i:]))
	}
	return vals, nil
}

// Save writes the Set to path through engine/atomicfile (a temporary
// file in the same directory, synced, renamed, directory synced; mode 0644
// less the umask).
func (s *Set) Save(path string) error {
	if !s.done {
		return errors.New("param: Save before Finish")
	}
	return atomicfile.WriteFunc(path, func(w io.Writer) error {
		_, err := s.WriteTo(w)
		return err
	})
}

// Load reads a file written by Save into s. The file must be a regular
// file holding exactly one encoded Set (its size is checked against the
// Set's before anything is read); on any error s is unchanged.
func (s *Set) Load(path string) error {
	if !s.done {
		return errors.New("param: Load before Finish")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("param: %s is not a regular file", path)
	}
	// The header holds per tensor at most 8 + maxNameLen + 8·maxDims bytes.
	limit := int64(56) + int64(len(s.Tensors))*(8+maxNameLen+8*maxDims) + 8*int64(len(s.Data))
	if st.Size() > limit {
		return fmt.Errorf("%w: %s has %d bytes, a file of this set has at most %d", ErrCorrupt, path, st.Size(), limit)
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return fmt.Errorf("param: %s: %w", path, err)
	}
	if err := s.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
