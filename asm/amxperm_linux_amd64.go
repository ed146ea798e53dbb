package asm

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Linux arch_prctl codes for dynamically enabled XSAVE features
// (arch/x86/include/uapi/asm/prctl.h) and the AMX tile-data feature number.
const (
	archReqXcompPerm  = 0x1023
	xfeatureXTileData = 18
)

// amxRequestPerm asks Linux for permission to use the AMX tile data state
// in this process (ARCH_REQ_XCOMP_PERM). Without it the first tile load
// raises SIGILL. The permission covers every thread of the process,
// including those that already exist.
func amxRequestPerm() error {
	_, _, errno := unix.Syscall(unix.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXTileData, 0)
	if errno != 0 {
		return fmt.Errorf("arch_prctl(ARCH_REQ_XCOMP_PERM): %v", errno)
	}
	return nil
}
