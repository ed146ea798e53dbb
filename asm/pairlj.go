package asm

// LJEps is the constant added to ‖xᵢ − xⱼ‖² inside the square root.
const LJEps = 1e-6

// PairLJ computes Lennard-Jones energies and forces in the benchmark
// convention for b configurations of n ≥ 2 particles in 3-D, stored
// lane-blocked in x (see the package doc). For each configuration c:
//
//	E = Σ_{i≠j} [d_ij⁻¹² − 2·d_ij⁻⁶] + (trap/2)·Σᵢ ‖xᵢ − x̄‖²,   d_ij = √(‖xᵢ − xⱼ‖² + 10⁻⁶)
//
// with ordered pairs (each unordered pair counted twice), ε = r_m = 1 and
// x̄ the particle mean. e[c] receives E and f receives F = −∇E in the layout
// of x. Padding lanes of f are not written. f must not alias x or e.
//
// Accuracy: every implementation matches the generic one within a relative
// 1e-12 of Σ|terms| (summation order and FMA contraction differ).
func (im *Impl) PairLJ(e, f, x []float64, n, b int, trap float64) {
	if n < 2 {
		panic("asm: PairLJ: n < 2")
	}
	if len(e) < b {
		panic("asm: PairLJ: len(e) < b")
	}
	if len(x) < Len(n, 3, b) {
		panic("asm: PairLJ: len(x) < Len(n, 3, b)")
	}
	if len(f) < Len(n, 3, b) {
		panic("asm: PairLJ: len(f) < Len(n, 3, b)")
	}
	done := 0
	if full := b / Lanes; full > 0 {
		done = im.pairLJ(e, f, x, n, full, trap) * Lanes
	}
	pairLJGeneric(e, f, x, n, done, b, trap)
}

// pairLJGeneric is the oracle: configurations c0 ≤ c < c1, one at a time.
func pairLJGeneric(e, f, x []float64, n, c0, c1 int, trap float64) {
	const dim = 3
	for c := c0; c < c1; c++ {
		base := c/Lanes*dim*n*Lanes + c%Lanes
		xs := base             // x coordinates: xs + i·Lanes
		ys := base + n*Lanes   // y
		zs := base + 2*n*Lanes // z
		var mx, my, mz float64
		for i := 0; i < n; i++ {
			mx += x[xs+i*Lanes]
			my += x[ys+i*Lanes]
			mz += x[zs+i*Lanes]
		}
		inv := 1 / float64(n)
		mx, my, mz = mx*inv, my*inv, mz*inv
		var etrap float64
		for i := 0; i < n; i++ {
			dx := x[xs+i*Lanes] - mx
			dy := x[ys+i*Lanes] - my
			dz := x[zs+i*Lanes] - mz
			etrap += dx*dx + dy*dy + dz*dz
			f[xs+i*Lanes] = -trap * dx
			f[ys+i*Lanes] = -trap * dy
			f[zs+i*Lanes] = -trap * dz
		}
		var epair float64
		for i := 0; i < n; i++ {
			xi, yi, zi := x[xs+i*Lanes], x[ys+i*Lanes], x[zs+i*Lanes]
			var fx, fy, fz float64
			for j := i + 1; j < n; j++ {
				dx := xi - x[xs+j*Lanes]
				dy := yi - x[ys+j*Lanes]
				dz := zi - x[zs+j*Lanes]
				r2inv := 1 / (dx*dx + dy*dy + dz*dz + LJEps)
				s := r2inv * r2inv * r2inv // d⁻⁶
				epair += s * (s - 2)
				g := 24 * r2inv * s * (s - 1) // −(1/d)·d(2u)/dd
				fx += g * dx
				fy += g * dy
				fz += g * dz
				f[xs+j*Lanes] -= g * dx
				f[ys+j*Lanes] -= g * dy
				f[zs+j*Lanes] -= g * dz
			}
			f[xs+i*Lanes] += fx
			f[ys+i*Lanes] += fy
			f[zs+i*Lanes] += fz
		}
		e[c] = 2*epair + 0.5*trap*etrap
	}
}
