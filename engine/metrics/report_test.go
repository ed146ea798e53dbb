package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestReportOverflow(t *testing.T) {
	var r Report
	values := []map[string]float64{{"x_w2": math.Inf(1), "e_w1": 1}, {"x_w2": 2, "e_w1": 3}}
	floors := map[string]Stat{"x_w2": {Mean: 1, SD: 0.1, Batches: 2}}
	if err := r.Add([]string{"x_w2", "e_w1"}, values, floors, 10, 10); err != nil {
		t.Fatal(err)
	}
	if r.Entries[0].Overflow == "" || r.Entries[1].Overflow != "" {
		t.Fatalf("overflow reasons %q, %q", r.Entries[0].Overflow, r.Entries[1].Overflow)
	}
	js, err := r.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("JSON does not parse: %v\n%s", err, js)
	}
	if !math.IsInf(back.Entries[0].Value.Mean, 1) || back.Entries[1].Value.Mean != 2 || back.Entries[0].Floor.Mean != 1 {
		t.Errorf("round trip: %+v", back.Entries)
	}
	if !strings.Contains(string(js), `"mean": "overflow"`) || !strings.Contains(string(js), `"overflow": "value mean is +Inf`) {
		t.Errorf("JSON lacks the overflow marker or reason:\n%s", js)
	}
	md := r.Markdown()
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "|") && (strings.Contains(line, "Inf") || strings.Contains(line, "NaN")) {
			t.Errorf("Markdown table prints a non-finite number: %s", line)
		}
	}
	if !strings.Contains(md, "| x_w2 | overflow ± overflow |") || !strings.Contains(md, "x_w2: overflow: value mean is +Inf") {
		t.Errorf("Markdown lacks the overflow marker or reason:\n%s", md)
	}
}
