package train

import (
	"fmt"
	"math"
)

// Buffer is the FIFO replay buffer of SPEC §6.1: Cap rows of dimension Dim
// with their energies; pushing past Cap overwrites the oldest rows. It is
// sampled uniformly with replacement over the rows it holds.
type Buffer struct {
	Cap, Dim int
	X        []float64 // Cap·Dim, slot-major
	E        []float64 // Cap energies
	Head     int       // next slot to write
	Size     int       // rows held
}

// NewBuffer returns an empty buffer.
func NewBuffer(capacity, dim int) *Buffer {
	return &Buffer{Cap: capacity, Dim: dim, X: make([]float64, capacity*dim), E: make([]float64, capacity)}
}

// Push appends b rows x with energies e, dropping the oldest rows when full.
// Rows with a non-finite coordinate are an error and nothing is pushed.
func (bf *Buffer) Push(x, e []float64, b int) error {
	d := bf.Dim
	if len(x) < b*d || len(e) < b {
		return fmt.Errorf("train: buffer push of %d rows with %d values and %d energies", b, len(x), len(e))
	}
	for i, v := range x[:b*d] {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("train: buffer push: row %d has a non-finite coordinate", i/d)
		}
	}
	for r := 0; r < b; r++ {
		copy(bf.X[bf.Head*d:(bf.Head+1)*d], x[r*d:(r+1)*d])
		bf.E[bf.Head] = e[r]
		bf.Head = (bf.Head + 1) % bf.Cap
		bf.Size = min(bf.Size+1, bf.Cap)
	}
	return nil
}

// Row returns slot i (0 ≤ i < Size) of the rows held.
func (bf *Buffer) Row(i int) []float64 { return bf.X[i*bf.Dim : (i+1)*bf.Dim] }

// Oldest returns the slot of the i-th oldest row.
func (bf *Buffer) Oldest(i int) int {
	if bf.Size < bf.Cap {
		return i
	}
	return (bf.Head + i) % bf.Cap
}
