// Package dag holds only a test: it checks the module's import graph
// against the allow-list of STYLE §14, adapted to the packages idem has.
package dag
