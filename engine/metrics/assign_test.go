package metrics

import (
	"math"
	"testing"

	"github.com/idem-project/idem/engine"
)

// bruteAssign returns the minimum total over all permutations (Heap's
// algorithm), the oracle for small n.
func bruteAssign(c []float64, n int) float64 {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best := math.Inf(1)
	eval := func() {
		var s float64
		for i, j := range perm {
			s += c[i*n+j]
		}
		best = math.Min(best, s)
	}
	cnt := make([]int, n)
	eval()
	for i := 0; i < n; {
		if cnt[i] < i {
			if i%2 == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			} else {
				perm[cnt[i]], perm[i] = perm[i], perm[cnt[i]]
			}
			eval()
			cnt[i]++
			i = 0
		} else {
			cnt[i] = 0
			i++
		}
	}
	return best
}

func TestAssignBruteForce(t *testing.T) {
	var as Assigner // reused across sizes: exercises scratch growth and reuse
	for n := 1; n <= 8; n++ {
		for trial := range 20 {
			st := engine.NewStream(7, uint64(n), uint64(trial))
			c := make([]float64, n*n)
			for i := range c {
				if trial%2 == 0 {
					c[i] = st.Float64() * 10
				} else {
					c[i] = float64(st.IntN(4)) // many ties
				}
			}
			perm := make([]int, n)
			got := as.Solve(c, n, perm)
			want := bruteAssign(c, n)
			if math.Abs(got-want) > 1e-12*math.Max(1, want) {
				t.Fatalf("n=%d trial=%d: total %v, brute force %v", n, trial, got, want)
			}
			seen := make([]bool, n)
			var s float64
			for i, j := range perm {
				if j < 0 || j >= n || seen[j] {
					t.Fatalf("n=%d trial=%d: not a permutation: %v", n, trial, perm)
				}
				seen[j] = true
				s += c[i*n+j]
			}
			if s != got {
				t.Fatalf("n=%d: returned total %v != Σ c[i,perm[i]] = %v", n, got, s)
			}
		}
	}
}

func TestAssignEmptyAndPanics(t *testing.T) {
	if p, tot := Assign(nil, 0); len(p) != 0 || tot != 0 {
		t.Fatalf("n=0: %v %v", p, tot)
	}
	for name, f := range map[string]func(){
		"short cost": func() { Assign(make([]float64, 3), 2) },
		"short perm": func() { var a Assigner; a.Solve(make([]float64, 4), 2, make([]int, 1)) },
		"NaN cost":   func() { Assign([]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// A known optimum that a greedy row-by-row choice misses.
func TestAssignKnown(t *testing.T) {
	c := []float64{
		4, 1, 3,
		2, 0, 5,
		3, 2, 2,
	}
	perm, tot := Assign(c, 3)
	if tot != 5 || perm[0] != 1 || perm[1] != 0 || perm[2] != 2 {
		t.Fatalf("got %v total %v, want [1 0 2] total 5", perm, tot)
	}
}
