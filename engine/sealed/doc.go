// Package sealed reads and writes sealed container files: a magic string, a
// version, a fixed number of length-prefixed sections and a SHA-256 digest
// (github.com/minio/sha256-simd) of everything before it. Training and flow
// checkpoints use it, so both have the same guarantees: a truncated or altered
// file is detected on load, and writes go through engine/atomicfile (temporary
// file, fsync, rename, fsync of the directory).
//
// Layout (integers little-endian):
//
//	magic    8 bytes
//	version  uint32
//	sections n × { length uint64, bytes }
//	digest   32 bytes SHA-256 of everything before it
package sealed
