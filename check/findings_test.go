package check_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/entente-org/entente/check"
	"github.com/entente-org/entente/settlement"
	"golang.org/x/tools/txtar"
)

// TestFindings runs every testdata/findings/CODE.txtar archive. Each holds
// trigger.yaml, which must produce finding CODE at each position listed in
// the archive's "want" file (one "file:line:col" per line), and clean.yaml,
// a corrected version that must not produce CODE. Other files in the
// archive (includes, zones) are written beside them.
func TestFindings(t *testing.T) {
	archives, err := filepath.Glob("testdata/findings/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no finding archives: %v", err)
	}
	for _, path := range archives {
		code := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(code, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var want []string
			for _, f := range ar.Files {
				if f.Name == "want" {
					for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
						if l = strings.TrimSpace(l); l != "" {
							want = append(want, l)
						}
					}
					continue
				}
				p := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s: no want file", path)
			}
			got := positionsOf(t, dir, "trigger.yaml", code)
			for _, w := range want {
				if !contains(got, w) {
					t.Errorf("check trigger.yaml: no %s at %s; %s found at %v\nall findings:\n%s", code, w, code, got, allFindings(t, dir, "trigger.yaml"))
				}
			}
			if clean := positionsOf(t, dir, "clean.yaml", code); len(clean) > 0 {
				t.Errorf("check clean.yaml: %s at %v, want none", code, clean)
			}
		})
	}
}

func run(t *testing.T, dir, name string) settlement.Findings {
	t.Helper()
	old, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(old)
	res, err := check.File(name, settlement.DefaultOptions())
	if err != nil {
		if me, ok := err.(*settlement.MalformedError); ok {
			return settlement.Findings{{Severity: settlement.Error, Code: "malformed", Pos: me.Pos, Message: me.Msg}}
		}
		t.Fatalf("check %s: %v", name, err)
	}
	return res.Findings
}

func positionsOf(t *testing.T, dir, name, code string) []string {
	var out []string
	for _, f := range run(t, dir, name) {
		if f.Code == code {
			out = append(out, f.Pos.String())
		}
	}
	return out
}

func allFindings(t *testing.T, dir, name string) string {
	return run(t, dir, name).Error()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// codeRE matches a finding code written where findings are made.
var codeRE = regexp.MustCompile(`(?:Code:\s*|Code\w+\s*=\s*|errorf\([^,]+,\s*|errorAt\([^,]+,\s*|add\([^,]+,\s*|warn\([^,]+,\s*|geoFinding)"([a-z]+(?:-[a-z]+)+)"`)

// TestEveryCodeHasArchive fails when a finding code made anywhere in the
// checkers has no archive that triggers it and shows a clean variant.
func TestEveryCodeHasArchive(t *testing.T) {
	codes := map[string]bool{"zone-file": true, "malformed": true}
	// Codes with a Go test of their own instead of an archive: yaml-alias
	// needs more than a thousand aliases (TestAliasBudget), rule-env
	// reports an environment the validator cannot build, which its own
	// filtering of issues prevents.
	exempt := map[string]bool{"yaml-alias": true, "rule-env": true}
	for _, dir := range []string{"../settlement", "../rules", "."} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range codeRE.FindAllStringSubmatch(string(src), -1) {
				codes[m[1]] = true
			}
		}
	}
	var missing []string
	for c := range codes {
		if exempt[c] {
			continue
		}
		if _, err := os.Stat(filepath.Join("testdata/findings", c+".txtar")); err != nil {
			missing = append(missing, c)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("finding codes without testdata/findings/CODE.txtar: %s", strings.Join(missing, ", "))
	}
}
