// Package fault is idem's fault-injection suite: its tests build the
// commands (cmd/idem, cmd/idem-bench) and drive the binaries as a user
// would, with hostile files (truncated, lying headers, wrong dtypes,
// endless streams, FIFOs, directories, checksum mismatches), absurd flag
// values, and SIGINT/SIGTERM at random moments of a write, asserting that
// no command panics, that usage errors exit 2 with one message, and that an
// interrupted write leaves the complete old or the complete new file+sidecar
// pair and no temporary file.
//
// `make test` runs IDEM_FAULT_SIGNALS=20 signals (the default); `make
// fault` runs 200. The package holds no non-test code.
package fault
