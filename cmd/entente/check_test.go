package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entente-org/entente/check"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// run runs the CLI in-process and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, &out, &errb)
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// compareGolden compares out, the output of `entente args…`, with the golden
// file testdata/golden/name, or rewrites the file under -update. test names
// the test to re-run in the failure message.
func compareGolden(t *testing.T, name, test string, args []string, out string) {
	t.Helper()
	golden := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/entente -run %s -update)", err, test)
	}
	if out != string(want) {
		t.Errorf("entente %s differs from %s (run go test ./cmd/entente -run %s -update after checking the change)\ngot:\n%s", strings.Join(args, " "), golden, test, out)
	}
}

// TestCheckExamplesGolden compares `entente check` on each example, as text
// and as JSON, with testdata/golden. Regenerate with
// go test ./cmd/entente -run TestCheckExamplesGolden -update
func TestCheckExamplesGolden(t *testing.T) {
	wantCode := map[string]int{"budapest-1994": 0, "istanbul-2022": 1, "minsk-2015": 0, "ukraine-2025": 0}
	for name, code := range wantCode {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("..", "..", "examples", name, "settlement.yaml")
			for _, form := range []string{"txt", "json"} {
				args := []string{"check", file}
				if form == "json" {
					args = append(args, "--json")
				}
				out, errb, got := run(t, args...)
				if got != code {
					t.Errorf("entente %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, out, errb)
				}
				compareGolden(t, "check-"+name+"."+form, "TestCheckExamplesGolden", args, out)
			}
		})
	}
}

// TestCheckFindingsOfExamples asserts the findings each example exists to
// show, independent of the golden files.
func TestCheckFindingsOfExamples(t *testing.T) {
	tests := []struct {
		name string
		want []string // codes that must be found
		not  []string // codes that must not
	}{
		{"istanbul-2022", []string{"deterred-veto"}, nil},
		{"budapest-1994", []string{"guarantee-no-trigger", "guarantee-no-decision", "no-binding-obligation"}, []string{"deterred-veto"}},
		// The August 2025 "Article 5-like" guarantee as stated: no decision
		// rule, no observable trigger, no deadlines, an unverified force.
		{"ukraine-2025", []string{"guarantee-no-decision", "trigger-not-observable", "obligation-no-deadline", "force-no-verification", "declared-ambiguity"}, []string{"deterred-veto", "missing-source", "source-incomplete"}},
		{"minsk-2015", nil, []string{"missing-source", "source-incomplete"}},
	}
	for _, tt := range tests {
		out, _, _ := run(t, "check", "--json", filepath.Join("..", "..", "examples", tt.name, "settlement.yaml"))
		var res check.Report
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		codes := map[string]bool{}
		for _, f := range res.Findings {
			codes[f.Code] = true
			if f.File == "" || f.Line == 0 || f.Column == 0 {
				t.Errorf("%s: finding %s without a full position: %+v", tt.name, f.Code, f)
			}
		}
		for _, c := range tt.want {
			if !codes[c] {
				t.Errorf("check %s: no %s finding", tt.name, c)
			}
		}
		for _, c := range tt.not {
			if codes[c] {
				t.Errorf("check %s: unexpected %s finding", tt.name, c)
			}
		}
	}
}

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	clean := write("clean.yaml", "entente: 1\nid: c\nissues: [{id: a, options: [x, y]}]\n")
	warn := write("warn.yaml", "entente: 1\nid: w\nsources: [{id: s, title: t}]\nissues: [{id: a, options: [x]}]\n")
	bad := write("bad.yaml", "entente: 1\nid: b\nissues: [{id: a, options: [x]}]\nconstraints: [{id: c, rule: 'a == \"z\"'}]\n")
	malformed := write("malformed.yaml", "entente: 1\nid: [\n")
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"check", clean}, 0, "0 errors, 0 warnings"},
		{[]string{"check", warn}, 0, "source-incomplete"},
		{[]string{"check", warn, "--strict"}, 1, "source-incomplete"},
		{[]string{"check", "--strict", warn}, 1, "source-incomplete"},
		{[]string{"check", bad}, 1, "bad.yaml:4:35: error[rule-enum-literal]"},
		{[]string{"check", malformed}, 2, "malformed.yaml:3"},
		{[]string{"check", malformed, "--json"}, 2, `"code": "malformed"`},
		{[]string{"check", filepath.Join(dir, "missing.yaml")}, 2, "cannot read settlement"},
		{[]string{"check"}, 2, ""},
		{[]string{"check", "--nope", clean}, 2, ""},
		{[]string{"frobnicate"}, 2, ""},
		{[]string{"version"}, 0, "entente"},
	}
	for _, tt := range tests {
		out, _, code := run(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) {
			t.Errorf("entente %s: exit %d, want %d; output %q should contain %q", strings.Join(tt.args, " "), code, tt.code, out, tt.out)
		}
	}
	// --json gives the keys of DESIGN.md.
	out, _, _ := run(t, "check", bad, "--json")
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["ok"] != false {
		t.Errorf("ok = %v, want false", raw["ok"])
	}
	f := raw["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"severity", "code", "message", "file", "line", "column"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks key %q: %v", k, f)
		}
	}
	if f["line"].(float64) != 4 || f["column"].(float64) != 35 {
		t.Errorf("finding at %v:%v, want 4:35", f["line"], f["column"])
	}
}
