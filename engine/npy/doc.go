// Package npy reads and writes 2-D float arrays in NumPy's .npy format
// (version 1.0–3.0, little-endian '<f4' or '<f8', C order), the format of
// the iDEM reference sets. Reading goes through codeberg.org/sbinet/npyio
// after checking the header against the file size, so a malformed, truncated
// or hostile file gives an error, never a panic or a huge allocation.
// Writing is atomic (temporary file, then rename) and can record a SHA-256
// checksum beside the file.
package npy
