// Package param holds a network's parameters as one flat []float64 with
// named tensor views into it, and a gradient buffer of the same layout. Flat
// storage lets optimisers, gradient clipping, EMA and checkpoints treat every
// model alike.
package param
