package metrics

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Entry is one row of a Report: a metric's value over the evaluated batches
// and its finite-sample floor, with the sample counts on each side.
type Entry struct {
	Metric string `json:"metric"`          // a SPEC §7.1 name, e.g. "x_w2"
	Value  Stat   `json:"value"`           // over generated-vs-reference batches
	Floor  *Stat  `json:"floor,omitempty"` // floor_<metric>; nil if not computed
	NGen   int    `json:"n_gen"`           // generated samples per batch
	NRef   int    `json:"n_ref"`           // reference samples per batch
}

// Report is the record of one evaluation (SPEC §7.1 "Naming"): every entry
// states its metric and n per side, and the report states the reference
// file and its checksum, the batches and the seeds.
type Report struct {
	Target       string   `json:"target,omitempty"`
	Protocol     string   `json:"protocol,omitempty"`
	RefFile      string   `json:"ref_file,omitempty"`
	RefSHA256    string   `json:"ref_sha256,omitempty"`
	Seeds        []uint64 `json:"seeds,omitempty"`
	FloorRotated bool     `json:"floor_rotated"` // floors on rotation-randomised batches
	Entries      []Entry  `json:"entries"`
}

// Add appends one entry per metric in order, summarising values[k][metric]
// over the batches k and attaching floors[metric] when present. Metrics
// missing from some batch are an error, so a row never silently averages
// fewer batches than the others.
func (r *Report) Add(metrics []string, values []map[string]float64, floors map[string]Stat, nGen, nRef int) error {
	for _, m := range metrics {
		xs := make([]float64, 0, len(values))
		for k, v := range values {
			x, ok := v[m]
			if !ok {
				return fmt.Errorf("metrics: batch %d has no %s", k, m)
			}
			xs = append(xs, x)
		}
		e := Entry{Metric: m, Value: Summarize(xs), NGen: nGen, NRef: nRef}
		if f, ok := floors[m]; ok {
			e.Floor = &f
		}
		r.Entries = append(r.Entries, e)
	}
	return nil
}

// JSON returns the report as indented JSON. Non-finite numbers, which JSON
// cannot represent, are an error.
func (r *Report) JSON() ([]byte, error) {
	for _, e := range r.Entries {
		vals := []float64{e.Value.Mean, e.Value.SD}
		if e.Floor != nil {
			vals = append(vals, e.Floor.Mean, e.Floor.SD)
		}
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: %s is %v", ErrNonFinite, e.Metric, v)
			}
		}
	}
	return json.MarshalIndent(r, "", "  ")
}

// Markdown renders the report as a header list and a table with columns
// metric | value | floor | n gen | n ref | batches, values as mean ± sd.
func (r *Report) Markdown() string {
	var sb strings.Builder
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&sb, "- %s: %s\n", k, v)
		}
	}
	field("target", r.Target)
	field("protocol", r.Protocol)
	field("reference", r.RefFile)
	field("reference sha256", r.RefSHA256)
	if len(r.Seeds) > 0 {
		s := make([]string, len(r.Seeds))
		for i, v := range r.Seeds {
			s[i] = strconv.FormatUint(v, 10)
		}
		field("seeds", strings.Join(s, ", "))
	}
	field("floors on rotation-randomised batches", strconv.FormatBool(r.FloorRotated))
	if sb.Len() > 0 {
		sb.WriteString("\n")
	}
	sb.WriteString("| metric | value | floor | n gen | n ref | batches |\n")
	sb.WriteString("|---|---|---|---|---|---|\n")
	for _, e := range r.Entries {
		floor := "–"
		if e.Floor != nil {
			floor = fmtStat(*e.Floor)
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %d | %d | %d |\n", e.Metric, fmtStat(e.Value), floor, e.NGen, e.NRef, e.Value.Batches)
	}
	return sb.String()
}

func fmtStat(s Stat) string {
	if s.Batches <= 1 {
		return fmtNum(s.Mean)
	}
	return fmtNum(s.Mean) + " ± " + fmtNum(s.SD)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
