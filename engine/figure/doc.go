// Package figure draws the evaluation figures of idem as PNG files with
// gonum.org/v1/plot: overlaid, normalised histograms of generated samples
// against a reference (energies, interatomic distances), and a 2-D scatter of
// samples over the contours of a density (GMM-40). It follows the figures of
// Akhound-Sadegh et al., "Iterated Denoising Energy Matching for Sampling
// from Boltzmann Densities", ICML 2024 (arXiv:2402.06121), Figs. 2–4.
//
// Units are the caller's: energies in kT (ε for Lennard-Jones), distances and
// coordinates in the target's units (GMM-40 in x, not y = x/50). Histograms
// are probability densities: each is divided by its own total count and the
// bin width, so values outside the plotted range are visibly missing mass,
// and the legend states the fraction outside.
//
// Files are written atomically through engine/atomicfile: the image goes to a temporary file in the
// destination directory, which is then renamed over the destination, so a
// reader never sees a partial PNG. Sizes are in pixels at 96 dpi.
//
// The package is named figure rather than plot so that it does not shadow
// gonum's plot package, which its callers may also use. It holds no global
// mutable state and never prints.
package figure
