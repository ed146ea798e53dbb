package npy

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mk(dict string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	b.Write(data)
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	a := &Array{Rows: 3, Cols: 2, Data: []float64{1, -2.5, 3, 4, 0.125, 6}}
	dir := t.TempDir()
	path := filepath.Join(dir, "a.npy")
	sum, err := WriteFile(path, a, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows != 3 || got.Cols != 2 || got.SHA256 != sum {
		t.Fatalf("got %+v, sum %s", got, sum)
	}
	for i := range a.Data {
		if got.Data[i] != a.Data[i] {
			t.Fatalf("value %d: %v != %v", i, got.Data[i], a.Data[i])
		}
	}
	line, err := os.ReadFile(path + ".sha256")
	if err != nil || !strings.HasPrefix(string(line), sum+"  a.npy") {
		t.Fatalf("checksum file %q, %v", line, err)
	}
	raw, _ := os.ReadFile(path)
	if len(raw)%64 != 24%64 && (len(raw)-24)%64 != 0 { // header padded to 64 bytes
		t.Fatalf("header not aligned: file length %d", len(raw))
	}
}

func TestReadErrors(t *testing.T) {
	good := "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n"
	data := make([]byte, 16)
	cases := map[string][]byte{
		"bad magic":   append([]byte("NOTNPY0000"), data...),
		"empty":       {},
		"dtype int":   mk("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }\n", data),
		"big endian":  mk("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }\n", data),
		"fortran":     mk("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", data),
		"3-D":         mk("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 1), }\n", data),
		"truncated":   mk(good, data[:12]),
		"extra bytes": mk(good, append(data, 0, 0, 0, 0)),
		"huge shape":  mk("{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999, 99999999), }\n", data),
		"neg shape":   mk("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 2), }\n", data),
		"no shape":    mk("{'descr': '<f4', 'fortran_order': False, }\n", data),
		"bad header":  mk("{'descr': '<f4", data),
		"hlen beyond": []byte("\x93NUMPY\x01\x00\xff\xff{"),
		"version 9":   []byte("\x93NUMPY\x09\x00\x00\x00"),
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(raw); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	if _, err := Read(mk(good, data)); err != nil {
		t.Fatalf("good file: %v", err)
	}
}

func TestWriteRefusesNonFinite(t *testing.T) {
	a := &Array{Rows: 1, Cols: 1, Data: []float64{posInf()}}
	if _, err := Encode(a); err == nil {
		t.Fatal("want an error for +Inf")
	}
	if _, err := Encode(&Array{Rows: 2, Cols: 2, Data: []float64{1}}); err == nil {
		t.Fatal("want an error for a shape mismatch")
	}
}

func posInf() float64 { var z float64; return 1 / z }

func FuzzRead(f *testing.F) {
	a := &Array{Rows: 2, Cols: 3, Data: []float64{1, 2, 3, 4, 5, 6}}
	raw, _ := Encode(a)
	f.Add(raw)
	f.Add(mk("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }\n", make([]byte, 8)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := Read(raw)
		if err == nil && len(got.Data) != got.Rows*got.Cols {
			t.Fatalf("inconsistent array %d×%d with %d values", got.Rows, got.Cols, len(got.Data))
		}
	})
}
