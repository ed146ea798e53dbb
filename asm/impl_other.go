//go:build purego || noasm || !(amd64 || arm64)

package asm

func nativeImpls() []*Impl { return nil }
