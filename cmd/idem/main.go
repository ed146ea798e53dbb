package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// errUsage reports a command line that could not be run; main exits with
// status 2 for it (after the usage text), 1 for every other error.
var errUsage = errors.New("usage")

const usage = `usage: idem <command> [flags]

commands:
  demo        train GMM-40 (or -target T) on the quick preset, sample, evaluate
              against the paper's iDEM row, and plot the samples
  train       train an iDEM or pDEM sampler, with checkpoints and a run log
  sample      draw samples from a checkpoint into a .npy file
  reference   run the MCMC reference sampler and write a .npy reference set
  eval        compare a samples file with a reference set, metric by metric,
              each next to its finite-sample floor

Run 'idem <command> -h' for the flags of a command.
`

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(*signalError)):
		var se *signalError
		errors.As(err, &se)
		fmt.Fprintln(os.Stderr, "idem:", err)
		os.Exit(se.exitCode())
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "idem:", err)
		os.Exit(1)
	}
}

// run executes one command line; it never exits the process.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "demo":
		return runDemo(args[1:], stdout, stderr)
	case "train":
		return runTrain(args[1:], stdout, stderr)
	case "sample":
		return runSample(args[1:], stdout, stderr)
	case "reference":
		return runReference(args[1:], stdout, stderr)
	case "eval":
		return runEval(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "idem: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}
