package egnn

// Golden hashes: the exact float64 bits of every output of Forward,
// ForwardBackward, JVP and Divergence, for both precisions, every available
// implementation, DW-4- and LJ-13-like models and batches of one chunk,
// several chunks and a tail. A refactoring of the chunk code must leave
// them unchanged; a deliberate change to the arithmetic regenerates them
// with
//
//	go test ./egnn -run TestGoldenHashes -golden.update
//
// (once per build that has other implementations, e.g. also with -tags
// purego; entries of implementations not run are kept).

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"go/format"
	"hash"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

var goldenUpdate = flag.Bool("golden.update", false, "rewrite golden_hashes_test.go from this build's implementations")

type goldenCase struct {
	name    string
	cfg     Config
	wide    bool  // O(1) parameters (testModel) instead of the default initialisation
	batches []int // Forward, ForwardBackward and JVP
	divB    []int // Divergence (N·D tangent passes per chunk)
}

var goldenCases = []goldenCase{
	{"dw4", Config{N: 4, D: 2, Layers: 3}, false, []int{1, 7, 130}, []int{1, 7, 130}},
	{"lj13", Config{N: 13, D: 3, Layers: 5, Hidden: 32}, true, []int{1, 7, 130}, []int{1, 7}},
	// odd width and N: the kernels' tails
	{"odd", Config{N: 5, D: 3, Layers: 2, Hidden: 13}, true, []int{1, 7, 130}, []int{1, 7}},
}

func hashF64(h hash.Hash, vs ...[]float64) {
	var buf [8]byte
	for _, v := range vs {
		binary.LittleEndian.PutUint64(buf[:], uint64(len(v)))
		h.Write(buf[:])
		for _, x := range v {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(x))
			h.Write(buf[:])
		}
	}
}

// goldenRun returns op → hex SHA-256 for one model, precision and worker
// count.
func goldenRun(t *testing.T, m *Model, tc goldenCase, p Precision, workers int) map[string]string {
	t.Helper()
	cfg := m.Config()
	d := cfg.Dim()
	maxB := slices.Max(tc.batches)
	ws, err := m.NewWorkspacePrec(maxB, engine.NewPool(workers), p)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(17, uint64(cfg.N)))
	x, tt := randBatch(rng, maxB, cfg.N, cfg.D)
	v, _ := randBatch(rng, maxB, cfg.N, cfg.D)
	w := make([]float64, maxB*d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	grad := func(lo, hi int, _, dst []float64) { copy(dst, w[lo*d:hi*d]) }
	hs := map[string]hash.Hash{}
	for _, op := range []string{"forward", "fb", "fbnodx", "jvp", "div"} {
		hs[op] = sha256.New()
	}
	for _, b := range tc.batches {
		out := make([]float64, b*d)
		if err := ws.Forward(out, x, tt, b); err != nil {
			t.Fatal(err)
		}
		hashF64(hs["forward"], out)

		m.Params().ZeroGrad()
		dX := make([]float64, b*d)
		if err := ws.ForwardBackward(out, x, tt, b, grad, dX); err != nil {
			t.Fatal(err)
		}
		hashF64(hs["fb"], out, dX, m.Params().Grad)

		m.Params().ZeroGrad()
		if err := ws.ForwardBackward(nil, x, tt, b, grad, nil); err != nil {
			t.Fatal(err)
		}
		hashF64(hs["fbnodx"], m.Params().Grad)

		jv := make([]float64, b*d)
		if err := ws.JVP(out, jv, x, tt, v, b); err != nil {
			t.Fatal(err)
		}
		hashF64(hs["jvp"], out, jv)
	}
	for _, b := range tc.divB {
		out := make([]float64, b*d)
		div := make([]float64, b)
		if err := ws.Divergence(out, div, x, tt, b); err != nil {
			t.Fatal(err)
		}
		hashF64(hs["div"], out, div)
	}
	res := map[string]string{}
	for op, h := range hs {
		res[op] = hex.EncodeToString(h.Sum(nil))
	}
	return res
}

// goldenArch is the architecture goldenHashes was recorded on.
const goldenArch = "amd64"

// TestGoldenHashes: the outputs are bit-identical to those recorded in
// goldenHashes (for the implementations recorded there), and identical for
// one and two workers.
func TestGoldenHashes(t *testing.T) {
	// The hashes were recorded on amd64; other architectures (arm64 fuses
	// multiply-adds in Go code) only check 1 against 2 workers, and skip in
	// -short mode, where they run under emulation.
	recorded := runtime.GOARCH == goldenArch
	if !recorded && testing.Short() {
		t.Skipf("golden hashes are for %s; -short skips the worker check on %s", goldenArch, runtime.GOARCH)
	}
	got := map[string]string{}
	for _, im := range asm.Impls() {
		for _, tc := range goldenCases {
			var m *Model
			if tc.wide {
				m = testModel(t, tc.cfg, im, 11)
			} else {
				var err error
				if m, err = NewWithImpl(tc.cfg, 11, im); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range []Precision{Float64, Float32} {
				var ref map[string]string
				for _, workers := range []int{1, 2} {
					res := goldenRun(t, m, tc, p, workers)
					if ref == nil {
						ref = res
						continue
					}
					for op, h := range res {
						if h != ref[op] {
							t.Errorf("impl=%s/%s/%v/%s: 2 workers differ from 1", im.Name(), tc.name, p, op)
						}
					}
				}
				for op, h := range ref {
					key := fmt.Sprintf("%s/%s/%v/%s", im.Name(), tc.name, p, op)
					got[key] = h
					want, ok := goldenHashes[key]
					switch {
					case *goldenUpdate || !recorded:
					case !ok:
						t.Logf("%s: no golden hash recorded (implementation %s not recorded)", key, im.Name())
					case h != want:
						t.Errorf("%s: hash %s, golden %s", key, h[:16], want[:16])
					}
				}
			}
		}
	}
	if !*goldenUpdate {
		return
	}
	if !recorded {
		t.Fatalf("-golden.update records %s hashes; this is %s", goldenArch, runtime.GOARCH)
	}
	for k, v := range goldenHashes {
		if _, ok := got[k]; !ok {
			got[k] = v
		}
	}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb strings.Builder
	sb.WriteString("// Code generated by go test -run TestGoldenHashes -golden.update; DO NOT EDIT.\n\npackage egnn\n\n")
	sb.WriteString("// goldenHashes maps impl/case/precision/op to the SHA-256 of the op's outputs (see golden_test.go).\n")
	sb.WriteString("var goldenHashes = map[string]string{\n")
	for _, k := range keys {
		fmt.Fprintf(&sb, "\t%q: %q,\n", k, got[k])
	}
	sb.WriteString("}\n")
	src, err := format.Source([]byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("golden_hashes_test.go", src, 0o644); err != nil {
		t.Fatal(err)
	}
}
