package optim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Binary state encoding: a 4-byte tag ("ADM1", "EMA1", "PLT1"), then
// little-endian fields; slices are a uint64 length followed by float64s.

type encoder struct{ b []byte }

func (e *encoder) u64(v uint64)  { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *encoder) i64(v int64)   { e.u64(uint64(v)) }
func (e *encoder) vec(v []float64) {
	e.u64(uint64(len(v)))
	for _, x := range v {
		e.f64(x)
	}
}

type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("optim: truncated state")

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errShort
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}
func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }
func (d *decoder) i64() int64   { return int64(d.u64()) }
func (d *decoder) vec() []float64 {
	n := d.u64()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)/8) {
		d.err = errShort
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = d.f64()
	}
	return v
}

func (d *decoder) tag(want string) {
	if len(d.b) < 4 {
		d.err = errShort
		return
	}
	if string(d.b[:4]) != want {
		d.err = fmt.Errorf("optim: state tag %q, want %q", d.b[:4], want)
		return
	}
	d.b = d.b[4:]
}

func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("optim: %d trailing bytes in state", len(d.b))
	}
	return d.err
}

// MarshalBinary encodes the optimiser state.
func (a *Adam) MarshalBinary() ([]byte, error) {
	e := encoder{b: []byte("ADM1")}
	e.f64(a.LR)
	e.f64(a.Beta1)
	e.f64(a.Beta2)
	e.f64(a.Eps)
	e.i64(a.Step)
	e.vec(a.M)
	e.vec(a.V)
	return e.b, nil
}

// UnmarshalBinary restores state written by MarshalBinary; on error a is
// unchanged.
func (a *Adam) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.tag("ADM1")
	var n Adam
	n.LR, n.Beta1, n.Beta2, n.Eps = d.f64(), d.f64(), d.f64(), d.f64()
	n.Step = d.i64()
	n.M, n.V = d.vec(), d.vec()
	if err := d.finish(); err != nil {
		return err
	}
	if len(n.M) != len(n.V) {
		return fmt.Errorf("optim: Adam state has %d first and %d second moments", len(n.M), len(n.V))
	}
	n.impl = a.impl // the kernel is the process's choice, not state
	*a = n
	return nil
}

// MarshalBinary encodes the average.
func (e *EMA) MarshalBinary() ([]byte, error) {
	w := encoder{b: []byte("EMA1")}
	w.f64(e.Decay)
	w.i64(e.Updates)
	w.vec(e.Shadow)
	return w.b, nil
}

// UnmarshalBinary restores state written by MarshalBinary; on error e is
// unchanged.
func (e *EMA) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.tag("EMA1")
	var n EMA
	n.Decay, n.Updates, n.Shadow = d.f64(), d.i64(), d.vec()
	if err := d.finish(); err != nil {
		return err
	}
	*e = n
	return nil
}

// MarshalBinary encodes the schedule state.
func (p *Plateau) MarshalBinary() ([]byte, error) {
	e := encoder{b: []byte("PLT1")}
	e.f64(p.Factor)
	e.i64(int64(p.Patience))
	e.f64(p.Threshold)
	e.i64(int64(p.Cooldown))
	e.f64(p.MinLR)
	e.f64(p.Eps)
	e.f64(p.Best)
	e.i64(int64(p.NumBad))
	e.i64(int64(p.CooldownLeft))
	e.i64(int64(p.Epochs))
	return e.b, nil
}

// UnmarshalBinary restores state written by MarshalBinary; on error p is
// unchanged.
func (p *Plateau) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.tag("PLT1")
	var n Plateau
	n.Factor = d.f64()
	n.Patience = int(d.i64())
	n.Threshold = d.f64()
	n.Cooldown = int(d.i64())
	n.MinLR, n.Eps, n.Best = d.f64(), d.f64(), d.f64()
	n.NumBad, n.CooldownLeft, n.Epochs = int(d.i64()), int(d.i64()), int(d.i64())
	if err := d.finish(); err != nil {
		return err
	}
	*p = n
	return nil
}
