//go:build !purego && !noasm

package asm

var avx2 = &Impl{
	name:       "avx2",
	pairLJ:     pairLJAVX2,
	pairDW2:    pairDW2AVX2,
	pairDW3:    pairDW3AVX2,
	fmaLoop:    fmaLoopAVX2,
	fmaLanes:   4,
	perturb:    perturbAVX2,
	laneAxpy:   laneAxpyAVX2,
	adam:       adamAVX2,
	expWeights: expWeightsAVX2,

	gemm:       gemmAVX2,
	gemmNative: true,
	silu:       siluAVX2,
	gelu:       geluAVX2,
	sincos:     sincosAVX2,

	sgemm:        sgemmAVX2,
	sgemmNative:  true,
	roundBF16:    roundBF16AVX2,
	residualBF16: residualBF16AVX2,
	siluF32:      siluF32AVX2,
	fmaLoopF32:   fmaLoopF32AVX2,
	egnnF32:      egnnF32AVX2,
}

// avx512 is avx2 with the kernels that have AVX-512 versions which
// measurably beat their AVX2 ones swapped in. Each pair and noise kernel
// line below can be dropped on its own (the AVX2 kernel is then used);
// avx512Kernels, which the tests check, has every AVX-512 kernel either way.
var avx512 = func() *Impl {
	im := *avx2
	im.name = "avx512"
	im.fmaLoop, im.fmaLoopF32, im.fmaLanes = fmaLoopAVX512, fmaLoopF32AVX512, 8
	im.gemm = gemmAVX512
	im.gelu = geluAVX512Then2
	im.sgemm = sgemmAVX512
	im.bf16Dot = true
	im.egnnF32 = egnnF32AVX512
	// The dividing pair kernels beat the Newton-refined ones (and AVX2:
	// LJ-13 1.44×, LJ-55 1.73×, DW-4 1.28×) on the Zen 5 machine.
	im.pairLJ = pairLJAVX512 // or pairLJAVX512NR, pairLJAVX512Mix (amx)
	im.pairDW2 = pairDW2AVX512
	im.pairDW3 = pairDW3AVX512
	im.expWeights = expWeightsAVX512
	im.perturb = perturbAVX512
	im.laneAxpy = laneAxpyAVX512
	return &im
}()

// avx512Kernels returns avx512 with every AVX-512 pair and noise kernel of
// pair512_amd64.s swapped in, whether avx512 uses it or not. The pair
// kernels are chosen by how they take reciprocals (and square roots):
// "div" divides, "nr" refines VRCP14PD/VRSQRT14PD estimates, "mix" (LJ
// only; DW as "nr") alternates the two from step to step. For tests.
func avx512Kernels(how string) *Impl {
	im := *avx512
	im.name = "avx512+" + how
	switch how {
	case "div":
		im.pairLJ, im.pairDW2, im.pairDW3 = pairLJAVX512, pairDW2AVX512, pairDW3AVX512
	case "nr":
		im.pairLJ, im.pairDW2, im.pairDW3 = pairLJAVX512NR, pairDW2AVX512NR, pairDW3AVX512NR
	case "mix":
		im.pairLJ, im.pairDW2, im.pairDW3 = pairLJAVX512Mix, pairDW2AVX512NR, pairDW3AVX512NR
	default:
		panic("asm: avx512Kernels: unknown variant " + how)
	}
	im.expWeights = expWeightsAVX512
	im.perturb = perturbAVX512
	im.laneAxpy = laneAxpyAVX512
	return &im
}

// amx is avx512 with the AMX tile GEMM (GemmBF16Tiles), which the bf16
// precision's dense products use, and pair kernels that spare the divider:
// on the Intel AMX CPUs the 512-bit divider and square root run at the
// 256-bit ones' rate per element. The DW kernels refine VRSQRT14PD
// estimates (the dividing ones are slower than AVX2's: PairDW2 0.80×,
// PairDW3 0.78×; refined 1.30×, 1.30×), the LJ kernel alternates division
// and a refined VRCP14PD from step to step, so that the divider and the FMA
// ports work at once (README, "AMX").
var amx = func() *Impl {
	im := *avx512
	im.name = "amx"
	im.bf16Tiles = true
	im.pairLJ = pairLJAVX512Mix
	im.pairDW2, im.pairDW3 = pairDW2AVX512NR, pairDW3AVX512NR
	return &im
}()

// nativeImpls returns, in this order, avx2 when the CPU and OS support AVX2
// and FMA3 (cpuid's AVX2 flag includes the OS YMM-state check), avx512 when
// they also support AVX-512 F, BW, VL and DQ and BMI2 (cpuid checks the ZMM and
// opmask state in XCR0), and amx when AMX-TILE and AMX-BF16 are present,
// XCR0 enables the tile state and Linux granted the tile permission.
func nativeImpls() []*Impl {
	u := Detect()
	var out []*Impl
	for _, im := range []*Impl{avx2, avx512, amx} {
		if u.reason(im.name) == "" {
			out = append(out, im)
		}
	}
	return out
}

// implNames lists every implementation amd64 builds know, generic first.
func implNames() []string { return []string{"generic", "avx2", "avx512", "amx"} }

// buildReason is "" in a build with assembly.
func buildReason(string) string { return "" }
