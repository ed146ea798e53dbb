// Package enginetest holds conformance suites that every engine.Target
// must pass: gradient against finite differences, the batch contract of the
// lane-blocked layout, and centre-of-mass invariance.
package enginetest
