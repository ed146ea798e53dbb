package lj

import (
	"fmt"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
)

// Kind names a pair potential.
type Kind int

const (
	// LennardJones is the benchmark-convention LJ potential with a trap.
	LennardJones Kind = iota
	// DoubleWell is the DW potential, unique pairs, no trap.
	DoubleWell
)

// Potential is an LJ-n or DW-n target. It implements engine.Target and is
// safe for concurrent use.
type Potential struct {
	kind   Kind
	n, dim int
	trap   float64
	impl   *asm.Impl
	name   string
}

var _ engine.Target = (*Potential)(nil)

// Option configures a Potential.
type Option func(*Potential)

// WithImpl pins the kernel implementation (default: asm.Default()).
func WithImpl(im *asm.Impl) Option { return func(p *Potential) { p.impl = im } }

// WithTrap sets the strength k of the LJ trap (k/2)·Σ‖xᵢ − x̄‖²; the
// benchmark uses 1, and 0 gives free clusters.
func WithTrap(k float64) Option { return func(p *Potential) { p.trap = k } }

// New returns the LJ-n target in the benchmark convention (trap strength 1).
func New(n int, opts ...Option) (*Potential, error) {
	if n < 2 {
		return nil, fmt.Errorf("lj: LJ needs at least 2 particles, got %d", n)
	}
	return build(&Potential{kind: LennardJones, n: n, dim: 3, trap: 1, name: fmt.Sprintf("lj%d", n)}, opts)
}

// NewDW returns the DW-n target with n particles in dim ∈ {2, 3} dimensions.
func NewDW(n, dim int, opts ...Option) (*Potential, error) {
	if n < 2 {
		return nil, fmt.Errorf("lj: DW needs at least 2 particles, got %d", n)
	}
	if dim != 2 && dim != 3 {
		return nil, fmt.Errorf("lj: DW supports 2 or 3 dimensions, got %d", dim)
	}
	name := fmt.Sprintf("dw%d", n)
	if dim == 3 {
		name += "-3d"
	}
	return build(&Potential{kind: DoubleWell, n: n, dim: dim, name: name}, opts)
}

func build(p *Potential, opts []Option) (*Potential, error) {
	for _, o := range opts {
		o(p)
	}
	if p.impl == nil {
		im, err := asm.Default()
		if err != nil {
			return nil, err
		}
		p.impl = im
	}
	return p, nil
}

// Name implements engine.Target.
func (p *Potential) Name() string { return p.name }

// Dim implements engine.Target.
func (p *Potential) Dim() int { return p.n * p.dim }

// Shape implements engine.Target.
func (p *Potential) Shape() (n, spatial int) { return p.n, p.dim }

// CoMFree implements engine.Target: both potentials are translation invariant.
func (p *Potential) CoMFree() bool { return true }

// Kind reports the pair potential.
func (p *Potential) Kind() Kind { return p.kind }

// Trap reports the LJ trap strength (0 for DW).
func (p *Potential) Trap() float64 { return p.trap }

// Impl reports the kernel implementation in use.
func (p *Potential) Impl() *asm.Impl { return p.impl }

// EnergyForce implements engine.Target on lane-blocked buffers.
func (p *Potential) EnergyForce(e, f, x []float64, b int) {
	if p.kind == LennardJones {
		p.impl.PairLJ(e, f, x, p.n, b, p.trap)
		return
	}
	p.impl.PairDW(e, f, x, p.n, p.dim, b)
}

// Energy returns E of one row-major configuration; it allocates and is meant
// for tests and tools, not hot loops.
func (p *Potential) Energy(x []float64) float64 {
	var e [1]float64
	engine.EnergyGrad(p, e[:], nil, x, 1)
	return e[0]
}
