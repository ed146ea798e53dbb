//go:build !linux

package asm

import "errors"

// amxRequestPerm: only the Linux permission request is implemented.
func amxRequestPerm() error {
	return errors.New("AMX permission request implemented on Linux only")
}
