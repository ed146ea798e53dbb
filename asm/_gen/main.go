// Command _gen generates the AVX2+FMA kernels of package asm with avo.
//
//	go run . -out ../pair_amd64.s -stubs ../pair_stubs_amd64.go -pkg asm
//
// The plain-Go oracles in package asm define what every kernel computes;
// see pairlj.go, pairdw.go and fma.go there.
package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

const lanes = 4

// splat4 defines a read-only 32-byte constant holding v in every lane.
func splat4(name string, v float64) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for k := 0; k < lanes; k++ {
		DATA(8*k, F64(v))
	}
	return m
}

func main() {
	ConstraintExpr("!purego,!noasm")
	c := consts{
		zero:  splat4("kZero", 0),
		one:   splat4("kOne", 1),
		two:   splat4("kTwo", 2),
		half:  splat4("kHalf", 0.5),
		eps:   splat4("kLJEps", 1e-6),
		c24:   splat4("kLJ24", 24),
		dwA:   splat4("kDWA", 0.9),
		dwB:   splat4("kDWB", -4),
		dwA4:  splat4("kDWA4", 4*0.9),
		dwB2:  splat4("kDWB2", 2*-4.0),
		dwD0:  splat4("kDWD0", 4),
		fmaM:  splat4("kFMAMul", 0.999999),
		fmaAd: splat4("kFMAAdd", 1e-7),
	}
	genPairLJ(c)
	genPairDW(c, 2)
	genPairDW(c, 3)
	genFMALoop(c)
	genPerturb()
	genLaneAxpy()
	genAdam()
	genExpWeights()
	Generate()
}

type consts struct {
	zero, one, two, half, eps, c24 Mem
	dwA, dwB, dwA4, dwB2, dwD0     Mem
	fmaM, fmaAd                    Mem
}

// blockSetup loads the common arguments and returns the registers holding
// the x, f and e cursors, the plane stride in bytes (n·Lanes·8) and n.
func blockSetup() (xb, fb, eb, stride, n, blocks Register) {
	xb = Load(Param("x").Base(), GP64())
	fb = Load(Param("f").Base(), GP64())
	eb = Load(Param("e").Base(), GP64())
	n = Load(Param("n"), GP64())
	blocks = Load(Param("blocks"), GP64())
	stride = GP64()
	MOVQ(n, stride)
	SHLQ(Imm(5), stride) // n·Lanes·8 bytes
	return
}

func genPairLJ(c consts) {
	TEXT("pairLJAVX2", NOSPLIT, "func(e, f, x []float64, n, blocks int, trap float64) int")
	Pragma("noescape")
	Doc("pairLJAVX2 computes LJ energies and forces for whole lane blocks; see pairLJGeneric.")
	xb, fb, eb, stride, n, blocks := blockSetup()
	Store(blocks, ReturnIndex(0))

	// −trap, trap/4 and 1/n live on the stack: the pair loop needs all 16
	// YMM registers (AVX2 has no Y16–Y31).
	consts := AllocLocal(4 * 32)
	negTrapM, quarterTrapM, invNM := consts.Offset(0), consts.Offset(32), consts.Offset(64)
	rowM := consts.Offset(96) // 1/r² of the next row's first pair
	{
		trapX := Load(Param("trap"), XMM())
		tr, v := YMM(), YMM()
		VBROADCASTSD(trapX, tr)
		VXORPD(v, v, v)
		VSUBPD(tr, v, v)
		VMOVUPD(v, negTrapM) // −trap
		VMULPD(c.half, tr, tr)
		VMULPD(c.half, tr, tr)
		VMOVUPD(tr, quarterTrapM) // trap/4
		nx := XMM()
		CVTSQ2SD(n, nx)
		VBROADCASTSD(nx, tr)
		VMOVUPD(c.one, v)
		VDIVPD(tr, v, v)
		VMOVUPD(v, invNM) // 1/n
	}

	stride2 := GP64()
	LEAQ(Mem{Base: stride, Index: stride, Scale: 1}, stride2) // 2·stride, for the block step
	blockStep := GP64()
	LEAQ(Mem{Base: stride2, Index: stride, Scale: 1}, blockStep) // 3·stride

	TESTQ(blocks, blocks)
	JZ(LabelRef("lj_done"))
	Label("lj_block")
	{
		Comment("Particle mean per dimension.")
		mx, my, mz := YMM(), YMM(), YMM()
		VXORPD(mx, mx, mx)
		VXORPD(my, my, my)
		VXORPD(mz, mz, mz)
		p, end := GP64(), GP64()
		MOVQ(xb, p)
		LEAQ(Mem{Base: xb, Index: stride, Scale: 1}, end)
		Label("lj_mean")
		VADDPD(Mem{Base: p}, mx, mx)
		VADDPD(Mem{Base: p, Index: stride, Scale: 1}, my, my)
		VADDPD(Mem{Base: p, Index: stride, Scale: 2}, mz, mz)
		ADDQ(Imm(32), p)
		CMPQ(p, end)
		JNE(LabelRef("lj_mean"))
		VMULPD(invNM, mx, mx)
		VMULPD(invNM, my, my)
		VMULPD(invNM, mz, mz)

		Comment("Trap: f = −trap·(x − x̄), etrap = Σ‖x − x̄‖².")
		negTrap := YMM()
		VMOVUPD(negTrapM, negTrap)
		etrap := YMM()
		VXORPD(etrap, etrap, etrap)
		q := GP64()
		MOVQ(fb, q)
		MOVQ(xb, p)
		Label("lj_trap")
		for d, m := range []VecVirtual{mx, my, mz} {
			dd := YMM()
			var src, dst Mem
			switch d {
			case 0:
				src, dst = Mem{Base: p}, Mem{Base: q}
			default:
				src = Mem{Base: p, Index: stride, Scale: uint8(d)}
				dst = Mem{Base: q, Index: stride, Scale: uint8(d)}
			}
			VMOVUPD(src, dd)
			VSUBPD(m, dd, dd)
			VFMADD231PD(dd, dd, etrap)
			VMULPD(negTrap, dd, dd)
			VMOVUPD(dd, dst)
		}
		ADDQ(Imm(32), p)
		ADDQ(Imm(32), q)
		CMPQ(p, end)
		JNE(LabelRef("lj_trap"))

		Comment("Pairs i < j; epair starts at trap/4·etrap so that e = 2·epair.")
		epair := etrap
		VMULPD(quarterTrapM, epair, epair)
		pi, fi := GP64(), GP64()
		MOVQ(xb, pi)
		MOVQ(fb, fi)
		mem := func(base Register, d int) Mem {
			if d == 0 {
				return Mem{Base: base}
			}
			return Mem{Base: base, Index: stride, Scale: uint8(d)}
		}
		// recipMem stores 1/(‖x_a − x_b‖² + 10⁻⁶) at dst, both from memory.
		// Each row's first division is started one row early this way, so
		// its latency overlaps the previous row's loop (it matters at small n).
		recipMem := func(pa, pb Register, dst Mem) {
			dd := []VecVirtual{YMM(), YMM(), YMM()}
			for d := 0; d < 3; d++ {
				VMOVUPD(mem(pa, d), dd[d])
				VSUBPD(mem(pb, d), dd[d], dd[d])
			}
			ra, rb := YMM(), YMM()
			VMULPD(dd[0], dd[0], ra)
			VMOVUPD(c.eps, rb)
			VFMADD231PD(dd[1], dd[1], rb)
			VFMADD231PD(dd[2], dd[2], ra)
			VADDPD(rb, ra, ra)
			inv := YMM()
			VMOVUPD(c.one, inv)
			VDIVPD(ra, inv, inv)
			VMOVUPD(inv, dst)
		}
		{
			q := GP64()
			LEAQ(Mem{Base: xb, Disp: 32}, q)
			recipMem(xb, q, rowM) // pair (0, 1)
		}
		Label("lj_i")
		{
			xi := []VecVirtual{YMM(), YMM(), YMM()}
			fxi := []VecVirtual{YMM(), YMM(), YMM()}
			for d := 0; d < 3; d++ {
				VMOVUPD(mem(pi, d), xi[d])
				VXORPD(fxi[d], fxi[d], fxi[d])
			}
			pj, fj := GP64(), GP64()
			LEAQ(Mem{Base: pi, Disp: 32}, pj)
			LEAQ(Mem{Base: fi, Disp: 32}, fj)
			CMPQ(pj, end)
			JEQ(LabelRef("lj_j_done"))

			// The loop is latency-bound by the division, so it is software
			// pipelined: each iteration starts 1/r² of the next pair and
			// finishes the current one with the 1/r² started before. The
			// current d = x_i − x_j is recomputed from memory, which is
			// cheaper than keeping it in registers across iterations.
			recip := func(p Register, inv VecVirtual) {
				dd := []VecVirtual{YMM(), YMM(), YMM()}
				for d := 0; d < 3; d++ {
					VSUBPD(mem(p, d), xi[d], dd[d])
				}
				ra, rb := YMM(), YMM()
				VMULPD(dd[0], dd[0], ra)
				VMOVUPD(c.eps, rb)
				VFMADD231PD(dd[1], dd[1], rb)
				VFMADD231PD(dd[2], dd[2], ra)
				VADDPD(rb, ra, ra) // r² + 10⁻⁶
				VMOVUPD(c.one, inv)
				VDIVPD(ra, inv, inv) // 1/r²
			}
			invCur, invNext := YMM(), YMM()
			VMOVUPD(rowM, invCur) // pair (i, i+1), started one row ago
			{
				Comment("Start the next row's first pair (i+1, i+2), if any.")
				qa, qb := GP64(), GP64()
				LEAQ(Mem{Base: pi, Disp: 32}, qa)
				LEAQ(Mem{Base: pi, Disp: 64}, qb)
				CMPQ(qb, end)
				JAE(LabelRef("lj_row_last"))
				recipMem(qa, qb, rowM)
				Label("lj_row_last")
			}
			pn := GP64()
			Label("lj_j")
			{
				Comment("Start the next pair (the current one again on the last iteration).")
				LEAQ(Mem{Base: pj, Disp: 32}, pn)
				CMPQ(pn, end)
				CMOVQEQ(pj, pn)
				recip(pn, invNext)

				Comment("Finish the current pair: g = s·(24/r²)·(s−1), s = r⁻⁶.")
				dd := []VecVirtual{YMM(), YMM(), YMM()}
				for d := 0; d < 3; d++ {
					VSUBPD(mem(pj, d), xi[d], dd[d]) // d = x_i − x_j
				}
				c24, s, t := YMM(), YMM(), YMM()
				VMULPD(c.c24, invCur, c24) // 24/r²
				VMULPD(invCur, invCur, s)
				VMULPD(invCur, s, s) // s = r⁻⁶
				VSUBPD(c.two, s, t)
				VFMADD231PD(t, s, epair) // epair += s(s−2)
				VMULPD(s, c24, c24)
				VFMSUB213PD(c24, s, c24) // g = 24·s²/r² − 24·s/r²
				g := c24
				for d := 0; d < 3; d++ {
					VFMADD231PD(dd[d], g, fxi[d]) // f_i += g·d
					v := YMM()
					VMOVUPD(mem(fj, d), v)
					VFNMADD231PD(dd[d], g, v) // f_j −= g·d
					VMOVUPD(v, mem(fj, d))
				}
				VMOVAPD(invNext, invCur)
			}
			ADDQ(Imm(32), pj)
			ADDQ(Imm(32), fj)
			CMPQ(pj, end)
			JNE(LabelRef("lj_j"))
			Label("lj_j_done")
			for d, acc := range fxi {
				VADDPD(mem(fi, d), acc, acc)
				VMOVUPD(acc, mem(fi, d))
			}
			ADDQ(Imm(32), pi)
			ADDQ(Imm(32), fi)
			CMPQ(pi, end)
			JNE(LabelRef("lj_i"))
		}
		Comment("e = 2·epair.")
		VADDPD(epair, epair, epair)
		VMOVUPD(epair, Mem{Base: eb})

		ADDQ(blockStep, xb)
		ADDQ(blockStep, fb)
		ADDQ(Imm(32), eb)
		DECQ(blocks)
		JNZ(LabelRef("lj_block"))
	}
	Label("lj_done")
	VZEROUPPER()
	RET()
}

func genPairDW(c consts, dim int) {
	name := fmt.Sprintf("pairDW%dAVX2", dim)
	TEXT(name, NOSPLIT, "func(e, f, x []float64, n, blocks int) int")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes %d-D double-well energies and forces for whole lane blocks; see pairDWGeneric.", name, dim))
	xb, fb, eb, stride, _, blocks := blockSetup()
	Store(blocks, ReturnIndex(0))
	lbl := func(s string) string { return fmt.Sprintf("dw%d_%s", dim, s) }
	mem := func(base Register, d int) Mem {
		if d == 0 {
			return Mem{Base: base}
		}
		return Mem{Base: base, Index: stride, Scale: uint8(d)}
	}
	blockStep := GP64()
	MOVQ(stride, blockStep)
	if dim == 2 {
		SHLQ(Imm(1), blockStep)
	} else {
		LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, blockStep)
	}

	TESTQ(blocks, blocks)
	JZ(LabelRef(lbl("done")))
	Label(lbl("block"))
	{
		end := GP64()
		LEAQ(Mem{Base: xb, Index: stride, Scale: 1}, end)
		Comment("Zero the forces of this block.")
		{
			z := YMM()
			VXORPD(z, z, z)
			q, qend := GP64(), GP64()
			MOVQ(fb, q)
			LEAQ(Mem{Base: fb, Index: stride, Scale: 1}, qend)
			Label(lbl("zero"))
			for d := 0; d < dim; d++ {
				VMOVUPD(z, mem(q, d))
			}
			ADDQ(Imm(32), q)
			CMPQ(q, qend)
			JNE(LabelRef(lbl("zero")))
		}
		epair := YMM()
		VXORPD(epair, epair, epair)
		pi, fi := GP64(), GP64()
		MOVQ(xb, pi)
		MOVQ(fb, fi)
		Label(lbl("i"))
		{
			xi := make([]VecVirtual, dim)
			fxi := make([]VecVirtual, dim)
			for d := 0; d < dim; d++ {
				xi[d] = YMM()
				VMOVUPD(mem(pi, d), xi[d])
				fxi[d] = YMM()
				VXORPD(fxi[d], fxi[d], fxi[d])
			}
			pj, fj := GP64(), GP64()
			LEAQ(Mem{Base: pi, Disp: 32}, pj)
			LEAQ(Mem{Base: fi, Disp: 32}, fj)
			CMPQ(pj, end)
			JEQ(LabelRef(lbl("j_done")))
			Label(lbl("j"))
			{
				dx := make([]VecVirtual, dim)
				r2 := YMM()
				for d := 0; d < dim; d++ {
					dx[d] = YMM()
					VSUBPD(mem(pj, d), xi[d], dx[d])
				}
				VMULPD(dx[0], dx[0], r2)
				for d := 1; d < dim; d++ {
					VFMADD231PD(dx[d], dx[d], r2)
				}
				zmask := YMM()
				VCMPPD(Imm(0), c.zero, r2, zmask) // r² == 0
				r := r2
				VSQRTPD(r2, r)
				u := YMM()
				VSUBPD(c.dwD0, r, u) // u = d − 4
				u2 := YMM()
				VMULPD(u, u, u2)
				t := YMM()
				VMOVUPD(c.dwA, t)
				VFMADD213PD(c.dwB, u2, t) // t = 0.9u² − 4
				VFMADD231PD(t, u2, epair) // epair += u²(0.9u² − 4)
				VMOVUPD(c.dwA4, t)
				VFMADD213PD(c.dwB2, u2, t) // t = 3.6u² − 8
				VMULPD(u, t, t)            // φ′(d)
				VDIVPD(r, t, t)            // q = φ′(d)/d
				VANDNPD(t, zmask, t)       // q = 0 where d = 0
				for d := 0; d < dim; d++ {
					VFNMADD231PD(dx[d], t, fxi[d]) // f_i −= q·d
					v := YMM()
					VMOVUPD(mem(fj, d), v)
					VFMADD231PD(dx[d], t, v) // f_j += q·d
					VMOVUPD(v, mem(fj, d))
				}
			}
			ADDQ(Imm(32), pj)
			ADDQ(Imm(32), fj)
			CMPQ(pj, end)
			JNE(LabelRef(lbl("j")))
			Label(lbl("j_done"))
			for d := 0; d < dim; d++ {
				VADDPD(mem(fi, d), fxi[d], fxi[d])
				VMOVUPD(fxi[d], mem(fi, d))
			}
			ADDQ(Imm(32), pi)
			ADDQ(Imm(32), fi)
			CMPQ(pi, end)
			JNE(LabelRef(lbl("i")))
		}
		VMOVUPD(epair, Mem{Base: eb})
		ADDQ(blockStep, xb)
		ADDQ(blockStep, fb)
		ADDQ(Imm(32), eb)
		DECQ(blocks)
		JNZ(LabelRef(lbl("block")))
	}
	Label(lbl("done"))
	VZEROUPPER()
	RET()
}

func genFMALoop(c consts) {
	const acc = 12
	TEXT("fmaLoopAVX2Acc", NOSPLIT, "func(acc []float64, iters int)")
	Pragma("noescape")
	Doc("fmaLoopAVX2Acc runs acc[k] = acc[k]·0.999999 + 1e-7 iters times over 12 independent 4-lane chains (len(acc) ≥ 48).")
	p := Load(Param("acc").Base(), GP64())
	it := Load(Param("iters"), GP64())
	m, a := YMM(), YMM()
	VMOVUPD(c.fmaM, m)
	VMOVUPD(c.fmaAd, a)
	regs := make([]VecVirtual, acc)
	for k := range regs {
		regs[k] = YMM()
		VMOVUPD(Mem{Base: p, Disp: 32 * k}, regs[k])
	}
	TESTQ(it, it)
	JZ(LabelRef("fma_done"))
	Label("fma_loop")
	for k := range regs {
		VFMADD213PD(a, m, regs[k])
	}
	DECQ(it)
	JNZ(LabelRef("fma_loop"))
	Label("fma_done")
	for k := range regs {
		VMOVUPD(regs[k], Mem{Base: p, Disp: 32 * k})
	}
	VZEROUPPER()
	RET()
}

// splatU4 defines a read-only 32-byte constant holding the bits v in every lane.
func splatU4(name string, v uint64) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for k := 0; k < lanes; k++ {
		DATA(8*k, U64(v))
	}
	return m
}

// genPerturb generates perturbAVX2; asm/perturb.go (perturbGeneric,
// boxMuller, logUnit) defines the same operations in the same order.
func genPerturb() {
	const (
		oneBits = 0x3FF0000000000000
		mant    = 1<<52 - 1
		magic   = 0x4330000000000000
		magicF  = 4503599627370496.0 + 1023
		ln2Hi   = 6.93147180369123816490e-01
		ln2Lo   = 1.90821492927058770002e-10
	)
	kOneBits := splatU4("kPmOneBits", oneBits)
	kMant := splatU4("kPmMant", mant)
	kMagic := splatU4("kPmMagic", magic)
	kThree := splatU4("kPmThree", 3)
	kMagicF := splat4("kPmMagicF", magicF)
	kOne := splat4("kPmOne", 1)
	kTwo := splat4("kPmTwo", 2)
	kHalf := splat4("kPmHalf", 0.5)
	kM2 := splat4("kPmMinus2", -2)
	kSqrt2 := splat4("kPmSqrt2", math.Sqrt2)
	kLn2Hi := splat4("kPmLn2Hi", ln2Hi)
	kLn2Lo := splat4("kPmLn2Lo", ln2Lo)
	kPiO2 := splat4("kPmPiO2", math.Pi/2)
	kMPiO4 := splat4("kPmMinusPiO4", -math.Pi/4)
	kSqrtH := splat4("kPmSqrtH", math.Sqrt2/2)
	var logC [9]Mem
	for k := range logC {
		logC[k] = splat4(fmt.Sprintf("kPmLog%d", k), 1/float64(2*k+3))
	}
	sinC := []float64{1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800, 1.0 / 6227020800, -1.0 / 1307674368000}
	cosC := []float64{1, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600, -1.0 / 87178291200, 1.0 / 20922789888000}
	var sinM, cosM []Mem
	for k, v := range sinC {
		sinM = append(sinM, splat4(fmt.Sprintf("kPmSin%d", k), v))
	}
	for k, v := range cosC {
		cosM = append(cosM, splat4(fmt.Sprintf("kPmCos%d", k), v))
	}

	TEXT("perturbAVX2", NOSPLIT, "func(dst, xs []float64, sq float64, state []uint64)")
	Pragma("noescape")
	Doc("perturbAVX2 fills one lane block with x + sq·z, z Box–Muller normals from four xoshiro256** lanes; see perturbGeneric.")
	dst := Load(Param("dst").Base(), GP64())
	xs := Load(Param("xs").Base(), GP64())
	d := Load(Param("xs").Len(), GP64())
	st := Load(Param("state").Base(), GP64())
	sqX := Load(Param("sq"), XMM())
	// sq and, after the first pass, the generator state live on the stack,
	// which leaves all 16 registers to the interleaved passes.
	locals := AllocLocal(5 * 32)
	sqM := locals.Offset(0)
	stateM := func(k int) Mem { return locals.Offset(32 + 32*k) }
	{
		sq := YMM()
		VBROADCASTSD(sqX, sq)
		VMOVUPD(sq, sqM)
	}
	s := []VecVirtual{YMM(), YMM(), YMM(), YMM()}
	for k := range s {
		VMOVDQU(Mem{Base: st, Disp: 32 * k}, s[k])
	}
	for k := range s {
		VMOVDQU(s[k], stateM(k)) // for the odd tail when there is no even part
	}

	// next draws one 64-bit output per lane (xoshiro256**).
	next := func() VecVirtual {
		a, r, t := YMM(), YMM(), YMM()
		VPSLLQ(Imm(2), s[1], a)
		VPADDQ(s[1], a, a) // s1·5
		VPSLLQ(Imm(7), a, r)
		VPSRLQ(Imm(57), a, a)
		VPOR(a, r, r) // rotl(·, 7)
		VPSLLQ(Imm(3), r, a)
		VPADDQ(a, r, r) // ·9
		VPSLLQ(Imm(17), s[1], t)
		VPXOR(s[0], s[2], s[2])
		VPXOR(s[1], s[3], s[3])
		VPXOR(s[2], s[1], s[1])
		VPXOR(s[3], s[0], s[0])
		VPXOR(t, s[2], s[2])
		VPSLLQ(Imm(45), s[3], a)
		VPSRLQ(Imm(19), s[3], s[3])
		VPOR(a, s[3], s[3])
		return r
	}
	// pair returns two vectors of standard normals (Box–Muller).
	// radiusN maps raw bits b1 to √(−2 ln u1), u1 ∈ (0, 1], for several
	// independent vectors at once, interleaving their instructions so that
	// the long dependency chains overlap.
	radiusN := func(b1 []VecVirtual) []VecVirtual {
		n := len(b1)
		each := func(f func(k int)) {
			for k := 0; k < n; k++ {
				f(k)
			}
		}
		regs := func() []VecVirtual {
			r := make([]VecVirtual, n)
			for k := range r {
				r[k] = YMM()
			}
			return r
		}
		Comment("u1 ∈ (0, 1] and ln u1.")
		u := regs()
		each(func(k int) { VPSRLQ(Imm(12), b1[k], b1[k]) })
		each(func(k int) { VPOR(kOneBits, b1[k], b1[k]) })
		each(func(k int) { VMOVUPD(kTwo, u[k]) })
		each(func(k int) { VSUBPD(b1[k], u[k], u[k]) }) // u1 = 2 − m
		eb, m := regs(), regs()
		each(func(k int) { VPSRLQ(Imm(52), u[k], eb[k]) })
		each(func(k int) { VPAND(kMant, u[k], m[k]) })
		each(func(k int) { VPOR(kOneBits, m[k], m[k]) }) // m ∈ [1, 2)
		big, fac := regs(), u
		each(func(k int) { VCMPPD(Imm(0x1e), kSqrt2, m[k], big[k]) }) // m > √2
		each(func(k int) { VMOVUPD(kOne, fac[k]) })
		each(func(k int) { VBLENDVPD(big[k], kHalf, fac[k], fac[k]) })
		each(func(k int) { VMULPD(fac[k], m[k], m[k]) })
		each(func(k int) { VPSUBQ(big[k], eb[k], eb[k]) }) // eb += 1 where big
		e := eb
		each(func(k int) { VPOR(kMagic, eb[k], e[k]) })
		each(func(k int) { VSUBPD(kMagicF, e[k], e[k]) }) // exponent as float64
		f, den := m, big
		each(func(k int) { VSUBPD(kOne, m[k], f[k]) })
		each(func(k int) { VADDPD(kTwo, f[k], den[k]) })
		sv := den
		each(func(k int) { VDIVPD(den[k], f[k], sv[k]) }) // s = f/(f+2)
		z := f
		each(func(k int) { VMULPD(sv[k], sv[k], z[k]) })
		p := u
		each(func(k int) { VMOVUPD(logC[8], p[k]) })
		for j := 7; j >= 0; j-- {
			each(func(k int) { VFMADD213PD(logC[j], z[k], p[k]) }) // p = p·z + c
		}
		each(func(k int) { VADDPD(sv[k], sv[k], sv[k]) })    // 2s
		each(func(k int) { VMULPD(z[k], sv[k], z[k]) })      // 2s·z
		each(func(k int) { VFMADD213PD(sv[k], z[k], p[k]) }) // lnf = 2s·z·p + 2s
		each(func(k int) { VFMADD231PD(kLn2Lo, e[k], p[k]) })
		each(func(k int) { VFMADD231PD(kLn2Hi, e[k], p[k]) }) // ln u1
		each(func(k int) { VMULPD(kM2, p[k], p[k]) })
		each(func(k int) { VSQRTPD(p[k], p[k]) })
		return p
	}
	radius := func(b1 VecVirtual) VecVirtual { return radiusN([]VecVirtual{b1})[0] }
	// angleN maps raw bits b2 to (cos θ, sin θ) for several independent
	// vectors at once: the polynomial chains are interleaved, the rotations
	// done one vector at a time.
	angleN := func(b2 []VecVirtual) (xs, ys []VecVirtual) {
		n := len(b2)
		each := func(f func(k int)) {
			for k := 0; k < n; k++ {
				f(k)
			}
		}
		regs := func() []VecVirtual {
			r := make([]VecVirtual, n)
			for k := range r {
				r[k] = YMM()
			}
			return r
		}
		Comment("θ = (q + t)·π/2 with t ∈ [0, 1), q ∈ {0…3}.")
		q := regs()
		each(func(k int) { VPAND(kThree, b2[k], q[k]) })
		a := b2
		each(func(k int) { VPSRLQ(Imm(12), b2[k], a[k]) })
		each(func(k int) { VPOR(kOneBits, a[k], a[k]) })
		each(func(k int) { VSUBPD(kOne, a[k], a[k]) })
		tt := YMM()
		VMOVUPD(kPiO2, tt)
		each(func(k int) { VFMADD213PD(kMPiO4, tt, a[k]) }) // a = t·π/2 − π/4
		w := regs()
		each(func(k int) { VMULPD(a[k], a[k], w[k]) })
		ps := regs()
		each(func(k int) { VMOVUPD(sinM[7], ps[k]) })
		for j := 6; j >= 0; j-- {
			each(func(k int) { VFMADD213PD(sinM[j], w[k], ps[k]) })
		}
		pc := regs()
		each(func(k int) { VMOVUPD(cosM[8], pc[k]) })
		for j := 7; j >= 0; j-- {
			each(func(k int) { VFMADD213PD(cosM[j], w[k], pc[k]) })
		}
		each(func(k int) { VMULPD(ps[k], a[k], ps[k]) }) // sin a
		for k := 0; k < n; k++ {
			cs, sn := a[k], w[k]
			VSUBPD(ps[k], pc[k], cs)
			VADDPD(ps[k], pc[k], sn)
			VMULPD(kSqrtH, cs, cs) // cos(a + π/4)
			VMULPD(kSqrtH, sn, sn) // sin(a + π/4)
			Comment("Rotate by q quarter turns: swap on odd q, then signs.")
			sw, x, y := ps[k], pc[k], YMM()
			VPSLLQ(Imm(63), q[k], sw)
			VBLENDVPD(sw, sn, cs, x) // x = odd q ? sn : cs
			VBLENDVPD(sw, cs, sn, y)
			hi := sw
			VPSRLQ(Imm(1), q[k], hi)
			VPXOR(hi, q[k], q[k])
			VPSLLQ(Imm(63), q[k], q[k])
			VXORPD(q[k], x, x) // negate x where (q ⊕ q>>1) is odd
			VPSLLQ(Imm(63), hi, hi)
			VXORPD(hi, y, y) // negate y where q ≥ 2
			xs = append(xs, x)
			ys = append(ys, y)
		}
		return xs, ys
	}
	// angle maps raw bits b2 and the radius to r·(cos θ, sin θ).
	angle := func(b2, r VecVirtual) (VecVirtual, VecVirtual) {
		x, y := angleN([]VecVirtual{b2})
		VMULPD(r, x[0], x[0])
		VMULPD(r, y[0], y[0])
		return x[0], y[0]
	}

	// pair draws and transforms one pair in one go (the odd tail).
	pair := func() (VecVirtual, VecVirtual) {
		b1 := next()
		b2 := next()
		return angle(b2, radius(b1))
	}

	// The transform is a long dependency chain, so the even part runs in
	// three passes over the block, each a short loop whose iterations are
	// independent: draw all raw bits (b1 into row 2p, b2 into row 2p+1),
	// then radii in place of b1, then angles and the final values. The draw
	// order equals perturbGeneric's.
	pairs := GP64()
	MOVQ(d, pairs)
	SHRQ(Imm(1), pairs)
	TESTQ(pairs, pairs)
	JZ(LabelRef("pm_odd"))
	{
		p, k := GP64(), GP64()
		MOVQ(dst, p)
		MOVQ(pairs, k)
		Label("pm_bits")
		b1 := next()
		VMOVDQU(b1, Mem{Base: p})
		b2 := next()
		VMOVDQU(b2, Mem{Base: p, Disp: 32})
		ADDQ(Imm(64), p)
		DECQ(k)
		JNZ(LabelRef("pm_bits"))
		for k := range s {
			VMOVDQU(s[k], stateM(k))
		}

		MOVQ(dst, p)
		MOVQ(pairs, k)
		Comment("Radii, two pairs per step with interleaved chains.")
		k2 := GP64()
		MOVQ(pairs, k2)
		SHRQ(Imm(1), k2)
		TESTQ(k2, k2)
		JZ(LabelRef("pm_radius1"))
		Label("pm_radius2")
		{
			v0, v1 := YMM(), YMM()
			VMOVDQU(Mem{Base: p}, v0)
			VMOVDQU(Mem{Base: p, Disp: 64}, v1)
			r := radiusN([]VecVirtual{v0, v1})
			VMOVUPD(r[0], Mem{Base: p})
			VMOVUPD(r[1], Mem{Base: p, Disp: 64})
		}
		ADDQ(Imm(128), p)
		DECQ(k2)
		JNZ(LabelRef("pm_radius2"))
		Label("pm_radius1")
		MOVQ(pairs, k2)
		ANDQ(Imm(1), k2)
		JZ(LabelRef("pm_radius_done"))
		{
			v := YMM()
			VMOVDQU(Mem{Base: p}, v)
			r := radius(v)
			VMOVUPD(r, Mem{Base: p})
		}
		Label("pm_radius_done")

		MOVQ(dst, p)
		MOVQ(pairs, k)
		// finish writes x + sq·r·(cos θ, sin θ) for the pair at byte offset
		// off of p (row pair off/64) given its angle vectors.
		finish := func(x, y VecVirtual, off, xoff int) {
			VMULPD(Mem{Base: p, Disp: off}, x, x) // r·cos θ
			VMULPD(Mem{Base: p, Disp: off}, y, y) // r·sin θ
			xv := YMM()
			VBROADCASTSD(Mem{Base: xs, Disp: xoff}, xv)
			VFMADD231PD(sqM, x, xv)
			VMOVUPD(xv, Mem{Base: p, Disp: off})
			VBROADCASTSD(Mem{Base: xs, Disp: xoff + 8}, xv)
			VFMADD231PD(sqM, y, xv)
			VMOVUPD(xv, Mem{Base: p, Disp: off + 32})
		}
		Comment("Angles and final values, two pairs per step.")
		k3 := GP64()
		MOVQ(pairs, k3)
		SHRQ(Imm(1), k3)
		TESTQ(k3, k3)
		JZ(LabelRef("pm_angle1"))
		Label("pm_angle2")
		{
			v0, v1 := YMM(), YMM()
			VMOVDQU(Mem{Base: p, Disp: 32}, v0)
			VMOVDQU(Mem{Base: p, Disp: 96}, v1)
			x, y := angleN([]VecVirtual{v0, v1})
			finish(x[0], y[0], 0, 0)
			finish(x[1], y[1], 64, 16)
		}
		ADDQ(Imm(32), xs)
		ADDQ(Imm(128), p)
		DECQ(k3)
		JNZ(LabelRef("pm_angle2"))
		Label("pm_angle1")
		MOVQ(pairs, k3)
		ANDQ(Imm(1), k3)
		JZ(LabelRef("pm_angle_done"))
		{
			v := YMM()
			VMOVDQU(Mem{Base: p, Disp: 32}, v)
			x, y := angleN([]VecVirtual{v})
			finish(x[0], y[0], 0, 0)
		}
		ADDQ(Imm(16), xs)
		ADDQ(Imm(64), p)
		Label("pm_angle_done")
		MOVQ(p, dst)
	}
	Label("pm_odd")
	odd := GP64()
	MOVQ(d, odd)
	ANDQ(Imm(1), odd)
	JZ(LabelRef("pm_done"))
	{
		for k := range s {
			s[k] = YMM()
			VMOVDQU(stateM(k), s[k])
		}
		z0, _ := pair()
		xv := YMM()
		VBROADCASTSD(Mem{Base: xs}, xv)
		VFMADD231PD(sqM, z0, xv)
		VMOVUPD(xv, Mem{Base: dst})
	}
	Label("pm_done")
	VZEROUPPER()
	RET()
}

// genLaneAxpy generates laneAxpyAVX2; see laneAxpyGeneric in asm/laneaxpy.go.
func genLaneAxpy() {
	TEXT("laneAxpyAVX2", NOSPLIT, "func(acc, w, f []float64, d, blocks int)")
	Pragma("noescape")
	Doc("laneAxpyAVX2 adds Σ_blocks w[block]·f[block] lane-wise into acc; see laneAxpyGeneric.")
	acc := Load(Param("acc").Base(), GP64())
	w := Load(Param("w").Base(), GP64())
	f := Load(Param("f").Base(), GP64())
	d := Load(Param("d"), GP64())
	blocks := Load(Param("blocks"), GP64())
	TESTQ(blocks, blocks)
	JZ(LabelRef("la_done"))
	TESTQ(d, d)
	JZ(LabelRef("la_done"))
	Label("la_block")
	{
		wv := YMM()
		VMOVUPD(Mem{Base: w}, wv)
		p, j := GP64(), GP64()
		MOVQ(acc, p)
		MOVQ(d, j)
		Comment("Four rows per step with independent accumulators.")
		CMPQ(j, Imm(4))
		JB(LabelRef("la_one"))
		Label("la_four")
		for k := 0; k < 4; k++ {
			a := YMM()
			VMOVUPD(Mem{Base: p, Disp: 32 * k}, a)
			VFMADD231PD(Mem{Base: f, Disp: 32 * k}, wv, a)
			VMOVUPD(a, Mem{Base: p, Disp: 32 * k})
		}
		ADDQ(Imm(128), p)
		ADDQ(Imm(128), f)
		SUBQ(Imm(4), j)
		CMPQ(j, Imm(4))
		JAE(LabelRef("la_four"))
		Label("la_one")
		TESTQ(j, j)
		JZ(LabelRef("la_next"))
		{
			a := YMM()
			VMOVUPD(Mem{Base: p}, a)
			VFMADD231PD(Mem{Base: f}, wv, a)
			VMOVUPD(a, Mem{Base: p})
		}
		ADDQ(Imm(32), p)
		ADDQ(Imm(32), f)
		DECQ(j)
		JMP(LabelRef("la_one"))
		Label("la_next")
		ADDQ(Imm(32), w)
		DECQ(blocks)
		JNZ(LabelRef("la_block"))
	}
	Label("la_done")
	VZEROUPPER()
	RET()
}

// genAdam generates adamAVX2; see adamGeneric in asm/adam.go. It uses no
// fused multiply-add, so that it rounds exactly as the generic code.
func genAdam() {
	TEXT("adamAVX2", NOSPLIT, "func(params, grads, m, v, k []float64) int")
	Pragma("noescape")
	Doc("adamAVX2 updates whole groups of four parameters and returns how many it did; see adamGeneric.")
	p := Load(Param("params").Base(), GP64())
	g := Load(Param("grads").Base(), GP64())
	mp := Load(Param("m").Base(), GP64())
	vp := Load(Param("v").Base(), GP64())
	n := Load(Param("params").Len(), GP64())
	k := Load(Param("k").Base(), GP64())
	SHRQ(Imm(2), n)
	done := GP64()
	MOVQ(n, done)
	SHLQ(Imm(2), done)
	Store(done, ReturnIndex(0))
	// k holds B1, OneMinusB1, B2, OneMinusB2, StepSize, BC2Sqrt, Eps.
	c := make([]VecVirtual, 7)
	for i := range c {
		c[i] = YMM()
		VBROADCASTSD(Mem{Base: k, Disp: 8 * i}, c[i])
	}
	TESTQ(n, n)
	JZ(LabelRef("adam_done"))
	Label("adam_loop")
	{
		gv, mv, vv, t := YMM(), YMM(), YMM(), YMM()
		VMOVUPD(Mem{Base: g}, gv)
		VMULPD(Mem{Base: mp}, c[0], mv) // β₁m
		VMULPD(gv, c[1], t)             // (1−β₁)g
		VADDPD(t, mv, mv)
		VMOVUPD(mv, Mem{Base: mp})
		VMULPD(Mem{Base: vp}, c[2], vv) // β₂v
		VMULPD(gv, c[3], t)             // (1−β₂)g
		VMULPD(gv, t, t)                // ·g
		VADDPD(t, vv, vv)
		VMOVUPD(vv, Mem{Base: vp})
		VSQRTPD(vv, t)
		VDIVPD(c[5], t, t) // √v/√bc₂
		VADDPD(c[6], t, t) // + ε
		VMULPD(c[4], mv, mv)
		VDIVPD(t, mv, mv) // stepSize·m/(…)
		VMOVUPD(Mem{Base: p}, t)
		VSUBPD(mv, t, t)
		VMOVUPD(t, Mem{Base: p})
		ADDQ(Imm(32), p)
		ADDQ(Imm(32), g)
		ADDQ(Imm(32), mp)
		ADDQ(Imm(32), vp)
		DECQ(n)
		JNZ(LabelRef("adam_loop"))
	}
	Label("adam_done")
	VZEROUPPER()
	RET()
}

// genExpWeights generates expWeightsAVX2; asm/expw.go (expWeightsGeneric,
// expNeg) defines the same operations in the same order.
func genExpWeights() {
	kLog2e := splat4("kExpLog2e", 1/math.Ln2)
	kLn2Hi := splat4("kExpLn2Hi", 6.93147180369123816490e-01)
	kLn2Lo := splat4("kExpLn2Lo", 1.90821492927058770002e-10)
	kBias := splat4("kExpBias", 1023)
	kMin := splat4("kExpMin", -700)
	kInf := splatU4("kExpInf", 0x7FF0000000000000) // +Inf
	var poly []Mem
	f := 1.0
	for k := 0; k <= 12; k++ {
		if k > 0 {
			f *= float64(k)
		}
		poly = append(poly, splat4(fmt.Sprintf("kExpC%d", k), 1/f))
	}

	TEXT("expWeightsAVX2", NOSPLIT, "func(w, e []float64, top float64) int")
	Pragma("noescape")
	Doc("expWeightsAVX2 does whole groups of four of w = exp(−e − top); see expWeightsGeneric.")
	wp := Load(Param("w").Base(), GP64())
	ep := Load(Param("e").Base(), GP64())
	n := Load(Param("w").Len(), GP64())
	topX := Load(Param("top"), XMM())
	top := YMM()
	VBROADCASTSD(topX, top)
	SHRQ(Imm(2), n)
	done := GP64()
	MOVQ(n, done)
	SHLQ(Imm(2), done)
	Store(done, ReturnIndex(0))
	TESTQ(n, n)
	JZ(LabelRef("ew_done"))
	Label("ew_loop")
	{
		ev, ok, x := YMM(), YMM(), YMM()
		VMOVUPD(Mem{Base: ep}, ev)
		VCMPPD(Imm(0x11), kInf, ev, ok) // e < +Inf (LT_OQ; false for NaN)
		VXORPD(x, x, x)
		VSUBPD(ev, x, x)               // −e
		VSUBPD(top, x, x)              // −e − top
		VCMPPD(Imm(0x1d), kMin, x, ev) // x ≥ −700 (GE_OQ; false for NaN)
		VANDPD(ev, ok, ok)
		VMAXPD(kMin, x, x) // keep 2ᵏ normal where the weight is dropped anyway
		k, r := YMM(), YMM()
		VMULPD(kLog2e, x, k)
		VROUNDPD(Imm(0), k, k) // nearest
		VMOVAPD(x, r)
		VFNMADD231PD(kLn2Hi, k, r) // r = x − k·ln2hi
		VFNMADD231PD(kLn2Lo, k, r) // r −= k·ln2lo
		p := YMM()
		VMOVUPD(poly[12], p)
		for j := 11; j >= 0; j-- {
			VFMADD213PD(poly[j], r, p) // p = p·r + 1/j!
		}
		Comment("Scale by 2ᵏ through the exponent bits.")
		VADDPD(kBias, k, k)
		ki := XMM()
		VCVTPD2DQY(k, ki)
		kq := YMM()
		VPMOVSXDQ(ki, kq)
		VPSLLQ(Imm(52), kq, kq)
		VMULPD(kq, p, p)
		VANDPD(ok, p, p) // 0 for +Inf, NaN and x < −700
		VMOVUPD(p, Mem{Base: wp})
		ADDQ(Imm(32), wp)
		ADDQ(Imm(32), ep)
		DECQ(n)
		JNZ(LabelRef("ew_loop"))
	}
	Label("ew_done")
	VZEROUPPER()
	RET()
}
