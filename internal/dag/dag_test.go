package dag

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/idem-project/idem"

// allowed lists, per package (a trailing "/..." covers sub-packages), the
// module packages it may import. Anything unlisted may import nothing from
// the module.
var allowed = map[string][]string{
	"asm":               {},
	"asm/asmtest":       {"asm"},
	"engine":            {"asm"},
	"engine/atomicfile": {},
	"engine/npy":        {"engine/atomicfile"},
	"engine/sealed":     {"engine/atomicfile"},
	"engine/param":      {"engine/atomicfile"},
	"engine/optim":      {"asm"},
	"engine/figure":     {"engine/atomicfile"},
	"engine/metrics":    {"engine", "asm"},
	"engine/enginetest": {"engine", "asm"},
	"engine/gmm":        {"engine", "asm"},
	"engine/mcscore":    {"engine", "asm"},
	"engine/mcmc":       {"engine", "asm", "engine/metrics", "engine/npy"},
	"sde":               {"engine", "asm"},
	"engine/ode":        {"engine", "asm"},
	"engine/weights":    {"engine", "asm"},
	"engine/preset":     {"engine", "asm", "egnn", "engine/gmm", "engine/mcscore", "lj", "mlp", "sde", "engine/param", "engine/npy"},
	"engine/cnf":        {"engine", "asm", "engine/atomicfile", "engine/sealed", "engine/ode", "engine/optim", "engine/param", "egnn", "mlp"},
	"engine/train":      {"engine", "asm", "engine/atomicfile", "engine/sealed", "egnn", "engine/gmm", "engine/mcscore", "engine/metrics", "engine/optim", "engine/param", "engine/preset", "lj", "mlp", "sde", "engine/npy"},
	"lj":                {"engine", "asm", "engine/npy"},
	"mlp":               {"engine", "asm", "engine/param"},
	"egnn":              {"engine", "asm", "engine/param"},
	"bench":             {"asm", "engine", "engine/atomicfile", "engine/metrics", "engine/gmm", "engine/mcscore", "engine/optim", "engine/param", "engine/preset", "engine/train", "lj", "mlp", "egnn", "sde"},
	"cmd/idem-bench":    {"asm", "bench"},
	"cmd/idem":          {"asm", "engine", "engine/...", "lj", "sde", "mlp", "egnn"},
	"internal/dag":      {},
	"internal/fault":    {},
}

func permitted(pkg, imp string) bool {
	for _, a := range allowed[pkg] {
		if a == imp || (strings.HasSuffix(a, "/...") && strings.HasPrefix(imp, strings.TrimSuffix(a, "..."))) {
			return true
		}
	}
	return false
}

func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		if _, ok := allowed[pkg]; !ok {
			t.Errorf("package %s is not in the allow-list; add it with its permitted imports", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			rel := strings.TrimPrefix(imp, module+"/")
			if !permitted(pkg, rel) {
				t.Errorf("%s imports %s, which the layout forbids", pkg, rel)
			}
		}
	}
}

// TestEveryPackageHasDoc checks that each package has a doc.go.
func TestEveryPackageHasDoc(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}} {{join .GoFiles \" \"}}", module+"/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if strings.Contains(fields[0], "/cmd/") {
			continue // commands document themselves in main.go
		}
		has := false
		for _, f := range fields[1:] {
			has = has || f == "doc.go"
		}
		if !has {
			t.Errorf("%s has no doc.go", path.Base(fields[0]))
		}
	}
}
