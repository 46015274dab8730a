package archtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestStoreDependencies checks the store's place in the layers: engines and
// the model never import store (they know nothing of persistence), and
// store and its backends import only the model, rules, monitor and ledger
// among the project's packages (plus internal/), never an engine above them
// or a face. The backends implement ledger.Storage, so they import ledger
// (as Tessera's backends import its core), never the reverse.
func TestStoreDependencies(t *testing.T) {
	engines := []string{"settlement", "rules", "check", "guarantee", "dealspace", "monitor", "ledger"}
	for _, pkg := range engines {
		if _, err := os.Stat("../../" + pkg); err != nil {
			continue // not built yet on this branch
		}
		for _, dep := range deps(t, mod+pkg+"/...") {
			if dep == mod+"store" || strings.HasPrefix(dep, mod+"store/") {
				t.Errorf("%s depends on %s: engines know nothing of the store", pkg, dep)
			}
		}
	}
	allowed := []string{"store", "settlement", "rules", "monitor", "ledger", "internal"}
	for _, dep := range deps(t, mod+"store/...") {
		if !strings.HasPrefix(dep, mod) {
			continue
		}
		rel := strings.TrimPrefix(dep, mod)
		ok := false
		for _, a := range allowed {
			if rel == a || strings.HasPrefix(rel, a+"/") {
				ok = true
			}
		}
		if !ok {
			t.Errorf("store depends on %s; it may import only %v", dep, allowed)
		}
	}
}

func deps(t *testing.T, pattern string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pattern).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pattern, err)
	}
	return strings.Fields(string(out))
}
