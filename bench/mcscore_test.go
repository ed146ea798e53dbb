package bench

import (
	"strings"
	"testing"

	"github.com/idem-project/idem/asm"
	"github.com/idem-project/idem/lj"
)

// TestTargetWithImpl: every estimator target can be built with a pinned
// implementation (preset.NewTargetImpl), the same target as the default,
// and MCScoreImpl has a case per target, worker count and native
// implementation, named impl=… so that idem-bench -impl selects them.
func TestTargetWithImpl(t *testing.T) {
	ims := asm.Impls()
	im := ims[len(ims)-1]
	for _, st := range ScoreTargets() {
		want, err := st.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.New(im)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name() != want.Name() || got.Dim() != want.Dim() {
			t.Fatalf("%s: pinned target %s (dim %d), preset's %s (dim %d)", st.Name, got.Name(), got.Dim(), want.Name(), want.Dim())
		}
		if p, ok := got.(*lj.Potential); ok && p.Impl() != im {
			t.Fatalf("%s: implementation %s, want %s", st.Name, p.Impl(), im)
		}
	}
	cases := MCScoreImplCases()
	if want := len(ScoreTargets()) * 2 * (len(ims) - 1); len(cases) != want {
		t.Fatalf("%d MCScoreImpl cases, want %d", len(cases), want)
	}
	for _, c := range cases {
		if !strings.HasPrefix(c.Name, "impl=") || strings.HasPrefix(c.Name, "impl=generic/") {
			t.Fatalf("case %s", c.Name)
		}
	}
}
