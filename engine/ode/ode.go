package ode

import (
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/engine"
)

// Func writes dy = f(t, y) for rows rows of dim values each.
type Func func(t float64, y, dy []float64, rows int) error

// Options sets the tolerances and the evaluation budget. The zero value
// means SPEC §7.6: atol = rtol = 10⁻⁵, 3000 evaluations.
type Options struct {
	Atol, Rtol float64
	// MaxEvals bounds the adaptive solve's function evaluations; past it the
	// solve is redone from the start with fixed-step Euler at MaxEvals steps.
	MaxEvals int
	// Pool runs the stage combinations; nil means one worker.
	Pool *engine.Pool
	// Step, when set, is called with the time reached after each accepted
	// step (adaptive or Euler fallback), for progress reports.
	Step func(t float64)
}

// Result reports what a solve cost.
type Result struct {
	Evals    int  // function evaluations, the fallback's included
	Accepted int  // accepted adaptive steps
	Rejected int  // rejected adaptive steps
	Fallback bool // the adaptive solve exceeded MaxEvals and Euler was used
}

// ErrStepSize reports a step size that underflowed.
var ErrStepSize = errors.New("ode: step size underflow")

// Dormand–Prince 5(4) tableau.
var (
	dpC = [7]float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1}
	dpA = [7][6]float64{
		{},
		{1.0 / 5},
		{3.0 / 40, 9.0 / 40},
		{44.0 / 45, -56.0 / 15, 32.0 / 9},
		{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
		{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
		{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
	}
	// dpE is b − b̂: fifth- minus fourth-order weights, for the error.
	dpE = [7]float64{
		35.0/384 - 5179.0/57600, 0, 500.0/1113 - 7571.0/16695, 125.0/192 - 393.0/640,
		-2187.0/6784 + 92097.0/339200, 11.0/84 - 187.0/2100, -1.0 / 40,
	}
)

// solver holds one solve's buffers.
type solver struct {
	f         Func
	dim, rows int
	pool      *engine.Pool
	k         [7][]float64
	y, ynew   []float64
	err       []float64
	atol      float64
	rtol      float64
	evals     int
	step      func(t float64) // Options.Step, or nil
}

func (s *solver) eval(t float64, y, dy []float64) error {
	s.evals++
	if err := s.f(t, y, dy, s.rows); err != nil {
		return err
	}
	return nil
}

// chunk is the rows per work item.
func (s *solver) chunk() int { return max(1, 8192/max(1, s.dim)) }

// combine sets out = y + h·Σ_j a[j]·k[j] over j < n.
func (s *solver) combine(out, y []float64, h float64, a []float64, n int) {
	g := s.chunk() * s.dim
	s.pool.For(len(y), g, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			acc := 0.0
			for j := 0; j < n; j++ {
				if a[j] != 0 {
					acc += a[j] * s.k[j][i]
				}
			}
			out[i] = y[i] + h*acc
		}
	})
}

// errNorm returns the RMS of h·Σ e_j k_j / (atol + rtol·max(|y|, |ynew|)).
func (s *solver) errNorm(h float64) float64 {
	g := s.chunk() * s.dim
	n := len(s.y)
	parts := (n + g - 1) / g
	if cap(s.err) < parts {
		s.err = make([]float64, parts)
	}
	part := s.err[:parts]
	s.pool.For(n, g, func(_, lo, hi int) {
		var sum float64
		for i := lo; i < hi; i++ {
			e := 0.0
			for j := 0; j < 7; j++ {
				if dpE[j] != 0 {
					e += dpE[j] * s.k[j][i]
				}
			}
			sc := s.atol + s.rtol*math.Max(math.Abs(s.y[i]), math.Abs(s.ynew[i]))
			r := h * e / sc
			sum += r * r
		}
		part[lo/g] = sum
	})
	var total float64
	for _, p := range part {
		total += p
	}
	return math.Sqrt(total / float64(n))
}

func rms(v []float64, scale func(i int) float64) float64 {
	var s float64
	for i, x := range v {
		r := x / scale(i)
		s += r * r
	}
	return math.Sqrt(s / float64(max(1, len(v))))
}

// Solve integrates the rows × dim state y in place from t0 to t1 with
// adaptive Dormand–Prince 5(4). When the adaptive solve needs more than
// opt.MaxEvals evaluations, y is reset to its initial value and integrated
// with fixed-step Euler at MaxEvals steps (Result.Fallback).
func Solve(f Func, y []float64, dim, rows int, t0, t1 float64, opt Options) (Result, error) {
	if dim < 1 || rows < 0 || len(y) < dim*rows {
		return Result{}, fmt.Errorf("ode: state of %d values for %d rows of %d", len(y), rows, dim)
	}
	if opt.Atol == 0 && opt.Rtol == 0 {
		opt.Atol, opt.Rtol = 1e-5, 1e-5
	}
	if opt.MaxEvals == 0 {
		opt.MaxEvals = 3000
	}
	if !(opt.Atol >= 0) || !(opt.Rtol >= 0) || opt.Atol+opt.Rtol == 0 || opt.MaxEvals < 1 {
		return Result{}, fmt.Errorf("ode: need atol, rtol ≥ 0 (not both 0) and MaxEvals ≥ 1, got %g, %g, %d", opt.Atol, opt.Rtol, opt.MaxEvals)
	}
	if math.IsNaN(t0) || math.IsNaN(t1) || math.IsInf(t0, 0) || math.IsInf(t1, 0) {
		return Result{}, errors.New("ode: non-finite time")
	}
	y = y[:dim*rows]
	if rows == 0 || t0 == t1 {
		return Result{}, nil
	}
	pool := opt.Pool
	if pool == nil {
		pool = engine.NewPool(1)
		defer pool.Close()
	}
	s := &solver{f: f, dim: dim, rows: rows, pool: pool, atol: opt.Atol, rtol: opt.Rtol, step: opt.Step}
	for j := range s.k {
		s.k[j] = make([]float64, len(y))
	}
	y0 := append([]float64(nil), y...)
	s.y, s.ynew = y, make([]float64, len(y))
	res, err := s.adaptive(t0, t1, opt.MaxEvals)
	if errors.Is(err, errBudget) {
		copy(y, y0)
		s.evals = 0
		if err := s.euler(y, t0, t1, opt.MaxEvals); err != nil {
			return Result{Evals: s.evals, Fallback: true}, err
		}
		return Result{Evals: res.Evals + s.evals, Accepted: res.Accepted, Rejected: res.Rejected, Fallback: true}, nil
	}
	return res, err
}

var errBudget = errors.New("ode: evaluation budget exceeded")

func (s *solver) adaptive(t0, t1 float64, maxEvals int) (Result, error) {
	var res Result
	dir := math.Copysign(1, t1-t0)
	t := t0
	y := s.y
	if err := s.eval(t, y, s.k[0]); err != nil {
		return res, err
	}
	scale := func(i int) float64 { return s.atol + s.rtol*math.Abs(y[i]) }
	// Initial step (Hairer, Nørsett and Wanner, §II.4).
	d0, d1 := rms(y, scale), rms(s.k[0], scale)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, math.Abs(t1-t0))
	for i := range y {
		s.ynew[i] = y[i] + dir*h0*s.k[0][i]
	}
	if err := s.eval(t+dir*h0, s.ynew, s.k[1]); err != nil {
		return res, err
	}
	var d2 float64
	for i := range y {
		r := (s.k[1][i] - s.k[0][i]) / scale(i)
		d2 += r * r
	}
	d2 = math.Sqrt(d2/float64(len(y))) / h0
	h1 := math.Max(1e-6, h0*1e-3)
	if m := math.Max(d1, d2); m > 1e-15 {
		h1 = math.Pow(0.01/m, 1.0/5)
	}
	h := math.Min(100*h0, h1)
	for dir*(t1-t) > 0 {
		if s.evals > maxEvals {
			res.Evals = s.evals
			return res, errBudget
		}
		if rem := math.Abs(t1 - t); h >= rem {
			h = rem
		}
		if h < 1e-14*math.Max(1, math.Abs(t)) {
			res.Evals = s.evals
			return res, fmt.Errorf("%w at t = %g", ErrStepSize, t)
		}
		hs := dir * h
		for st := 1; st < 7; st++ {
			s.combine(s.ynew, y, hs, dpA[st][:st], st)
			if err := s.eval(t+dpC[st]*hs, s.ynew, s.k[st]); err != nil {
				res.Evals = s.evals
				return res, err
			}
		}
		// ynew now holds the fifth-order solution (row 7 of A is b).
		en := s.errNorm(h)
		if math.IsNaN(en) || math.IsInf(en, 0) {
			en = math.Inf(1)
		}
		if en <= 1 {
			t += hs
			if dir*(t1-t) < 1e-15*math.Max(1, math.Abs(t1)) {
				t = t1
			}
			copy(y, s.ynew)
			s.k[0], s.k[6] = s.k[6], s.k[0] // FSAL
			res.Accepted++
			if s.step != nil {
				s.step(t)
			}
		} else {
			res.Rejected++
		}
		fac := 5.0
		if en > 0 {
			fac = math.Min(5, math.Max(0.2, 0.9*math.Pow(en, -1.0/5)))
		}
		if en > 1 {
			fac = math.Min(1, fac)
		}
		h *= fac
	}
	res.Evals = s.evals
	return res, nil
}

// euler integrates y from t0 to t1 with n fixed Euler steps.
func (s *solver) euler(y []float64, t0, t1 float64, n int) error {
	h := (t1 - t0) / float64(n)
	for i := 0; i < n; i++ {
		t := t0 + float64(i)*h
		if err := s.eval(t, y, s.k[0]); err != nil {
			return err
		}
		s.combine(y, y, h, []float64{1}, 1)
		if s.step != nil {
			s.step(t + h)
		}
	}
	return nil
}

// SolveFixed integrates y from t0 to t1 with n fixed Dormand–Prince steps
// (fifth order, no error control): the reference for convergence tests and
// a predictable-cost mode.
func SolveFixed(f Func, y []float64, dim, rows int, t0, t1 float64, n int, pool *engine.Pool) (int, error) {
	if dim < 1 || rows < 0 || len(y) < dim*rows || n < 1 {
		return 0, fmt.Errorf("ode: bad sizes (%d values, %d rows of %d, %d steps)", len(y), rows, dim, n)
	}
	if pool == nil {
		pool = engine.NewPool(1)
		defer pool.Close()
	}
	y = y[:dim*rows]
	s := &solver{f: f, dim: dim, rows: rows, pool: pool}
	for j := range s.k {
		s.k[j] = make([]float64, len(y))
	}
	s.ynew = make([]float64, len(y))
	h := (t1 - t0) / float64(n)
	for i := 0; i < n; i++ {
		t := t0 + float64(i)*h
		if err := s.eval(t, y, s.k[0]); err != nil {
			return s.evals, err
		}
		for st := 1; st < 7; st++ {
			s.combine(s.ynew, y, h, dpA[st][:st], st)
			if st == 6 {
				break // the sixth combination is the fifth-order solution
			}
			if err := s.eval(t+dpC[st]*h, s.ynew, s.k[st]); err != nil {
				return s.evals, err
			}
		}
		copy(y, s.ynew)
	}
	return s.evals, nil
}
