//go:build purego || noasm

package asm

// xgetbv0 is not available without assembly; the purego build reports no
// AMX tile state (it runs no AMX code either).
func xgetbv0() (eax, edx uint32) { return 0, 0 }
