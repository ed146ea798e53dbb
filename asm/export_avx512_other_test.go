//go:build purego || noasm || !amd64

package asm

// AVX512Kernels is empty: this build has no AVX-512 kernels.
func AVX512Kernels() []*Impl { return nil }
