package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The AVX-512 kernels (-set avx512, pair512_amd64.s). The data layout is
// the one of the AVX2 kernels, lane blocks of four configurations; a ZMM
// register holds two consecutive rows of a block (two particles of the
// pair kernels, two rows of LaneAxpy, two coordinates of Perturb), so every
// vector load and store is contiguous. Odd row counts end with a masked or
// 256-bit step; masked-out lanes never reach memory or an accumulator.
//
// They need AVX-512 F, VL, DQ and BW (the avx512 implementation's units)
// and BMI2; every AVX-512 CPU has BMI2.

// c512 holds the float64 constants of the pair kernels, each 8 bytes,
// broadcast into a register or used as a {1to8} memory operand.
type c512 struct {
	one, two, half, eps, c24  Mem
	dwA, dwB, dwA4, dwB2, dwD Mem
}

// k64 defines a read-only 8-byte float64 constant.
func k64(name string, v float64) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	DATA(0, F64(v))
	return m
}

// k32 defines a read-only 4-byte float32 constant.
func k32(name string, v float32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	DATA(0, F32(v))
	return m
}

// ku32 defines a read-only 4-byte integer constant.
func ku32(name string, v uint32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	DATA(0, U32(v))
	return m
}

// bcastSD returns a fresh ZMM register holding the float64 at m in every lane.
func bcastSD(m Mem) VecVirtual {
	z := ZMM()
	VBROADCASTSD(m, z)
	return z
}

// fold adds the upper four lanes of z to its lower four (z's YMM view).
func fold(z VecVirtual) {
	h := YMM()
	VEXTRACTF64X4(Imm(1), z, h)
	VADDPD(h, z.AsY(), z.AsY())
}

func gen512() {
	c := c512{
		one:  k64("z5One", 1),
		two:  k64("z5Two", 2),
		half: k64("z5Half", 0.5),
		eps:  k64("z5LJEps", 1e-6),
		c24:  k64("z5LJ24", 24),
		dwA:  k64("z5DWA", 0.9),
		dwB:  k64("z5DWB", -4),
		dwA4: k64("z5DWA4", 4*0.9),
		dwB2: k64("z5DWB2", 2*-4.0),
		dwD:  k64("z5DWD0", 4),
	}
	genPairLJ512(c, ljDiv)
	genPairLJ512(c, ljNR)
	genPairLJ512(c, ljMix)
	for _, dim := range []int{2, 3} {
		genPairDW512(c, dim, false)
		genPairDW512(c, dim, true)
	}
	genExpWeights512()
	genPerturb512()
	genLaneAxpy512()
	genFMALoop512()
}

// genFMALoop512 generates the ZMM twins of fmaLoopAVX2Acc and
// fmaLoopF32AVX2Acc: twelve independent chains acc ← acc·0.999999 + 10⁻⁷,
// eight float64 (sixteen float32) lanes each, enough to keep both 512-bit
// FMA pipes busy across the FMA latency.
func genFMALoop512() {
	const acc = 12
	for _, f32 := range []bool{false, true} {
		name, typ, lanes := "fmaLoopAVX512Acc", "float64", 8
		if f32 {
			name, typ, lanes = "fmaLoopF32AVX512Acc", "float32", 16
		}
		TEXT(name, NOSPLIT, "func(acc []"+typ+", iters int)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s runs acc[k] = acc[k]·0.999999 + 1e-7 iters times over 12 independent %d-lane chains (len(acc) ≥ %d).", name, lanes, acc*lanes), "Requires AVX512F.")
		lbl := func(s string) string { return name + "_" + s }
		p := Load(Param("acc").Base(), GP64())
		it := Load(Param("iters"), GP64())
		mov, fma := VMOVUPD, VFMADD213PD
		m, a := ZMM(), ZMM()
		if f32 {
			mov, fma = VMOVUPS, VFMADD213PS
			VBROADCASTSS(k32("z5FMAMF32", 0.999999), m)
			VBROADCASTSS(k32("z5FMAAddF32", 1e-7), a)
		} else {
			VBROADCASTSD(k64("z5FMAM", 0.999999), m)
			VBROADCASTSD(k64("z5FMAAdd", 1e-7), a)
		}
		regs := make([]VecVirtual, acc)
		for k := range regs {
			regs[k] = ZMM()
			mov(Mem{Base: p, Disp: 64 * k}, regs[k])
		}
		TESTQ(it, it)
		JZ(LabelRef(lbl("done")))
		Label(lbl("loop"))
		for k := range regs {
			fma(a, m, regs[k])
		}
		DECQ(it)
		JNZ(LabelRef(lbl("loop")))
		Label(lbl("done"))
		for k := range regs {
			mov(regs[k], Mem{Base: p, Disp: 64 * k})
		}
		VZEROUPPER()
		RET()
	}
}

// pairFrame is the register setup shared by the pair kernels.
type pairFrame struct {
	xb, fb, eb, stride, blocks Register
	kLo                        OpmaskVirtual // lanes 0–3: one particle of a ZMM pair
}

func pairSetup() pairFrame {
	var p pairFrame
	p.xb = Load(Param("x").Base(), GP64())
	p.fb = Load(Param("f").Base(), GP64())
	p.eb = Load(Param("e").Base(), GP64())
	n := Load(Param("n"), GP64())
	p.blocks = Load(Param("blocks"), GP64())
	Store(p.blocks, ReturnIndex(0))
	p.stride = GP64()
	MOVQ(n, p.stride)
	SHLQ(Imm(5), p.stride) // n·Lanes·8 bytes: one coordinate plane
	t := GP32()
	MOVL(U32(0x0F), t)
	p.kLo = K()
	KMOVB(t, p.kLo)
	return p
}

// mem addresses coordinate plane d (< 3) at base.
func (p pairFrame) mem(base Register, d int) Mem {
	if d == 0 {
		return Mem{Base: base}
	}
	return Mem{Base: base, Index: p.stride, Scale: uint8(d)}
}

// planeEnds returns xb + 64·⌊n/2⌋, the end of the whole ZMM pairs of
// particles, and xb + 32·(n−1), the last particle (the end of the rows i
// that have pairs j > i).
func (p pairFrame) planeEnds() (endFull, rowEnd Register) {
	endFull, rowEnd = GP64(), GP64()
	MOVQ(p.stride, endFull)
	SHRQ(Imm(6), endFull)
	SHLQ(Imm(6), endFull)
	ADDQ(p.xb, endFull)
	LEAQ(Mem{Base: p.xb, Index: p.stride, Scale: 1, Disp: -32}, rowEnd)
	return
}

// pairBody is one step of a row's j loop: it gets the differences
// d = x_i − x_j of the step's two particles (lanes 0–3 and 4–7), the lane
// mask k of the pairs to count (nil: all), and returns the force factor g with
// f_i += g·d, f_j −= g·d (the signs swapped with pairRows' neg), having
// added the pair energies to its accumulator under k.
type pairBody func(dd []VecVirtual, k OpmaskVirtual) VecVirtual

// fmaddMasked emits dst += a·b, under the lane mask k unless k is nil.
func fmaddMasked(a, b VecVirtual, k OpmaskVirtual, dst VecVirtual) {
	if k == nil {
		VFMADD231PD(a, b, dst)
		return
	}
	VFMADD231PD(a, b, k, dst)
}

// pairRows emits the loop over rows i < n−1 of one block. Row i pairs the
// particle with j = i+1 … n−1 in ZMM steps of two particles aligned to
// even j (so that every step of every row loads and stores the same
// 64-byte pairs of f, which store-to-load forwarding handles): the first
// step of a row, emitted before the loop, is masked (with even i it holds
// (i, i+1) and masks lane group i out), so the loop's steps run unmasked;
// an odd n ends every row with particle n−1 alone, done with 256-bit loads
// and stores of x_j and f_j and its upper lanes masked out.
//
// With several bodies the j loop's steps take them in turn (the first and
// the odd-n step take bodies[0]), so that kernels can spread one operation
// over two units, e.g. the divider and the FMA ports.
func (p pairFrame) pairRows(lbl func(string) string, dim int, neg bool, endFull, rowEnd Register, bodies ...pairBody) {
	// addI and addJ add g·d to f_i and subtract it from f_j (the reverse with neg).
	addI, addJ := VFMADD231PD, VFNMADD231PD
	if neg {
		addI, addJ = addJ, addI
	}
	pi, pfi := GP64(), GP64()
	MOVQ(p.xb, pi)
	MOVQ(p.fb, pfi)
	rm := GP32()
	MOVL(U32(0xF0), rm) // first-step mask of row 0 (even)
	Label(lbl("row"))
	{
		xi := make([]VecVirtual, dim)
		fxi := make([]VecVirtual, dim)
		for d := 0; d < dim; d++ {
			xi[d] = ZMM()
			VBROADCASTF64X4(p.mem(pi, d), xi[d])
			fxi[d] = ZMM()
			VPXORQ(fxi[d], fxi[d], fxi[d])
		}
		Comment("First step: the pair of particles (2⌊(i+1)/2⌋, +1).")
		off := GP64()
		MOVQ(pi, off)
		SUBQ(p.xb, off)
		ADDQ(Imm(32), off)
		SHRQ(Imm(6), off)
		SHLQ(Imm(6), off)
		pj, pfj := GP64(), GP64()
		LEAQ(Mem{Base: p.xb, Index: off, Scale: 1}, pj)
		LEAQ(Mem{Base: p.fb, Index: off, Scale: 1}, pfj)
		kRow := K()
		KMOVB(rm, kRow)
		// step emits one j step; k masks its f and energy updates (nil: whole).
		step := func(body pairBody, k OpmaskVirtual) {
			dd := make([]VecVirtual, dim)
			for d := 0; d < dim; d++ {
				dd[d] = ZMM()
				VSUBPD(p.mem(pj, d), xi[d], dd[d]) // d = x_i − x_j
			}
			g := body(dd, k)
			for d := 0; d < dim; d++ {
				v := ZMM()
				VMOVUPD(p.mem(pfj, d), v)
				if k != nil {
					addI(dd[d], g, k, fxi[d]) // f_i += g·d
					addJ(dd[d], g, k, v)      // f_j −= g·d
				} else {
					addI(dd[d], g, fxi[d])
					addJ(dd[d], g, v)
				}
				VMOVUPD(v, p.mem(pfj, d))
			}
			ADDQ(Imm(64), pj)
			ADDQ(Imm(64), pfj)
			CMPQ(pj, endFull)
		}
		CMPQ(pj, endFull)
		JAE(LabelRef(lbl("j_tail")))
		step(bodies[0], kRow)
		JEQ(LabelRef(lbl("j_tail")))
		Label(lbl("j"))
		for bi, body := range bodies {
			step(body, nil)
			if bi < len(bodies)-1 {
				JEQ(LabelRef(lbl("j_tail")))
			} else {
				JNE(LabelRef(lbl("j")))
			}
		}
		Label(lbl("j_tail"))
		TESTQ(U32(32), p.stride) // n odd?
		JZ(LabelRef(lbl("j_done")))
		{
			Comment("Odd n: particle n−1 alone (in both halves, the upper one masked out).")
			dd := make([]VecVirtual, dim)
			for d := 0; d < dim; d++ {
				t := ZMM()
				VBROADCASTF64X4(p.mem(pj, d), t)
				dd[d] = ZMM()
				VSUBPD(t, xi[d], dd[d])
			}
			g := bodies[0](dd, p.kLo)
			for d := 0; d < dim; d++ {
				addI(dd[d], g, p.kLo, fxi[d])
				v := ZMM()
				VMOVUPD(p.mem(pfj, d), v.AsY())
				addJ(dd[d], g, v)
				VMOVUPD(v.AsY(), p.mem(pfj, d))
			}
		}
		Label(lbl("j_done"))
		for d := 0; d < dim; d++ {
			fold(fxi[d])
			VADDPD(p.mem(pfi, d), fxi[d].AsY(), fxi[d].AsY())
			VMOVUPD(fxi[d].AsY(), p.mem(pfi, d))
		}
		XORL(U32(0x0F), rm) // the next row's parity
		ADDQ(Imm(32), pi)
		ADDQ(Imm(32), pfi)
		CMPQ(pi, rowEnd)
		JNE(LabelRef(lbl("row")))
	}
}

// nextBlock advances to the next lane block (dim planes) and loops.
func (p pairFrame) nextBlock(lbl func(string) string, dim int) {
	step := GP64()
	if dim == 2 {
		LEAQ(Mem{Base: p.stride, Index: p.stride, Scale: 1}, step)
	} else {
		LEAQ(Mem{Base: p.stride, Index: p.stride, Scale: 2}, step)
	}
	ADDQ(step, p.xb)
	ADDQ(step, p.fb)
	ADDQ(Imm(32), p.eb)
	DECQ(p.blocks)
	JNZ(LabelRef(lbl("block")))
}

// recipQuartic512 sets inv = 1/a from VRCP14PD's estimate y (relative error
// ε below 2⁻¹⁴) as y·(1 + e)·(1 + e²), e = 1 − a·y: relative error ε⁴ (below
// 2⁻⁵⁶) before rounding, in four FMA-port operations, as two Newton steps,
// but with a shorter chain and one register copy fewer.
func recipQuartic512(a, one, inv VecVirtual) {
	VRCP14PD(a, inv)
	e, e2 := ZMM(), ZMM()
	VMOVAPD(one, e)
	VFNMADD231PD(inv, a, e) // e = 1 − a·y
	VMULPD(e, e, e2)
	VFMADD231PD(e, inv, inv)  // y·(1 + e)
	VFMADD231PD(e2, inv, inv) // y·(1 + e)·(1 + e²)
}

// ljRecip says how the LJ kernels take 1/r².
type ljRecip int

const (
	ljDiv ljRecip = iota // VDIVPD
	ljNR                 // VRCP14PD refined to y·(1 + e)·(1 + e²)
	ljMix                // alternate steps: VDIVPD, then VRCP14PD refined
)

func genPairLJ512(c c512, mode ljRecip) {
	name, how := "pairLJAVX512", "1/r² by division"
	switch mode {
	case ljNR:
		name, how = "pairLJAVX512NR", "1/r² by VRCP14PD refined to 2⁻⁵⁶"
	case ljMix:
		name, how = "pairLJAVX512Mix", "1/r² by division and by VRCP14PD refined to 2⁻⁵⁶ in alternate steps (the divider and the FMA ports work at once)"
	}
	TEXT(name, NOSPLIT, "func(e, f, x []float64, n, blocks int, trap float64) int")
	Pragma("noescape")
	Doc(name+" computes LJ energies and forces for whole lane blocks, two particles per ZMM step, "+how+"; see pairLJGeneric.", "The pair loop accumulates forces over 24 and scales them at the end.", "Requires AVX512F/VL/DQ.")
	lbl := func(s string) string { return name + "_" + s }
	p := pairSetup()
	n := Load(Param("n"), GP64())
	negTrap, qTrap, invN := ZMM(), ZMM(), ZMM()
	one := bcastSD(c.one)
	c24 := bcastSD(c.c24)
	{
		trapX := Load(Param("trap"), XMM())
		VBROADCASTSD(trapX, qTrap)
		VPXORQ(negTrap, negTrap, negTrap)
		VSUBPD(qTrap, negTrap, negTrap)
		VDIVPD(c24, negTrap, negTrap) // −trap/24
		half := bcastSD(c.half)
		VMULPD(half, qTrap, qTrap)
		VMULPD(half, qTrap, qTrap) // trap/4
		nx := XMM()
		VCVTSI2SDQ(n, nx, nx)
		VBROADCASTSD(nx, invN)
		VDIVPD(invN, one, invN) // 1/n
	}
	eps, two := bcastSD(c.eps), bcastSD(c.two)

	TESTQ(p.blocks, p.blocks)
	JZ(LabelRef(lbl("done")))
	Label(lbl("block"))
	{
		endFull, rowEnd := p.planeEnds()
		Comment("Particle mean per dimension.")
		m := []VecVirtual{ZMM(), ZMM(), ZMM()}
		for _, v := range m {
			VPXORQ(v, v, v)
		}
		q := GP64()
		MOVQ(p.xb, q)
		CMPQ(q, endFull)
		JEQ(LabelRef(lbl("mean_tail")))
		Label(lbl("mean"))
		for d := range m {
			VADDPD(p.mem(q, d), m[d], m[d])
		}
		ADDQ(Imm(64), q)
		CMPQ(q, endFull)
		JNE(LabelRef(lbl("mean")))
		Label(lbl("mean_tail"))
		for _, v := range m {
			fold(v)
		}
		TESTQ(U32(32), p.stride)
		JZ(LabelRef(lbl("mean_even")))
		for d := range m {
			VADDPD(p.mem(q, d), m[d].AsY(), m[d].AsY())
		}
		Label(lbl("mean_even"))
		for _, v := range m {
			VMULPD(invN.AsY(), v.AsY(), v.AsY())
			VINSERTF64X4(Imm(1), v.AsY(), v, v) // x̄ in both halves
		}

		Comment("Trap: f = −trap·(x − x̄)/24, etrap = Σ‖x − x̄‖².")
		etrap := ZMM()
		VPXORQ(etrap, etrap, etrap)
		r := GP64()
		MOVQ(p.xb, q)
		MOVQ(p.fb, r)
		CMPQ(q, endFull)
		JEQ(LabelRef(lbl("trap_tail")))
		Label(lbl("trap"))
		for d := range m {
			dd := ZMM()
			VMOVUPD(p.mem(q, d), dd)
			VSUBPD(m[d], dd, dd)
			VFMADD231PD(dd, dd, etrap)
			VMULPD(negTrap, dd, dd)
			VMOVUPD(dd, p.mem(r, d))
		}
		ADDQ(Imm(64), q)
		ADDQ(Imm(64), r)
		CMPQ(q, endFull)
		JNE(LabelRef(lbl("trap")))
		Label(lbl("trap_tail"))
		TESTQ(U32(32), p.stride)
		JZ(LabelRef(lbl("trap_even")))
		for d := range m {
			dd := ZMM()
			VMOVUPD(p.mem(q, d), dd.AsY())
			VSUBPD(m[d], dd, dd)
			VFMADD231PD(dd, dd, p.kLo, etrap)
			VMULPD(negTrap, dd, dd)
			VMOVUPD(dd.AsY(), p.mem(r, d))
		}
		Label(lbl("trap_even"))

		Comment("Pairs i < j; epair starts at trap/4·etrap so that e = 2·epair.")
		epair := etrap
		VMULPD(qTrap, epair, epair)
		body := func(div bool) pairBody {
			return func(dd []VecVirtual, k OpmaskVirtual) VecVirtual {
				ra := ZMM()
				VMOVAPD(eps, ra)
				for d := 0; d < 3; d++ {
					VFMADD231PD(dd[d], dd[d], ra) // r² + 10⁻⁶
				}
				inv := ZMM()
				if div {
					VDIVPD(ra, one, inv)
				} else {
					recipQuartic512(ra, one, inv)
				}
				s, t := ZMM(), ZMM()
				VMULPD(inv, inv, s)
				VMULPD(inv, s, s) // s = r⁻⁶
				VSUBPD(two, s, t)
				fmaddMasked(t, s, k, epair) // epair += s(s−2)
				VFMADD213PD(s, s, t)        // t = s·(s − 2) + s = s² − s
				VMULPD(inv, t, t)           // g/24 = (s² − s)/r²
				return t
			}
		}
		switch mode {
		case ljDiv:
			p.pairRows(lbl, 3, false, endFull, rowEnd, body(true))
		case ljNR:
			p.pairRows(lbl, 3, false, endFull, rowEnd, body(false))
		case ljMix:
			p.pairRows(lbl, 3, false, endFull, rowEnd, body(true), body(false))
		}

		Comment("f = 24·(f/24).")
		MOVQ(p.fb, r)
		MOVQ(p.xb, q)
		CMPQ(q, endFull)
		JEQ(LabelRef(lbl("scale_tail")))
		Label(lbl("scale"))
		for d := 0; d < 3; d++ {
			v := ZMM()
			VMULPD(p.mem(r, d), c24, v)
			VMOVUPD(v, p.mem(r, d))
		}
		ADDQ(Imm(64), q)
		ADDQ(Imm(64), r)
		CMPQ(q, endFull)
		JNE(LabelRef(lbl("scale")))
		Label(lbl("scale_tail"))
		TESTQ(U32(32), p.stride)
		JZ(LabelRef(lbl("scale_even")))
		for d := 0; d < 3; d++ {
			v := YMM()
			VMULPD(p.mem(r, d), c24.AsY(), v)
			VMOVUPD(v, p.mem(r, d))
		}
		Label(lbl("scale_even"))

		Comment("e = 2·epair.")
		fold(epair)
		VADDPD(epair.AsY(), epair.AsY(), epair.AsY())
		VMOVUPD(epair.AsY(), Mem{Base: p.eb})
		p.nextBlock(lbl, 3)
	}
	Label(lbl("done"))
	VZEROUPPER()
	RET()
}

func genPairDW512(c c512, dim int, nr bool) {
	name := fmt.Sprintf("pairDW%dAVX512", dim)
	how := "d by VSQRTPD and φ′(d)/d by division"
	if nr {
		name += "NR"
		how = "1/d by VRSQRT14PD and two Newton steps, no square root or division"
	}
	TEXT(name, NOSPLIT, "func(e, f, x []float64, n, blocks int) int")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes %d-D double-well energies and forces for whole lane blocks, two particles per ZMM step, %s; see pairDWGeneric.", name, dim, how), "Requires AVX512F/VL/DQ.")
	lbl := func(s string) string { return name + "_" + s }
	p := pairSetup()
	zero := ZMM()
	VPXORQ(zero, zero, zero)
	dwD, dwA, dwB, dwA4, dwB2 := bcastSD(c.dwD), bcastSD(c.dwA), bcastSD(c.dwB), bcastSD(c.dwA4), bcastSD(c.dwB2)
	var half VecVirtual
	if nr {
		half = bcastSD(c.half)
	}

	TESTQ(p.blocks, p.blocks)
	JZ(LabelRef(lbl("done")))
	Label(lbl("block"))
	{
		endFull, rowEnd := p.planeEnds()
		Comment("Zero the forces of this block.")
		{
			q, qend := GP64(), GP64()
			MOVQ(p.fb, q)
			MOVQ(endFull, qend)
			SUBQ(p.xb, qend)
			ADDQ(p.fb, qend)
			CMPQ(q, qend)
			JEQ(LabelRef(lbl("zero_tail")))
			Label(lbl("zero"))
			for d := 0; d < dim; d++ {
				VMOVUPD(zero, p.mem(q, d))
			}
			ADDQ(Imm(64), q)
			CMPQ(q, qend)
			JNE(LabelRef(lbl("zero")))
			Label(lbl("zero_tail"))
			TESTQ(U32(32), p.stride)
			JZ(LabelRef(lbl("zero_even")))
			for d := 0; d < dim; d++ {
				VMOVUPD(zero.AsY(), p.mem(q, d))
			}
			Label(lbl("zero_even"))
		}
		epair := ZMM()
		VPXORQ(epair, epair, epair)
		p.pairRows(lbl, dim, true, endFull, rowEnd, func(dd []VecVirtual, k OpmaskVirtual) VecVirtual {
			r2 := ZMM()
			VMULPD(dd[0], dd[0], r2)
			for d := 1; d < dim; d++ {
				VFMADD231PD(dd[d], dd[d], r2)
			}
			nz := K()
			VCMPPD(Imm(4), zero, r2, nz) // r² ≠ 0 (NEQ_UQ)
			r := ZMM()
			var y VecVirtual
			if nr {
				y = ZMM()
				VRSQRT14PD_Z(r2, nz, y) // 0 where r² = 0
				for it := 0; it < 2; it++ {
					t, h, e := ZMM(), ZMM(), ZMM()
					VMULPD(y, r2, t)
					VMULPD(half, y, h)
					VMOVAPD(half, e)
					VFNMADD231PD(t, h, e) // e = ½ − ½r²y²
					VFMADD231PD(e, y, y)  // y += y·e
				}
				VMULPD(y, r2, r) // d = r²/d
			} else {
				VSQRTPD(r2, r)
			}
			u, u2, t := ZMM(), ZMM(), ZMM()
			VSUBPD(dwD, r, u) // u = d − 4
			VMULPD(u, u, u2)
			VMOVAPD(dwA, t)
			VFMADD213PD(dwB, u2, t)      // t = 0.9u² − 4
			fmaddMasked(t, u2, k, epair) // epair += u²(0.9u² − 4)
			VMOVAPD(dwA4, t)
			VFMADD213PD(dwB2, u2, t) // t = 3.6u² − 8
			VMULPD(u, t, t)          // φ′(d)
			if nr {
				VMULPD(y, t, t) // q = φ′(d)/d, 0 where d = 0
			} else {
				VDIVPD_Z(r, t, nz, t) // q = φ′(d)/d, 0 where d = 0
			}
			return t // f_i −= q·d, f_j += q·d (neg)
		})
		fold(epair)
		VMOVUPD(epair.AsY(), Mem{Base: p.eb})
		p.nextBlock(lbl, dim)
	}
	Label(lbl("done"))
	VZEROUPPER()
	RET()
}

// genExpWeights512 generates expWeightsAVX512: the operations of
// expWeightsAVX2 in the same order on eight lanes, the last partial group
// masked, so the bits are generic's.
func genExpWeights512() {
	kLog2e := k64("z5ExpLog2e", 1/math.Ln2)
	kLn2Hi := k64("z5ExpLn2Hi", 6.93147180369123816490e-01)
	kLn2Lo := k64("z5ExpLn2Lo", 1.90821492927058770002e-10)
	kBias := k64("z5ExpBias", 1023)
	kMin := k64("z5ExpMin", -700)
	kInf := GLOBL("z5ExpInf", RODATA|NOPTR) // +Inf
	DATA(0, U64(0x7FF0000000000000))
	var poly []Mem
	f := 1.0
	for k := 0; k <= 12; k++ {
		if k > 0 {
			f *= float64(k)
		}
		poly = append(poly, k64(fmt.Sprintf("z5ExpC%d", k), 1/f))
	}

	TEXT("expWeightsAVX512", NOSPLIT, "func(w, e []float64, top float64) int")
	Pragma("noescape")
	Doc("expWeightsAVX512 does all of w = exp(−e − top), eight lanes per step and the rest masked; see expWeightsGeneric.", "Requires AVX512F/DQ and BMI2.")
	wp := Load(Param("w").Base(), GP64())
	ep := Load(Param("e").Base(), GP64())
	n := Load(Param("w").Len(), GP64())
	Store(n, ReturnIndex(0))
	topX := Load(Param("top"), XMM())
	top := ZMM()
	VBROADCASTSD(topX, top)
	zero := ZMM()
	VPXORQ(zero, zero, zero)

	// step computes eight weights from ev and returns them; ok is a
	// scratch opmask.
	step := func(ev VecVirtual) VecVirtual {
		ok := K()
		VCMPPD_BCST(Imm(0x11), kInf, ev, ok) // e < +Inf (LT_OQ; false for NaN)
		x := ZMM()
		VSUBPD(ev, zero, x)                     // −e
		VSUBPD(top, x, x)                       // −e − top
		VCMPPD_BCST(Imm(0x1d), kMin, x, ok, ok) // and x ≥ −700 (GE_OQ; false for NaN)
		VMAXPD_BCST(kMin, x, x)                 // keep 2ᵏ normal where the weight is dropped anyway
		k, r := ZMM(), x
		VMULPD_BCST(kLog2e, x, k)
		VRNDSCALEPD(Imm(0), k, k)       // nearest
		VFNMADD231PD_BCST(kLn2Hi, k, r) // r = x − k·ln2hi
		VFNMADD231PD_BCST(kLn2Lo, k, r) // r −= k·ln2lo
		p := ZMM()
		VBROADCASTSD(poly[12], p)
		for j := 11; j >= 0; j-- {
			VFMADD213PD_BCST(poly[j], r, p) // p = p·r + 1/j!
		}
		Comment("Scale by 2ᵏ through the exponent bits; 0 for +Inf, NaN and x < −700.")
		VADDPD_BCST(kBias, k, k)
		VCVTPD2QQ(k, k)
		VPSLLQ(Imm(52), k, k)
		VMULPD_Z(k, p, ok, p)
		return p
	}

	cnt := GP64()
	MOVQ(n, cnt)
	SHRQ(Imm(3), cnt)
	JZ(LabelRef("ew5_tail"))
	Label("ew5_loop")
	{
		ev := ZMM()
		VMOVUPD(Mem{Base: ep}, ev)
		p := step(ev)
		VMOVUPD(p, Mem{Base: wp})
	}
	ADDQ(Imm(64), wp)
	ADDQ(Imm(64), ep)
	DECQ(cnt)
	JNZ(LabelRef("ew5_loop"))
	Label("ew5_tail")
	ANDQ(Imm(7), n)
	JZ(LabelRef("ew5_done"))
	{
		Comment("The last one to seven, masked.")
		ones, bits := GP64(), GP64()
		MOVQ(U64(0xFF), ones)
		BZHIQ(n, ones, bits)
		kt := K()
		KMOVB(bits.As32(), kt)
		ev := ZMM()
		VMOVUPD_Z(Mem{Base: ep}, kt, ev)
		p := step(ev)
		VMOVUPD(p, kt, Mem{Base: wp})
	}
	Label("ew5_done")
	VZEROUPPER()
	RET()
}

// genPerturb512 generates perturbAVX512: perturbAVX2's unfused float32
// Box–Muller operations in the same order, so the bits are generic's. The
// four xoshiro256** lanes stay in YMM registers (VPROLQ and VPTERNLOGQ
// shorten a step); one loop step draws four outputs per lane, transforms
// their sixteen 32-bit halves in ZMM registers and writes eight rows; a
// tail of up to four rows draws two outputs and transforms them in YMM
// registers.
func genPerturb512() {
	kOneBits := ku32("z5PmOneBits", 0x3F800000)
	kMant := ku32("z5PmMant", 1<<23-1)
	kBias := ku32("z5PmBias", 127)
	kThree := ku32("z5PmThree", 3)
	kIOne := ku32("z5PmIOne", 1)
	kOne := k32("z5PmOne", 1)
	kTwo := k32("z5PmTwo", 2)
	kHalf := k32("z5PmHalf", 0.5)
	kM2 := k32("z5PmMinus2", -2)
	kSqrt2 := k32("z5PmSqrt2", float32(math.Sqrt2))
	kLn2Hi := k32("z5PmLn2Hi", float32(0.693145751953125))
	kLn2Lo := k32("z5PmLn2Lo", float32(math.Ln2-0.693145751953125))
	kPiO2 := k32("z5PmPiO2", float32(math.Pi/2))
	kPiO4 := k32("z5PmPiO4", float32(math.Pi/4))
	kSqrtH := k32("z5PmSqrtH", float32(math.Sqrt2/2))
	logC := []float32{1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9}
	sinC := []float32{1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880}
	cosC := []float32{1, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800}
	var logM, sinM, cosM []Mem
	for k, v := range logC {
		logM = append(logM, k32(fmt.Sprintf("z5PmLog%d", k), v))
	}
	for k, v := range sinC {
		sinM = append(sinM, k32(fmt.Sprintf("z5PmSin%d", k), v))
	}
	for k, v := range cosC {
		cosM = append(cosM, k32(fmt.Sprintf("z5PmCos%d", k), v))
	}
	// VPERMI2D indices of the high and low 32-bit halves of sixteen
	// 64-bit outputs (two ZMM tables).
	idxHi, idxLo := GLOBL("z5PmIdxHi", RODATA|NOPTR), Mem{}
	for k := 0; k < 16; k++ {
		DATA(4*k, U32(2*k+1))
	}
	idxLo = GLOBL("z5PmIdxLo", RODATA|NOPTR)
	for k := 0; k < 16; k++ {
		DATA(4*k, U32(2*k))
	}
	// VPERMPD indices: xs[2i] in lanes 0–3, xs[2i+1] in lanes 4–7.
	idxXs := GLOBL("z5PmIdxXs", RODATA|NOPTR)
	for i := 0; i < 4; i++ {
		for l := 0; l < 8; l++ {
			DATA(64*i+8*l, U64(uint64(2*i+l/4)))
		}
	}

	TEXT("perturbAVX512", NOSPLIT, "func(dst, xs []float64, sq float64, state []uint64)")
	Pragma("noescape")
	Doc("perturbAVX512 fills one lane block with x + sq·z, z float32 Box–Muller normals from four xoshiro256** lanes, eight rows per step; see perturbGeneric.", "Requires AVX512F/VL/DQ and BMI2.")
	dst := Load(Param("dst").Base(), GP64())
	xs := Load(Param("xs").Base(), GP64())
	d := Load(Param("xs").Len(), GP64())
	st := Load(Param("state").Base(), GP64())
	sqX := Load(Param("sq"), XMM())
	sq := ZMM()
	VBROADCASTSD(sqX, sq)
	s := []VecVirtual{YMM(), YMM(), YMM(), YMM()}
	for k := range s {
		VMOVDQU64(Mem{Base: st, Disp: 32 * k}, s[k])
	}
	two := ZMM()
	VBROADCASTSS(kTwo, two)
	pidx := make([]VecVirtual, 4)
	for i := range pidx {
		pidx[i] = ZMM()
		VMOVDQU64(idxXs.Offset(64*i), pidx[i])
	}

	// next draws one 64-bit output per lane (xoshiro256**).
	next := func() VecVirtual {
		a, r, t := YMM(), YMM(), YMM()
		VPSLLQ(Imm(2), s[1], a)
		VPADDQ(s[1], a, a) // s1·5
		VPROLQ(Imm(7), a, r)
		VPSLLQ(Imm(3), r, a)
		VPADDQ(a, r, r) // ·9
		VPSLLQ(Imm(17), s[1], t)
		u := a
		VPXORQ(s[1], s[3], u)                   // s3 ⊕ s1
		VPTERNLOGQ(Imm(0x96), s[0], s[2], s[1]) // s1 ⊕= s2 ⊕ s0
		VPTERNLOGQ(Imm(0x96), t, s[0], s[2])    // s2 ⊕= s0 ⊕ t
		VPXORQ(u, s[0], s[0])                   // s0 ⊕= s3 ⊕ s1
		VPROLQ(Imm(45), u, s[3])                // s3 = rotl(s3 ⊕ s1, 45)
		return r
	}

	// normals returns z0 and z1 for width 16 (ZMM: the outputs a, b, c, d
	// of four draws, lanes a0…a3 b0…b3 c0…c3 d0…d3) or 8 (YMM: a, b).
	normals := func(width int) (VecVirtual, VecVirtual) {
		vec := func() VecVirtual {
			if width == 16 {
				return ZMM()
			}
			return YMM()
		}
		var hi, lo VecVirtual
		if width == 16 {
			wa, wb, wc, wd := next(), next(), next(), next()
			Comment("High words (u₁) and low words (θ), lane order a0…a3 b0…b3 c0…c3 d0…d3.")
			ab, cd := ZMM(), ZMM()
			VINSERTI64X4(Imm(1), wb, wa.AsZ(), ab)
			VINSERTI64X4(Imm(1), wd, wc.AsZ(), cd)
			hi, lo = ZMM(), ZMM()
			VMOVDQU32(idxHi, hi)
			VPERMI2D(cd, ab, hi)
			VMOVDQU32(idxLo, lo)
			VPERMI2D(cd, ab, lo)
		} else {
			wa, wb := next(), next()
			Comment("High words (u₁) and low words (θ), lane order a0…a3 b0…b3.")
			ab := ZMM()
			VINSERTI64X4(Imm(1), wb, wa.AsZ(), ab)
			lo = YMM()
			VPMOVQD(ab, lo)
			VPSRLQ(Imm(32), ab, ab)
			hi = YMM()
			VPMOVQD(ab, hi)
		}
		twoV := Op(two)
		if width == 8 {
			twoV = two.AsY()
		}

		Comment("u₁ = 2 − m ∈ (0, 1] and ln u₁.")
		u := hi
		VPSRLD(Imm(9), u, u)
		VPORD_BCST(kOneBits, u, u)
		VSUBPS(u, twoV, u) // u1
		eb, m := vec(), vec()
		VPSRLD(Imm(23), u, eb)
		VPANDD_BCST(kMant, u, m)
		VPORD_BCST(kOneBits, m, m) // [1, 2)
		big := K()
		VCMPPS_BCST(Imm(0x1e), kSqrt2, m, big) // m > √2
		VMULPS_BCST(kHalf, m, big, m)          // m·½ where big
		VPADDD_BCST(kIOne, eb, big, eb)        // eb += 1 where big
		VPSUBD_BCST(kBias, eb, eb)
		e := eb
		VCVTDQ2PS(eb, e)
		f, den := m, u
		VSUBPS_BCST(kOne, m, f)
		VADDPS(twoV, f, den)
		sv := den
		VDIVPS(den, f, sv) // s = f/(f+2)
		z := vec()
		VMULPS(sv, sv, z)
		pl := vec()
		VBROADCASTSS(logM[3], pl)
		for k := 2; k >= 0; k-- {
			VMULPS(z, pl, pl)
			VADDPS_BCST(logM[k], pl, pl)
		}
		VADDPS(sv, sv, sv) // t = 2s
		VMULPS(sv, z, z)   // t·z
		VMULPS(pl, z, z)   // t·z·p
		VADDPS(z, sv, sv)  // lnf
		lo2 := z
		VMULPS_BCST(kLn2Lo, e, lo2)
		VADDPS(sv, lo2, lo2)
		VMULPS_BCST(kLn2Hi, e, e)
		VADDPS(lo2, e, e) // ln u1
		VMULPS_BCST(kM2, e, e)
		r := e
		VSQRTPS(e, r)

		Comment("θ = (q + t)·π/2, t ∈ [0, 1), q ∈ {0…3}; (cos θ, sin θ).")
		q := vec()
		VPANDD_BCST(kThree, lo, q)
		a := lo
		VPSRLD(Imm(9), a, a)
		VPORD_BCST(kOneBits, a, a)
		VSUBPS_BCST(kOne, a, a)
		VMULPS_BCST(kPiO2, a, a)
		VSUBPS_BCST(kPiO4, a, a) // [−π/4, π/4)
		w := vec()
		VMULPS(a, a, w)
		ps := vec()
		VBROADCASTSS(sinM[4], ps)
		for k := 3; k >= 0; k-- {
			VMULPS(w, ps, ps)
			VADDPS_BCST(sinM[k], ps, ps)
		}
		pc := sv
		VBROADCASTSS(cosM[5], pc)
		for k := 4; k >= 0; k-- {
			VMULPS(w, pc, pc)
			VADDPS_BCST(cosM[k], pc, pc)
		}
		VMULPS(a, ps, ps) // sin a
		cs, sn := a, w
		VSUBPS(ps, pc, cs)
		VADDPS(ps, pc, sn)
		VMULPS_BCST(kSqrtH, cs, cs) // cos(a + π/4)
		VMULPS_BCST(kSqrtH, sn, sn) // sin(a + π/4)
		Comment("Rotate by q quarter turns: swap on odd q, then signs.")
		odd := K()
		VPTESTMD_BCST(kIOne, q, odd)
		x, y := vec(), vec()
		VBLENDMPS(sn, cs, odd, x) // x = odd q ? sn : cs
		VBLENDMPS(cs, sn, odd, y)
		hb := ps
		VPSRLD(Imm(1), q, hb)
		VPXORD(hb, q, q)
		VPSLLD(Imm(31), q, q)
		VPXORD(q, x, x) // negate x where (q ⊕ q>>1) is odd
		VPSLLD(Imm(31), hb, hb)
		VPXORD(hb, y, y) // negate y where q ≥ 2
		VMULPS(r, x, x)
		VMULPS(r, y, y)
		return x, y
	}
	// rowPairs converts z0, z1 to float64 row pairs (rows 2i and 2i+1 of
	// the step in one ZMM): four for width 16, two for width 8.
	rowPairs := func(x, y VecVirtual, width int) []VecVirtual {
		var halves [][2]VecVirtual // (z0, z1) float64, two draws each
		if width == 16 {
			for _, h := range []int{0, 1} {
				xd, yd := ZMM(), ZMM()
				if h == 0 {
					VCVTPS2PD(x.AsY(), xd)
					VCVTPS2PD(y.AsY(), yd)
				} else {
					t, u := YMM(), YMM()
					VEXTRACTF64X4(Imm(1), x, t)
					VCVTPS2PD(t, xd)
					VEXTRACTF64X4(Imm(1), y, u)
					VCVTPS2PD(u, yd)
				}
				halves = append(halves, [2]VecVirtual{xd, yd})
			}
		} else {
			xd, yd := ZMM(), ZMM()
			VCVTPS2PD(x, xd)
			VCVTPS2PD(y, yd)
			halves = append(halves, [2]VecVirtual{xd, yd})
		}
		var out []VecVirtual
		for _, h := range halves {
			r0, r1 := ZMM(), ZMM()
			VSHUFF64X2(Imm(0x44), h[1], h[0], r0) // z0, z1 of the first draw
			VSHUFF64X2(Imm(0xEE), h[1], h[0], r1) // of the second
			out = append(out, r0, r1)
		}
		return out
	}
	// finish returns xs + sq·z for row pair i of the step.
	finish := func(rp VecVirtual, xs8 VecVirtual, i int) VecVirtual {
		o := ZMM()
		VPERMPD(xs8, pidx[i], o)
		VFMADD231PD(sq, rp, o)
		return o
	}

	Comment("Eight rows per step.")
	k := GP64()
	MOVQ(d, k)
	SHRQ(Imm(3), k)
	JZ(LabelRef("pm5_tail"))
	Label("pm5_loop")
	{
		x, y := normals(16)
		rp := rowPairs(x, y, 16)
		xs8 := ZMM()
		VMOVUPD(Mem{Base: xs}, xs8)
		for i := range rp {
			VMOVUPD(finish(rp[i], xs8, i), Mem{Base: dst, Disp: 64 * i})
		}
	}
	ADDQ(Imm(64), xs)
	ADDQ(U32(256), dst)
	DECQ(k)
	JNZ(LabelRef("pm5_loop"))

	Label("pm5_tail")
	Comment("One to seven rows left: one more (half) step, partly written.")
	ANDQ(Imm(7), d)
	JZ(LabelRef("pm5_done"))
	xs8 := ZMM()
	{
		ones, bits := GP64(), GP64()
		MOVQ(U64(0xFF), ones)
		BZHIQ(d, ones, bits)
		kx := K()
		KMOVB(bits.As32(), kx)
		VMOVUPD_Z(Mem{Base: xs}, kx, xs8)
	}
	CMPQ(d, Imm(4))
	JA(LabelRef("pm5_tail8"))
	{
		Comment("One to four rows: two draws.")
		x, y := normals(8)
		rp := rowPairs(x, y, 8)
		o0, o1 := finish(rp[0], xs8, 0), finish(rp[1], xs8, 1)
		CMPQ(d, Imm(2))
		JAE(LabelRef("pm5_t2"))
		VMOVUPD(o0.AsY(), Mem{Base: dst})
		JMP(LabelRef("pm5_done"))
		Label("pm5_t2")
		VMOVUPD(o0, Mem{Base: dst})
		JE(LabelRef("pm5_done"))
		CMPQ(d, Imm(4))
		JE(LabelRef("pm5_t4"))
		VMOVUPD(o1.AsY(), Mem{Base: dst, Disp: 64})
		JMP(LabelRef("pm5_done"))
		Label("pm5_t4")
		VMOVUPD(o1, Mem{Base: dst, Disp: 64})
		JMP(LabelRef("pm5_done"))
	}
	Label("pm5_tail8")
	{
		Comment("Five to seven rows: four draws.")
		x, y := normals(16)
		rp := rowPairs(x, y, 16)
		var o []VecVirtual
		for i := range rp {
			o = append(o, finish(rp[i], xs8, i))
		}
		VMOVUPD(o[0], Mem{Base: dst})
		VMOVUPD(o[1], Mem{Base: dst, Disp: 64})
		CMPQ(d, Imm(6))
		JAE(LabelRef("pm5_t6"))
		VMOVUPD(o[2].AsY(), Mem{Base: dst, Disp: 128})
		JMP(LabelRef("pm5_done"))
		Label("pm5_t6")
		VMOVUPD(o[2], Mem{Base: dst, Disp: 128})
		JE(LabelRef("pm5_done"))
		VMOVUPD(o[3].AsY(), Mem{Base: dst, Disp: 192})
	}
	Label("pm5_done")
	VZEROUPPER()
	RET()
}

// genLaneAxpy512 generates laneAxpyAVX512; see laneAxpyGeneric. The loops
// are interchanged: a chunk of up to sixteen rows of acc stays in ZMM
// registers while every block's FMAs are added to it in block order, so
// each element sees the same fused multiply-adds in the same order as in
// the generic code (the same bits) with one load per FMA instead of three
// memory accesses.
func genLaneAxpy512() {
	TEXT("laneAxpyAVX512", NOSPLIT, "func(acc, w, f []float64, d, blocks int)")
	Pragma("noescape")
	Doc("laneAxpyAVX512 adds Σ_blocks w[block]·f[block] lane-wise into acc, sixteen rows at a time held in registers; see laneAxpyGeneric.", "Requires AVX512F.")
	acc := Load(Param("acc").Base(), GP64())
	w := Load(Param("w").Base(), GP64())
	f := Load(Param("f").Base(), GP64())
	rows := Load(Param("d"), GP64())
	blocks := Load(Param("blocks"), GP64())
	TESTQ(blocks, blocks)
	JZ(LabelRef("la5_done"))
	TESTQ(rows, rows)
	JZ(LabelRef("la5_done"))
	bstride := GP64()
	MOVQ(rows, bstride)
	SHLQ(Imm(5), bstride) // bytes per block of f

	// chunk adds every block to cnt ZMM registers (2·cnt rows) of acc;
	// with last, the last register is masked by kLast.
	chunk := func(cnt int, last OpmaskVirtual, tag string) {
		masked := func(i int) bool { return last != nil && i == cnt-1 }
		a := make([]VecVirtual, cnt)
		for i := range a {
			a[i] = ZMM()
			if masked(i) {
				VMOVUPD_Z(Mem{Base: acc, Disp: 64 * i}, last, a[i])
			} else {
				VMOVUPD(Mem{Base: acc, Disp: 64 * i}, a[i])
			}
		}
		q, wp, b := GP64(), GP64(), GP64()
		MOVQ(f, q)
		MOVQ(w, wp)
		MOVQ(blocks, b)
		Label("la5_" + tag)
		wv := ZMM()
		VBROADCASTF64X4(Mem{Base: wp}, wv)
		for i := range a {
			if masked(i) {
				t := ZMM()
				VMOVUPD_Z(Mem{Base: q, Disp: 64 * i}, last, t)
				VFMADD231PD(t, wv, a[i])
			} else {
				VFMADD231PD(Mem{Base: q, Disp: 64 * i}, wv, a[i])
			}
		}
		ADDQ(bstride, q)
		ADDQ(Imm(32), wp)
		DECQ(b)
		JNZ(LabelRef("la5_" + tag))
		for i := range a {
			if masked(i) {
				VMOVUPD(a[i], last, Mem{Base: acc, Disp: 64 * i})
			} else {
				VMOVUPD(a[i], Mem{Base: acc, Disp: 64 * i})
			}
		}
	}

	Comment("Sixteen rows per chunk.")
	Label("la5_chunk")
	CMPQ(rows, Imm(16))
	JB(LabelRef("la5_rest"))
	chunk(8, nil, "c16")
	ADDQ(U32(512), acc)
	ADDQ(U32(512), f)
	SUBQ(Imm(16), rows)
	JMP(LabelRef("la5_chunk"))

	Label("la5_rest")
	Comment("One to fifteen rows: ⌈rows/2⌉ registers, the last masked to one row when rows is odd.")
	TESTQ(rows, rows)
	JZ(LabelRef("la5_done"))
	kLast := K()
	{
		m, lo := GP32(), GP32()
		MOVL(U32(0xFF), m)
		MOVL(U32(0x0F), lo)
		TESTQ(U32(1), rows)
		CMOVLNE(lo, m)
		KMOVB(m, kLast)
	}
	regs := GP64()
	LEAQ(Mem{Base: rows, Disp: 1}, regs)
	SHRQ(Imm(1), regs)
	for cnt := 1; cnt < 8; cnt++ {
		CMPQ(regs, Imm(uint64(cnt)))
		JE(LabelRef(fmt.Sprintf("la5_r%d", cnt)))
	}
	for cnt := 8; cnt >= 1; cnt-- {
		Label(fmt.Sprintf("la5_r%d", cnt))
		chunk(cnt, kLast, fmt.Sprintf("r%d_loop", cnt))
		JMP(LabelRef("la5_done"))
	}
	Label("la5_done")
	VZEROUPPER()
	RET()
}
