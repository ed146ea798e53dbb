// Package optim implements the optimisation pieces of iDEM training (SPEC
// §6.1) on flat parameter and gradient slices (engine/param.Set.Data and
// .Grad): Adam (Kingma & Ba, arXiv:1412.6980) with PyTorch's update and
// bias correction, global gradient-norm clipping with the semantics of
// torch.nn.utils.clip_grad_norm_, ReduceLROnPlateau with PyTorch's rules,
// and an optional exponential moving average of the parameters.
//
// All state lives in exported fields so that checkpoints can serialise it
// (Adam, EMA and Plateau also implement encoding.BinaryMarshaler). Nothing
// allocates after construction. Sums are taken in a fixed order, so results
// are deterministic.
package optim
