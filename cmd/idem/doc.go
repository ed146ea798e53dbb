// Command idem runs the iDEM engine's command-line tasks (SPEC §7):
//
//	idem reference -target {gmm40,dw4,lj13,lj55,ljN,dwN} -n 10000 -seed S -out FILE.npy
//
// runs the MCMC reference sampler of package engine/mcmc with the SPEC §7.5
// recipe (annealed-SMC warm-up on β·E_pair + E_trap, then random-walk
// Metropolis; -method mala for the Langevin alternative), writes the
// configurations centred and independently randomly rotated as float32 .npy
// with a .sha256 beside it, and prints energy mean ± sd, acceptance rates,
// the energy evaluations spent (the equal-budget baseline, SPEC §8.3), the
// wall-clock time and, for particle systems, the virial ⟨x·∇E⟩ against its
// equipartition value (N−1)·D.
//
//	idem eval -target T -samples FILE.npy [-ref FILE.npy] [-n 1000] [-batches K]
//	          [-protocol p-dem|p-as|p-blog|all] [-format markdown|json] [-plots DIR]
//
// computes the SPEC §7.1 metrics of K random batches of n samples against
// as many reference samples, each next to its finite-sample floor (the
// metric between two disjoint reference batches, rotation-randomised for
// molecules, SPEC §7.3), and states n per side, the files and their
// SHA-256, the batches and the seeds. GMM-40 without -ref is compared with
// exact samples. -plots writes energy and interatomic-distance histograms
// (GMM-40: a scatter over the density's contours).
//
//	idem refine -target T -samples IN.npy -steps S [-method mala|rwm] [-step s] -out OUT.npy
//
// runs S Metropolis steps at kT = 1 from every row of a samples file
// (engine/mcmc with Config.Start; MALA with a per-particle drift clip by
// default), writes the final states, and prints the acceptance and the
// energy evaluations spent, in total and per row, for equal-budget
// comparisons.
//
//	idem reweight -target T -samples IN.npy -logq LOGQ.npy [-weights W.npy] [-resample N -out OUT.npy]
//
// forms the importance weights log p̃ − log q of a samples file (package
// engine/weights), prints ess@n, elbo and logz_is (SPEC §7.6), and writes
// the normalised weights or a resampled set.
//
// Units: energies in kT; coordinates in the target's units (GMM-40 in
// original x units, not the training space y = x/50).
package main
