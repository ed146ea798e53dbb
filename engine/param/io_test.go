package param

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func newSet(t testing.TB, shapes map[string][]int, order ...string) *Set {
	t.Helper()
	s := &Set{}
	for _, name := range order {
		s.Add(name, shapes[name]...)
	}
	s.Finish()
	for i := range s.Data {
		s.Data[i] = math.Sin(float64(i)+0.5) * 3
	}
	return s
}

var shapes = map[string][]int{"w": {3, 4}, "b": {3}, "v": {2, 1, 2}}

func TestRoundTrip(t *testing.T) {
	s := newSet(t, shapes, "w", "b", "v")
	s.Data[0], s.Data[1], s.Data[2] = math.Inf(-1), math.Copysign(0, -1), math.SmallestNonzeroFloat64
	data, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	d := newSet(t, shapes, "w", "b", "v")
	clear(d.Data)
	if err := d.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	for i := range s.Data {
		if math.Float64bits(d.Data[i]) != math.Float64bits(s.Data[i]) {
			t.Fatalf("value %d: %v, want %v", i, d.Data[i], s.Data[i])
		}
	}
	// Files, atomically written.
	path := filepath.Join(t.TempDir(), "p.bin")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	clear(d.Data)
	if err := d.Load(path); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(math64(d.Data), math64(s.Data)) {
		t.Fatal("Load after Save differs")
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("Save left %d files behind", len(ents))
	}
	if err := d.Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func math64(v []float64) []uint64 {
	u := make([]uint64, len(v))
	for i, x := range v {
		u[i] = math.Float64bits(x)
	}
	return u
}

// TestReadFromStream checks that ReadFrom consumes exactly one Set, so sets
// can be embedded in a larger stream (a checkpoint).
func TestReadFromStream(t *testing.T) {
	a := newSet(t, shapes, "w", "b", "v")
	b := newSet(t, map[string][]int{"x": {5}}, "x")
	b.Data[0] = 42
	var buf bytes.Buffer
	na, _ := a.WriteTo(&buf)
	nb, _ := b.WriteTo(&buf)
	buf.WriteString("tail")
	a2 := newSet(t, shapes, "w", "b", "v")
	b2 := newSet(t, map[string][]int{"x": {5}}, "x")
	clear(a2.Data)
	if n, err := a2.ReadFrom(&buf); err != nil || n != na {
		t.Fatalf("first ReadFrom: %d bytes, %v (wrote %d)", n, err, na)
	}
	if n, err := b2.ReadFrom(&buf); err != nil || n != nb || b2.Data[0] != 42 {
		t.Fatalf("second ReadFrom: %d bytes, %v", n, err)
	}
	if buf.String() != "tail" {
		t.Fatalf("ReadFrom consumed too much: %q left", buf.String())
	}
}

func unchanged(t *testing.T, s *Set, want []float64, what string) {
	t.Helper()
	if !slices.Equal(math64(s.Data), math64(want)) {
		t.Errorf("%s: the set changed", what)
	}
}

func TestCorruptAndTruncated(t *testing.T) {
	src := newSet(t, shapes, "w", "b", "v")
	data, _ := src.MarshalBinary()
	dst := newSet(t, shapes, "w", "b", "v")
	for i := range dst.Data {
		dst.Data[i] = -1
	}
	orig := append([]float64(nil), dst.Data...)
	for n := 0; n < len(data); n++ {
		err := dst.UnmarshalBinary(data[:n])
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d of %d bytes: error %v, want ErrCorrupt", n, len(data), err)
		}
	}
	unchanged(t, dst, orig, "truncation")
	payloadStart := len(data) - 8*len(src.Data)
	for _, pos := range []int{payloadStart, payloadStart + 37, len(data) - 1, payloadStart - 1 /* digest */} {
		bad := append([]byte(nil), data...)
		bad[pos] ^= 0x10
		if err := dst.UnmarshalBinary(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("flipped byte %d: error %v, want ErrCorrupt", pos, err)
		}
	}
	bad := append([]byte(nil), data...)
	bad[0] = 'X'
	if err := dst.UnmarshalBinary(bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad magic: %v", err)
	}
	bad = append([]byte(nil), data...)
	bad[8] = 2
	if err := dst.UnmarshalBinary(bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad version: %v", err)
	}
	if err := dst.UnmarshalBinary(append(append([]byte(nil), data...), 0)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing byte: %v", err)
	}
	unchanged(t, dst, orig, "corruption")
	// A corrupt file on disk.
	path := filepath.Join(t.TempDir(), "p.bin")
	if err := os.WriteFile(path, data[:len(data)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := dst.Load(path); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated file: %v", err)
	}
	unchanged(t, dst, orig, "truncated file")
}

func TestMismatch(t *testing.T) {
	src := newSet(t, shapes, "w", "b", "v")
	data, _ := src.MarshalBinary()
	cases := map[string]*Set{
		"order":    newSet(t, shapes, "b", "w", "v"),
		"fewer":    newSet(t, shapes, "w", "b"),
		"more":     newSet(t, map[string][]int{"w": {3, 4}, "b": {3}, "v": {2, 1, 2}, "u": {1}}, "w", "b", "v", "u"),
		"name":     newSet(t, map[string][]int{"w": {3, 4}, "c": {3}, "v": {2, 1, 2}}, "w", "c", "v"),
		"shape":    newSet(t, map[string][]int{"w": {4, 3}, "b": {3}, "v": {2, 1, 2}}, "w", "b", "v"),
		"rank":     newSet(t, map[string][]int{"w": {3, 4}, "b": {3}, "v": {2, 2}}, "w", "b", "v"),
		"sizeonly": newSet(t, map[string][]int{"w": {3, 4}, "b": {3}, "v": {4, 1, 1}}, "w", "b", "v"),
	}
	for name, dst := range cases {
		orig := append([]float64(nil), dst.Data...)
		err := dst.UnmarshalBinary(data)
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("%s: error %v, want ErrMismatch", name, err)
		}
		unchanged(t, dst, orig, name)
	}
	var unfinished Set
	unfinished.Add("w", 3, 4)
	if err := unfinished.UnmarshalBinary(data); err == nil {
		t.Error("load into an unfinished set succeeded")
	}
	if _, err := unfinished.MarshalBinary(); err == nil {
		t.Error("marshal of an unfinished set succeeded")
	}
}

func TestLoadHostile(t *testing.T) {
	s := newSet(t, shapes, "w", "b", "v")
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, big, "/dev/zero"} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := s.Load(p); err == nil {
			t.Errorf("Load(%s): want an error", p)
		}
	}
	p := filepath.Join(dir, "ok")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(p); err != nil {
		t.Fatalf("Load of a saved set: %v", err)
	}
}

// FuzzUnmarshal checks that no input panics UnmarshalBinary, that a
// failed load leaves the set unchanged and that an accepted one
// re-marshals to the same bytes.
func FuzzUnmarshal(f *testing.F) {
	s := newSet(f, shapes, "w", "b", "v")
	good, _ := s.MarshalBinary()
	f.Add(good)
	f.Add(good[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		d := newSet(t, shapes, "w", "b", "v")
		before := slices.Clone(d.Data)
		if err := d.UnmarshalBinary(data); err != nil {
			for i := range before {
				if math.Float64bits(before[i]) != math.Float64bits(d.Data[i]) {
					t.Fatalf("failed load changed value %d", i)
				}
			}
			return
		}
		again, err := d.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted input does not re-marshal to itself: %v", err)
		}
	})
}
