package optim

import "math"

// Plateau is ReduceLROnPlateau in mode "min" with a relative threshold,
// following torch.optim.lr_scheduler.ReduceLROnPlateau. After each Step:
//
//	better  = metric < Best·(1 − Threshold)
//	if better: Best = metric, NumBad = 0, else NumBad++
//	if CooldownLeft > 0: CooldownLeft--, NumBad = 0
//	if NumBad > Patience: lr ← max(lr·Factor, MinLR) (only if that lowers
//	    lr by more than Eps), CooldownLeft = Cooldown, NumBad = 0
//
// A NaN metric is never better, so it counts as a bad epoch.
type Plateau struct {
	Factor       float64
	Patience     int
	Threshold    float64
	Cooldown     int
	MinLR        float64
	Eps          float64
	Best         float64 // best metric so far (+Inf initially)
	NumBad       int     // consecutive epochs without improvement
	CooldownLeft int
	Epochs       int // Step calls so far (PyTorch's last_epoch)
}

// NewPlateau returns the SPEC §6.1 schedule: factor 0.1, patience 10 and
// PyTorch's defaults otherwise (threshold 10⁻⁴ relative, cooldown 0,
// min_lr 0, eps 10⁻⁸).
func NewPlateau() *Plateau {
	return &Plateau{Factor: 0.1, Patience: 10, Threshold: 1e-4, Eps: 1e-8, Best: math.Inf(1)}
}

// Step records metric and returns the learning rate to use from now on,
// given the current lr.
func (p *Plateau) Step(metric, lr float64) float64 {
	p.Epochs++
	if metric < p.Best*(1-p.Threshold) {
		p.Best = metric
		p.NumBad = 0
	} else {
		p.NumBad++
	}
	if p.CooldownLeft > 0 {
		p.CooldownLeft--
		p.NumBad = 0
	}
	if p.NumBad > p.Patience {
		if nl := math.Max(lr*p.Factor, p.MinLR); lr-nl > p.Eps {
			lr = nl
		}
		p.CooldownLeft = p.Cooldown
		p.NumBad = 0
	}
	return lr
}
