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
	// Overflow, when set, says why a figure of the entry is not finite;
	// JSON and Markdown print such figures as "overflow".
	Overflow string `json:"overflow,omitempty"`
}

// Overflow is how reports print a figure that is not finite.
const Overflow = "overflow"

// MarshalJSON writes a non-finite mean or sd as the string "overflow",
// which JSON can hold, instead of failing.
func (s Stat) MarshalJSON() ([]byte, error) {
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.Quote(Overflow)
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	return []byte(fmt.Sprintf(`{"mean":%s,"sd":%s,"batches":%d}`, num(s.Mean), num(s.SD), s.Batches)), nil
}

// overflowReason explains the non-finite figures of e, or returns "".
func overflowReason(e Entry) string {
	var bad []string
	check := func(what string, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			bad = append(bad, fmt.Sprintf("%s is %v", what, x))
		}
	}
	check("value mean", e.Value.Mean)
	check("value sd", e.Value.SD)
	if e.Floor != nil {
		check("floor mean", e.Floor.Mean)
		check("floor sd", e.Floor.SD)
	}
	if len(bad) == 0 {
		return ""
	}
	return strings.Join(bad, ", ") + ": the metric exceeds the float64 range (finite but huge coordinates or energies?)"
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
		e.Overflow = overflowReason(e)
		r.Entries = append(r.Entries, e)
	}
	return nil
}

// JSON returns the report as indented JSON. Figures that are not finite,
// which JSON cannot represent as numbers, are written as "overflow" and the
// entry's "overflow" field gives the reason.
func (r *Report) JSON() ([]byte, error) {
	c := *r
	c.Entries = make([]Entry, len(r.Entries))
	for i, e := range r.Entries {
		if e.Overflow == "" {
			e.Overflow = overflowReason(e)
		}
		c.Entries[i] = e
	}
	return json.MarshalIndent(&c, "", "  ")
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
	for _, e := range r.Entries {
		if why := cmpOr(e.Overflow, overflowReason(e)); why != "" {
			fmt.Fprintf(&sb, "\n%s: %s: %s\n", e.Metric, Overflow, why)
		}
	}
	return sb.String()
}

func fmtStat(s Stat) string {
	if s.Batches <= 1 {
		return fmtNum(s.Mean)
	}
	return fmtNum(s.Mean) + " ± " + fmtNum(s.SD)
}

func fmtNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Overflow
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// UnmarshalJSON reads what MarshalJSON writes; "overflow" becomes +Inf.
func (s *Stat) UnmarshalJSON(b []byte) error {
	var raw struct {
		Mean, SD json.RawMessage
		Batches  int
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	num := func(m json.RawMessage) (float64, error) {
		if string(m) == strconv.Quote(Overflow) {
			return math.Inf(1), nil
		}
		var x float64
		if len(m) == 0 {
			return 0, nil
		}
		return x, json.Unmarshal(m, &x)
	}
	var err error
	if s.Mean, err = num(raw.Mean); err != nil {
		return err
	}
	if s.SD, err = num(raw.SD); err != nil {
		return err
	}
	s.Batches = raw.Batches
	return nil
}
