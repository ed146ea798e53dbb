package sealed

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRoundTripAndCorruption(t *testing.T) {
	secs := [][]byte{[]byte("config"), {}, bytes.Repeat([]byte{7}, 1000)}
	data := Marshal("TESTSEAL", 3, secs...)
	got, err := Unmarshal(data, "TESTSEAL", 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range secs {
		if !bytes.Equal(got[i], secs[i]) {
			t.Fatalf("section %d differs", i)
		}
	}
	bad := map[string][]byte{
		"truncated":   data[:len(data)-1],
		"empty":       nil,
		"other magic": Marshal("OTHERSEA", 3, secs...),
		"version":     Marshal("TESTSEAL", 4, secs...),
		"fewer":       Marshal("TESTSEAL", 3, secs[:2]...),
		"more":        Marshal("TESTSEAL", 3, append(secs, []byte("x"))...),
	}
	for i := 0; i < len(data); i += 97 {
		flipped := append([]byte(nil), data...)
		flipped[i] ^= 0x10
		bad["flip"] = flipped
		if _, err := Unmarshal(flipped, "TESTSEAL", 3, 3); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("bit flip at %d: err = %v", i, err)
		}
	}
	for name, b := range bad {
		if _, err := Unmarshal(b, "TESTSEAL", 3, 3); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

func TestWriteReadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.seal")
	if err := WriteFile(p, "TESTSEAL", 1, []byte("a"), []byte("bc")); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	secs, err := Unmarshal(data, "TESTSEAL", 1, 2)
	if err != nil || string(secs[1]) != "bc" {
		t.Fatalf("%q %v", secs, err)
	}
	if _, err := ReadFile(filepath.Dir(p)); err == nil {
		t.Error("reading a directory succeeded")
	}
	if _, err := ReadFile(p + ".missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzUnmarshal feeds arbitrary bytes to Unmarshal: it never panics, and what
// it accepts re-seals to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	f.Add(Marshal("TESTSEAL", 1, []byte("a"), []byte("bc")))
	f.Add(Marshal("TESTSEAL", 1, nil, nil))
	f.Add([]byte("TESTSEAL"))
	f.Fuzz(func(t *testing.T, data []byte) {
		secs, err := Unmarshal(data, "TESTSEAL", 1, 2)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if got := Marshal("TESTSEAL", 1, secs...); !bytes.Equal(got, data) {
			t.Fatal("accepted input does not re-seal to itself")
		}
	})
}
