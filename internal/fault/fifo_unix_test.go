//go:build unix

package fault

import "syscall"

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
