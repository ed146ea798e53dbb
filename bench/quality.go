package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/idem-project/idem/engine/atomicfile"
	"github.com/idem-project/idem/engine/metrics"
)

// QualityColumns are the columns of a quality table, in order.
var QualityColumns = []string{"nll", "ess_cnf@16", "ess_cnf@1000", "x_w2", "energy_w1", "energy_w2", "dist_w2", "dist_w1", "dist_tvd200", "energy_evals", "net_evals", "wall_s"}

// Cell is one figure: a mean with an optional spread, or nothing.
type Cell struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd,omitempty"`
	Has  bool    `json:"-"`
	HasS bool    `json:"-"`
}

func val(m float64) Cell   { return Cell{Mean: m, Has: true} }
func pm(m, s float64) Cell { return Cell{Mean: m, SD: s, Has: true, HasS: true} }
func (c Cell) String() string {
	switch {
	case !c.Has:
		return "–"
	case math.IsNaN(c.Mean) || math.IsInf(c.Mean, 0):
		return metrics.Overflow
	case c.HasS:
		return fmtG(c.Mean) + " ± " + fmtG(c.SD)
	}
	return fmtG(c.Mean)
}

func fmtG(x float64) string {
	if x != 0 && (math.Abs(x) >= 1e6 || math.Abs(x) < 1e-3) {
		return strconv.FormatFloat(x, 'e', 3, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// MarshalJSON writes a missing cell as null and an overflow as a string.
func (c Cell) MarshalJSON() ([]byte, error) {
	switch {
	case !c.Has:
		return []byte("null"), nil
	case math.IsNaN(c.Mean) || math.IsInf(c.Mean, 0):
		return []byte(strconv.Quote(metrics.Overflow)), nil
	case c.HasS:
		return json.Marshal(map[string]float64{"mean": c.Mean, "sd": c.SD})
	}
	return json.Marshal(c.Mean)
}

// QualityRow is one row: this engine's run, or a published figure.
type QualityRow struct {
	Label  string          `json:"label"`
	Source string          `json:"source"` // "this engine, <dir>" or "quoted: …"
	Quoted bool            `json:"quoted"`
	Cells  map[string]Cell `json:"cells"`
	Note   string          `json:"note,omitempty"`
}

// QualityTable is one target's table.
type QualityTable struct {
	Target    string       `json:"target"`
	Reference string       `json:"reference"` // what the metrics are measured against
	Rows      []QualityRow `json:"rows"`
	Missing   string       `json:"missing,omitempty"` // how to produce absent runs
}

// quoted returns the published rows of SPEC §8.1–8.3 for a target.
func quoted(target string) []QualityRow {
	q := func(label, src string, cells map[string]Cell, note string) QualityRow {
		return QualityRow{Label: label, Source: "quoted: " + src, Quoted: true, Cells: cells, Note: note}
	}
	w2note := "§8.2's metric is most likely energy W2 in DEM's convention (SPEC §8.2)"
	switch target {
	case "gmm40":
		return []QualityRow{
			q("iDEM (paper)", "P-DEM, SPEC §8.1/§8.2", map[string]Cell{"nll": pm(6.96, 0.07), "ess_cnf@16": pm(0.734, 0.092), "x_w2": pm(7.42, 3.44), "energy_w2": val(0.87)}, w2note),
			q("pDEM (paper)", "P-DEM, SPEC §8.1/§8.2", map[string]Cell{"nll": val(7.10), "ess_cnf@16": val(0.634), "x_w2": val(12.20), "energy_w2": val(0.36)}, w2note),
			q("iDEM (reproduction)", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": pm(7.698, 1.442)}, ""),
			q("MCMC, iDEM's budget", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": pm(4.219, 0.569)}, "512,000 parallel chains, the same energy evaluations as iDEM"),
			q("exact samples", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": pm(4.159, 0.604)}, "the finite-sample floor"),
		}
	case "dw4":
		return []QualityRow{
			q("iDEM (paper)", "P-DEM, SPEC §8.1/§8.2", map[string]Cell{"nll": pm(7.17, 0), "ess_cnf@16": pm(0.825, 0.002), "x_w2": pm(2.13, 0.04), "energy_w2": val(4.30)}, w2note+"; shipped test split"),
			q("pDEM (paper)", "P-DEM, SPEC §8.1/§8.2", map[string]Cell{"nll": val(7.44), "ess_cnf@16": val(0.547), "x_w2": val(2.11), "energy_w2": val(1.40)}, w2note),
			q("iDEM (reproduction), long-MCMC reference", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": val(1.912), "energy_w1": val(0.590), "dist_w1": val(0.207)}, ""),
			q("MCMC, iDEM's budget, long-MCMC reference", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": val(1.873), "energy_w1": val(0.132), "dist_w1": val(0.022)}, "512,000 chains"),
			q("iDEM (reproduction), shipped test split", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": val(2.054), "energy_w1": pm(0.435, 0.153), "dist_w1": val(0.139)}, ""),
			q("MCMC, iDEM's budget, shipped test split", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": val(2.068), "energy_w1": val(0.148), "dist_w1": val(0.067)}, ""),
		}
	case "lj13":
		return []QualityRow{
			q("iDEM (paper)", "P-DEM, SPEC §8.1/§8.2", map[string]Cell{"nll": pm(17.68, 0.14), "ess_cnf@16": pm(0.231, 0.005), "x_w2": pm(4.26, 0.03), "energy_w2": val(6.55)}, w2note),
			q("pDEM (paper)", "P-DEM, SPEC §8.1/§8.2", map[string]Cell{"nll": val(18.80), "ess_cnf@16": val(0.044), "x_w2": val(4.21), "energy_w2": val(1.79)}, w2note),
			q("iDEM (reproduction)", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": val(4.266), "energy_w1": pm(5.204, 1.788), "dist_w1": val(0.024)}, "shipped test split"),
			q("MCMC, iDEM's budget", "P-blog, SPEC §8.3", map[string]Cell{"x_w2": val(4.312), "energy_w1": val(0.516), "dist_w1": val(0.003)}, "512,000 chains, shipped test split"),
		}
	}
	return nil
}

// rowFile is the row.json that `idem quality` writes.
type rowFile struct {
	Label       string  `json:"label"`
	Kind        string  `json:"kind"`
	EnergyEvals float64 `json:"energy_evals"`
	NetEvals    float64 `json:"net_evals"`
	WallSeconds float64 `json:"wall_s"`
	Test        string  `json:"test"`
	Note        string  `json:"note"`
}

type evalFile struct {
	Report metrics.Report `json:"report"`
}

type flowFile struct {
	Trace string   `json:"trace"`
	NLL   *float64 `json:"nll"`
	NLLSE *float64 `json:"nll_se"`
	ESS   []struct {
		Name string  `json:"name"`
		Mean float64 `json:"mean"`
		SD   float64 `json:"sd"`
	} `json:"ess"`
}

func readJSON(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

func addEval(cells map[string]Cell, ev *evalFile) {
	for _, e := range ev.Report.Entries {
		cells[e.Metric] = pm(e.Value.Mean, e.Value.SD)
	}
}

// LoadQuality builds the table of each target from dir/TARGET/ROW/ (written
// by `idem quality`) and the quoted rows.
func LoadQuality(dir string, targets []string) ([]QualityTable, error) {
	var out []QualityTable
	for _, tg := range targets {
		t := QualityTable{Target: tg}
		entries, err := os.ReadDir(filepath.Join(dir, tg))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			if e.IsDir() {
				names = append(names, e.Name())
			}
		}
		order := map[string]int{"idem": 0, "pdem": 1, "idem-refine": 2, "mcmc": 3, "reference-flow": 4}
		sort.Slice(names, func(i, j int) bool {
			oi, ok1 := order[names[i]]
			oj, ok2 := order[names[j]]
			if ok1 != ok2 {
				return ok1
			}
			if oi != oj {
				return oi < oj
			}
			return names[i] < names[j]
		})
		var shipped []QualityRow
		for _, name := range names {
			rd := filepath.Join(dir, tg, name)
			var rf rowFile
			ok, err := readJSON(filepath.Join(rd, "row.json"), &rf)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			t.Reference = rf.Test
			row := QualityRow{Label: rf.Label, Source: "this engine, " + rd, Cells: map[string]Cell{}, Note: rf.Note}
			if rf.EnergyEvals > 0 {
				row.Cells["energy_evals"] = val(rf.EnergyEvals)
			}
			if rf.NetEvals > 0 {
				row.Cells["net_evals"] = val(rf.NetEvals)
			}
			if rf.WallSeconds > 0 {
				row.Cells["wall_s"] = val(rf.WallSeconds)
			}
			var ev evalFile
			if ok, err := readJSON(filepath.Join(rd, "eval.json"), &ev); err != nil {
				return nil, err
			} else if ok {
				addEval(row.Cells, &ev)
			}
			var ff flowFile
			if ok, err := readJSON(filepath.Join(rd, "flow.json"), &ff); err != nil {
				return nil, err
			} else if ok && ff.NLL != nil {
				row.Cells["nll"] = pm(*ff.NLL, *ff.NLLSE)
				for _, e := range ff.ESS {
					row.Cells[e.Name] = pm(e.Mean, e.SD)
				}
				if ff.Trace != "exact" {
					row.Note = strings.TrimPrefix(row.Note+"; NLL with the "+ff.Trace+" trace estimate", "; ")
				}
			}
			var evs evalFile
			if ok, err := readJSON(filepath.Join(rd, "eval-shipped.json"), &evs); err != nil {
				return nil, err
			} else if ok {
				s := QualityRow{Label: rf.Label + " [shipped test split]", Source: row.Source, Cells: map[string]Cell{}, Note: "metrics against the shipped DW-4 test split, which is biased (SPEC §7.4)"}
				addEval(s.Cells, &evs)
				shipped = append(shipped, s)
			}
			t.Rows = append(t.Rows, row)
		}
		t.Rows = append(t.Rows, shipped...)
		if len(t.Rows) == 0 {
			t.Missing = fmt.Sprintf("no runs in %s: produce them with go run ./cmd/idem quality -target %s -dir %s", filepath.Join(dir, tg), tg, dir)
		}
		t.Rows = append(t.Rows, quoted(tg)...)
		out = append(out, t)
	}
	return out, nil
}

// Markdown renders the table.
func (t QualityTable) Markdown() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "### %s\n\n", t.Target)
	if t.Reference != "" {
		fmt.Fprintf(&sb, "Metrics of this engine's rows against %s (n = 1000 per side, mean ± sd over 5 batches); NLL over the full test set, nats per configuration.\n\n", t.Reference)
	}
	if t.Missing != "" {
		fmt.Fprintf(&sb, "_%s_\n\n", t.Missing)
	}
	sb.WriteString("| row | source | " + strings.Join(QualityColumns, " | ") + " |\n|---|---|")
	sb.WriteString(strings.Repeat("---|", len(QualityColumns)) + "\n")
	for _, r := range t.Rows {
		src := r.Source
		if !r.Quoted {
			src = "this engine"
		}
		fmt.Fprintf(&sb, "| %s | %s |", r.Label, src)
		for _, c := range QualityColumns {
			fmt.Fprintf(&sb, " %s |", r.Cells[c])
		}
		sb.WriteString("\n")
	}
	var notes []string
	for _, r := range t.Rows {
		if r.Note != "" {
			notes = append(notes, fmt.Sprintf("- %s: %s", r.Label, r.Note))
		}
	}
	if len(notes) > 0 {
		sb.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	return sb.String()
}

// QualityCSV renders every table's rows, one line per row, each figure as
// a mean column and an sd column.
func QualityCSV(tables []QualityTable) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"target", "row", "source", "quoted"}
	for _, c := range QualityColumns {
		head = append(head, c, c+"_sd")
	}
	w.Write(append(head, "note"))
	for _, t := range tables {
		for _, r := range t.Rows {
			rec := []string{t.Target, r.Label, r.Source, strconv.FormatBool(r.Quoted)}
			for _, c := range QualityColumns {
				cell := r.Cells[c]
				m, s := "", ""
				if cell.Has {
					m = strconv.FormatFloat(cell.Mean, 'g', -1, 64)
					if math.IsNaN(cell.Mean) || math.IsInf(cell.Mean, 0) {
						m = metrics.Overflow
					}
				}
				if cell.HasS {
					s = strconv.FormatFloat(cell.SD, 'g', -1, 64)
				}
				rec = append(rec, m, s)
			}
			w.Write(append(rec, r.Note))
		}
	}
	w.Flush()
	return buf.Bytes()
}

// WriteQuality writes quality.md, quality.csv and quality.json into dir
// atomically.
func WriteQuality(dir string, tables []QualityTable) error {
	var md strings.Builder
	for _, t := range tables {
		md.WriteString(t.Markdown() + "\n")
	}
	js, err := json.MarshalIndent(tables, "", "  ")
	if err != nil {
		return err
	}
	return errors.Join(
		atomicfile.WriteFile(filepath.Join(dir, "quality.md"), []byte(md.String())),
		atomicfile.WriteFile(filepath.Join(dir, "quality.csv"), QualityCSV(tables)),
		atomicfile.WriteFile(filepath.Join(dir, "quality.json"), append(js, '\n')))
}
