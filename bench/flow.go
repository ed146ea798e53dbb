package bench

import (
	"fmt"
	"testing"

	"github.com/idem-project/idem/egnn"
	"github.com/idem-project/idem/engine"
)

// FlowCases returns group "Flow": one field evaluation of the CNF's
// log-density ODE (engine/cnf) for DW-4 and LJ-13 at 500 rows, 2 workers:
// the exact trace (d forward-mode tangents sharing one primal pass) against
// a one-probe Hutchinson estimate (one Jacobian-vector product). An NLL
// costs (ODE evaluations) × (rows / 500) × this.
func FlowCases() []Case {
	var cs []Case
	for _, tg := range egnnTargets[:2] {
		for _, trace := range []string{"exact", "hutchinson-1"} {
			cs = append(cs, Case{"Flow", fmt.Sprintf("trace=%s/target=%s/B=500/workers=2", trace, tg.name), flowRun(tg, trace == "exact")})
		}
	}
	return cs
}

func flowRun(tg egnnTarget, exact bool) func(b *testing.B) {
	return func(b *testing.B) {
		const B = 500
		ws, _, x, t := egnnSetup(b, tg, B, 2, egnn.Float32, nil)
		d := tg.cfg.Dim()
		out, jv, div := make([]float64, B*d), make([]float64, B*d), make([]float64, B)
		v := make([]float64, B*d)
		s := engine.NewStream(3)
		for i := range v {
			v[i] = s.Norm()
		}
		for b.Loop() {
			var err error
			if exact {
				err = ws.Divergence(out, div, x, t, B)
			} else {
				err = ws.JVP(out, jv, x, t, v, B)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(B)/(b.Elapsed().Seconds()/float64(b.N)), "rows/s")
	}
}
