package mcmc

import (
	"math"
	"testing"

	"github.com/idem-project/idem/asm"
)

// trapGauss has E = ½Σ v²/σ² + (k/2)Σ v² on the centred coordinates v of n
// particles in 2-D, so E_pair = ½Σ v²/σ² and U_β has centred variance
// (1 − 1/n)/(β/σ² + k) per coordinate.
type trapGauss struct {
	n     int
	sigma float64
	k     float64
}

func (g *trapGauss) Name() string      { return "trapgauss" }
func (g *trapGauss) Dim() int          { return 2 * g.n }
func (g *trapGauss) Shape() (int, int) { return g.n, 2 }
func (g *trapGauss) CoMFree() bool     { return true }
func (g *trapGauss) Trap() float64     { return g.k }
func (g *trapGauss) EnergyForce(e, f, x []float64, b int) {
	for c := 0; c < b; c++ {
		en := 0.0
		for d := 0; d < 2; d++ {
			m := 0.0
			for i := 0; i < g.n; i++ {
				m += x[asm.Index(g.n, 2, c, i, d)]
			}
			m /= float64(g.n)
			for i := 0; i < g.n; i++ {
				p := asm.Index(g.n, 2, c, i, d)
				v := x[p] - m
				a := 1/(g.sigma*g.sigma) + g.k
				en += 0.5 * a * v * v
				f[p] = -a * v
			}
		}
		e[c] = en
	}
}

// TestStageLaw checks that a Metropolis phase at β samples
// U_β = β(E − E_trap) + E_trap, for both proposals.
func TestStageLaw(t *testing.T) {
	g := &trapGauss{n: 4, sigma: 1, k: 1}
	for _, m := range []Method{RWM, MALA} {
		for _, beta := range []float64{0.2, 0.5} {
			cfg := &Config{Target: g, Chains: 4000, Seed: 2, Method: m, Step: 0.6, InitScale: 1, Trap: -1}
			if err := cfg.check(); err != nil {
				t.Fatal(err)
			}
			s := newSampler(cfg)
			s.res = &Result{}
			s.initialise()
			s.evaluate(beta)
			st := s.runPhase(phase{method: m, tag: tagWarm, beta: beta, step: 0.6, steps: 300})
			s.pool.Close()
			row := make([]float64, s.d)
			v := 0.0
			for c := 0; c < s.chains; c++ {
				s.gather(row, s.x, c)
				for d := 0; d < 2; d++ {
					mu := 0.0
					for i := 0; i < g.n; i++ {
						mu += row[2*i+d]
					}
					mu /= float64(g.n)
					for i := 0; i < g.n; i++ {
						v += (row[2*i+d] - mu) * (row[2*i+d] - mu)
					}
				}
				// The stored U must be U_β of the stored state.
				et := 0.0
				for d := 0; d < 2; d++ {
					mu := (row[d] + row[2+d] + row[4+d] + row[6+d]) / 4
					for i := 0; i < g.n; i++ {
						et += 0.5 * g.k * (row[2*i+d] - mu) * (row[2*i+d] - mu)
					}
				}
				if want := beta*(s.e[c]-et) + et; math.Abs(s.u[c]-want) > 1e-12 {
					t.Fatalf("chain %d: U = %v, want %v", c, s.u[c], want)
				}
			}
			v /= float64(s.chains * s.d)
			want := (1 - 1.0/float64(g.n)) / (beta/(g.sigma*g.sigma) + g.k)
			if math.Abs(v-want) > 0.03*want {
				t.Errorf("%v β=%v: centred ⟨v²⟩ = %.4f, want %.4f (acceptance %.3f)", m, beta, v, want, st.Accept)
			}
		}
	}
}
