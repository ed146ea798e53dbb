// Package param holds a network's parameters as one flat []float64 with
// named tensor views into it, and a gradient buffer of the same layout. Flat
// storage lets optimisers, gradient clipping, EMA and checkpoints treat every
// model alike.
//
// Save, Load, WriteTo/ReadFrom and MarshalBinary/UnmarshalBinary store the
// values (not the gradients) in a little-endian binary format with a header
// of tensor names and shapes and a SHA-256 digest of the payload (see
// io.go). Loading checks names, shapes and the digest and leaves the Set
// unchanged on any error.
package param
