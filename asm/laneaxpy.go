package asm

import "math"

// LaneAxpy accumulates weighted lane blocks:
//
//	acc[j·Lanes + l] += Σ_b w[b·Lanes + l]·f[(b·d + j)·Lanes + l],   j < d, l < Lanes, b < blocks,
//
// the per-lane weighted sum of a lane-blocked buffer f of blocks blocks of d
// rows (for example forces, d = n·dim, weighted per configuration). Blocks
// are added in order, each with one fused multiply-add per element.
func (im *Impl) LaneAxpy(acc, w, f []float64, d, blocks int) {
	if d < 0 || blocks < 0 {
		panic("asm: LaneAxpy: negative size")
	}
	if len(acc) < d*Lanes || len(w) < blocks*Lanes || len(f) < blocks*d*Lanes {
		panic("asm: LaneAxpy: short slice")
	}
	im.laneAxpy(acc, w, f, d, blocks)
}

func laneAxpyGeneric(acc, w, f []float64, d, blocks int) {
	for b := 0; b < blocks; b++ {
		wb := w[b*Lanes : b*Lanes+Lanes]
		fb := f[b*d*Lanes : (b+1)*d*Lanes]
		for j := 0; j < d; j++ {
			for l := 0; l < Lanes; l++ {
				acc[j*Lanes+l] = math.FMA(wb[l], fb[j*Lanes+l], acc[j*Lanes+l])
			}
		}
	}
}
