// Package ode integrates batched ordinary differential equations dy/dt =
// f(t, y): the adaptive Dormand–Prince 5(4) method ("dopri5", Dormand and
// Prince, J. Comput. Appl. Math. 6, 1980; the FSAL tableau of Hairer,
// Nørsett and Wanner, Solving ODEs I, §II.5) with a mixed absolute and
// relative tolerance in the RMS norm over the whole batch, and the fixed-step
// Euler fallback that SPEC §7.6 prescribes when a solve needs more than a
// budget of function evaluations (3000 there). It serves the continuous
// normalising flow of SPEC §7.6 (sampling and log-densities).
//
// A state is rows × dim values, row-major; time and the state are in the
// caller's units. Integration runs forward or backward (t1 < t0). The stage
// combinations run over an engine.Pool in row chunks whose bounds depend only
// on the sizes, so results are bit-identical for any number of workers (the
// error norm is summed per chunk and the chunks are added in order).
// gonum (v0.17) has quadrature but no ODE integrator, hence this package.
package ode
