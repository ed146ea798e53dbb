package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/idem-project/idem/engine"
	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/npy"
)

// rowsOptions says how readRows and readColumn read a file.
type rowsOptions struct {
	cmd          string // command name for warnings
	skipChecksum bool
	maxValues    int       // bound on rows × columns
	stderr       io.Writer // warnings
}

// readNPY reads path (what names it in messages) with its checksum
// sidecar check and the warnings of `idem eval`.
func readNPY(path, what string, vector bool, o rowsOptions) (*npy.Array, error) {
	a, err := npy.ReadFileOptions(path, npy.Options{SkipChecksum: o.skipChecksum, MaxValues: o.maxValues, Vector: vector})
	if err != nil {
		if strings.Contains(err.Error(), "exceeds the limit") {
			err = fmt.Errorf("%w (raise -max-mem)", err)
		}
		return nil, fmt.Errorf("%s: %s file: %w", o.cmd, what, err)
	}
	switch {
	case o.skipChecksum:
		fmt.Fprintf(o.stderr, "idem %s: warning: -skip-checksum: %s file %s is not checked against %s\n", o.cmd, what, path, atomicfile.SidecarPath(path))
	case a.Checksum == atomicfile.Missing:
		fmt.Fprintf(o.stderr, "idem %s: warning: %s file %s has no checksum file %s; its content is unchecked\n", o.cmd, what, path, atomicfile.SidecarPath(path))
	}
	if a.Rows == 0 {
		return nil, fmt.Errorf("%s: %s file %s holds no rows", o.cmd, what, path)
	}
	return a, nil
}

// readRows reads a file of configurations of tg (rows × d, float32 or
// float64), checks its shape and values, and centres molecules.
func readRows(tg *target, path, what string, o rowsOptions) (*npy.Array, error) {
	a, err := readNPY(path, what, false, o)
	if err != nil {
		return nil, err
	}
	d := tg.t.Dim()
	if a.Cols != d {
		hint := ""
		if tg.space > 0 {
			hint = fmt.Sprintf(" (%d particles × %d dimensions, flattened)", tg.n, tg.space)
		}
		return nil, fmt.Errorf("%s: %s file %s has shape (%d, %d), but target %s needs (rows, %d)%s", o.cmd, what, path, a.Rows, a.Cols, tg.name, d, hint)
	}
	for i, v := range a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: %s file %s: row %d holds a non-finite value", o.cmd, what, path, i/d)
		}
	}
	if tg.space > 0 {
		engine.Centre(a.Data, tg.n, tg.space, a.Rows)
	}
	return a, nil
}

// readColumn reads a file of one value per row, shape (rows,) or (rows, 1),
// and checks that it has want rows.
func readColumn(path, what string, want int, o rowsOptions) ([]float64, error) {
	a, err := readNPY(path, what, true, o)
	if err != nil {
		return nil, err
	}
	if a.Cols != 1 || a.Rows != want {
		return nil, fmt.Errorf("%s: %s file %s has shape (%d, %d), want one value per sample: (%d,) or (%d, 1)", o.cmd, what, path, a.Rows, a.Cols, want, want)
	}
	return a.Data, nil
}

// energies returns E of every row of x (rows × tg's dimension).
func energies(tg *target, x []float64, rows int) []float64 {
	e := make([]float64, rows)
	engine.EnergyGrad(tg.t, e, nil, x, rows)
	return e
}

// energyLine summarises energies: mean and sd of the finite ones, the
// largest, and how many are not finite.
func energyLine(e []float64) string {
	fin := make([]float64, 0, len(e))
	for _, v := range e {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			fin = append(fin, v)
		}
	}
	if len(fin) == 0 {
		return fmt.Sprintf("no finite energy among %d", len(e))
	}
	m, sd := meanSD(fin)
	mx := fin[0]
	for _, v := range fin {
		mx = max(mx, v)
	}
	s := fmt.Sprintf("mean %.4f, sd %.4f, max %.4g", m, sd, mx)
	if k := len(e) - len(fin); k > 0 {
		s += fmt.Sprintf(", %d not finite", k)
	}
	return s
}
