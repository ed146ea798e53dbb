// Package asmtest supports kernel tests: guarded output buffers, seeded
// particle configurations, tolerance comparisons and iteration over the
// implementations this CPU can run.
package asmtest
