package sealed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/idem-project/idem/engine/atomicfile"
	sha256 "github.com/minio/sha256-simd"
)

// MaxSize bounds the files Read accepts: 16 GiB.
const MaxSize = 1 << 34

// ErrCorrupt reports a file that is truncated, altered, of another kind or of
// another version.
var ErrCorrupt = errors.New("corrupt file")

// Marshal seals the sections under an 8-byte magic and a version.
func Marshal(magic string, version uint32, sections ...[]byte) []byte {
	if len(magic) != 8 {
		panic("sealed: magic must be 8 bytes")
	}
	n := len(magic) + 4 + 32
	for _, s := range sections {
		n += 8 + len(s)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, magic...)
	buf = binary.LittleEndian.AppendUint32(buf, version)
	for _, s := range sections {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...)
}

// Unmarshal checks the magic, the digest and the version of data and returns
// its n sections (sub-slices of data). Every failure wraps ErrCorrupt.
func Unmarshal(data []byte, magic string, version uint32, n int) ([][]byte, error) {
	if len(data) < len(magic)+4+32 || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not a %s file (bad magic or too short)", ErrCorrupt, magic)
	}
	body, digest := data[:len(data)-32], data[len(data)-32:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], digest) {
		return nil, fmt.Errorf("%w: SHA-256 mismatch (truncated or altered)", ErrCorrupt)
	}
	if v := binary.LittleEndian.Uint32(body[len(magic):]); v != version {
		return nil, fmt.Errorf("%w: version %d, this build reads %d", ErrCorrupt, v, version)
	}
	rest := body[len(magic)+4:]
	secs := make([][]byte, 0, n)
	for len(secs) < n {
		if len(rest) < 8 {
			return nil, fmt.Errorf("%w: section %d missing", ErrCorrupt, len(secs))
		}
		m := binary.LittleEndian.Uint64(rest)
		rest = rest[8:]
		if m > uint64(len(rest)) {
			return nil, fmt.Errorf("%w: section %d overruns the file", ErrCorrupt, len(secs))
		}
		secs = append(secs, rest[:m])
		rest = rest[m:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(rest))
	}
	return secs, nil
}

// ReadFile reads a whole regular file of at most MaxSize bytes.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %w: %d bytes is larger than any sealed file", path, ErrCorrupt, fi.Size())
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// WriteFile seals the sections and writes them to path atomically.
func WriteFile(path, magic string, version uint32, sections ...[]byte) error {
	return atomicfile.WriteFile(path, Marshal(magic, version, sections...))
}
