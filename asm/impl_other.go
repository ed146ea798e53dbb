//go:build purego || noasm || !(amd64 || arm64)

package asm

import "runtime"

func nativeImpls() []*Impl { return nil }

// implNames lists the implementations this architecture would have with
// assembly, generic first, so that their absence can be reported.
func implNames() []string {
	switch runtime.GOARCH {
	case "amd64":
		return []string{"generic", "avx2", "avx512", "amx"}
	case "arm64":
		return []string{"generic", "neon"}
	}
	return []string{"generic"}
}

// buildReason says why a native implementation is absent from this build.
func buildReason(name string) string {
	switch {
	case name == "generic":
		return ""
	case runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64":
		return "not built (purego or noasm build tag)"
	}
	return "no assembly for " + runtime.GOARCH
}
