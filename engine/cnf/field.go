package cnf

import (
	"fmt"

	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/param"
	"github.com/idem-project/idem/mlp"
)

// Field is a velocity field v(t, x) on row-major batches of Dim values.
type Field interface {
	Dim() int
	// Velocity writes v(t_r, x_r) for b rows into out.
	Velocity(out, x, t []float64, b int) error
	// Divergence writes v into out (when not nil) and the exact trace
	// tr ∂v/∂x of each row into div.
	Divergence(out, div, x, t []float64, b int) error
	// JVP writes v into out (when not nil) and (∂v/∂x)·u into jv.
	JVP(out, jv, x, t, u []float64, b int) error
}

// Trainable is a Field with parameters and a fused training pass.
type Trainable interface {
	Field
	Params() *param.Set
	// ForwardBackward computes v for b rows, asks grad for ∂ℓ/∂v (possibly
	// concurrently for disjoint row ranges) and adds ∂ℓ/∂θ to Params().Grad.
	ForwardBackward(out, x, t []float64, b int, grad func(lo, hi int, out, dOut []float64)) error
}

// mlpField is v(t, x) = s·net(t, x/s) with an mlp.Model.
type mlpField struct {
	m     *mlp.Model
	d     int
	scale float64
	y, o  []float64 // scaled inputs, network outputs
	dOut  []float64
	jv    []float64
}

func newMLPField(cfg mlp.Config, scale float64, seed uint64, pool *engine.Pool) (*mlpField, error) {
	m, err := mlp.New(cfg, seed, pool)
	if err != nil {
		return nil, err
	}
	return &mlpField{m: m, d: cfg.InDim, scale: scale}, nil
}

func grow(b *[]float64, n int) []float64 {
	if cap(*b) < n {
		*b = make([]float64, n)
	}
	return (*b)[:n]
}

func (f *mlpField) Dim() int           { return f.d }
func (f *mlpField) Params() *param.Set { return f.m.Params }

// in returns x/s for b rows.
func (f *mlpField) in(x []float64, b int) []float64 {
	y := grow(&f.y, b*f.d)
	inv := 1 / f.scale
	for i := range y {
		y[i] = x[i] * inv
	}
	return y
}

func (f *mlpField) scaleOut(out []float64) {
	for i := range out {
		out[i] *= f.scale
	}
}

func (f *mlpField) Velocity(out, x, t []float64, b int) error {
	f.m.Forward(f.in(x, b), t[:b], out[:b*f.d])
	f.scaleOut(out[:b*f.d])
	return nil
}

// Divergence: tr ∂(s·net(x/s))/∂x = tr ∂net/∂y, so the scale cancels.
func (f *mlpField) Divergence(out, div, x, t []float64, b int) error {
	o := out
	if o == nil {
		o = grow(&f.o, b*f.d)
	}
	f.m.Divergence(f.in(x, b), t[:b], o[:b*f.d], div[:b])
	f.scaleOut(o[:b*f.d])
	return nil
}

// JVP: (∂v/∂x)·u = (∂net/∂y)·u.
func (f *mlpField) JVP(out, jv, x, t, u []float64, b int) error {
	o := out
	if o == nil {
		o = grow(&f.o, b*f.d)
	}
	f.m.JVP(f.in(x, b), t[:b], u[:b*f.d], o[:b*f.d], jv[:b*f.d])
	f.scaleOut(o[:b*f.d])
	return nil
}

// ForwardBackward: ∂ℓ/∂net = s·∂ℓ/∂v.
func (f *mlpField) ForwardBackward(out, x, t []float64, b int, grad func(lo, hi int, out, dOut []float64)) error {
	n := b * f.d
	dOut := grow(&f.dOut, n)
	f.m.Forward(f.in(x, b), t[:b], out[:n])
	f.scaleOut(out[:n])
	grad(0, b, out[:n], dOut)
	for i := range dOut {
		dOut[i] *= f.scale
	}
	f.m.Backward(dOut, nil)
	return nil
}

// egnnField adapts an egnn.Workspace (translation invariant, centred output).
type egnnField struct {
	m  *egnn.Model
	ws *egnn.Workspace
	d  int
}

func newEGNNField(cfg egnn.Config, seed uint64, maxBatch int, pool *engine.Pool, prec egnn.Precision) (*egnnField, error) {
	m, err := egnn.New(cfg, seed)
	if err != nil {
		return nil, err
	}
	ws, err := m.NewWorkspacePrec(maxBatch, pool, prec)
	if err != nil {
		return nil, err
	}
	return &egnnField{m: m, ws: ws, d: cfg.Dim()}, nil
}

func (f *egnnField) Dim() int           { return f.d }
func (f *egnnField) Params() *param.Set { return f.m.Params() }
func (f *egnnField) Velocity(out, x, t []float64, b int) error {
	return f.ws.Forward(out, x, t, b)
}
func (f *egnnField) Divergence(out, div, x, t []float64, b int) error {
	return f.ws.Divergence(out, div, x, t, b)
}
func (f *egnnField) JVP(out, jv, x, t, u []float64, b int) error {
	return f.ws.JVP(out, jv, x, t, u, b)
}
func (f *egnnField) ForwardBackward(out, x, t []float64, b int, grad func(lo, hi int, out, dOut []float64)) error {
	if err := f.ws.ForwardBackward(out, x, t, b, egnn.LossGrad(grad), nil); err != nil {
		return fmt.Errorf("cnf: %w", err)
	}
	return nil
}
