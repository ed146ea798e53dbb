package asm

// detectUnits: Advanced SIMD is part of the arm64 baseline.
func detectUnits() Units { return Units{NEON: true} }
