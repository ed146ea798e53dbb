package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
)

// errUsage reports a command line that could not be run and whose message
// was already printed (by the flag package or with the usage text); main
// exits with status 2 for it and prints nothing more.
var errUsage = errors.New("usage")

// usageError is a command line that cannot run (a bad flag value, an
// extra argument); main prints it once and exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// interruptedError reports a command stopped by a signal; main exits with
// 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
type interruptedError struct{ sig os.Signal }

func (e interruptedError) Error() string { return "interrupted by " + e.sig.String() }

// parseFlags parses args into fs; a parse error (already printed by fs)
// becomes errUsage, -h stays flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

const usage = `usage: idem <command> [flags]

commands:
  demo        train GMM-40 (or -target T) on the quick preset, sample, evaluate
              against the paper's iDEM row, and plot the samples
  train       train an iDEM or pDEM sampler, with checkpoints and a run log
  sample      draw samples from a checkpoint into a .npy file
  reference   run the MCMC reference sampler and write a .npy reference set
  eval        compare a samples file with a reference set, metric by metric,
              each next to its finite-sample floor
  flow        train a flow-matching CNF on samples (flow train), and report
              NLL, ESS, ELBO and log Z through it (flow eval)
  quality     run (or continue) the pipeline behind one quality table:
              samplers, metrics, flows, refinement, MCMC at equal budget
  refine      refine a samples file by MALA or Metropolis steps at kT = 1,
              counting energy evaluations
  reweight    importance weights log p̃ − log q of a samples file: ESS, ELBO,
              log Z, and the weights or a resampled set
  noise       measure the Monte-Carlo score estimator's variance against t
              and K (to choose the presets' k, k_high, t_high)
  curves      compare training runs by a validation metric against
              wall-clock: best rounds, time to a value, one figure

Run 'idem <command> -h' for the flags of a command.
`

func main() {
	ctx, stop := signalContext()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitStatus(err, os.Stderr))
}

// exitStatus prints err (once) and returns the process's exit status: 0,
// 2 for usage errors, 128 + n for signal n, 1 otherwise.
func exitStatus(err error, stderr io.Writer) int {
	var ue usageError
	var ie interruptedError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "idem:", ue.msg)
		return 2
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, "idem:", err)
		if n, ok := ie.sig.(syscall.Signal); ok {
			return 128 + int(n)
		}
		return 130
	}
	fmt.Fprintln(stderr, "idem:", err)
	return 1
}

// run executes one command line; it never exits the process. ctx is
// cancelled (with an interruptedError cause) on SIGINT or SIGTERM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "train":
		return runTrain(ctx, args[1:], stdout, stderr)
	case "sample":
		return runSample(ctx, args[1:], stdout, stderr)
	case "reference":
		return runReference(ctx, args[1:], stdout, stderr)
	case "eval":
		return runEval(ctx, args[1:], stdout, stderr)
	case "flow":
		return runFlow(ctx, args[1:], stdout, stderr)
	case "quality":
		return runQuality(ctx, args[1:], stdout, stderr)
	case "refine":
		return runRefine(ctx, args[1:], stdout, stderr)
	case "reweight":
		return runReweight(ctx, args[1:], stdout, stderr)
	case "noise":
		return runNoise(ctx, args[1:], stdout, stderr)
	case "curves":
		return runCurves(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "idem: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}
