package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"

	"github.com/idem-project/idem/engine/atomicfile"
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

func TestReadFileHostile(t *testing.T) {
	dir := t.TempDir()
	good := "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n"
	write := func(name string, raw []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]string{
		"directory":     dir,
		"missing":       filepath.Join(dir, "nope.npy"),
		"lying header":  write("lie.npy", mk("{'descr': '<f4', 'fortran_order': False, 'shape': (200000000, 2), }\n", make([]byte, 16))),
		"truncated":     write("trunc.npy", mk(good, make([]byte, 15))),
		"int dtype":     write("int.npy", mk("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }\n", make([]byte, 32))),
		"header beyond": write("hdr.npy", []byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f{")),
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases["endless device"] = "/dev/zero"
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ReadFile(p)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), filepath.Base(p)) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	if _, err := ReadFileOptions(write("cap.npy", mk(good, make([]byte, 16))), Options{MaxValues: 3}); err == nil || !strings.Contains(err.Error(), "limit of 3 values") {
		t.Errorf("MaxValues: %v", err)
	}
}

func TestReadFileChecksum(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.npy")
	a := &Array{Rows: 1, Cols: 2, Data: []float64{1, 2}}
	if _, err := WriteFile(p, a, true); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(p)
	if err != nil || got.Checksum != atomicfile.Matched {
		t.Fatalf("matching sidecar: %v, %v", got, err)
	}
	// Replace the data behind the sidecar's back.
	raw, _ := Encode(&Array{Rows: 1, Cols: 2, Data: []float64{1, 3}})
	os.WriteFile(p, raw, 0o644)
	if _, err := ReadFile(p); !errors.Is(err, atomicfile.ErrMismatch) {
		t.Fatalf("mismatching sidecar: %v, want ErrMismatch", err)
	}
	got, err = ReadFileOptions(p, Options{SkipChecksum: true})
	if err != nil || got.Checksum != 0 || got.Data[1] != 3 {
		t.Fatalf("SkipChecksum: %+v, %v", got, err)
	}
	// Writing without a checksum removes the stale sidecar.
	if _, err := WriteFile(p, a, false); err != nil {
		t.Fatal(err)
	}
	if got, err = ReadFile(p); err != nil || got.Checksum != atomicfile.Missing {
		t.Fatalf("no sidecar: %+v, %v", got, err)
	}
}

// FuzzRead checks that Read never panics, that what it accepts is
// consistent, re-encodes to the same float32 values, and agrees with
// codeberg.org/sbinet/npyio (whose panics are not recovered).
func FuzzRead(f *testing.F) {
	a := &Array{Rows: 2, Cols: 3, Data: []float64{1, 2, 3, 4, 5, 6}}
	raw, _ := Encode(a)
	f.Add(raw)
	f.Add(mk("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }\n", make([]byte, 8)))
	f.Add(mk("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }\n", nil))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := Read(raw)
		if err != nil {
			return
		}
		if len(got.Data) != got.Rows*got.Cols {
			t.Fatalf("inconsistent array %d×%d with %d values", got.Rows, got.Cols, len(got.Data))
		}
		if got.Rows*got.Cols > 0 {
			var ref []float64
			_, d, _ := header(bytes.NewReader(raw), int64(len(raw)))
			if d.typ == "<f4" {
				var v []float32
				if err := npyio.Read(bytes.NewReader(raw), &v); err == nil {
					for _, x := range v {
						ref = append(ref, float64(x))
					}
				}
			} else {
				npyio.Read(bytes.NewReader(raw), &ref)
			}
			if ref != nil {
				if len(ref) != len(got.Data) {
					t.Fatalf("npyio reads %d values, Read %d", len(ref), len(got.Data))
				}
				for i := range ref {
					if math.Float64bits(ref[i]) != math.Float64bits(got.Data[i]) {
						t.Fatalf("value %d: npyio %v, Read %v", i, ref[i], got.Data[i])
					}
				}
			}
		}
		enc, err := Encode(got)
		finite := true
		for _, v := range got.Data {
			f := float64(float32(v))
			finite = finite && !math.IsNaN(f) && !math.IsInf(f, 0)
		}
		if (err == nil) != finite {
			t.Fatalf("Encode: %v for an array finite=%v", err, finite)
		}
		if err != nil {
			return
		}
		back, err := Read(enc)
		if err != nil {
			t.Fatalf("re-reading the encoding: %v", err)
		}
		if back.Rows != got.Rows || back.Cols != got.Cols {
			t.Fatalf("round trip shape (%d, %d), want (%d, %d)", back.Rows, back.Cols, got.Rows, got.Cols)
		}
		for i, v := range got.Data {
			if back.Data[i] != float64(float32(v)) {
				t.Fatalf("round trip value %d: %v, want %v", i, back.Data[i], float32(v))
			}
		}
	})
}

// TestReadVector: Options.Vector reads numpy's 1-D arrays (shape (n,)) as
// one column; without it, and for other ranks, they are refused.
func TestReadVector(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 0, 24)
	for _, v := range []float64{1.5, -2, 1e300} {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(v))
	}
	vec := filepath.Join(dir, "v.npy")
	if err := os.WriteFile(vec, mk("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", data), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := ReadFileOptions(vec, Options{Vector: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.Rows != 3 || a.Cols != 1 || a.Data[0] != 1.5 || a.Data[1] != -2 || a.Data[2] != 1e300 {
		t.Fatalf("read (%d, %d) %v", a.Rows, a.Cols, a.Data)
	}
	if _, err := ReadFile(vec); err == nil || !strings.Contains(err.Error(), "2-D") {
		t.Errorf("1-D without Vector: %v", err)
	}
	cube := filepath.Join(dir, "c.npy")
	if err := os.WriteFile(cube, mk("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 1, 1), }\n", data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFileOptions(cube, Options{Vector: true}); err == nil {
		t.Error("3-D accepted with Vector")
	}
}
