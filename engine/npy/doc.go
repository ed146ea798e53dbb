// Package npy reads and writes 2-D float arrays in NumPy's .npy format
// (version 1.0–3.0, little-endian '<f4' or '<f8', C order), the format of
// the iDEM reference sets.
//
// Reading is bounded: ReadFile accepts only a regular file, reads and
// checks the magic and the header first, requires the payload the header
// declares to be exactly the rest of the file and within MaxValues, and
// only then reads exactly those bytes, in chunks, so a truncated, lying or
// endless input (a device, a pipe, a directory) gives an error naming the
// file and the limit, never a panic or a huge allocation. When a checksum
// sidecar FILE.sha256 is present, ReadFile checks it and a mismatch is an
// error; Array.Checksum says whether it matched or was missing
// (Options.SkipChecksum skips the check).
//
// Writing goes through package engine/atomicfile: WriteFile writes the
// float32 file and its sidecar as one commit, so no reader that checks
// both ever sees a new file with an old sidecar.
package npy
