package egnn

// Stages around the layers: the time embedding h⁰ = W_e·t + b_e (forward,
// backward; its tangent is zero) and the output s = P(x^L − x⁰) (forward,
// backward, tangent).

import "github.com/idem-project/idem/engine/param"

// gradView is tensor i's slice of a gradient buffer laid out like
// Params().Grad.
func gradView[T flt](ps *param.Set, gb []T, i int) []T {
	tt := &ps.Tensors[i]
	return gb[tt.Offset : tt.Offset+tt.Size]
}

// embedForward writes h⁰_p = W_e·t + b_e into the h half of c.hc[0] for
// the NN nodes (t per configuration).
func embedForward[T flt](ws *Workspace, c *chunk[T], NN int, t []float64) {
	F := ws.m.cfg.Hidden
	F2 := 2 * F
	ps := ws.m.ps
	we, be := ps.W(ws.m.ew), ps.W(ws.m.eb)
	h0 := c.hc[0]
	for p := 0; p < NN; p++ {
		tb := t[c.config(p)]
		row := h0[p*F2 : p*F2+F]
		for f := range row {
			row[f] = T(we[f]*tb + be[f])
		}
	}
}

// embedBackward adds ∂W_e and ∂b_e from ∂h⁰ = c.dh (layer 0's first edge
// layer has added its share directly; see edgeInputBackwardH0).
func embedBackward[T flt](m *Model, c *chunk[T], NN int, t []float64, gb []T) {
	F := m.cfg.Hidden
	gwe, gbe := gradView(m.ps, gb, m.ew), gradView(m.ps, gb, m.eb)
	dh := c.dh[:NN*F]
	for p := 0; p < NN; p++ {
		tb := T(t[c.config(p)])
		for f, v := range dh[p*F : p*F+F] {
			gwe[f] += v * tb
			gbe[f] += v
		}
	}
}

// outputForward writes s = P(x^L − x⁰), from the accumulated displacement
// c.disp, into c.out and c.outF.
func outputForward[T flt](c *chunk[T], nc, N, D int) {
	NN := nc * N
	copy(c.out[:NN*D], c.disp[:NN*D])
	for b := 0; b < nc; b++ {
		centre(c.out[b*N*D:(b+1)*N*D], N, D)
	}
	cvt(c.outF, c.out[:NN*D])
}

// outputBackward turns c.dOut into ∂/∂x^L = P·dOut in place.
func outputBackward[T flt](c *chunk[T], nc, N, D int) {
	gL := c.dOut[:nc*N*D]
	for b := 0; b < nc; b++ {
		centre(gL[b*N*D:(b+1)*N*D], N, D)
	}
}

// outputTangent writes (∂s/∂x)·v = P(ẋ^L − v) into jv.
func outputTangent(tx, v, jv []float64, nc, N, D int) {
	for b := 0; b < nc; b++ {
		o := jv[b*N*D : (b+1)*N*D]
		for k := range o {
			o[k] = tx[b*N*D+k] - v[b*N*D+k]
		}
		centre(o, N, D)
	}
}
