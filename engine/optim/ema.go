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
	e.UpdateRange(params, 0, len(params))
	e.Updates++
}

// UpdateRange folds params[lo:hi] into the same part of the average, for
// callers that split the update (e.g. over a pool); it does not count an
// update: Updates is the caller's to advance once per whole update.
func (e *EMA) UpdateRange(params []float64, lo, hi int) {
	d, sh := e.Decay, e.Shadow[lo:hi]
	for i, p := range params[lo:hi] {
		sh[i] = d*sh[i] + (1-d)*p
	}
}

// CopyTo writes the averaged parameters into dst.
func (e *EMA) CopyTo(dst []float64) {
	if len(dst) != len(e.Shadow) {
		panic(fmt.Sprintf("optim: EMA over %d parameters copied into %d", len(e.Shadow), len(dst)))
	}
	copy(dst, e.Shadow)
}
