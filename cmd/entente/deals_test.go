package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDealsUkraine runs entente deals on the ukraine-2025 example and
// checks the result the example's README explains: no feasible package,
// five minimal conflicts, eight relaxations, the largest opening 17,280.
// The text and JSON outputs are golden files; regenerate them with
// go test ./cmd/entente -run TestDealsUkraine -update
func TestDealsUkraine(t *testing.T) {
	file := filepath.Join("..", "..", "examples", "ukraine-2025", "settlement.yaml")
	for _, form := range []string{"txt", "json"} {
		args := []string{"deals", file}
		if form == "json" {
			args = append(args, "--json")
		}
		out, errb, code := run(t, args...)
		if code != 0 {
			t.Fatalf("entente %s: exit %d\n%s", strings.Join(args, " "), code, errb)
		}
		golden := filepath.Join("testdata", "golden", "deals-ukraine-2025."+form)
		if *update {
			if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if want, err := os.ReadFile(golden); err != nil || string(want) != out {
			t.Errorf("entente %s differs from %s (go test ./cmd/entente -run TestDealsUkraine -update after checking the change)\ngot:\n%s", strings.Join(args, " "), golden, out)
		}
		if form != "json" {
			continue
		}
		var j dealsJSON
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatal(err)
		}
		if j.Packages != "41803776" || j.Feasible == nil || *j.Feasible != "0" || !j.Complete {
			t.Errorf("packages %s feasible %v complete %v, want 41803776, 0, true", j.Packages, j.Feasible, j.Complete)
		}
		if j.ConflictCount != 5 || len(j.Conflicts) != 5 || j.RelaxationCount != 8 {
			t.Errorf("%d conflicts, %d relaxations; want 5 and 8", j.ConflictCount, j.RelaxationCount)
		}
		if j.Nash != nil || j.Kalai != nil || j.Utilitarian != nil {
			t.Errorf("bargaining solutions in an infeasible space")
		}
		if top := j.Relaxations[0]; top.Opens != "17280" || top.Size != 5 {
			t.Errorf("largest relaxation %+v, want 17280 packages from 5 red lines", top)
		}
	}
}

// TestDealsJSONKeys checks DESIGN.md's keys on a feasible settlement.
func TestDealsJSONKeys(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	os.WriteFile(file, []byte(feasibleSrc), 0o644)
	out, errb, code := run(t, "deals", file, "--json", "--svg", filepath.Join(dir, "f.svg"), "--axes", "A,B")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"packages", "feasible", "pareto", "nash", "kalai", "utilitarian", "conflicts", "relaxations"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no key %q", k)
		}
	}
	nash := raw["nash"].(map[string]any)
	for _, k := range []string{"package", "utility", "product"} {
		if _, ok := nash[k]; !ok {
			t.Errorf("nash lacks %q: %v", k, nash)
		}
	}
	p := raw["pareto"].([]any)[0].(map[string]any)
	if _, ok := p["package"].(map[string]any)["x"]; !ok {
		t.Errorf("pareto package lacks issue x: %v", p)
	}
	if _, ok := p["utility"].(map[string]any)["A"]; !ok {
		t.Errorf("pareto utility lacks party A: %v", p)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "f.svg"))
	if err != nil || !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), "utility of A") {
		t.Errorf("no SVG chart: %v", err)
	}
}

const feasibleSrc = `entente: 1
id: t
parties:
  - {id: A, name: A, roles: [belligerent]}
  - {id: B, name: B, roles: [belligerent]}
issues:
  - {id: x, options: [a, b, c]}
  - {id: n, range: {min: 0, max: 10, step: 5}}
positions:
  - party: A
    red_lines: [{id: not-c, rule: 'x != "c"'}]
    utility: {weights: {x: 1, n: 1}, values: {x: {a: 1, b: 0.5}, n: {0: 0, 10: 1}}}
    reservation: 0.2
  - party: B
    utility: {weights: {x: 1, n: 1}, values: {x: {b: 1, c: 1}, n: {0: 1, 10: 0}}}
    reservation: 0.2
`

func TestDealsBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var huge strings.Builder
	huge.WriteString("entente: 1\nid: huge\nparties: [{id: A, name: A, roles: [belligerent]}]\nissues:\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&huge, "  - {id: i%d, options: [a, b, c, d, e, f, g, h, i, j]}\n", i)
	}
	huge.WriteString("positions:\n  - party: A\n    red_lines: [{id: r, rule: 'i0 != \"a\" || i1 != \"b\"'}]\n")
	tests := []struct {
		name string
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{"no file", []string{"deals"}, 2, "name one settlement file"},
		{"two files", []string{"deals", "a", "b"}, 2, "name one settlement file"},
		{"missing", []string{"deals", filepath.Join(dir, "missing.yaml")}, 2, "cannot read settlement"},
		{"malformed", []string{"deals", write("m.yaml", "entente: 1\nid: [\n")}, 2, "malformed"},
		{"unsupported rule", []string{"deals", write("u.yaml", strings.Replace(feasibleSrc, `x != "c"`, `n <= 5.5`, 1))}, 2, "rule-unsupported"},
		{"contradicting constraints", []string{"deals", write("c.yaml", feasibleSrc+"constraints:\n  - {id: c1, rule: 'x == \"a\"'}\n  - {id: c2, rule: 'x == \"b\" || n > 0'}\n  - {id: c3, rule: 'n == 0'}\n")}, 2, "constraints-unsatisfiable"},
		{"no positions", []string{"deals", write("p.yaml", "entente: 1\nid: p\nissues: [{id: x, options: [a, b]}]\n")}, 2, "no positions"},
		{"10^100 packages", []string{"deals", write("h.yaml", huge.String()), "--json"}, 0, `"packages": "1` + strings.Repeat("0", 100) + `"`},
		{"bad axes", []string{"deals", write("f.yaml", feasibleSrc), "--svg", filepath.Join(dir, "x.svg"), "--axes", "A"}, 2, "two party ids"},
		{"unknown axis", []string{"deals", write("f2.yaml", feasibleSrc), "--svg", filepath.Join(dir, "x.svg"), "--axes", "A,Z"}, 2, "name two different parties"},
		{"negative limit", []string{"deals", write("f3.yaml", feasibleSrc), "--limit", "-1"}, 2, "--limit"},
		{"timeout", []string{"deals", write("h2.yaml", huge.String()), "--timeout", "1ns"}, 1, "cut short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errb, code := run(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errb, tt.out) {
				t.Errorf("entente %s: exit %d, want %d; output should contain %q:\n%s%s", strings.Join(tt.args, " "), code, tt.code, tt.out, out, errb)
			}
		})
	}
}
