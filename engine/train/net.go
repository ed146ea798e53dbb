package train

import (
	"fmt"

	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/param"
	"github.com/idem-project/idem/mlp"
)

// Net is a score network s_θ(t, x) on row-major batches.
type Net interface {
	// Params is the flat parameter set (values and gradients).
	Params() *param.Set
	// Forward writes s(t_r, x_r) for b rows into out.
	Forward(out, x, t []float64, b int) error
	// ForwardBackward computes the scores of b rows, asks grad for ∂ℓ/∂s
	// (grad may be called for disjoint row ranges, possibly concurrently),
	// and adds ∂ℓ/∂θ to Params().Grad.
	ForwardBackward(out, x, t []float64, b int, grad func(lo, hi int, out, dOut []float64)) error
}

// mlpNet adapts mlp.Model.
type mlpNet struct {
	m    *mlp.Model
	d    int
	dOut []float64
}

func newMLPNet(cfg mlp.Config, seed uint64, pool *engine.Pool) (*mlpNet, error) {
	m, err := mlp.New(cfg, seed, pool)
	if err != nil {
		return nil, err
	}
	return &mlpNet{m: m, d: cfg.InDim}, nil
}

func (n *mlpNet) Params() *param.Set { return n.m.Params }

func (n *mlpNet) Forward(out, x, t []float64, b int) error {
	n.m.Forward(x[:b*n.d], t[:b], out[:b*n.d])
	return nil
}

func (n *mlpNet) ForwardBackward(out, x, t []float64, b int, grad func(lo, hi int, out, dOut []float64)) error {
	d := n.d
	if cap(n.dOut) < b*d {
		n.dOut = make([]float64, b*d)
	}
	dOut := n.dOut[:b*d]
	n.m.Forward(x[:b*d], t[:b], out[:b*d])
	grad(0, b, out[:b*d], dOut)
	n.m.Backward(dOut, nil)
	return nil
}

// egnnNet adapts an egnn.Workspace.
type egnnNet struct {
	m  *egnn.Model
	ws *egnn.Workspace
}

func newEGNNNet(cfg egnn.Config, seed uint64, maxBatch int, pool *engine.Pool, precision string) (*egnnNet, error) {
	m, err := egnn.New(cfg, seed)
	if err != nil {
		return nil, err
	}
	return (&egnnNet{m: m}).withPrecision(maxBatch, pool, precision)
}

// withPrecision returns the same model (shared parameters) with a workspace
// of another arithmetic (preset.Precisions).
func (n *egnnNet) withPrecision(maxBatch int, pool *engine.Pool, precision string) (*egnnNet, error) {
	prec, err := egnn.ParsePrecision(precision)
	if err != nil {
		return nil, err
	}
	ws, err := n.m.NewWorkspacePrec(maxBatch, pool, prec)
	if err != nil {
		return nil, err
	}
	return &egnnNet{m: n.m, ws: ws}, nil
}

func (n *egnnNet) Params() *param.Set { return n.m.Params() }

func (n *egnnNet) Forward(out, x, t []float64, b int) error {
	return n.ws.Forward(out, x, t, b)
}

func (n *egnnNet) ForwardBackward(out, x, t []float64, b int, grad func(lo, hi int, out, dOut []float64)) error {
	return n.ws.ForwardBackward(out, x, t, b, egnn.LossGrad(grad), nil)
}

// netScore evaluates a Net at one time for a whole batch (sde.Score).
type netScore struct {
	net   Net
	t     []float64
	evals *uint64
}

func (s *netScore) Score(out, x []float64, t float64, _, b int) error {
	if cap(s.t) < b {
		s.t = make([]float64, b)
	}
	ts := s.t[:b]
	for i := range ts {
		ts[i] = t
	}
	*s.evals += uint64(b)
	if err := s.net.Forward(out, x, ts, b); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	return nil
}
