package mcmc

import (
	"errors"
	"fmt"
	"math"
)

// ErrWindow reports that Sokal's window condition was not met within half
// the series: the series is too short for its autocorrelation time, and the
// τ returned is a lower bound.
var ErrWindow = errors.New("mcmc: series too short for its autocorrelation time")

// IAT returns the integrated autocorrelation time
//
//	τ = 1 + 2·Σ_{t=1}^{M} ρ(t)
//
// of m equally long series stored interleaved, series[t·m + c] for chain c at
// time t (the layout of Result.Trace). ρ(t) = Γ(t)/Γ(0), where Γ(t) is the
// autocovariance at lag t averaged over the chains, taken about the grand
// mean (so chains that have not mixed with each other raise τ instead of
// hiding it). The window M is Sokal's automatic one (A. D. Sokal, "Monte
// Carlo methods in statistical mechanics", 1996): the smallest M with
// M ≥ 5·τ(M). τ is in steps; a chain of T steps holds about T/τ independent
// samples.
//
// When no M ≤ T/2 satisfies the window condition, IAT returns τ(T/2) with
// ErrWindow. It costs O(m·T·log T) (FFT).
func IAT(series []float64, m int) (tau float64, window int, err error) {
	if m <= 0 || len(series)%m != 0 {
		return 0, 0, fmt.Errorf("mcmc: IAT: %d values are not a whole number of %d series", len(series), m)
	}
	T := len(series) / m
	if T < 4 {
		return 0, 0, fmt.Errorf("mcmc: IAT: series of %d values are too short", T)
	}
	mean := 0.0
	for _, v := range series {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, errors.New("mcmc: IAT: non-finite value")
		}
		mean += v
	}
	mean /= float64(len(series))
	// Autocovariances of every lag, summed over chains, by FFT: zero-pad
	// each centred series to twice its length (no wrap-around), take
	// |FFT|², transform back.
	size := 1
	for size < 2*T {
		size <<= 1
	}
	buf := make([]complex128, size)
	acov := make([]float64, T)
	for c := 0; c < m; c++ {
		for t := 0; t < T; t++ {
			buf[t] = complex(series[t*m+c]-mean, 0)
		}
		clear(buf[T:])
		fft(buf, false)
		for i, v := range buf {
			buf[i] = complex(real(v)*real(v)+imag(v)*imag(v), 0)
		}
		fft(buf, true)
		for t := range acov {
			acov[t] += real(buf[t]) / float64(size)
		}
	}
	gamma := func(lag int) float64 { return acov[lag] / float64((T-lag)*m) }
	g0 := gamma(0)
	if g0 == 0 {
		return 0, 0, errors.New("mcmc: IAT: constant series")
	}
	tau = 1
	for M := 1; M <= T/2; M++ {
		tau += 2 * gamma(M) / g0
		if float64(M) >= 5*tau {
			return tau, M, nil
		}
	}
	return tau, T / 2, ErrWindow
}

// fft transforms a in place (length a power of two) by the iterative
// radix-2 Cooley–Tukey algorithm; inverse uses e^{+2πi/n} and does not
// scale.
func fft(a []complex128, inverse bool) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for length := 2; length <= n; length <<= 1 {
		ang := sign * 2 * math.Pi / float64(length)
		half := length / 2
		for k := 0; k < half; k++ {
			// Twiddle computed directly (not by recurrence) for accuracy.
			w := complex(math.Cos(ang*float64(k)), math.Sin(ang*float64(k)))
			for i := k; i < n; i += length {
				u, v := a[i], a[i+half]*w
				a[i], a[i+half] = u+v, u-v
			}
		}
	}
}
