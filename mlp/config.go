package mlp

import (
	"errors"
	"fmt"
	"math"
)

// Config describes the network. The score network of SPEC §5.1 is GMM();
// the flow-matching velocity field of §5.3 uses the same architecture with
// its own scales.
type Config struct {
	InDim     int       // d: input and output dimension (2 for GMM-40)
	Scales    []float64 // embedding scale cᵢ per input coordinate, len InDim
	TimeScale float64   // embedding scale for t
	EmbedSize int       // per scalar, even: EmbedSize/2 sines, then as many cosines
	Width     int       // hidden width
	Blocks    int       // residual blocks after the input layer
}

// GMM returns the configuration of the GMM-40 score network (SPEC §5.1):
// d = 2, scales 25 for each coordinate and 1 for time, embedding size 128,
// width 128, three residual blocks; 99,074 parameters.
func GMM() Config {
	return Config{InDim: 2, Scales: []float64{25, 25}, TimeScale: 1, EmbedSize: 128, Width: 128, Blocks: 3}
}

// Validate reports whether c describes a buildable network.
func (c Config) Validate() error {
	switch {
	case c.InDim < 1:
		return fmt.Errorf("mlp: InDim %d < 1", c.InDim)
	case len(c.Scales) != c.InDim:
		return fmt.Errorf("mlp: %d embedding scales for InDim %d", len(c.Scales), c.InDim)
	case c.EmbedSize < 4 || c.EmbedSize%2 != 0:
		return fmt.Errorf("mlp: EmbedSize %d must be even and at least 4", c.EmbedSize)
	case c.Width < 1:
		return fmt.Errorf("mlp: Width %d < 1", c.Width)
	case c.Blocks < 0:
		return fmt.Errorf("mlp: Blocks %d < 0", c.Blocks)
	}
	for i, s := range c.Scales {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return fmt.Errorf("mlp: embedding scale %d is %v", i, s)
		}
	}
	if math.IsNaN(c.TimeScale) || math.IsInf(c.TimeScale, 0) {
		return errors.New("mlp: TimeScale is not finite")
	}
	return nil
}

// EmbedDim is the length of z, (InDim+1)·EmbedSize.
func (c Config) EmbedDim() int { return (c.InDim + 1) * c.EmbedSize }

// NumParams is the number of scalar parameters:
// (EmbedDim+1)·Width + Blocks·(Width+1)·Width + (Width+1)·InDim.
func (c Config) NumParams() int {
	return (c.EmbedDim()+1)*c.Width + c.Blocks*(c.Width+1)*c.Width + (c.Width+1)*c.InDim
}

// FLOPs returns the floating-point operations (an FMA counts as two) of the
// matrix products of one forward pass over a batch of b rows. Embedding,
// GELU and bias additions are not counted. Backward to the parameters costs
// 2·FLOPs(b) − 2·b·EmbedDim·Width more (no gradient into z), and another
// 2·b·EmbedDim·Width when the input gradient is requested.
func (c Config) FLOPs(b int) float64 {
	w := float64(c.Width)
	return 2 * float64(b) * (float64(c.EmbedDim())*w + float64(c.Blocks)*w*w + w*float64(c.InDim))
}
