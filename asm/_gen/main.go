// Command _gen generates the AVX2+FMA kernels of package asm with avo,
// and with -set avx512 their AVX-512 versions (avx512.go):
//
//	go run . -out ../pair_amd64.s -stubs ../pair_stubs_amd64.go -pkg asm
//	go run . -set avx512 -out ../pair512_amd64.s -stubs ../pair512_stubs_amd64.go -pkg asm
//
// The plain-Go oracles in package asm define what every kernel computes;
// see pairlj.go, pairdw.go and fma.go there.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"

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

var set = flag.String("set", "avx2", "kernel set to generate: avx2 or avx512")

func main() {
	flag.Parse()
	ConstraintExpr("!purego,!noasm")
	switch *set {
	case "avx2":
	case "avx512":
		gen512()
		Generate()
		return
	default:
		fmt.Fprintf(os.Stderr, "_gen: unknown -set %q (want avx2 or avx512)\n", *set)
		os.Exit(2)
	}
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
// boxMuller, logUnit) defines the same unfused float32 operations in the
// same order. One loop step draws two xoshiro256** outputs per lane (pairs
// 2i and 2i+1 of the four lanes), packs their 32-bit halves into eight
// float32 lanes, transforms them together and writes four rows.
func genPerturb() {
	kOneBits := splatU8("kPmOneBits", 0x3F800000)
	kMant := splatU8("kPmMant", 1<<23-1)
	kBias := splatU8("kPmBias", 127)
	kThree := splatU8("kPmThree", 3)
	kOne := splat8("kPmOne", 1)
	kTwo := splat8("kPmTwo", 2)
	kHalf := splat8("kPmHalf", 0.5)
	kM2 := splat8("kPmMinus2", -2)
	kSqrt2 := splat8("kPmSqrt2", float32(math.Sqrt2))
	kLn2Hi := splat8("kPmLn2Hi", float32(0.693145751953125))
	kLn2Lo := splat8("kPmLn2Lo", float32(math.Ln2-0.693145751953125))
	kPiO2 := splat8("kPmPiO2", float32(math.Pi/2))
	kPiO4 := splat8("kPmPiO4", float32(math.Pi/4))
	kSqrtH := splat8("kPmSqrtH", float32(math.Sqrt2/2))
	logC := []float32{1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9}
	sinC := []float32{1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880}
	cosC := []float32{1, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800}
	var logM, sinM, cosM []Mem
	for k, v := range logC {
		logM = append(logM, splat8(fmt.Sprintf("kPmLog%d", k), v))
	}
	for k, v := range sinC {
		sinM = append(sinM, splat8(fmt.Sprintf("kPmSin%d", k), v))
	}
	for k, v := range cosC {
		cosM = append(cosM, splat8(fmt.Sprintf("kPmCos%d", k), v))
	}

	TEXT("perturbAVX2", NOSPLIT, "func(dst, xs []float64, sq float64, state []uint64)")
	Pragma("noescape")
	Doc("perturbAVX2 fills one lane block with x + sq·z, z float32 Box–Muller normals from four xoshiro256** lanes; see perturbGeneric.")
	dst := Load(Param("dst").Base(), GP64())
	xs := Load(Param("xs").Base(), GP64())
	d := Load(Param("xs").Len(), GP64())
	st := Load(Param("state").Base(), GP64())
	sqX := Load(Param("sq"), XMM())
	locals := AllocLocal(32)
	sqM := locals.Offset(0)
	{
		sq := YMM()
		VBROADCASTSD(sqX, sq)
		VMOVUPD(sq, sqM)
	}
	s := []VecVirtual{YMM(), YMM(), YMM(), YMM()}
	for k := range s {
		VMOVDQU(Mem{Base: st, Disp: 32 * k}, s[k])
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

	// normals returns z0 and z1 (eight float32 lanes each: lanes 0–3 of
	// the first output, then lanes 0–3 of the second).
	normals := func() (VecVirtual, VecVirtual) {
		wa := next()
		wb := next()
		Comment("High words (u₁) and low words (θ), lane order a0…a3 b0…b3.")
		hi, lo := YMM(), YMM()
		VSHUFPS(Imm(0xDD), wb, wa, hi)
		VSHUFPS(Imm(0x88), wb, wa, lo)
		VPERMQ(Imm(0xD8), hi, hi)
		VPERMQ(Imm(0xD8), lo, lo)

		Comment("u₁ = 2 − m ∈ (0, 1] and ln u₁.")
		u := hi
		VPSRLD(Imm(9), u, u)
		VPOR(kOneBits, u, u)
		t := YMM()
		VMOVUPS(kTwo, t)
		VSUBPS(u, t, u) // u1
		eb, m := YMM(), t
		VPSRLD(Imm(23), u, eb)
		VPAND(kMant, u, m)
		VPOR(kOneBits, m, m) // [1, 2)
		big := u
		VCMPPS(Imm(0x1e), kSqrt2, m, big) // m > √2
		fac := YMM()
		VMOVUPS(kOne, fac)
		VBLENDVPS(big, kHalf, fac, fac)
		VMULPS(fac, m, m)
		VPSUBD(big, eb, eb) // eb += 1 where big
		VPSUBD(kBias, eb, eb)
		e := eb
		VCVTDQ2PS(eb, e)
		f, den := m, big
		VSUBPS(kOne, m, f)
		VADDPS(kTwo, f, den)
		sv := den
		VDIVPS(den, f, sv) // s = f/(f+2)
		z := f
		VMULPS(sv, sv, z)
		p := fac
		VMOVUPS(logM[3], p)
		for k := 2; k >= 0; k-- {
			VMULPS(z, p, p)
			VADDPS(logM[k], p, p)
		}
		VADDPS(sv, sv, sv) // t = 2s
		VMULPS(sv, z, z)   // t·z
		VMULPS(p, z, z)    // t·z·p
		VADDPS(z, sv, sv)  // lnf
		lo2 := z
		VMULPS(kLn2Lo, e, lo2)
		VADDPS(sv, lo2, lo2)
		VMULPS(kLn2Hi, e, e)
		VADDPS(lo2, e, e) // ln u1
		VMULPS(kM2, e, e)
		r := e
		VSQRTPS(e, r)

		Comment("θ = (q + t)·π/2, t ∈ [0, 1), q ∈ {0…3}; (cos θ, sin θ).")
		q := YMM()
		VPAND(kThree, lo, q)
		a := lo
		VPSRLD(Imm(9), a, a)
		VPOR(kOneBits, a, a)
		VSUBPS(kOne, a, a)
		VMULPS(kPiO2, a, a)
		VSUBPS(kPiO4, a, a) // [−π/4, π/4)
		w := YMM()
		VMULPS(a, a, w)
		ps := YMM()
		VMOVUPS(sinM[4], ps)
		for k := 3; k >= 0; k-- {
			VMULPS(w, ps, ps)
			VADDPS(sinM[k], ps, ps)
		}
		pc := sv
		VMOVUPS(cosM[5], pc)
		for k := 4; k >= 0; k-- {
			VMULPS(w, pc, pc)
			VADDPS(cosM[k], pc, pc)
		}
		VMULPS(a, ps, ps) // sin a
		cs, sn := a, w
		VSUBPS(ps, pc, cs)
		VADDPS(ps, pc, sn)
		VMULPS(kSqrtH, cs, cs) // cos(a + π/4)
		VMULPS(kSqrtH, sn, sn) // sin(a + π/4)
		Comment("Rotate by q quarter turns: swap on odd q, then signs.")
		sw, x, y := ps, pc, YMM()
		VPSLLD(Imm(31), q, sw)
		VBLENDVPS(sw, sn, cs, x) // x = odd q ? sn : cs
		VBLENDVPS(sw, cs, sn, y)
		hb := sw
		VPSRLD(Imm(1), q, hb)
		VPXOR(hb, q, q)
		VPSLLD(Imm(31), q, q)
		VXORPS(q, x, x) // negate x where (q ⊕ q>>1) is odd
		VPSLLD(Imm(31), hb, hb)
		VXORPS(hb, y, y) // negate y where q ≥ 2
		VMULPS(r, x, x)
		VMULPS(r, y, y)
		return x, y
	}
	// put writes row j = xs[j] + sq·z for four float32 values in zx.
	put := func(zx Op, row int) {
		zd, xv := YMM(), YMM()
		VCVTPS2PD(zx, zd)
		VBROADCASTSD(Mem{Base: xs, Disp: 8 * row}, xv)
		VFMADD231PD(sqM, zd, xv)
		VMOVUPD(xv, Mem{Base: dst, Disp: 32 * row})
	}
	halves := func(z VecVirtual) (Op, Op) {
		h := XMM()
		VEXTRACTF128(Imm(1), z, h)
		return z.AsX(), h
	}

	Comment("Four rows per step.")
	k := GP64()
	MOVQ(d, k)
	SHRQ(Imm(2), k)
	JZ(LabelRef("pm_tail"))
	Label("pm_loop")
	{
		z0, z1 := normals()
		z0a, z0b := halves(z0)
		z1a, z1b := halves(z1)
		put(z0a, 0)
		put(z1a, 1)
		put(z0b, 2)
		put(z1b, 3)
	}
	ADDQ(Imm(32), xs)
	ADDQ(Imm(128), dst)
	DECQ(k)
	JNZ(LabelRef("pm_loop"))

	Label("pm_tail")
	Comment("One to three rows left: one more step, partly written.")
	ANDQ(Imm(3), d)
	JZ(LabelRef("pm_done"))
	{
		z0, z1 := normals()
		z0a, z0b := halves(z0)
		z1a, z1b := halves(z1)
		put(z0a, 0)
		CMPQ(d, Imm(2))
		JB(LabelRef("pm_done"))
		put(z1a, 1)
		JE(LabelRef("pm_done"))
		put(z0b, 2)
		_ = z1b
	}
	Label("pm_done")
	VZEROUPPER()
	RET()
}

// splat8 defines a read-only 32-byte constant holding the float32 v in
// every lane.
func splat8(name string, v float32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for k := 0; k < 8; k++ {
		DATA(4*k, F32(v))
	}
	return m
}

// splatU8 defines a read-only 32-byte constant holding the bits v in every
// 32-bit lane.
func splatU8(name string, v uint32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for k := 0; k < 8; k++ {
		DATA(4*k, U32(v))
	}
	return m
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
