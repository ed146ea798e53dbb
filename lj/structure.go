package lj

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/npy"
)

// icosahedronVertices returns the 12 unit vectors to the vertices of a
// regular icosahedron.
func icosahedronVertices() [12][3]float64 {
	phi := (1 + math.Sqrt(5)) / 2
	var v [12][3]float64
	k := 0
	for _, s1 := range []float64{-1, 1} {
		for _, s2 := range []float64{-1, 1} {
			v[k] = [3]float64{0, s1, s2 * phi}
			v[k+1] = [3]float64{s1, s2 * phi, 0}
			v[k+2] = [3]float64{s2 * phi, 0, s1}
			k += 3
		}
	}
	for i := range v {
		r := math.Sqrt(v[i][0]*v[i][0] + v[i][1]*v[i][1] + v[i][2]*v[i][2])
		for d := range v[i] {
			v[i][d] /= r
		}
	}
	return v
}

// Mackay returns the Mackay icosahedron with the given number of shells
// (1 → 13 particles, 2 → 55) as a flattened 3-D configuration with
// nearest-neighbour distance about spacing: a centre particle, and in shell
// k the 12 vertices scaled by k and the points that divide each edge and
// face of that icosahedron into k parts.
func Mackay(shells int, spacing float64) ([]float64, error) {
	if shells < 1 || shells > 2 {
		return nil, fmt.Errorf("lj: Mackay supports 1 or 2 shells, got %d", shells)
	}
	v := icosahedronVertices()
	// Edge length of the unit-circumradius icosahedron.
	edge := math.Inf(1)
	for i := 1; i < 12; i++ {
		edge = math.Min(edge, dist3(v[0], v[i]))
	}
	scale := spacing / edge
	out := []float64{0, 0, 0}
	add := func(p [3]float64, k float64) {
		out = append(out, p[0]*k*scale, p[1]*k*scale, p[2]*k*scale)
	}
	for k := 1; k <= shells; k++ {
		for i := range v {
			add(v[i], float64(k))
		}
		if k == 2 {
			for i := 0; i < 12; i++ {
				for j := i + 1; j < 12; j++ {
					if math.Abs(dist3(v[i], v[j])-edge) < 1e-9 {
						add([3]float64{v[i][0] + v[j][0], v[i][1] + v[j][1], v[i][2] + v[j][2]}, 1)
					}
				}
			}
		}
	}
	return out, nil
}

func dist3(a, b [3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return math.Sqrt(dx*dx + dy*dy + dz*dz)
}

// Minimize relaxes the row-major configuration x in place to a local minimum
// of p with L-BFGS and returns the final energy and the largest force
// component. It stops when the largest gradient component is below gtol.
func Minimize(p *Potential, x []float64, gtol float64) (energy, maxForce float64, err error) {
	d := p.Dim()
	if len(x) != d {
		return 0, 0, fmt.Errorf("lj: Minimize: configuration has %d values, target needs %d", len(x), d)
	}
	n, sp := p.Shape()
	xb := make([]float64, asm.Len(n, sp, 1))
	fb := make([]float64, len(xb))
	grad := make([]float64, d)
	var e [1]float64
	eval := func(y []float64) {
		asm.Pack(xb, y, n, sp, 1)
		p.EnergyForce(e[:], fb, xb, 1)
		asm.Unpack(grad, fb, n, sp, 1)
		for i := range grad {
			grad[i] = -grad[i]
		}
	}
	prob := optimize.Problem{
		Func: func(y []float64) float64 { eval(y); return e[0] },
		Grad: func(g, y []float64) { eval(y); copy(g, grad) },
	}
	settings := &optimize.Settings{
		GradientThreshold: gtol,
		MajorIterations:   100000,
		Converger:         &optimize.FunctionConverge{Absolute: 0, Relative: 0, Iterations: 1000},
	}
	res, lbfgsErr := optimize.Minimize(prob, x, settings, &optimize.LBFGS{Store: 30})
	if res == nil {
		return 0, 0, fmt.Errorf("lj: Minimize: %w", lbfgsErr)
	}
	copy(x, res.X)
	eval(x)
	if maxForce = maxAbs(grad); maxForce <= gtol {
		return e[0], maxForce, nil
	}
	// Function values are too coarse for a line search below |F| ≈ 10⁻⁷;
	// finish with Newton steps, which use only the (accurate) gradient.
	if err := newtonPolish(eval, grad, x, gtol); err != nil {
		return e[0], maxForce, fmt.Errorf("lj: Minimize: %w (L-BFGS: %v)", err, lbfgsErr)
	}
	eval(x)
	if maxForce = maxAbs(grad); maxForce > gtol {
		return e[0], maxForce, fmt.Errorf("lj: Minimize stopped with |F|∞ = %.3g > %.3g (L-BFGS: %v)", maxForce, gtol, lbfgsErr)
	}
	return e[0], maxForce, nil
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// newtonPolish takes up to 10 Newton steps x ← x − H⁺∇E, with the Hessian H
// from central differences of the gradient and a pseudo-inverse that drops
// the zero modes (translations, rotations).
func newtonPolish(eval func([]float64), grad, x []float64, gtol float64) error {
	d := len(x)
	const h = 1e-5
	hess := mat.NewSymDense(d, nil)
	col := make([]float64, d)
	y := make([]float64, d)
	for it := 0; it < 10; it++ {
		for i := 0; i < d; i++ {
			copy(y, x)
			y[i] += h
			eval(y)
			copy(col, grad)
			y[i] -= 2 * h
			eval(y)
			for j := 0; j <= i; j++ {
				// Symmetrise: average ∂g_j/∂x_i with the earlier ∂g_i/∂x_j.
				v := (col[j] - grad[j]) / (2 * h)
				if j < i {
					v = 0.5 * (v + hess.At(j, i))
				}
				hess.SetSym(j, i, v)
			}
			for j := i + 1; j < d; j++ {
				hess.SetSym(i, j, (col[j]-grad[j])/(2*h))
			}
		}
		eval(x)
		g := mat.NewVecDense(d, append([]float64(nil), grad...))
		var eig mat.EigenSym
		if !eig.Factorize(hess, true) {
			return errors.New("Hessian eigendecomposition failed")
		}
		vals := eig.Values(nil)
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		top := 0.0
		for _, v := range vals {
			top = math.Max(top, math.Abs(v))
		}
		step := make([]float64, d)
		for k, lam := range vals {
			if math.Abs(lam) < 1e-8*top {
				continue // zero mode
			}
			if lam < 0 {
				return errors.New("not at a minimum: the Hessian has a negative eigenvalue")
			}
			c := mat.Dot(vecs.ColView(k), g) / lam
			for i := range step {
				step[i] += c * vecs.At(i, k)
			}
		}
		for i := range x {
			x[i] -= step[i]
		}
		eval(x)
		if maxAbs(grad) <= gtol {
			return nil
		}
	}
	return nil
}

// Load reads reference configurations for p from a .npy file of shape
// (rows, p.Dim()), float32 or float64, and centres every row. It returns
// the row-major configurations and the file's SHA-256.
func Load(path string, p *Potential) ([]float64, string, error) {
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	if a.Cols != p.Dim() {
		return nil, "", fmt.Errorf("lj: %s has %d columns, %s needs %d (n=%d particles × %d dims)", path, a.Cols, p.Name(), p.Dim(), p.n, p.dim)
	}
	if a.Rows == 0 {
		return nil, "", errors.New("lj: " + path + " holds no configurations")
	}
	for i, v := range a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, "", fmt.Errorf("lj: %s: non-finite value at row %d", path, i/a.Cols)
		}
	}
	engine.Centre(a.Data, p.n, p.dim, a.Rows)
	return a.Data, a.SHA256, nil
}
