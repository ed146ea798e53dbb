package egnn

// Message stage: the second edge layer's product z2 = W_m2·s1 + b_m2 (s1
// from the edge input). Its activation m = SiLU(z2), and with it ∂b_m2,
// are taken in the attention stage, whose kernels fuse them.

import "github.com/idem-project/idem/engine/param"

// messageForward writes z2 = W_m2·s1 + b_m2 into c.tC.
func messageForward[T flt](lp *layerPass[T]) {
	c, lw := lp.c, lp.lw
	fillRows(c.tC, lp.E, lp.F, lw.b2)
	lp.gm.fwd(lp.E, lp.s1, lp.F, &lw.m2, c.tC, lp.F)
}

// messageBackward adds ∂W_m2 from ∂z2 (c.tB) and writes ∂s1 = ∂z2·W_m2
// into c.tC.
func messageBackward[T flt](lp *layerPass[T], ps *param.Set, gb []T) {
	c, lw, E, F := lp.c, lp.lw, lp.E, lp.F
	lp.gm.bwdW(E, c.tB, F, lp.s1, F, &lw.m2, gradView(ps, gb, lw.idx.m2w))
	clear(c.tC[:E*F])
	lp.gm.bwdIn(E, c.tB, F, &lw.m2, c.tC, F)
}

// messageTangent writes ż2 = W_m2·ṡ1 (ṡ1 in c.tA) into c.tB.
func messageTangent(lp *layerPass[float64]) {
	c, lw, E, F := lp.c, lp.lw, lp.E, lp.F
	clear(c.tB[:E*F])
	lp.gm.fwd(E, c.tA, F, &lw.m2, c.tB, F)
}
