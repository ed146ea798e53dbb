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
  reference   run the MCMC reference sampler and write a .npy reference set
  eval        compare a samples file with a reference set, metric by metric,
              each next to its finite-sample floor

Run 'idem <command> -h' for the flags of a command.
`

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
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
