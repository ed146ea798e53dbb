package main

import (
	"flag"
	"math"

	"github.com/idem-project/idem/engine/atomicfile"
)

// defaultMaxMemGiB is the default of the -max-mem flag: the memory a
// command may plan to use, checked before it allocates.
const defaultMaxMemGiB = 8

// maxWorkers bounds -workers.
const maxWorkers = 4096

// flagChecker collects the first out-of-range flag value of a command.
type flagChecker struct {
	cmd string
	err error
}

// int requires lo ≤ v ≤ hi.
func (c *flagChecker) int(name string, v, lo, hi int) {
	if c.err == nil && (v < lo || v > hi) {
		c.err = usagef("%s: -%s %d is out of range: want %d … %d", c.cmd, name, v, lo, hi)
	}
}

// float requires a finite lo ≤ v ≤ hi.
func (c *flagChecker) float(name string, v, lo, hi float64) {
	if c.err == nil && (math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi) {
		c.err = usagef("%s: -%s %v is out of range: want a finite value in [%g, %g]", c.cmd, name, v, lo, hi)
	}
}

// memory requires a planned allocation of bytes to fit -max-mem; what
// names the flags that set it.
func (c *flagChecker) memory(what string, bytes float64, maxMemGiB float64) {
	if c.err == nil && bytes > maxMemGiB*(1<<30) {
		c.err = usagef("%s: %s need about %.3g GiB, over the -max-mem limit of %g GiB", c.cmd, what, bytes/(1<<30), maxMemGiB)
	}
}

// writable requires that a file can be created at path (flag name).
func (c *flagChecker) writable(name, path string) {
	if c.err == nil {
		if err := atomicfile.CheckWritable(path); err != nil {
			c.err = usagef("%s: -%s %s: cannot write there: %v", c.cmd, name, path, err)
		}
	}
}

// maxMemFlag registers -max-mem on fs.
func maxMemFlag(fs *flag.FlagSet) *float64 {
	return fs.Float64("max-mem", defaultMaxMemGiB, "memory in GiB the command may plan to use; sizes that need more are refused before allocating")
}

// usageExtra returns a usage error for arguments after the flags.
func usageExtra(cmd string, args []string) error {
	return usagef("%s: unexpected arguments %q (flags go before them; see 'idem %s -h')", cmd, args, cmd)
}

// f64 converts for size arithmetic without overflow.
func f64(v int) float64 { return float64(v) }
