package asm

// FMALoopRef and FMALoopF32Ref are the Go oracles of FMALoop and FMALoopF32
// for chains of a given lane count.
var (
	FMALoopRef    = fmaLoopRef
	FMALoopF32Ref = fmaLoopF32Ref
)
