package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/optim"
	"github.com/idem-project/idem/engine/sealed"
)

// Checkpoint file format (integers little-endian):
//
//	magic    8 bytes  "IDEMCKPT"
//	version  uint32   1, or 2 when the preset keeps an EMA
//	sections 6 (7) × { length uint64, bytes }:
//	         config (JSON of Config), state (fixed binary), parameters
//	         (param.Set encoding), Adam, Plateau (optim encodings), buffer
//	         (and in version 2 the EMA, optim encoding)
//	digest   32 bytes SHA-256 of everything before it
//
// Everything a run needs to continue bit for bit is in it: the random
// streams are keyed by the run's seed and the counters in state, so they
// need no state of their own.
const (
	ckptMagic      = "IDEMCKPT"
	ckptVersion    = 1
	ckptVersionEMA = 2
)

// ErrCorruptCheckpoint reports a checkpoint that is truncated, altered or
// not a checkpoint.
var ErrCorruptCheckpoint = errors.New("train: corrupt checkpoint")

// ErrConfigMismatch reports a checkpoint written by a run with another
// configuration.
var ErrConfigMismatch = errors.New("train: checkpoint is from another configuration")

// stateWire is State with fixed-size fields.
type stateWire struct {
	Epoch, Inner, Step   int64
	PendingVal, Filled   uint8
	EnergyEvals          uint64
	NetEvals             uint64
	BestMetric           float64
	BestEpoch            int64
	Wall, LossSum, GradS float64
	LR                   float64
	EpochLoss, EpochGrad float64
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// MarshalBinary encodes the complete training state.
func (tr *Trainer) MarshalBinary() ([]byte, error) {
	cfg, err := json.Marshal(tr.cfg)
	if err != nil {
		return nil, err
	}
	st := tr.st
	w := stateWire{int64(st.Epoch), int64(st.Inner), st.Step, b2u(st.PendingVal), b2u(st.Filled),
		st.EnergyEvals, st.NetEvals, st.BestMetric, int64(st.BestEpoch), st.Wall, st.LossSum, st.GradSum, st.BaseLR, st.EpochLoss, st.EpochGrad}
	var sb bytes.Buffer
	binary.Write(&sb, binary.LittleEndian, &w)
	secs := [][]byte{cfg, sb.Bytes()}
	for _, m := range []interface{ MarshalBinary() ([]byte, error) }{tr.net.Params(), tr.adam, tr.plat} {
		b, err := m.MarshalBinary()
		if err != nil {
			return nil, err
		}
		secs = append(secs, b)
	}
	secs = append(secs, tr.buf.marshal())
	if tr.ema != nil {
		b, err := tr.ema.MarshalBinary()
		if err != nil {
			return nil, err
		}
		return sealed.Marshal(ckptMagic, ckptVersionEMA, append(secs, b)...), nil
	}
	return sealed.Marshal(ckptMagic, ckptVersion, secs...), nil
}

func (bf *Buffer) marshal() []byte {
	var b bytes.Buffer
	for _, v := range []int64{int64(bf.Cap), int64(bf.Dim), int64(bf.Head), int64(bf.Size)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	binary.Write(&b, binary.LittleEndian, bf.X)
	binary.Write(&b, binary.LittleEndian, bf.E)
	return b.Bytes()
}

func (bf *Buffer) unmarshal(data []byte) error {
	var hdr [4]int64
	r := bytes.NewReader(data)
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil {
		return err
	}
	if int(hdr[0]) != bf.Cap || int(hdr[1]) != bf.Dim || hdr[2] < 0 || hdr[2] >= hdr[0] || hdr[3] < 0 || hdr[3] > hdr[0] {
		return fmt.Errorf("buffer header %v does not fit capacity %d, dimension %d", hdr, bf.Cap, bf.Dim)
	}
	if r.Len() != 8*(bf.Cap*bf.Dim+bf.Cap) {
		return fmt.Errorf("buffer holds %d bytes, want %d", r.Len(), 8*(bf.Cap*bf.Dim+bf.Cap))
	}
	x := make([]float64, len(bf.X))
	e := make([]float64, len(bf.E))
	binary.Read(r, binary.LittleEndian, x)
	binary.Read(r, binary.LittleEndian, e)
	bf.X, bf.E, bf.Head, bf.Size = x, e, int(hdr[2]), int(hdr[3])
	return nil
}

// splitCheckpoint checks the digest and returns the sections: six in
// version 1, seven (with the EMA) in version 2.
func splitCheckpoint(data []byte) ([][]byte, error) {
	version, n := uint32(ckptVersion), 6
	if len(data) >= len(ckptMagic)+4 && binary.LittleEndian.Uint32(data[len(ckptMagic):]) == ckptVersionEMA {
		version, n = ckptVersionEMA, 7
	}
	secs, err := sealed.Unmarshal(data, ckptMagic, version, n)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptCheckpoint, strings.TrimPrefix(err.Error(), sealed.ErrCorrupt.Error()+": "))
	}
	return secs, nil
}

// ReadConfig returns the configuration stored in a checkpoint file after
// verifying its digest.
func ReadConfig(path string) (Config, error) {
	data, err := readCheckpoint(path)
	if err != nil {
		return Config{}, err
	}
	secs, err := splitCheckpoint(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	var c Config
	if err := json.Unmarshal(secs[0], &c); err != nil {
		return Config{}, fmt.Errorf("%s: %w: config: %v", path, ErrCorruptCheckpoint, err)
	}
	return c, nil
}

func readCheckpoint(path string) ([]byte, error) {
	data, err := sealed.ReadFile(path)
	if errors.Is(err, sealed.ErrCorrupt) {
		return nil, fmt.Errorf("%w: %v", ErrCorruptCheckpoint, err)
	}
	return data, err
}

// UnmarshalBinary restores a state written by MarshalBinary into a trainer
// built with the same Config. On any error the trainer is unchanged.
func (tr *Trainer) UnmarshalBinary(data []byte) error {
	secs, err := splitCheckpoint(data)
	if err != nil {
		return err
	}
	var c Config
	if err := json.Unmarshal(secs[0], &c); err != nil {
		return fmt.Errorf("%w: config: %v", ErrCorruptCheckpoint, err)
	}
	if tr.anyPrecision {
		q := tr.cfg.Preset
		c.Preset.Float32, c.Preset.BF16, c.Preset.BF16x3 = q.Float32, q.BF16, q.BF16x3
		c.Preset.SampleBF16, c.Preset.BF16Epochs, c.Preset.F32Epochs = q.SampleBF16, q.BF16Epochs, q.F32Epochs
	}
	want, _ := json.Marshal(tr.cfg)
	if got, _ := json.Marshal(c); !bytes.Equal(got, want) {
		return fmt.Errorf("%w: it holds %s/%s (%s, %s, seed %d), this run is %s/%s (%s, %s, seed %d)", ErrConfigMismatch,
			c.Preset.Target, c.Preset.Name, c.Variant, c.Mode, c.Seed,
			tr.cfg.Preset.Target, tr.cfg.Preset.Name, tr.cfg.Variant, tr.cfg.Mode, tr.cfg.Seed)
	}
	var w stateWire
	if len(secs[1]) != binary.Size(w) {
		return fmt.Errorf("%w: state section is %d bytes, this version of idem writes %d (a checkpoint from another version?)",
			ErrCorruptCheckpoint, len(secs[1]), binary.Size(w))
	}
	if err := binary.Read(bytes.NewReader(secs[1]), binary.LittleEndian, &w); err != nil {
		return fmt.Errorf("%w: state section: %v", ErrCorruptCheckpoint, err)
	}
	// Decode into copies, then commit.
	params := tr.net.Params()
	oldData := append([]float64(nil), params.Data...)
	if err := params.UnmarshalBinary(secs[2]); err != nil {
		return fmt.Errorf("%w: parameters: %v", ErrCorruptCheckpoint, err)
	}
	adam := *tr.adam
	plat := *tr.plat
	buf := *tr.buf
	errs := []error{adam.UnmarshalBinary(secs[3]), plat.UnmarshalBinary(secs[4]), buf.unmarshal(secs[5])}
	var ema optim.EMA
	switch {
	case tr.ema != nil && len(secs) == 7:
		if err := ema.UnmarshalBinary(secs[6]); err != nil {
			errs = append(errs, fmt.Errorf("EMA: %v", err))
		} else if len(ema.Shadow) != params.Len() {
			errs = append(errs, fmt.Errorf("EMA of %d parameters, the network has %d", len(ema.Shadow), params.Len()))
		}
	case tr.ema != nil || len(secs) != 6:
		errs = append(errs, fmt.Errorf("%d sections for a run with EMA %v", len(secs), tr.ema != nil))
	}
	if err := errors.Join(errs...); err != nil {
		copy(params.Data, oldData)
		return fmt.Errorf("%w: %v", ErrCorruptCheckpoint, err)
	}
	if len(adam.M) != params.Len() {
		copy(params.Data, oldData)
		return fmt.Errorf("%w: Adam state for %d parameters, the network has %d", ErrCorruptCheckpoint, len(adam.M), params.Len())
	}
	if math.IsNaN(w.LR) || !(w.LR >= 0) {
		copy(params.Data, oldData)
		return fmt.Errorf("%w: learning rate %g", ErrCorruptCheckpoint, w.LR)
	}
	*tr.adam, *tr.plat, *tr.buf = adam, plat, buf
	if tr.ema != nil {
		*tr.ema = ema
	}
	tr.st = State{BaseLR: w.LR, Epoch: int(w.Epoch), Inner: int(w.Inner), Step: w.Step, PendingVal: w.PendingVal != 0, Filled: w.Filled != 0,
		EnergyEvals: w.EnergyEvals, NetEvals: w.NetEvals, BestMetric: w.BestMetric, BestEpoch: int(w.BestEpoch),
		Wall: w.Wall, LossSum: w.LossSum, GradSum: w.GradS, EpochLoss: w.EpochLoss, EpochGrad: w.EpochGrad}
	return nil
}

// Load restores the checkpoint at path (see UnmarshalBinary).
func (tr *Trainer) Load(path string) error {
	data, err := readCheckpoint(path)
	if err != nil {
		return err
	}
	if err := tr.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Open builds a trainer from the configuration stored in the checkpoint at
// path and restores it. val is as for New.
func Open(path string, val []float64, workers int) (*Trainer, error) {
	cfg, err := ReadConfig(path)
	if err != nil {
		return nil, err
	}
	tr, err := New(cfg, val, workers)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := tr.Load(path); err != nil {
		tr.Close()
		return nil, err
	}
	return tr, nil
}

// OpenPrecision is Open with the network's arithmetic replaced by
// precision (preset.Precisions: "f64", "f32", "bf16", "bf16x3"), e.g. to sample a
// network trained in bfloat16 with float32 products. The parameters, the
// optimiser and the buffer are the checkpoint's; the returned trainer's
// configuration names the new precision.
func OpenPrecision(path string, val []float64, workers int, precision string) (*Trainer, error) {
	cfg, err := ReadConfig(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.Preset.SetPrecision(precision); err != nil {
		return nil, err
	}
	tr, err := New(cfg, val, workers)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tr.anyPrecision = true
	if err := tr.Load(path); err != nil {
		tr.Close()
		return nil, err
	}
	return tr, nil
}

// Save writes the checkpoint to path atomically (engine/atomicfile: a
// temporary file in the same directory, fsync, rename, fsync of the
// directory), so the previous checkpoint survives any failure.
func (tr *Trainer) Save(path string) error {
	b, err := tr.MarshalBinary()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b)
}
