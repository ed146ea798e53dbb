package bench

import "strings"

// All returns every benchmark case, grouped in a stable order: kernels,
// estimator, networks.
func All() []Case {
	var out []Case
	out = append(out, PairLJCases()...)
	out = append(out, PairDWCases()...)
	out = append(out, MCScoreCases()...)
	out = append(out, MCScoreImplCases()...)
	out = append(out, MLPCases()...)
	out = append(out, SgemmCases()...)
	out = append(out, EGNNCases()...)
	out = append(out, EGNNImplCases()...)
	out = append(out, TrainCases()...)
	out = append(out, FlowCases()...)
	return out
}

// Select returns the cases whose "Group/Name" contains every
// comma-separated word of filter (all cases for an empty filter) and whose
// group is in groups (all groups for an empty list).
func Select(cases []Case, groups []string, filter string) []Case {
	var out []Case
	for _, c := range cases {
		if len(groups) > 0 && !contains(groups, c.Group) {
			continue
		}
		full := c.Group + "/" + c.Name
		ok := true
		for _, w := range strings.Split(filter, ",") {
			if w = strings.TrimSpace(w); w != "" && !strings.Contains(full, w) {
				ok = false
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
