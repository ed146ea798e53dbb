package cnf

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/ode"
)

// DensityOptions configures LogDensity and Sample. The zero value is SPEC
// §7.6: exact trace, atol = rtol = 10⁻⁵, 3000 evaluations, 1000 rows per
// solve.
type DensityOptions struct {
	// Probes > 0 replaces the exact trace by the Hutchinson estimate
	// (1/P)·Σ_p ε_pᵀ(∂v/∂x)ε_p with P Gaussian probes per row (projected to
	// zero centre of mass for mean-free priors), fixed along the trajectory.
	Probes int
	// Seed keys the probes (Hutchinson only).
	Seed       uint64
	Atol, Rtol float64
	MaxEvals   int
	// Rows is the number of rows integrated together (they share the
	// adaptive step size, so results depend on it; 0 means 1000).
	Rows int
	// Pool runs the solver's stage combinations; nil means one worker.
	Pool *engine.Pool
	// Progress, when set, is called with rows done and total after each
	// solve and, within a solve, after each accepted step, counting the
	// solve's rows in proportion to the time span covered.
	Progress func(done, total int)
}

// DensityStats reports what the solves cost.
type DensityStats struct {
	Solves    int // batches of rows integrated
	Evals     int // field evaluations summed over solves
	Fallbacks int // solves that fell back to fixed-step Euler
	Method    string
}

// MethodName is "exact" or "hutchinson-P" for P probes.
func (o DensityOptions) MethodName() string {
	if o.Probes > 0 {
		return fmt.Sprintf("hutchinson-%d", o.Probes)
	}
	return "exact"
}

func (o DensityOptions) rows() int {
	if o.Rows > 0 {
		return o.Rows
	}
	return 1000
}

// augmented evaluates d[x, a]/dt = [v, tr ∂v/∂x] on rows of Dim+1 values.
type augmented struct {
	ctx   context.Context
	f     Field
	pr    Prior
	opt   DensityOptions
	d     int
	x, v  []float64 // rows × d
	div   []float64 // rows
	t     []float64 // rows
	probe []float64 // rows × Probes × d
	jv    []float64 // rows × d
	eps   []float64 // rows × d: probe p of every row
}

func newAugmented(ctx context.Context, f Field, pr Prior, opt DensityOptions) *augmented {
	d := f.Dim()
	n := opt.rows()
	a := &augmented{ctx: ctx, f: f, pr: pr, opt: opt, d: d,
		x: make([]float64, n*d), v: make([]float64, n*d), div: make([]float64, n), t: make([]float64, n)}
	if opt.Probes > 0 {
		a.probe = make([]float64, n*opt.Probes*d)
		a.jv = make([]float64, n*d)
		a.eps = make([]float64, n*d)
	}
	return a
}

// drawProbes keys the probes of batch rows [r0, r0+rows) by absolute row.
func (a *augmented) drawProbes(r0, rows int) {
	d, P := a.d, a.opt.Probes
	for r := 0; r < rows; r++ {
		s := engine.NewStream(a.opt.Seed, 0x70726f6265, uint64(r0+r))
		for p := 0; p < P; p++ {
			e := a.probe[(r*P+p)*d : (r*P+p+1)*d]
			for i := range e {
				e[i] = s.Norm()
			}
			if a.pr.MeanFree {
				centre(e, a.pr.N, a.pr.D)
			}
		}
	}
}

func (a *augmented) eval(t float64, y, dy []float64, rows int) error {
	if err := a.ctx.Err(); err != nil {
		return context.Cause(a.ctx)
	}
	d := a.d
	x, v, div, ts := a.x[:rows*d], a.v[:rows*d], a.div[:rows], a.t[:rows]
	for r := 0; r < rows; r++ {
		copy(x[r*d:(r+1)*d], y[r*(d+1):r*(d+1)+d])
		ts[r] = t
	}
	if a.opt.Probes == 0 {
		if err := a.f.Divergence(v, div, x, ts, rows); err != nil {
			return err
		}
	} else {
		P := a.opt.Probes
		clear(div)
		eps := a.eps[:rows*d]
		for p := 0; p < P; p++ {
			for r := 0; r < rows; r++ {
				copy(eps[r*d:(r+1)*d], a.probe[(r*P+p)*d:(r*P+p+1)*d])
			}
			out := v
			if p > 0 {
				out = nil
			}
			if err := a.f.JVP(out, a.jv[:rows*d], x, ts, eps, rows); err != nil {
				return err
			}
			for r := 0; r < rows; r++ {
				var s float64
				for i := 0; i < d; i++ {
					s += eps[r*d+i] * a.jv[r*d+i]
				}
				div[r] += s / float64(P)
			}
		}
	}
	for r := 0; r < rows; r++ {
		copy(dy[r*(d+1):r*(d+1)+d], v[r*d:(r+1)*d])
		dy[r*(d+1)+d] = div[r]
	}
	return nil
}

// solve integrates the m rows of y (batch rows r0… of total) from t0 to t1,
// with fresh probes, reports progress within the solve, and adds the cost
// to st.
func (a *augmented) solve(y []float64, r0, m, total int, t0, t1 float64, st *DensityStats) error {
	if a.opt.Probes > 0 {
		a.drawProbes(r0, m)
	}
	o := a.opt.ode()
	if a.opt.Progress != nil {
		shown := r0
		o.Step = func(t float64) {
			// An Euler fallback starts the span again; progress never goes back.
			if done := r0 + int(float64(m)*math.Abs((t-t0)/(t1-t0))); done > shown && done < r0+m {
				shown = done
				a.opt.Progress(done, total)
			}
		}
	}
	res, err := ode.Solve(a.eval, y, a.d+1, m, t0, t1, o)
	st.Solves++
	st.Evals += res.Evals
	if res.Fallback {
		st.Fallbacks++
	}
	return err
}

func (o DensityOptions) ode() ode.Options {
	return ode.Options{Atol: o.Atol, Rtol: o.Rtol, MaxEvals: o.MaxEvals, Pool: o.Pool}
}

func checkRows(x []float64, rows, d int) error {
	if rows < 0 || len(x) < rows*d {
		return fmt.Errorf("cnf: %d values for %d rows of %d", len(x), rows, d)
	}
	for i, v := range x[:rows*d] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("cnf: row %d holds a non-finite value %v", i/d, v)
		}
	}
	return nil
}

// LogDensity returns log q(x_r) for rows configurations of x (rows × Dim,
// centred for mean-free priors) under the flow of f from the prior pr.
func LogDensity(ctx context.Context, f Field, pr Prior, x []float64, rows int, opt DensityOptions) ([]float64, DensityStats, error) {
	d := f.Dim()
	st := DensityStats{Method: opt.MethodName()}
	if d != pr.Dim() {
		return nil, st, fmt.Errorf("cnf: field of dimension %d, prior of %d", d, pr.Dim())
	}
	if err := checkRows(x, rows, d); err != nil {
		return nil, st, err
	}
	aug := newAugmented(ctx, f, pr, opt)
	n := opt.rows()
	y := make([]float64, n*(d+1))
	logq := make([]float64, rows)
	for r0 := 0; r0 < rows; r0 += n {
		m := min(n, rows-r0)
		for r := 0; r < m; r++ {
			row := y[r*(d+1) : (r+1)*(d+1)]
			copy(row, x[(r0+r)*d:(r0+r+1)*d])
			row[d] = 0
		}
		if err := aug.solve(y, r0, m, rows, 1, 0, &st); err != nil {
			return nil, st, err
		}
		for r := 0; r < m; r++ {
			row := y[r*(d+1) : (r+1)*(d+1)]
			logq[r0+r] = pr.LogProb(row[:d]) + row[d]
			if math.IsNaN(logq[r0+r]) {
				return nil, st, fmt.Errorf("cnf: log q of row %d is NaN", r0+r)
			}
		}
		if opt.Progress != nil {
			opt.Progress(r0+m, rows)
		}
	}
	return logq, st, nil
}

// Sample draws n configurations from the flow, rows from the prior keyed by
// (seed, row), and returns them with their log q from the same solve.
func Sample(ctx context.Context, f Field, pr Prior, n int, seed uint64, opt DensityOptions) (x, logq []float64, st DensityStats, err error) {
	d := f.Dim()
	st.Method = opt.MethodName()
	if d != pr.Dim() {
		return nil, nil, st, fmt.Errorf("cnf: field of dimension %d, prior of %d", d, pr.Dim())
	}
	if n < 0 {
		return nil, nil, st, errors.New("cnf: negative sample count")
	}
	aug := newAugmented(ctx, f, pr, opt)
	b := opt.rows()
	y := make([]float64, b*(d+1))
	x = make([]float64, n*d)
	logq = make([]float64, n)
	lp := make([]float64, b) // log p_prior of the batch's starts
	for r0 := 0; r0 < n; r0 += b {
		m := min(b, n-r0)
		for r := 0; r < m; r++ {
			row := y[r*(d+1) : (r+1)*(d+1)]
			s := engine.NewStream(seed, 0x7072696f72, uint64(r0+r))
			pr.Draw(row[:d], 1, &s)
			row[d] = 0
			lp[r] = pr.LogProb(row[:d])
		}
		if err := aug.solve(y, r0, m, n, 0, 1, &st); err != nil {
			return nil, nil, st, err
		}
		for r := 0; r < m; r++ {
			row := y[r*(d+1) : (r+1)*(d+1)]
			copy(x[(r0+r)*d:(r0+r+1)*d], row[:d])
			logq[r0+r] = lp[r] - row[d]
		}
		if opt.Progress != nil {
			opt.Progress(r0+m, n)
		}
	}
	return x, logq, st, nil
}
