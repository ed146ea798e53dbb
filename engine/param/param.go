package param

import "fmt"

// Tensor is a named view into a Set's flat storage.
type Tensor struct {
	Name   string
	Shape  []int
	Offset int // first element in Set.Data / Set.Grad
	Size   int // product of Shape
}

// Set is a collection of named parameter tensors stored contiguously.
// Build it with Add calls, then Finish; after Finish the layout is fixed.
type Set struct {
	Tensors []Tensor
	Data    []float64 // all parameters, in Add order
	Grad    []float64 // gradients, same layout as Data
	done    bool
}

// Add reserves a tensor of the given shape and returns its index. It panics
// after Finish or on a duplicate name (programmer errors).
func (s *Set) Add(name string, shape ...int) int {
	if s.done {
		panic("param: Add after Finish")
	}
	size := 1
	for _, d := range shape {
		if d <= 0 {
			panic(fmt.Sprintf("param: tensor %q has non-positive dimension %d", name, d))
		}
		size *= d
	}
	for _, t := range s.Tensors {
		if t.Name == name {
			panic(fmt.Sprintf("param: duplicate tensor %q", name))
		}
	}
	off := 0
	if k := len(s.Tensors); k > 0 {
		off = s.Tensors[k-1].Offset + s.Tensors[k-1].Size
	}
	s.Tensors = append(s.Tensors, Tensor{Name: name, Shape: append([]int(nil), shape...), Offset: off, Size: size})
	return len(s.Tensors) - 1
}

// Finish allocates Data and Grad.
func (s *Set) Finish() {
	if s.done {
		return
	}
	s.done = true
	s.Data = make([]float64, s.Len())
	s.Grad = make([]float64, s.Len())
}

// Len is the total number of parameters.
func (s *Set) Len() int {
	if k := len(s.Tensors); k > 0 {
		return s.Tensors[k-1].Offset + s.Tensors[k-1].Size
	}
	return 0
}

// W returns the parameter view of tensor i.
func (s *Set) W(i int) []float64 {
	t := s.Tensors[i]
	return s.Data[t.Offset : t.Offset+t.Size : t.Offset+t.Size]
}

// G returns the gradient view of tensor i.
func (s *Set) G(i int) []float64 {
	t := s.Tensors[i]
	return s.Grad[t.Offset : t.Offset+t.Size : t.Offset+t.Size]
}

// ZeroGrad sets every gradient to zero.
func (s *Set) ZeroGrad() { clear(s.Grad) }

// Lookup returns the index of the named tensor.
func (s *Set) Lookup(name string) (int, bool) {
	for i, t := range s.Tensors {
		if t.Name == name {
			return i, true
		}
	}
	return -1, false
}
