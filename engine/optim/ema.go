package optim

import "fmt"

// EMA keeps an exponential moving average of parameters:
// Shadow ← Decay·Shadow + (1 − Decay)·θ after each Update. SPEC §6.1 uses
// no EMA; it is here for experiments.
type EMA struct {
	Decay   float64
	Updates int64
	Shadow  []float64
}

// NewEMA returns an EMA starting from a copy of params. It panics unless
// 0 ≤ decay ≤ 1.
func NewEMA(params []float64, decay float64) *EMA {
	if !(decay >= 0 && decay <= 1) {
		panic(fmt.Sprintf("optim: EMA decay %v outside [0, 1]", decay))
	}
	return &EMA{Decay: decay, Shadow: append([]float64(nil), params...)}
}

// Update folds params into the average.
func (e *EMA) Update(params []float64) {
	if len(params) != len(e.Shadow) {
		panic(fmt.Sprintf("optim: EMA over %d parameters given %d", len(e.Shadow), len(params)))
	}
	d := e.Decay
	for i, p := range params {
		e.Shadow[i] = d*e.Shadow[i] + (1-d)*p
	}
	e.Updates++
}

// CopyTo writes the averaged parameters into dst.
func (e *EMA) CopyTo(dst []float64) {
	if len(dst) != len(e.Shadow) {
		panic(fmt.Sprintf("optim: EMA over %d parameters copied into %d", len(e.Shadow), len(dst)))
	}
	copy(dst, e.Shadow)
}
