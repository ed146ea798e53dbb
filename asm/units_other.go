//go:build !amd64 && !arm64

package asm

// detectUnits: no SIMD unit is used on other architectures.
func detectUnits() Units { return Units{} }
