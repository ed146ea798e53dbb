// Package train runs iterated Denoising Energy Matching (iDEM) and its
// prior-sampled variant pDEM (SPEC §6; Akhound-Sadegh et al., ICML 2024,
// arXiv:2402.06121): the FIFO replay buffer, the initial fill, inner steps
// that regress the score network onto the clipped Monte-Carlo score S_K
// (engine/mcscore) with the loss averaged over coordinates and weighted by
// λ(t) (the quick presets may also mix S_K with its denoising form and draw
// a share of the training times from a window, see engine/preset), gradient
// clipping, Adam and ReduceLROnPlateau (engine/optim), the
// end-of-epoch reverse-SDE sampling (sde), validation rounds, and
// checkpoints that resume bit for bit.
//
// Units: the trainer works in training units (y = x/50 for GMM-40); Sample
// and the validation metrics return and compare original units. Energies are
// in kT. Every random number is keyed by the run's seed and an index (step,
// epoch, row), never by a worker or the clock, so a run gives the same bits
// for any number of workers and after any resume.
//
// Two validation modes: reference-data (the paper: the validation loss on
// reference points drives the learning-rate schedule and validation x-W2
// picks the best checkpoint) and data-free (the loss on buffer points, no
// reference data anywhere). Energy and network evaluations are counted so
// that runs can be set beside MCMC at an equal energy budget.
package train
