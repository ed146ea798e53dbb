package asmtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/idem-project/idem/asm"
)

// Guard is the number of sentinel elements on each side of a guarded slice.
const Guard = 8

// sentinel is a NaN payload no kernel produces.
var sentinel = math.Float64frombits(0x7ff8_dead_beef_0001)

// Guarded is a slice with sentinel regions before and after it, at an
// element offset off from the start of its backing array.
type Guarded struct {
	full []float64
	lo   int
	V    []float64 // the usable view
}

// NewGuarded returns a guarded slice of length n at offset off, filled with
// sentinels (the view too, so that unwritten outputs are visible).
func NewGuarded(n, off int) *Guarded {
	full := make([]float64, Guard+off+n+Guard)
	for i := range full {
		full[i] = sentinel
	}
	lo := Guard + off
	return &Guarded{full: full, lo: lo, V: full[lo : lo+n : lo+n]}
}

// Check reports whether the guard regions are intact.
func (g *Guarded) Check(t testing.TB, name string) {
	t.Helper()
	for i, v := range g.full {
		if i >= g.lo && i < g.lo+len(g.V) {
			continue
		}
		if math.Float64bits(v) != math.Float64bits(sentinel) {
			t.Fatalf("%s: guard element %d (view starts at %d, len %d) overwritten with %v", name, i, g.lo, len(g.V), v)
		}
	}
}

// Lattice fills dst (row-major, b configurations of n particles in dim
// dimensions) with jittered cubic-lattice positions of the given spacing, so
// that no two particles are much closer than spacing/2.
func Lattice(rng *rand.Rand, dst []float64, n, dim, b int, spacing, jitter float64) {
	side := int(math.Ceil(math.Pow(float64(n), 1/float64(dim))))
	for c := 0; c < b; c++ {
		perm := rng.Perm(int(math.Pow(float64(side), float64(dim))))
		for i := 0; i < n; i++ {
			cell := perm[i]
			for d := 0; d < dim; d++ {
				k := cell % side
				cell /= side
				dst[(c*n+i)*dim+d] = spacing*float64(k) + jitter*(2*rng.Float64()-1) + 0.3*float64(d)
			}
		}
	}
}

// EnvRequire is the environment variable that lists (comma-separated) the
// implementations that must be present: a test that would skip because
// one of them is missing fails instead.
const EnvRequire = "IDEM_REQUIRE_IMPLS"

// Required reports whether $IDEM_REQUIRE_IMPLS names the implementation.
func Required(name string) bool {
	for _, r := range strings.Split(os.Getenv(EnvRequire), ",") {
		if strings.TrimSpace(r) == name {
			return true
		}
	}
	return false
}

// Impls returns the implementations to test. When $IDEM_REQUIRE_IMPLS names
// implementations (comma-separated), a missing one fails the test instead of
// being silently skipped.
func Impls(t testing.TB) []*asm.Impl {
	t.Helper()
	if req := os.Getenv(EnvRequire); req != "" {
		for _, name := range strings.Split(req, ",") {
			if err := asm.Unavailable(strings.TrimSpace(name)); err != nil {
				t.Fatalf("required implementation missing: %v", err)
			}
		}
	}
	return asm.Impls()
}

// Require returns the implementation called name. When this CPU or build
// cannot run it, the test is skipped with a message naming the missing
// unit (e.g. "AMX-TILE/AMX-BF16 not present"), or fails when
// $IDEM_REQUIRE_IMPLS names it.
func Require(t testing.TB, name string) *asm.Impl {
	t.Helper()
	if err := asm.Unavailable(name); err != nil {
		if Required(name) {
			t.Fatalf("required by %s: %v", EnvRequire, err)
		}
		t.Skipf("skipped: %v", err)
	}
	im, err := asm.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// ForEachImpl runs f as subtest "impl=NAME" for every implementation this
// architecture knows (asm.ImplNames); the subtests of the implementations
// this CPU or build cannot run skip (or fail, see Require) with the reason.
func ForEachImpl(t *testing.T, f func(t *testing.T, im *asm.Impl)) {
	t.Helper()
	for _, name := range asm.ImplNames() {
		t.Run("impl="+name, func(t *testing.T) {
			f(t, Require(t, name))
		})
	}
}

// Close reports whether got is within tol·scale of want (absolute), where
// scale is the magnitude of the summed terms.
func Close(got, want, tol, scale float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return false
	}
	return math.Abs(got-want) <= tol*math.Max(scale, 1)
}

// Name formats a subtest name like "impl=avx2/n=13/b=6/off=1".
func Name(im *asm.Impl, n, b, off int) string {
	return fmt.Sprintf("impl=%s/n=%d/b=%d/off=%d", im.Name(), n, b, off)
}
