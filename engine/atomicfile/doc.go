// Package atomicfile is the one write path of idem: every output (samples,
// reference sets, weights, plots, logs, checkpoints) is written to a
// temporary file ".<base>.tmp-<random>" in the destination's directory,
// synced, renamed over the destination, and the directory is synced, so a
// reader sees either the complete old file or the complete new one. Files
// are created with mode 0644 less the process umask (the kernel applies
// it at creation; no global state is read or changed). On any error the
// temporary file is removed and the old file is untouched.
//
// # Checksum sidecars
//
// WriteWithChecksum commits a file P together with its SHA-256 sidecar
// P.sha256 (sha256sum format, "<hex>  <base>\n"). Two renames are never one
// atomic step, so the commit goes through a pending sidecar
// ".<base>.sha256.pending":
//
//  1. the new sidecar line is written atomically to the pending name;
//  2. the new data is written atomically to P;
//  3. the pending sidecar is renamed over P.sha256.
//
// Between steps 2 and 3 the directory holds the new P beside the old
// P.sha256, but also the pending sidecar that matches the new P. A reader
// accepts data whose digest equals the sidecar or the pending sidecar, and
// reads them in the order pending, then sidecar, once before and once after
// reading the data (Checker). With that order a reader racing one commit
// always finds the digest of the data it read, and never accepts data that
// no commit recorded: the old P is accepted only with the old sidecar, the
// new P only with the new sidecar or the new pending one. A failure in step
// 1 or 2 leaves the old pair (and possibly a stale pending sidecar, which
// matches no committed data and is overwritten by the next commit); a
// failure after step 2 leaves a pair that readers accept.
//
// Signals: the writes are short and uninterruptible. Commands catch SIGINT
// and SIGTERM (signal.NotifyContext or similar), let a write in progress
// finish and only then exit, so no temporary file is left behind. SIGKILL
// and power loss are out of scope beyond what the fsyncs give.
//
// Hashing uses github.com/minio/sha256-simd.
package atomicfile
