package asm_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/asm/asmtest"
)

// TestImplOrder: Impls is generic first, then a subsequence of ImplNames
// (the fallback order), and Default without $IDEM_IMPL is its last entry.
func TestImplOrder(t *testing.T) {
	t.Setenv(asm.EnvImpl, "")
	names := asm.ImplNames()
	all := asm.Impls()
	if all[0].Name() != "generic" || names[0] != "generic" {
		t.Fatalf("Impls()[0] = %s, ImplNames()[0] = %s, want generic", all[0], names[0])
	}
	j := 0
	for _, im := range all {
		for j < len(names) && names[j] != im.Name() {
			j++
		}
		if j == len(names) {
			t.Fatalf("Impls() = %v is not a subsequence of ImplNames() = %v", all, names)
		}
		if err := asm.Unavailable(im.Name()); err != nil {
			t.Fatalf("%s is listed but Unavailable says %v", im, err)
		}
	}
	def, err := asm.Default()
	if err != nil || def != all[len(all)-1] {
		t.Fatalf("Default() = %v, %v; want %v", def, err, all[len(all)-1])
	}
	t.Logf("units: %v; implementations: %v; default: %v", asm.Detect(), all, def)
}

// TestUnavailableNamesTheUnit: every known implementation is either in
// Impls or refused by ByName with the reason; unknown names are refused.
func TestUnavailableNamesTheUnit(t *testing.T) {
	for _, name := range asm.ImplNames() {
		_, err := asm.ByName(name)
		why := asm.Unavailable(name)
		if (err == nil) != (why == nil) {
			t.Fatalf("%s: ByName error %v, Unavailable %v", name, err, why)
		}
		if err != nil {
			if !strings.Contains(err.Error(), why.Error()) || !strings.Contains(err.Error(), "available:") {
				t.Fatalf("%s: ByName error %q lacks the reason %q or the available list", name, err, why)
			}
			t.Logf("%s: %v", name, why)
		}
	}
	for _, bad := range []string{"", "avx3", "AVX2"} {
		if _, err := asm.ByName(bad); err == nil {
			t.Fatalf("ByName(%q) succeeded", bad)
		}
	}
}

// TestDefaultHonoursEnv: $IDEM_IMPL forces each available implementation
// and refuses a missing one with the reason.
func TestDefaultHonoursEnv(t *testing.T) {
	for _, name := range asm.ImplNames() {
		t.Setenv(asm.EnvImpl, name)
		im, err := asm.Default()
		if why := asm.Unavailable(name); why != nil {
			if err == nil || !strings.Contains(err.Error(), why.Error()) {
				t.Fatalf("IDEM_IMPL=%s: Default() = %v, %v; want the error %v", name, im, err, why)
			}
			continue
		}
		if err != nil || im.Name() != name {
			t.Fatalf("IDEM_IMPL=%s: Default() = %v, %v", name, im, err)
		}
	}
}

// TestDetect: Detect is stable and consistent with the implementations.
func TestDetect(t *testing.T) {
	u := asm.Detect()
	if u != asm.Detect() {
		t.Fatal("Detect changed between calls")
	}
	has := func(n string) bool {
		return slices.ContainsFunc(asm.Impls(), func(im *asm.Impl) bool { return im.Name() == n })
	}
	if has("avx2") && !(u.AVX2 && u.FMA3) {
		t.Fatalf("avx2 listed with units %v", u)
	}
	if has("avx512") && !(u.AVX512F && u.AVX512BW && u.AVX512VL && u.AVX512DQ && u.BMI2) {
		t.Fatalf("avx512 listed with units %v", u)
	}
	if has("amx") && !(u.AMXTile && u.AMXBF16 && u.AMXOS && u.AMXPerm) {
		t.Fatalf("amx listed with units %v", u)
	}
	if u.String() == "" {
		t.Fatal("empty Units.String")
	}
}

// TestUnits: one subtest per known implementation; the ones this machine
// lacks skip with the missing unit's name (IDEM_REQUIRE_IMPLS=avx512,amx
// turns those skips into failures).
func TestUnits(t *testing.T) {
	asmtest.ForEachImpl(t, func(t *testing.T, im *asm.Impl) {
		u := asm.Detect()
		switch im.Name() {
		case "avx512":
			if !u.AVX512F {
				t.Fatal("avx512 without AVX512F")
			}
		case "amx":
			if !u.AMXTile || !u.AMXBF16 || !u.AMXPerm {
				t.Fatalf("amx with units %v", u)
			}
		}
		// every implementation runs a kernel and agrees with generic
		got, want := im.FMALoopF32(1000), asm.FMALoopF32Ref(1000, im.FMALanesF32())
		if d := got - want; d > 1e-2*want || d < -1e-2*want {
			t.Fatalf("FMALoopF32: %v, generic %v", got, want)
		}
	})
}
