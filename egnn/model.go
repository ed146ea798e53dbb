package egnn

// The model: its Config, its parameter set (tensor layout, names and
// initialisation) and the asm kernel implementation it runs on.

import (
	"errors"
	"fmt"
	"math"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/param"
)

// Config sizes an EGNN. The zero Hidden and CoordsRange take the SPEC
// defaults (128 and 15).
type Config struct {
	N           int     // particles per configuration (≥ 2)
	D           int     // spatial dimension (≥ 1)
	Layers      int     // L (3 for DW-4, 5 for LJ)
	Hidden      int     // F, hidden width (128)
	CoordsRange float64 // total coordinate range; each layer scales by CoordsRange/Layers (15)
}

// Dim is the length of one configuration, N·D.
func (c Config) Dim() int { return c.N * c.D }

func (c Config) withDefaults() Config {
	if c.Hidden == 0 {
		c.Hidden = 128
	}
	if c.CoordsRange == 0 {
		c.CoordsRange = 15
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.N < 2:
		return fmt.Errorf("egnn: N = %d, need at least 2 particles", c.N)
	case c.D < 1:
		return fmt.Errorf("egnn: D = %d, need at least 1 dimension", c.D)
	case c.Layers < 1:
		return fmt.Errorf("egnn: Layers = %d, need at least 1", c.Layers)
	case c.Hidden < 1:
		return fmt.Errorf("egnn: Hidden = %d, need at least 1", c.Hidden)
	case !(c.CoordsRange > 0) || math.IsInf(c.CoordsRange, 0):
		return errors.New("egnn: CoordsRange must be positive and finite")
	}
	return nil
}

// layerIdx holds the param.Set indices of one layer's tensors.
type layerIdx struct {
	m1w, m1b, m2w, m2b, aw, ab, xw, xb, xo, h1w, h1b, h2w, h2b int
}

// Model is an EGNN: its configuration, its parameters and the kernel
// implementation used for matrix products. Evaluate it through a Workspace.
type Model struct {
	cfg    Config
	ps     *param.Set
	ew, eb int
	layers []layerIdx
	im     *asm.Impl
}

// New builds an EGNN with PyTorch's default initialisation (W, b ~
// U(±1/√fan_in)) except w_x ~ U(±0.001·√(6/(F+1))) (Xavier-uniform, gain
// 0.001). Tensor k is drawn from engine.NewStream(seed, k). Matrix products
// use asm.Default().
func New(cfg Config, seed uint64) (*Model, error) {
	im, err := asm.Default()
	if err != nil {
		return nil, err
	}
	return NewWithImpl(cfg, seed, im)
}

// NewWithImpl is New with an explicit kernel implementation.
func NewWithImpl(cfg Config, seed uint64, im *asm.Impl) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if im == nil {
		return nil, errors.New("egnn: nil implementation")
	}
	F := cfg.Hidden
	m := &Model{cfg: cfg, ps: &param.Set{}, im: im}
	ps := m.ps
	type initSpec struct {
		idx   int
		bound float64
	}
	var inits []initSpec
	add := func(bound float64, name string, shape ...int) int {
		i := ps.Add(name, shape...)
		inits = append(inits, initSpec{i, bound})
		return i
	}
	m.ew = add(1, "emb.w", F, 1)
	m.eb = add(1, "emb.b", F)
	ku := func(fanIn int) float64 { return 1 / math.Sqrt(float64(fanIn)) }
	for l := 0; l < cfg.Layers; l++ {
		p := fmt.Sprintf("layer%d.", l)
		var li layerIdx
		li.m1w = add(ku(2*F+2), p+"edge1.w", F, 2*F+2)
		li.m1b = add(ku(2*F+2), p+"edge1.b", F)
		li.m2w = add(ku(F), p+"edge2.w", F, F)
		li.m2b = add(ku(F), p+"edge2.b", F)
		li.aw = add(ku(F), p+"att.w", 1, F)
		li.ab = add(ku(F), p+"att.b", 1)
		li.xw = add(ku(F), p+"coord1.w", F, F)
		li.xb = add(ku(F), p+"coord1.b", F)
		li.xo = add(0.001*math.Sqrt(6/float64(F+1)), p+"coord2.w", 1, F)
		li.h1w = add(ku(2*F), p+"node1.w", F, 2*F)
		li.h1b = add(ku(2*F), p+"node1.b", F)
		li.h2w = add(ku(F), p+"node2.w", F, F)
		li.h2b = add(ku(F), p+"node2.b", F)
		m.layers = append(m.layers, li)
	}
	ps.Finish()
	for _, s := range inits {
		st := engine.NewStream(seed, uint64(s.idx))
		w := ps.W(s.idx)
		for k := range w {
			w[k] = s.bound * (2*st.Float64() - 1)
		}
	}
	return m, nil
}

// Config returns the model's configuration (defaults filled in).
func (m *Model) Config() Config { return m.cfg }

// Params returns the parameter set; its Data may be updated in place
// between calls (e.g. by an optimiser) and Grad receives the gradients.
func (m *Model) Params() *param.Set { return m.ps }

// Impl returns the kernel implementation in use.
func (m *Model) Impl() *asm.Impl { return m.im }

// ParamsPerLayer is the number of parameters of one layer at width F:
// 115,841 at F = 128.
func ParamsPerLayer(F int) int {
	return F*(2*F+2) + F + F*F + F + F + 1 + F*F + F + F + F*2*F + F + F*F + F
}
