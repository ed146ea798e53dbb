package cnf

import (
	"math"

	"github.com/idem-project/idem/engine"
)

// Prior is the flow's base density at t = 0: N(0, Std²·I) on N·D values, or
// with MeanFree its restriction to configurations of zero centre of mass
// (a Gaussian on (N−1)·D dimensions).
type Prior struct {
	N, D     int
	Std      float64
	MeanFree bool
}

// Dim is N·D.
func (p Prior) Dim() int { return p.N * p.D }

// Dof is the number of dimensions the density lives on.
func (p Prior) Dof() int {
	if p.MeanFree {
		return (p.N - 1) * p.D
	}
	return p.N * p.D
}

// LogProb returns log p(x) for one configuration (assumed centred when
// MeanFree).
func (p Prior) LogProb(x []float64) float64 {
	var r2 float64
	for _, v := range x[:p.Dim()] {
		r2 += v * v
	}
	s2 := p.Std * p.Std
	return -r2/(2*s2) - 0.5*float64(p.Dof())*math.Log(2*math.Pi*s2)
}

// Draw fills rows configurations of x from the prior with the stream s.
func (p Prior) Draw(x []float64, rows int, s *engine.Stream) {
	d := p.Dim()
	for r := 0; r < rows; r++ {
		row := x[r*d : (r+1)*d]
		for i := range row {
			row[i] = p.Std * s.Norm()
		}
		if p.MeanFree {
			centre(row, p.N, p.D)
		}
	}
}

// centre subtracts the mean over particles from one configuration.
func centre(row []float64, n, sp int) {
	for k := 0; k < sp; k++ {
		var m float64
		for i := 0; i < n; i++ {
			m += row[i*sp+k]
		}
		m /= float64(n)
		for i := 0; i < n; i++ {
			row[i*sp+k] -= m
		}
	}
}
