package egnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
	"github.com/idem-project/idem/engine"
)

// bf16Tol is the stated agreement of the BFloat16 path with the Float64
// oracle, in checkClose's terms (per array, relative to its largest
// element). The worst arrays, small gradient tensors of the 5-layer LJ-13
// network, measured 0.098; rounding to 4 more mantissa bits (12 instead of
// 8) brought that to 0.0053, so the deviation is bfloat16's rounding and
// not a misplaced operand. bf16Floor is a deviation that the BFloat16 path
// must exceed somewhere, so that a path that does not round fails.
//
// bf16x3Tol is the same for BFloat16x3, whose products are good to about
// 2⁻¹⁶ instead of 2⁻⁹: it measured at most 0.0013 (against bf16's 0.018–0.098
// on the same cases), and must come out at least bf16x3Gain times closer
// than BFloat16 on every case.
const (
	bf16Tol    = 0.2
	bf16Floor  = 3 * f32Tol
	bf16x3Tol  = 0.01
	bf16x3Gain = 8
)

// TestBFloat16MatchesFloat64: the bfloat16 path (scores, ∂ℓ/∂x, every
// parameter gradient) agrees with the float64 oracle within bf16Tol for
// every implementation, and deviates from it by more than float32 does;
// the split path (BFloat16x3) agrees within bf16x3Tol and bf16x3Gain times
// closer.
func TestBFloat16MatchesFloat64(t *testing.T) {
	for _, im := range asm.Impls() {
		for _, tc := range []struct {
			cfg  Config
			b    int
			wide bool
		}{
			{Config{N: 4, D: 2, Layers: 3}, 37, false},
			{Config{N: 13, D: 3, Layers: 5}, 9, false},
			{Config{N: 13, D: 3, Layers: 2, Hidden: 20}, 7, true},
		} {
			name := fmt.Sprintf("impl=%s/N=%d/L=%d/F=%d/wide=%v", im.Name(), tc.cfg.N, tc.cfg.Layers, tc.cfg.Hidden, tc.wide)
			t.Run(name, func(t *testing.T) {
				var m *Model
				if tc.wide {
					m = testModel(t, tc.cfg, im, 4)
				} else {
					var err error
					if m, err = NewWithImpl(tc.cfg, 4, im); err != nil {
						t.Fatal(err)
					}
				}
				rng := rand.New(rand.NewPCG(5, 6))
				d := m.cfg.Dim()
				x, tt := randBatch(rng, tc.b, tc.cfg.N, tc.cfg.D)
				w := make([]float64, tc.b*d)
				for i := range w {
					w[i] = rng.NormFloat64()
				}
				o64, dx64, g64 := runFB(t, m, Float64, 1, x, tt, w, tc.b)
				deviation := func(prec Precision, tol float64) float64 {
					o16, dx16, g16 := runFB(t, m, prec, 2, x, tt, w, tc.b)
					worst := checkClose(t, prec.String()+" scores", o16, o64, tol)
					worst = max(worst, checkClose(t, prec.String()+" dX", dx16, dx64, tol))
					for _, ten := range m.Params().Tensors {
						sl := func(v []float64) []float64 { return v[ten.Offset : ten.Offset+ten.Size] }
						if maxAbs(sl(g64)) == 0 {
							continue
						}
						worst = max(worst, checkClose(t, prec.String()+" grad "+ten.Name, sl(g16), sl(g64), tol))
					}
					ws, _ := m.NewWorkspacePrec(tc.b, nil, prec)
					f16 := forward(t, ws, x, tt, tc.b)
					return max(worst, checkClose(t, prec.String()+" Forward", f16, o64, tol))
				}
				worst, worst3 := deviation(BFloat16, bf16Tol), deviation(BFloat16x3, bf16x3Tol)
				t.Logf("worst relative deviation: bf16 %.2g, bf16x3 %.2g", worst, worst3)
				if worst < bf16Floor {
					t.Errorf("worst relative deviation %.2g < %.0e: the products do not look rounded to bfloat16", worst, bf16Floor)
				}
				if worst3 > worst/bf16x3Gain {
					t.Errorf("bf16x3 deviates %.2g, more than 1/%v of bf16's %.2g: the products do not look split", worst3, bf16x3Gain, worst)
				}
			})
		}
	}
}

// TestBFloat16Weights: after a Forward, every dense weight block of a
// BFloat16 workspace (and its transpose) holds the float64 parameters
// rounded to float32 and then to bfloat16.
func TestBFloat16Weights(t *testing.T) {
	cfg := Config{N: 4, D: 2, Layers: 2, Hidden: 16}
	m := testModel(t, cfg, asm.MustDefault(), 7)
	ws, err := m.NewWorkspacePrec(3, nil, BFloat16)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x, tt := randBatch(rng, 3, cfg.N, cfg.D)
	forward(t, ws, x, tt, 3)
	for l, lw := range ws.p32.lw {
		for _, li := range []*lin[float32]{&lw.m1a, &lw.m1b, &lw.m2, &lw.x, &lw.h1, &lw.h2} {
			for o := 0; o < li.out; o++ {
				for k := 0; k < li.in; k++ {
					src := float32(li.src[o*li.ldw+k])
					want := make([]float32, 1)
					asm.RoundBF16(want, []float32{src})
					if got := li.w[o*li.ldw+k]; got != want[0] {
						t.Fatalf("layer %d: W(%d,%d) = %v, want %v", l, o, k, got, want[0])
					}
					if li.wt != nil && li.wt[k*li.out+o] != want[0] {
						t.Fatalf("layer %d: Wᵀ(%d,%d) = %v, want %v", l, k, o, li.wt[k*li.out+o], want[0])
					}
				}
			}
		}
	}
}

// TestBFloat16Allocs: in steady state a one-worker bfloat16
// ForwardBackward allocates no more than the float32 one.
func TestBFloat16Allocs(t *testing.T) {
	cfg := Config{N: 4, D: 2, Layers: 2}
	m, _ := New(cfg, 1)
	ws, _ := m.NewWorkspacePrec(8, engine.NewPool(1), BFloat16)
	rng := rand.New(rand.NewPCG(1, 1))
	x, tt := randBatch(rng, 8, cfg.N, cfg.D)
	out := make([]float64, 8*cfg.Dim())
	grad := func(lo, hi int, s, d []float64) { copy(d, s) }
	fb := func() {
		if err := ws.ForwardBackward(out, x, tt, 8, grad, nil); err != nil {
			t.Fatal(err)
		}
	}
	fb()
	if a := testing.AllocsPerRun(5, fb); a > 4 {
		t.Errorf("ForwardBackward: %v allocations per call", a)
	}
}

// bf16Run runs ForwardBackward of a BFloat16 workspace of im on a fixed
// batch, after edit has changed each worker's gemmer, and returns the
// scores, dX and the parameter gradients.
func bf16Run(t *testing.T, cfg Config, im *asm.Impl, prec Precision, edit func(g *gemmer[float32])) [3][]float64 {
	t.Helper()
	m, err := NewWithImpl(cfg, 4, im)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const b = 23
	d := cfg.Dim()
	x, tt := randBatch(rng, b, cfg.N, cfg.D)
	w := make([]float64, b*d)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	ws, err := m.NewWorkspacePrec(b, engine.NewPool(2), prec)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ws.p32.scr {
		edit(&c.gm)
	}
	m.Params().ZeroGrad()
	out, dX := make([]float64, b*d), make([]float64, b*d)
	if err := ws.ForwardBackward(out, x, tt, b, func(lo, hi int, _, dst []float64) { copy(dst, w[lo*d:hi*d]) }, dX); err != nil {
		t.Fatal(err)
	}
	return [3][]float64{out, dX, append([]float64(nil), m.Params().Grad...)}
}

// bf16Configs are the networks the BFloat16 product paths are checked on:
// DW-4 and LJ-13 shapes and an odd width.
var bf16Configs = []Config{{N: 4, D: 2, Layers: 3}, {N: 13, D: 3, Layers: 5}, {N: 5, D: 3, Layers: 2, Hidden: 13}}

// TestBFloat16PairsMatchRounded: on the avx512 implementation where the CPU
// has the native bfloat16 pair GEMM, a BFloat16 workspace uses it; its
// scores and gradients agree with the same workspace on SgemmBF16 (the
// rounded float32 operands) to float32 accuracy, so the packed layouts
// hold the right operands.
func TestBFloat16PairsMatchRounded(t *testing.T) {
	im := asmtest.Require(t, "avx512")
	if !im.HasGemmBF16Pairs() {
		t.Skipf("skipped: implementation %s has no native bfloat16 pair GEMM (needs AVX512_BF16)", im.Name())
	}
	for _, prec := range []Precision{BFloat16, BFloat16x3} {
		for _, cfg := range bf16Configs {
			use := func(pairs bool) func(g *gemmer[float32]) {
				return func(g *gemmer[float32]) {
					if g.pairs == nil {
						t.Fatal("BFloat16 workspace without the pair GEMM")
					}
					if !pairs {
						g.pairs = nil
					}
				}
			}
			p, r := bf16Run(t, cfg, im, prec, use(true)), bf16Run(t, cfg, im, prec, use(false))
			worst := 0.0
			for k, name := range []string{"scores", "dX", "grad"} {
				worst = max(worst, checkClose(t, fmt.Sprintf("%v N=%d %s", prec, cfg.N, name), p[k], r[k], 1e-3))
			}
			t.Logf("%v N=%d: worst relative difference %.2g", prec, cfg.N, worst)
		}
	}
}

// TestBFloat16TilesMatchTwin: on the amx implementation a BFloat16
// workspace runs its dense products on the tile GEMM, and its scores and
// gradients are bit for bit those of the same workspace with every product
// on the generic SgemmBF16 (the tile unit's twin) over RoundBF16 copies:
// the packed layouts, the transposed weight-gradient operand and the tile
// kernel together compute exactly the products the precision defines.
func TestBFloat16TilesMatchTwin(t *testing.T) {
	im := asmtest.Require(t, "amx")
	if !im.HasBF16Tiles() {
		t.Fatalf("implementation %s runs without the tile GEMM", im.Name())
	}
	twin := asm.Generic().SgemmBF16
	for _, prec := range []Precision{BFloat16, BFloat16x3} {
		for _, cfg := range bf16Configs {
			tiles := bf16Run(t, cfg, im, prec, func(g *gemmer[float32]) {
				if g.pairs == nil || g.packRowsT == nil {
					t.Fatal("BFloat16 workspace without the tile GEMM")
				}
				if (g.residual != nil) != (prec == BFloat16x3) {
					t.Fatalf("%v workspace with split products %v", prec, g.residual != nil)
				}
			})
			rounded := bf16Run(t, cfg, im, prec, func(g *gemmer[float32]) { g.pairs, g.packRowsT, g.bf16 = nil, nil, twin })
			for k, name := range []string{"scores", "dX", "grad"} {
				for i := range tiles[k] {
					if math.Float64bits(tiles[k][i]) != math.Float64bits(rounded[k][i]) {
						t.Fatalf("%v N=%d %s[%d]: tiles %v, twin %v", prec, cfg.N, name, i, tiles[k][i], rounded[k][i])
					}
				}
			}
		}
	}
}
