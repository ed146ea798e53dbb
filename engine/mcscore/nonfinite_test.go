package mcscore

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/idem-project/idem/asm"
)

// poisoned is E(x) = ‖x‖²/2 with F = −x, except at samples whose first
// coordinate x₀ exceeds cut: there the energy becomes energy (when not 0)
// and the force's first component becomes force (when not 0). With once
// set, only the first such sample evaluated is changed. Samples with
// cut − 1 < x₀ ≤ cut get energy low (when not 0).
type poisoned struct {
	gaussian
	cut                float64
	energy, force, low float64
	once               *atomic.Bool
	hits               *atomic.Int64 // samples changed above cut
}

func (p poisoned) EnergyForce(e, f, x []float64, b int) {
	p.gaussian.EnergyForce(e, f, x, b)
	for c := 0; c < b; c++ {
		x0 := x[asm.Index(p.n, p.sp, c, 0, 0)]
		if p.low != 0 && x0 > p.cut-1 && x0 <= p.cut {
			e[c] = p.low
		}
		if !(x0 > p.cut) {
			continue
		}
		if p.once != nil && !p.once.CompareAndSwap(false, true) {
			continue
		}
		p.hits.Add(1)
		if p.energy != 0 {
			e[c] = p.energy
		}
		if p.force != 0 {
			f[asm.Index(p.n, p.sp, c, 0, 0)] = p.force
		}
	}
}

// TestNaNEnergyNamesPoint: a NaN energy or force in any sample of a point,
// even a single one among K, on a sample of zero weight or beside −Inf
// energies, makes Estimate fail with ErrNaNEnergy naming that point and its
// h; −Inf energies alone give another error naming the point; without
// either the same call succeeds.
func TestNaNEnergyNamesPoint(t *testing.T) {
	nan, inf, ninf := math.NaN(), math.Inf(1), math.Inf(-1)
	// Point 1 sits at first coordinate 10 (about half of its samples are
	// beyond the cut at 10); points 0 and 2 are 20σ away from it.
	const n, sp, b, K = 2, 2, 3, 1000
	x := make([]float64, b*n*sp)
	x[n*sp] = 10
	h := []float64{0.1, 0.25, 0.3}
	for _, tc := range []struct {
		name               string
		energy, force, low float64
		once               bool
	}{
		{"NaN energy, half of the samples", nan, 0, 0, false},
		{"NaN energy, one sample", nan, 0, 0, true},
		{"NaN force, one sample", 0, nan, 0, true},
		{"NaN force on a +Inf-energy sample", inf, nan, 0, true},
		{"NaN energy beside −Inf energies", nan, 0, ninf, false},
		{"one NaN energy after −Inf energies", nan, 0, ninf, true},
		{"−Inf energies", 0, 0, ninf, false},
		{"no poison", 0, 0, 0, false},
	} {
		for _, chunk := range []int{0, 32} {
			t.Run(fmt.Sprintf("%s/chunk=%d", tc.name, chunk), func(t *testing.T) {
				p := poisoned{gaussian: gaussian{n: n, sp: sp}, cut: 10, energy: tc.energy, force: tc.force, low: tc.low, hits: new(atomic.Int64)}
				if tc.once {
					p.once = new(atomic.Bool)
				}
				est := newEst(t, p, Config{K: K, Seed: 3, Chunk: chunk}, 2, b)
				out := make([]float64, b*n*sp)
				err := est.Estimate(out, x, h, b, 1)
				hits := p.hits.Load()
				if tc.energy == 0 && tc.force == 0 && tc.low == 0 {
					if err != nil {
						t.Fatalf("no NaN: %v", err)
					}
					return
				}
				if tc.once && hits != 1 || !tc.once && (hits < K/4 || hits > 3*K/4) {
					t.Fatalf("%d samples poisoned: the test does not do what it says", hits)
				}
				if msg := fmt.Sprint(err); !strings.Contains(msg, "point 1") || !strings.Contains(msg, "h = 0.25") {
					t.Fatalf("error %q does not name point 1 and h = 0.25", msg)
				}
				if nanWanted := tc.energy != 0 || tc.force != 0; errors.Is(err, ErrNaNEnergy) != nanWanted || errors.Is(err, ErrNoFiniteSample) {
					t.Fatalf("got error %v, want one wrapping ErrNaNEnergy: %v", err, nanWanted)
				}
			})
		}
	}
}

// recorder is E(x) = ‖x − μ‖²/2 with E = +Inf where x₀ > cut (density
// zero), recording every sample's energy and force.
type recorder struct {
	gaussian
	mu  []float64
	cut float64

	lock sync.Mutex
	e, f []float64 // energies and row-major forces of every sample
}

func (r *recorder) EnergyForce(e, f, x []float64, b int) {
	n, sp := r.n, r.sp
	r.lock.Lock()
	defer r.lock.Unlock()
	for c := 0; c < b; c++ {
		s := 0.0
		for i := 0; i < n; i++ {
			for k := 0; k < sp; k++ {
				j := asm.Index(n, sp, c, i, k)
				v := x[j] - r.mu[i*sp+k]
				s += v * v
				f[j] = -v
				r.f = append(r.f, f[j])
			}
		}
		e[c] = s / 2
		if x[asm.Index(n, sp, c, 0, 0)] > r.cut {
			e[c] = math.Inf(1)
		}
		r.e = append(r.e, e[c])
	}
}

// TestInfEnergyZeroWeight: samples with energy +Inf get weight zero and the
// others the softmax of −E among themselves. The estimate is recomputed in
// plain Go from the recorded samples (one point per call, so every recorded
// sample is that point's).
func TestInfEnergyZeroWeight(t *testing.T) {
	const n, sp, K = 3, 2, 1000
	d := n * sp
	x := []float64{0.3, -0.2, 1.1, 0.4, -0.7, 0.9}
	for _, chunk := range []int{0, 32} {
		r := &recorder{gaussian: gaussian{n: n, sp: sp}, mu: []float64{1, 0, 0, 1, -1, 0}, cut: 0.3}
		est := newEst(t, r, Config{K: K, Seed: 9, Chunk: chunk}, 2, 1)
		out := make([]float64, d)
		if err := est.Estimate(out, x, []float64{0.5}, 1, 4); err != nil {
			t.Fatal(err)
		}
		if len(r.e) != K {
			t.Fatalf("%d samples evaluated, want %d", len(r.e), K)
		}
		top, masked := math.Inf(-1), 0
		for _, e := range r.e {
			if math.IsInf(e, 1) {
				masked++
			} else {
				top = max(top, -e)
			}
		}
		if masked < K/4 || masked > 3*K/4 {
			t.Fatalf("%d of %d samples masked: the test does not exercise +Inf", masked, K)
		}
		want := make([]float64, d)
		var sumw float64
		for k, e := range r.e {
			if math.IsInf(e, 1) {
				continue
			}
			w := math.Exp(-e - top)
			sumw += w
			for j := range want {
				want[j] += w * r.f[k*d+j]
			}
		}
		var diff, scale float64
		for j := range want {
			want[j] /= sumw
			diff = max(diff, math.Abs(out[j]-want[j]))
			scale = max(scale, math.Abs(want[j]))
		}
		if !(diff <= 1e-12*scale) || scale == 0 {
			t.Fatalf("chunk=%d: S_K = %v, softmax over the finite samples gives %v", chunk, out, want)
		}
	}
	// Every sample +Inf: ErrNoFiniteSample naming the point.
	r := &recorder{gaussian: gaussian{n: n, sp: sp}, mu: make([]float64, d), cut: -1e9}
	est := newEst(t, r, Config{K: 64}, 2, 2)
	out := make([]float64, 2*d)
	xs := append(make([]float64, d), x...)
	err := est.Estimate(out, xs, []float64{0.5, 0.125}, 2, 0)
	if !errors.Is(err, ErrNoFiniteSample) || errors.Is(err, ErrNaNEnergy) || !strings.Contains(err.Error(), "point 0,") {
		t.Fatalf("all samples +Inf: got error %v, want ErrNoFiniteSample for point 0", err)
	}
}
