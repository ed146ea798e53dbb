package asm

import (
	"fmt"
	"strings"
	"sync"
)

// Units lists the SIMD units of this CPU that idem's implementations use,
// each true only when the operating system also enables its register state
// (XCR0) and, for AMX, when Linux granted this process the tile data
// permission. It describes the hardware; which implementations this build
// can run is Impls.
type Units struct {
	AVX2, FMA3 bool
	// AVX-512 Foundation, Byte/Word, Vector Length and Doubleword/Quadword
	// (the avx512 implementation needs all four) and the BF16 conversions.
	AVX512F, AVX512BW, AVX512VL, AVX512DQ, AVX512BF16 bool
	// BMI2 (BZHI: the AVX-512 pair kernels' tail masks).
	BMI2 bool
	// AMXTile and AMXBF16 are the cpuid bits; AMXOS says that XCR0 bits 17
	// and 18 (tile configuration and tile data) are set; AMXPerm that
	// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) succeeded, and
	// AMXPermErr why it was not requested or failed.
	AMXTile, AMXBF16, AMXOS, AMXPerm bool
	AMXPermErr                       string
	// NEON is arm64's Advanced SIMD (always present there).
	NEON bool
}

// Detect returns the units of this CPU. The first call probes cpuid and
// XCR0 and, when the CPU and OS support AMX tiles, asks Linux for the
// per-process tile permission (once; it covers every thread). Later calls
// return the same value.
func Detect() Units { return detectOnce() }

var detectOnce = sync.OnceValue(detectUnits)

// String lists the units found, e.g. "AVX2 FMA3 AVX512F … AMX-TILE(no)".
func (u Units) String() string {
	var out []string
	add := func(name string, ok bool) {
		if ok {
			out = append(out, name)
		}
	}
	add("AVX2", u.AVX2)
	add("FMA3", u.FMA3)
	add("AVX512F", u.AVX512F)
	add("AVX512BW", u.AVX512BW)
	add("AVX512VL", u.AVX512VL)
	add("AVX512DQ", u.AVX512DQ)
	add("AVX512BF16", u.AVX512BF16)
	add("BMI2", u.BMI2)
	add("AMX-TILE", u.AMXTile)
	add("AMX-BF16", u.AMXBF16)
	if u.AMXTile || u.AMXBF16 {
		add("AMX-OS-state", u.AMXOS)
		if u.AMXPerm {
			out = append(out, "AMX-permission")
		} else if u.AMXPermErr != "" {
			out = append(out, "AMX-permission(no: "+u.AMXPermErr+")")
		}
	}
	add("NEON", u.NEON)
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, " ")
}

// missing returns "" when every named unit is present, and otherwise a
// message naming the absent ones, e.g. "AVX512BW/AVX512VL not present".
func missing(units ...unit) string {
	var gone []string
	for _, u := range units {
		if !u.ok {
			gone = append(gone, u.name)
		}
	}
	if len(gone) == 0 {
		return ""
	}
	return strings.Join(gone, "/") + " not present"
}

// unit is one named unit and whether it is present.
type unit struct {
	name string
	ok   bool
}

// reasonAVX2, reasonAVX512 and reasonAMX say why the CPU and OS cannot run
// the implementation of that name ("" when they can), independently of the
// build tags.
func (u Units) reasonAVX2() string {
	return missing(unit{"AVX2", u.AVX2}, unit{"FMA3", u.FMA3})
}

func (u Units) reasonAVX512() string {
	if r := u.reasonAVX2(); r != "" {
		return r
	}
	return missing(unit{"AVX512F", u.AVX512F}, unit{"AVX512BW", u.AVX512BW}, unit{"AVX512VL", u.AVX512VL}, unit{"AVX512DQ", u.AVX512DQ}, unit{"BMI2", u.BMI2})
}

func (u Units) reasonAMX() string {
	if r := missing(unit{"AMX-TILE", u.AMXTile}, unit{"AMX-BF16", u.AMXBF16}); r != "" {
		return r
	}
	if r := u.reasonAVX512(); r != "" {
		return r
	}
	if !u.AMXOS {
		return "AMX tile state not enabled by the OS (XCR0 bits 17, 18)"
	}
	if !u.AMXPerm {
		return fmt.Sprintf("AMX tile permission not granted (%s)", u.AMXPermErr)
	}
	return ""
}

// reason says why the CPU and OS cannot run the implementation called name
// ("" when they can, or when name is not a native x86 or arm64 one).
func (u Units) reason(name string) string {
	switch name {
	case "avx2":
		return u.reasonAVX2()
	case "avx512":
		return u.reasonAVX512()
	case "amx":
		return u.reasonAMX()
	case "neon":
		if !u.NEON {
			return "NEON not present"
		}
	}
	return ""
}
