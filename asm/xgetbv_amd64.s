//go:build !purego && !noasm

#include "textflag.h"

// func xgetbv0() (eax, edx uint32)
//
// Reads XCR0, the register-state components the OS enables. The caller
// checks OSXSAVE first.
TEXT ·xgetbv0(SB), NOSPLIT, $0-8
	MOVL   $0, CX
	XGETBV
	MOVL   AX, eax+0(FP)
	MOVL   DX, edx+4(FP)
	RET
