package asm

// Double-well pair potential constants: φ(d) = DWA·(d−DWD0)⁴ + DWB·(d−DWD0)².
const (
	DWA  = 0.9
	DWB  = -4.0
	DWD0 = 4.0
)

// PairDW computes double-well energies and forces for b configurations of
// n ≥ 2 particles in dim ∈ {2, 3} dimensions, stored lane-blocked in x. For
// each configuration c, over unordered pairs:
//
//	E = Σ_{i<j} [0.9·(d_ij − 4)⁴ − 4·(d_ij − 4)²],   d_ij = ‖xᵢ − xⱼ‖
//
// e[c] receives E and f receives F = −∇E, whose pair term on i is
// −φ′(d)·(xᵢ − xⱼ)/d with φ′(r) = 3.6(r−4)³ − 8(r−4). A pair at d = 0 adds
// its energy φ(0) = 166.4 and no force. Padding lanes of f are not written.
// f must not alias x or e.
//
// Accuracy: every implementation matches the generic one within a relative
// 1e-12 of Σ|terms|.
func (im *Impl) PairDW(e, f, x []float64, n, dim, b int) {
	if n < 2 {
		panic("asm: PairDW: n < 2")
	}
	if dim != 2 && dim != 3 {
		panic("asm: PairDW: dim must be 2 or 3")
	}
	if len(e) < b {
		panic("asm: PairDW: len(e) < b")
	}
	if len(x) < Len(n, dim, b) {
		panic("asm: PairDW: len(x) < Len(n, dim, b)")
	}
	if len(f) < Len(n, dim, b) {
		panic("asm: PairDW: len(f) < Len(n, dim, b)")
	}
	done := 0
	if full := b / Lanes; full > 0 {
		k := im.pairDW2
		if dim == 3 {
			k = im.pairDW3
		}
		done = k(e, f, x, n, full) * Lanes
	}
	pairDWGeneric(e, f, x, n, dim, done, b)
}

// pairDWGeneric is the oracle: configurations c0 ≤ c < c1, one at a time.
func pairDWGeneric(e, f, x []float64, n, dim, c0, c1 int) {
	var dd [3]float64
	for c := c0; c < c1; c++ {
		base := c/Lanes*dim*n*Lanes + c%Lanes
		for d := 0; d < dim; d++ {
			for i := 0; i < n; i++ {
				f[base+(d*n+i)*Lanes] = 0
			}
		}
		var energy float64
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				var r2 float64
				for d := 0; d < dim; d++ {
					dd[d] = x[base+(d*n+i)*Lanes] - x[base+(d*n+j)*Lanes]
					r2 += dd[d] * dd[d]
				}
				r := sqrt(r2)
				u := r - DWD0
				energy += u * u * (DWA*u*u + DWB)
				if r2 == 0 {
					continue
				}
				g := -u * (4*DWA*u*u + 2*DWB) / r // −φ′(d)/d
				for d := 0; d < dim; d++ {
					f[base+(d*n+i)*Lanes] += g * dd[d]
					f[base+(d*n+j)*Lanes] -= g * dd[d]
				}
			}
		}
		e[c] = energy
	}
}
