// Package bench defines idem's benchmark cases once, so that `go test -bench`
// and cmd/idem-bench run exactly the same code. Each Case is a named
// sub-benchmark body; metrics are reported in domain units through
// b.ReportMetric (pairs/ns, points/s, GFLOP/s, …).
package bench
