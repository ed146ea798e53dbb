//go:build !amd64 || purego || noasm

package asm

// Without amd64 assembly there is no tile kernel.
func hasAMXTiles() bool { return false }

func amxTileKernel(*amxConfig, *uint32, int, *uint32, int, *float32, int, int, int, int, int) {
	panic("asm: no AMX tile kernel in this build")
}
