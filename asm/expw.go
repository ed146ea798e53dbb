package asm

import "math"

// ExpWeights writes the unnormalised importance weights
//
//	w[i] = exp(−e[i] − top)   for e[i] < +Inf and −e[i] − top ≥ −700,
//	w[i] = 0                  otherwise (e = +Inf, NaN, or a weight below e⁻⁷⁰⁰),
//
// for i < len(w), where top is at least max(−e): the log-sum-exp step of a
// softmax. The exponential is 2ᵏ·p(r) with r = x − k·ln 2 and p the Taylor
// polynomial of degree 12, accurate to 2 ulp; every implementation computes
// the same operations in the same order, so the bits agree. Dropping
// weights below e⁻⁷⁰⁰ changes a sum that contains the weight 1 by less than
// 10⁻³⁰⁰. e must be at least as long as w.
func (im *Impl) ExpWeights(w, e []float64, top float64) {
	if len(e) < len(w) {
		panic("asm: ExpWeights: len(e) < len(w)")
	}
	done := im.expWeights(w, e[:len(w)], top)
	expWeightsGeneric(w[done:], e[done:len(w)], top)
}

const (
	expLn2Hi = 6.93147180369123816490e-01
	expLn2Lo = 1.90821492927058770002e-10
	expMin   = -700
)

// expC are 1/j! for j = 0…12.
var expC = func() (c [13]float64) {
	f := 1.0
	for j := range c {
		if j > 0 {
			f *= float64(j)
		}
		c[j] = 1 / f
	}
	return
}()

func expWeightsGeneric(w, e []float64, top float64) int {
	for i, en := range e[:len(w)] {
		x := -en - top
		if !(en < math.Inf(1)) || !(x >= expMin) {
			w[i] = 0
			continue
		}
		k := math.RoundToEven(x * (1 / math.Ln2))
		r := math.FMA(-k, expLn2Hi, x)
		r = math.FMA(-k, expLn2Lo, r)
		p := expC[12]
		for j := 11; j >= 0; j-- {
			p = math.FMA(p, r, expC[j])
		}
		w[i] = p * math.Float64frombits(uint64(int64(k)+1023)<<52)
	}
	return len(w)
}
