package train_test

import (
	"context"
	"fmt"
	"log"

	"github.com/idem-project/idem/engine/preset"
	"github.com/idem-project/idem/engine/train"
)

// Example trains a small GMM-40 sampler for a few epochs in data-free mode
// and draws samples from it (in original x units).
func Example() {
	p, err := preset.Quick("gmm40")
	if err != nil {
		log.Fatal(err)
	}
	// Shrink the run so that the example finishes in a second.
	p.Epochs, p.Inner, p.K, p.Batch = 3, 10, 64, 128
	p.SDESteps, p.InitSteps, p.EvalSDESteps, p.NewPerEp, p.EvalBatch = 20, 20, 20, 128, 128
	tr, err := train.New(train.Config{Preset: p, Variant: train.IDEM, Mode: train.DataFree, Seed: 1}, nil, 2)
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	err = tr.Run(context.Background(), train.Hooks{
		Epoch: func(r train.Record) error {
			fmt.Printf("epoch %d: %d inner steps so far\n", r.Epoch, r.Step)
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	x, err := tr.Sample(context.Background(), 500, 0, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d samples of dimension %d\n", len(x)/2, 2)
	// Output:
	// epoch 1: 10 inner steps so far
	// epoch 2: 20 inner steps so far
	// epoch 3: 30 inner steps so far
	// 500 samples of dimension 2
}
