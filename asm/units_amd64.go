package asm

import "github.com/klauspost/cpuid/v2"

// XCR0 bits of the AMX tile state: TILECFG (17) and TILEDATA (18).
const xcr0AMX = 1<<17 | 1<<18

// detectUnits reads cpuid (klauspost/cpuid checks XCR0 for the YMM and
// AVX-512 state itself, but not for the AMX tile state, so that is read
// here) and requests the AMX permission when the rest is in place.
func detectUnits() Units {
	c := &cpuid.CPU
	u := Units{
		AVX2:       c.Supports(cpuid.AVX2),
		FMA3:       c.Supports(cpuid.FMA3),
		AVX512F:    c.Supports(cpuid.AVX512F),
		AVX512BW:   c.Supports(cpuid.AVX512BW),
		AVX512VL:   c.Supports(cpuid.AVX512VL),
		AVX512DQ:   c.Supports(cpuid.AVX512DQ),
		AVX512BF16: c.Supports(cpuid.AVX512BF16),
		BMI2:       c.Supports(cpuid.BMI2),
		AMXTile:    c.Supports(cpuid.AMXTILE),
		AMXBF16:    c.Supports(cpuid.AMXBF16),
	}
	if !u.AMXTile || !u.AMXBF16 {
		return u
	}
	if c.Supports(cpuid.OSXSAVE) {
		lo, _ := xgetbv0()
		u.AMXOS = lo&xcr0AMX == xcr0AMX
	}
	if !u.AMXOS {
		u.AMXPermErr = "not requested: tile state off in XCR0"
		return u
	}
	if err := amxRequestPerm(); err != nil {
		u.AMXPermErr = err.Error()
	} else {
		u.AMXPerm = true
	}
	return u
}
