//go:build !purego && !noasm

package asm

// xgetbv0 returns XCR0 (low and high halves). Requires OSXSAVE.
//
//go:noescape
func xgetbv0() (eax, edx uint32)
