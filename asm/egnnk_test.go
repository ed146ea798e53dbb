package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gbuf is a float32 slice at element offset off inside sentinel guards.
type gbuf struct {
	full []float32
	lo   int
	V    []float32
}

const egnnGuard = 9

var egnnSent = math.Float32frombits(0x7fc0_dead)

// newGbuf returns a guarded slice of n values; random ones in [−amp, amp]
// when amp > 0, sentinels otherwise.
func newGbuf(rng *rand.Rand, n, off int, amp float64) *gbuf {
	full := make([]float32, egnnGuard+off+n+egnnGuard)
	for i := range full {
		full[i] = egnnSent
	}
	lo := egnnGuard + off
	b := &gbuf{full: full, lo: lo, V: full[lo : lo+n : lo+n]}
	if amp > 0 {
		for i := range b.V {
			b.V[i] = float32(amp * (2*rng.Float64() - 1))
		}
	}
	return b
}

func (b *gbuf) clone() *gbuf {
	c := &gbuf{full: append([]float32(nil), b.full...), lo: b.lo}
	c.V = c.full[b.lo : b.lo+len(b.V) : b.lo+len(b.V)]
	return c
}

func (b *gbuf) checkGuards(t *testing.T, name, what string) {
	t.Helper()
	for i, v := range b.full {
		if i >= b.lo && i < b.lo+len(b.V) {
			continue
		}
		if math.Float32bits(v) != math.Float32bits(egnnSent) {
			t.Fatalf("%s: %s guard element %d overwritten with %v", name, what, i, v)
		}
	}
}

func sameBits(x, y []float32) bool {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}

// egnnCase holds the buffers of one kernel call: inputs (checked to be
// unchanged) and outputs (compared with the generic run).
type egnnCase struct {
	ins, outs []*gbuf
	inNames   []string
	outNames  []string
	tol       float64 // absolute tolerance per output element, plus 1e-5·|want|
	exact     bool
	rcv, snd  []int32
	run       func(im *Impl, b []*gbuf)
}

func (c *egnnCase) in(name string, b *gbuf) {
	c.ins = append(c.ins, b)
	c.inNames = append(c.inNames, name)
}

func (c *egnnCase) out(name string, b *gbuf) {
	c.outs = append(c.outs, b)
	c.outNames = append(c.outNames, name)
}

// check runs the kernel with im and with generic on copies of the buffers
// (outputs, then inputs, as run's slice) and compares.
func (c *egnnCase) check(t *testing.T, im *Impl, name string) {
	t.Helper()
	all := append(append([]*gbuf{}, c.outs...), c.ins...)
	ref := make([]*gbuf, len(all))
	for i, b := range all {
		ref[i] = b.clone()
	}
	c.run(im, all)
	c.run(generic, ref)
	for i, b := range c.ins {
		if !sameBits(b.full, ref[len(c.outs)+i].full) {
			t.Fatalf("%s: input %s modified", name, c.inNames[i])
		}
	}
	for i, b := range c.outs {
		b.checkGuards(t, name, c.outNames[i])
		want := ref[i].V
		for k, v := range b.V {
			w := want[k]
			if c.exact {
				if math.Float32bits(v) != math.Float32bits(w) {
					t.Fatalf("%s: %s[%d] = %v, want %v (bitwise)", name, c.outNames[i], k, v, w)
				}
				continue
			}
			if math.IsNaN(float64(v)) || math.Abs(float64(v-w)) > c.tol+1e-5*math.Abs(float64(w)) {
				t.Fatalf("%s: %s[%d] = %v, want %v", name, c.outNames[i], k, v, w)
			}
		}
	}
}

func egnnIndices(rng *rand.Rand, E, nodes int) (rcv, snd []int32) {
	rcv, snd = make([]int32, E), make([]int32, E)
	for e := range rcv {
		rcv[e] = int32(rng.IntN(nodes))
		snd[e] = int32(rng.IntN(nodes))
	}
	return rcv, snd
}

// TestEGNNKernels checks every implementation of the EGNN edge kernels
// against generic over widths (multiples of 8 and not), row counts, offsets,
// with guards around every slice and inputs checked unchanged.
func TestEGNNKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, im := range Impls() {
		for _, F := range []int{8, 16, 24, 128, 1, 5, 13} {
			for _, E := range []int{0, 1, 2, 3, 6, 13} {
				for off := 0; off < 4; off++ {
					checkEGNNKernels(t, rng, im, F, E, off)
				}
			}
		}
	}
}

// FuzzEGNNKernels requires every implementation to match generic on random
// widths, row counts, offsets and inputs.
func FuzzEGNNKernels(f *testing.F) {
	f.Add(uint64(1), uint8(16), uint8(5), uint8(1))
	f.Add(uint64(2), uint8(13), uint8(3), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, F, E, off uint8) {
		rng := rand.New(rand.NewPCG(seed, 7))
		for _, im := range Impls() {
			checkEGNNKernels(t, rng, im, int(F%200)+1, int(E%40), int(off%8))
		}
	})
}

// checkEGNNKernels runs every EGNN kernel of im and of generic on the same
// random inputs of width F, E rows and element offset off, and compares.
func checkEGNNKernels(t *testing.T, rng *rand.Rand, im *Impl, F, E, off int) {
	t.Helper()
	base := fmt.Sprintf("impl=%s/F=%d/E=%d/off=%d", im.Name(), F, E, off)
	tol := 4e-6 * float64(F+E+4)
	nodes := E/2 + 1
	mk := func(n int, amp float64) *gbuf { return newGbuf(rng, n, off, amp) }

	{ // EdgeInputF32
		c := &egnnCase{tol: tol}
		c.rcv, c.snd = egnnIndices(rng, E, nodes)
		c.out("s", mk(E*F, 0))
		c.out("g", mk(E*F, 0))
		for _, n := range []string{"u", "v"} {
			c.in(n, mk(nodes*F, 3))
		}
		c.in("wr", mk(F, 1))
		c.in("wa", mk(F, 1))
		c.in("r", mk(E, 4))
		c.in("a", mk(E, 4))
		c.run = func(im *Impl, b []*gbuf) {
			im.EdgeInputF32(b[0].V, b[1].V, b[2].V, b[3].V, b[4].V, b[5].V, b[6].V, b[7].V, c.rcv, c.snd, F)
		}
		c.check(t, im, "EdgeInputF32/"+base)
	}
	{ // SiLUDotF32
		c := &egnnCase{tol: tol}
		c.out("s", mk(E*F, 0))
		c.out("g", mk(E*F, 0))
		c.out("d", mk(E, 0))
		c.in("z", mk(E*F, 30))
		c.in("w", mk(F, 1))
		c.run = func(im *Impl, b []*gbuf) { im.SiLUDotF32(b[0].V, b[1].V, b[2].V, b[3].V, b[4].V, F) }
		c.check(t, im, "SiLUDotF32/"+base)
	}
	for _, n1 := range []int{0, 1, 3, 4} {
		EE := E
		if n1 > 0 {
			EE = E - E%n1
		}
		P, ld := 0, F+3
		if n1 > 0 {
			P = EE / n1
		}
		c := &egnnCase{exact: true}
		c.out("mp", mk(EE*F, 0))
		c.out("agg", mk(max(P*ld-3, 0), 0))
		c.in("s", mk(EE*F, 2))
		c.in("att", mk(EE, 1))
		c.run = func(im *Impl, b []*gbuf) { im.AttScaleF32(b[0].V, b[1].V, b[2].V, b[3].V, n1, F, ld) }
		c.check(t, im, fmt.Sprintf("AttScaleF32/n1=%d/%s", n1, base))
	}
	{ // CoordBackF32
		c := &egnnCase{tol: tol}
		c.out("dz", mk(E*F, 0))
		c.out("gw", mk(F, 1))
		c.out("gb", mk(F, 1))
		c.in("s", mk(E*F, 3))
		c.in("g", mk(E*F, 1))
		c.in("c", mk(E, 2))
		c.in("w", mk(F, 1))
		c.run = func(im *Impl, b []*gbuf) {
			im.CoordBackF32(b[0].V, b[1].V, b[2].V, b[3].V, b[4].V, b[5].V, b[6].V, F)
		}
		c.check(t, im, "CoordBackF32/"+base)
	}
	{ // AttBackF32
		c := &egnnCase{tol: tol}
		c.out("dm", mk(E*F, 1))
		c.out("dpa", mk(E, 0))
		c.out("gw", mk(F, 1))
		c.out("gb", mk(F, 1))
		c.in("s", mk(E*F, 3))
		c.in("g", mk(E*F, 1))
		c.in("att", mk(E, 1))
		c.in("w", mk(F, 1))
		c.run = func(im *Impl, b []*gbuf) {
			im.AttBackF32(b[0].V, b[1].V, b[2].V, b[3].V, b[4].V, b[5].V, b[6].V, b[7].V, F)
		}
		c.check(t, im, "AttBackF32/"+base)
	}
	{ // SiLUBackF32
		c := &egnnCase{tol: tol}
		c.out("dz", mk(E*F, 1))
		c.out("gb", mk(F, 1))
		c.in("s", mk(E*F, 3))
		c.in("g", mk(E*F, 1))
		c.run = func(im *Impl, b []*gbuf) { im.SiLUBackF32(b[0].V, b[1].V, b[2].V, b[3].V, F) }
		c.check(t, im, "SiLUBackF32/"+base)
	}
	{ // ColSumF32
		ld := F + 3
		c := &egnnCase{exact: true}
		c.out("gb", mk(F, 1))
		c.in("x", mk(max(E*ld-3, 0), 2))
		c.run = func(im *Impl, b []*gbuf) { im.ColSumF32(b[0].V, b[1].V, E, F, ld) }
		c.check(t, im, "ColSumF32/"+base)
	}
	{ // EdgeInputBackF32
		c := &egnnCase{tol: tol}
		c.rcv, c.snd = egnnIndices(rng, E, nodes)
		c.out("du", mk(nodes*F, 1))
		c.out("dv", mk(nodes*F, 1))
		c.out("dwr", mk(F, 1))
		c.out("dwa", mk(F, 1))
		c.out("dr", mk(E, 0))
		c.out("da", mk(E, 0))
		c.in("dz", mk(E*F, 1))
		c.in("s", mk(E*F, 3))
		c.in("g", mk(E*F, 1))
		c.in("wr", mk(F, 1))
		c.in("wa", mk(F, 1))
		c.in("r", mk(E, 4))
		c.in("a", mk(E, 4))
		c.run = func(im *Impl, b []*gbuf) {
			im.EdgeInputBackF32(b[6].V, b[0].V, b[1].V, b[2].V, b[3].V, b[4].V, b[5].V,
				b[7].V, b[8].V, b[9].V, b[10].V, b[11].V, b[12].V, c.rcv, c.snd, F)
		}
		c.check(t, im, "EdgeInputBackF32/"+base)
	}
	{ // EdgeInputBackF32 with du = dv and some rcv[e] = snd[e]
		c := &egnnCase{tol: tol}
		c.rcv, c.snd = egnnIndices(rng, E, nodes)
		for e := 0; e < E; e += 2 {
			c.snd[e] = c.rcv[e]
		}
		c.out("duv", mk(nodes*F, 1))
		c.out("dwr", mk(F, 1))
		c.out("dwa", mk(F, 1))
		c.out("dr", mk(E, 0))
		c.out("da", mk(E, 0))
		c.in("dz", mk(E*F, 1))
		c.in("s", mk(E*F, 3))
		c.in("g", mk(E*F, 1))
		c.in("wr", mk(F, 1))
		c.in("wa", mk(F, 1))
		c.in("r", mk(E, 4))
		c.in("a", mk(E, 4))
		c.run = func(im *Impl, b []*gbuf) {
			im.EdgeInputBackF32(b[5].V, b[0].V, b[0].V, b[1].V, b[2].V, b[3].V, b[4].V,
				b[6].V, b[7].V, b[8].V, b[9].V, b[10].V, b[11].V, c.rcv, c.snd, F)
		}
		c.check(t, im, "EdgeInputBackF32/aliased/"+base)
	}
}

// TestEGNNNativeRows checks that every native implementation's EGNN kernels
// take whole calls with F a multiple of 8 (rather than all leaving them to
// generic), so that TestEGNNKernels grades native code.
func TestEGNNNativeRows(t *testing.T) {
	const F, E = 16, 3
	v := func(n int) []float32 { return make([]float32, n) }
	rcv, snd := make([]int32, E), make([]int32, E)
	for _, im := range Impls()[1:] {
		k := im.egnnF32
		got := map[string]int{
			"edgeIn":     k.edgeIn(v(E*F), v(E*F), v(F), v(F), v(F), v(F), v(E), v(E), rcv, snd, F),
			"siluDot":    k.siluDot(v(E*F), v(E*F), v(E), v(E*F), v(F), F),
			"attScale":   k.attScale(v(E*F), v(F), v(E*F), v(E), E, F, F),
			"coordBack":  k.coordBack(v(E*F), v(F), v(F), v(E*F), v(E*F), v(E), v(F), F),
			"attBack":    k.attBack(v(E*F), v(E), v(F), v(F), v(E*F), v(E*F), v(E), v(F), F),
			"edgeInBack": k.edgeInBack(v(E*F), v(F), v(F), v(F), v(F), v(E), v(E), v(E*F), v(E*F), v(F), v(F), v(E), v(E), rcv, snd, F),
			"siluBack":   k.siluBack(v(E*F), v(F), v(E*F), v(E*F), F),
			"colSum":     k.colSum(v(F), v(E*F), E, F, F),
		}
		for name, n := range got {
			if n != E {
				t.Errorf("impl=%s: %s did %d rows of %d", im.Name(), name, n, E)
			}
		}
		if n := k.accum(make([]float64, 20), v(20)); n != 16 {
			t.Errorf("impl=%s: accum did %d elements of 20, want 16", im.Name(), n)
		}
		if n := im.siluF32(v(20), v(20), v(20)); n < 16 {
			t.Errorf("impl=%s: siluF32 did %d elements of 20", im.Name(), n)
		}
		if n := im.silu(make([]float64, 10), make([]float64, 10), make([]float64, 10)); n < 8 {
			t.Errorf("impl=%s: silu did %d elements of 10", im.Name(), n)
		}
	}
}

// TestEGNNKernelPanics checks the wrappers' argument checks.
func TestEGNNKernelPanics(t *testing.T) {
	im := generic
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			if r := recover(); r != want {
				t.Fatalf("%s: panic %v, want %q", name, r, want)
			}
		}()
		f()
	}
	z := make([]float32, 16)
	mustPanic("width", errEgnnWidth, func() { im.SiLUDotF32(z, z, z[:1], z, z, 0) })
	mustPanic("short", errEgnnShort, func() { im.SiLUDotF32(z, z, z[:3], z, z, 8) })
	mustPanic("index", errEgnnIndex, func() {
		im.EdgeInputF32(z, z, z, z, z, z, z[:1], z[:1], []int32{2}, []int32{0}, 8)
	})
}

func BenchmarkEGNNKernels(b *testing.B) {
	const F, E = 128, 636
	rng := rand.New(rand.NewPCG(1, 2))
	v := func(n int) []float32 { return newGbuf(rng, n, 0, 1).V }
	nodes := E / 3
	rcv, snd := egnnIndices(rng, E, nodes)
	s, g, z, dz := v(E*F), v(E*F), v(E*F), v(E*F)
	u, uu := v(nodes*F), v(nodes*F)
	w, w2, gw, gb := v(F), v(F), v(F), v(F)
	r, a, d, d2 := v(E), v(E), v(E), v(E)
	for _, im := range Impls() {
		b.Run("kernel=EdgeInputF32/impl="+im.Name(), func(b *testing.B) {
			for b.Loop() {
				im.EdgeInputF32(s, g, u, uu, w, w2, r, a, rcv, snd, F)
			}
		})
		b.Run("kernel=SiLUDotF32/impl="+im.Name(), func(b *testing.B) {
			for b.Loop() {
				im.SiLUDotF32(s, g, d, z, w, F)
			}
		})
		b.Run("kernel=EdgeInputBackF32/impl="+im.Name(), func(b *testing.B) {
			for b.Loop() {
				im.EdgeInputBackF32(dz, u, uu, gw, gb, d, d2, s, g, w, w2, r, a, rcv, snd, F)
			}
		})
	}
}

// TestAccumF32 checks AccumF32 bit for bit against generic with guards,
// tails and offsets.
func TestAccumF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sent := math.Float64frombits(0x7ff8_dead_beef_0007)
	for _, im := range Impls() {
		for _, n := range []int{0, 1, 3, 7, 8, 9, 15, 16, 17, 55, 1000} {
			for off := 0; off < 4; off++ {
				name := fmt.Sprintf("impl=%s/n=%d/off=%d", im.Name(), n, off)
				src := newGbuf(rng, n, off, 5)
				full := make([]float64, egnnGuard+off+n+egnnGuard)
				for i := range full {
					full[i] = sent
				}
				dst := full[egnnGuard+off : egnnGuard+off+n]
				for i := range dst {
					dst[i] = 3 * rng.NormFloat64()
				}
				want := append([]float64(nil), dst...)
				accumF32Generic(want, src.V)
				src0 := src.clone()
				im.AccumF32(dst, src.V)
				if !sameBits(src.full, src0.full) {
					t.Fatalf("%s: src modified", name)
				}
				for i, v := range full {
					if i >= egnnGuard+off && i < egnnGuard+off+n {
						if math.Float64bits(v) != math.Float64bits(want[i-egnnGuard-off]) {
							t.Fatalf("%s: dst[%d] = %v, want %v", name, i-egnnGuard-off, v, want[i-egnnGuard-off])
						}
					} else if math.Float64bits(v) != math.Float64bits(sent) {
						t.Fatalf("%s: guard %d overwritten", name, i)
					}
				}
			}
		}
	}
}
