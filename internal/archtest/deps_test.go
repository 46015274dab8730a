// Package archtest enforces the project's dependency rule: data flows one
// way, settlement → engines → faces.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/entente-org/entente/"

// forbidden maps a package to the project packages it must not depend on,
// directly or not.
var forbidden = map[string][]string{
	"rules":      {"settlement", "check", "guarantee", "dealspace", "monitor", "ledger", "store", "server", "cmd"},
	"settlement": {"check", "guarantee", "dealspace", "monitor", "ledger", "store", "server", "cmd"},
	"guarantee":  {"check", "dealspace", "monitor", "ledger", "store", "server", "cmd"},
	"check":      {"store", "server", "cmd", "ledger"},
	// The .efg reader and writer know nothing of settlements or engines
	// (importing package guarantee would be a cycle).
	"guarantee/efg": {"settlement", "rules", "check", "dealspace", "monitor", "ledger", "store", "server", "cmd"},
	"genius":        {"check", "guarantee", "dealspace", "monitor", "ledger", "store", "server", "cmd"},
	"dealspace":     {"check", "guarantee", "monitor", "ledger", "store", "server", "cmd"},
	"monitor":       {"check", "guarantee", "dealspace", "ledger", "store", "server", "cmd"},
	// The log is an engine of its own: it knows no settlement, no other
	// engine, and nothing of the store that implements its Storage.
	"ledger": {"settlement", "rules", "check", "guarantee", "dealspace", "monitor", "store", "server", "cmd"},
	// The monitoring pipeline wires monitor, store and ledger together for
	// both faces; it knows nothing of the faces or of the other engines.
	"mission": {"check", "guarantee", "dealspace", "server", "cmd"},
	// The server is a face beside the CLI: it may use every engine, the
	// store and the pipeline, never the CLI.
	"server": {"cmd"},
	// The embedded examples and UI assets are data: they import nothing of
	// the project.
	"examples":  {"settlement", "rules", "check", "guarantee", "dealspace", "monitor", "ledger", "store", "mission", "server", "cmd"},
	"server/ui": {"settlement", "rules", "check", "guarantee", "dealspace", "monitor", "ledger", "store", "mission", "cmd"},
}

func TestDependencyRule(t *testing.T) {
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if dep == mod+b || strings.HasPrefix(dep, mod+b+"/") {
					t.Errorf("%s depends on %s: settlement and rules know nothing of engines, engines nothing of store, server or cmd", pkg, dep)
				}
			}
		}
	}
}
