package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entente-org/entente/dealspace"
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
		compareGolden(t, "deals-ukraine-2025."+form, "TestDealsUkraine", args, out)
		if form != "json" {
			continue
		}
		var j dealspace.Deals
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
		// Nothing feasible: the frontier is known to be empty.
		if j.ParetoPackages == nil || *j.ParetoPackages != "0" || j.ParetoPoints == nil || *j.ParetoPoints != 0 || len(j.Pareto) != 0 || !j.ParetoComplete {
			t.Errorf("pareto_packages %v, pareto_points %v, %d listed, pareto_complete %v; want \"0\", 0, 0, true",
				j.ParetoPackages, j.ParetoPoints, len(j.Pareto), j.ParetoComplete)
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
	for _, k := range []string{"pareto_packages", "pareto_points", "pareto_complete"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no key %q", k)
		}
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
		{"10^100 packages", []string{"deals", write("h.yaml", huge.String()), "--json", "--limit", "20"}, 0, `"packages": "1` + strings.Repeat("0", 100) + `"`},
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

// paretoSrc has a frontier of 21 packages on 3 utility vectors, worked
// out by hand: x decides the utilities (a: A 1, B 0; b: A 0, B 1; c: 0.2
// each; d: 0.1 each, which c dominates), y and n are valued by nobody,
// and A's red line keeps y off "p" unless x is "b". So x=a gives 2·3
// packages, x=b 3·3, x=c 2·3, and the 6 with x=d are dominated.
const paretoSrc = `entente: 1
id: pareto
parties:
  - {id: A, name: A, roles: [belligerent]}
  - {id: B, name: B, roles: [belligerent]}
issues:
  - {id: x, options: [a, b, c, d]}
  - {id: y, options: [p, q, r]}
  - {id: n, range: {min: 0, max: 2, step: 1}}
positions:
  - party: A
    red_lines: [{id: not-p, rule: 'y != "p" || x == "b"'}]
    utility: {weights: {x: 1}, values: {x: {a: 1, c: 0.2, d: 0.1}}}
    reservation: 0
  - party: B
    utility: {weights: {x: 1}, values: {x: {b: 1, c: 0.2, d: 0.1}}}
    reservation: 0
`

// TestDealsParetoPackages checks that pareto lists Pareto-optimal
// packages, one entry each, against the frontier worked out by hand in
// paretoSrc; that --limit cuts the list but not the counts; and that
// --limit 0 on a frontier larger than maxParetoList lists that many, says
// so and exits 1.
func TestDealsParetoPackages(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pareto.yaml")
	if err := os.WriteFile(file, []byte(paretoSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	// The frontier by hand: package -> vector index (by total utility,
	// then A's utility) and how many packages give the vector.
	type vec struct {
		point int
		n     string
		a, b  float64
	}
	want := map[string]vec{}
	for x, v := range map[string]vec{"a": {0, "6", 1, 0}, "b": {1, "9", 0, 1}, "c": {2, "6", 0.2, 0.2}} {
		for _, y := range []string{"p", "q", "r"} {
			if y == "p" && x != "b" {
				continue
			}
			for n := 0; n <= 2; n++ {
				want[fmt.Sprintf("x=%s y=%s n=%d", x, y, n)] = v
			}
		}
	}
	deals := func(t *testing.T, args ...string) (dealspace.Deals, string, int) {
		t.Helper()
		out, errb, code := run(t, append([]string{"deals", file, "--json"}, args...)...)
		var j dealspace.Deals
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatalf("entente deals %s: %v\n%s%s", strings.Join(args, " "), err, out, errb)
		}
		if j.ParetoPackages == nil || *j.ParetoPackages != "21" || j.ParetoPoints == nil || *j.ParetoPoints != 3 {
			t.Errorf("pareto_packages %v, pareto_points %v; want 21 and 3 whatever the limit", j.ParetoPackages, j.ParetoPoints)
		}
		return j, errb, code
	}
	key := func(p map[string]any) string {
		return fmt.Sprintf("x=%v y=%v n=%v", p["x"], p["y"], p["n"])
	}
	t.Run("all", func(t *testing.T) {
		j, errb, code := deals(t, "--limit", "0")
		if code != 0 || !j.ParetoComplete {
			t.Errorf("exit %d, pareto_complete %v; want 0, true\n%s", code, j.ParetoComplete, errb)
		}
		seen := map[string]bool{}
		for i, e := range j.Pareto {
			k := key(e.Package)
			w, ok := want[k]
			switch {
			case seen[k]:
				t.Errorf("pareto lists %s twice", k)
			case !ok:
				t.Errorf("pareto lists %s, which is not Pareto-optimal", k)
			case e.Point != w.point || e.Packages != w.n || e.Utility["A"] != w.a || e.Utility["B"] != w.b:
				t.Errorf("pareto entry %s: point %d, packages %s, utility %v; want %d, %s, A %g B %g", k, e.Point, e.Packages, e.Utility, w.point, w.n, w.a, w.b)
			}
			if i > 0 && e.Point < j.Pareto[i-1].Point {
				t.Errorf("entry %s (point %d) after point %d", k, e.Point, j.Pareto[i-1].Point)
			}
			seen[k] = true
		}
		if len(seen) != len(want) || len(j.Pareto) != len(want) {
			t.Errorf("pareto lists %d entries (%d distinct), want the %d Pareto-optimal packages", len(j.Pareto), len(seen), len(want))
		}
	})
	t.Run("limit", func(t *testing.T) {
		j, _, code := deals(t, "--limit", "4")
		if code != 0 || len(j.Pareto) != 4 || j.ParetoComplete {
			t.Errorf("--limit 4: exit %d, %d entries, pareto_complete %v; want 0, 4, false", code, len(j.Pareto), j.ParetoComplete)
		}
		for _, e := range j.Pareto {
			if w, ok := want[key(e.Package)]; !ok || w.point != 0 {
				t.Errorf("--limit 4 lists %s, want the first vector's packages", key(e.Package))
			}
		}
	})
	t.Run("cap", func(t *testing.T) {
		defer func(n int) { maxParetoList = n }(maxParetoList)
		maxParetoList = 5
		j, errb, code := deals(t, "--limit", "0")
		if code != 1 || len(j.Pareto) != 5 || j.ParetoComplete || !strings.Contains(errb, "listed the first 5") {
			t.Errorf("--limit 0 over the cap: exit %d, %d entries, pareto_complete %v, stderr %q; want 1, 5, false, a note", code, len(j.Pareto), j.ParetoComplete, errb)
		}
		_, errb, code = run(t, "deals", file, "--limit", "6")
		if code != 2 || !strings.Contains(errb, "between 0 and 5") {
			t.Errorf("--limit over the cap: exit %d, stderr %q; want 2 and the range", code, errb)
		}
	})
	t.Run("text", func(t *testing.T) {
		out, errb, code := run(t, "deals", file, "--limit", "0")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb)
		}
		if !strings.Contains(out, "Pareto frontier: 21 Pareto-optimal packages on 3 utility vectors") {
			t.Errorf("no frontier header:\n%s", out)
		}
		rows := 0
		for k := range want {
			if strings.Contains(out, k+"\n") {
				rows++
			}
		}
		if rows != len(want) || strings.Contains(out, "x=d y=q") {
			t.Errorf("text lists %d of the %d frontier packages (or a dominated one):\n%s", rows, len(want), out)
		}
	})
}

// TestDealsUnsatisfiableRedLine checks that a red line no package
// satisfies on its own is analysed rather than refused: exit 0, nothing
// feasible, the red line a conflict of one and dropping it a relaxation,
// while check still reports red-line-unsatisfiable.
func TestDealsUnsatisfiableRedLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.yaml")
	src := strings.Replace(feasibleSrc, `x != "c"`, `x == "a" && x == "b"`, 1)
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errb, code := run(t, "deals", file, "--json")
	if code != 0 {
		t.Fatalf("entente deals %s --json: exit %d, want 0\n%s", file, code, errb)
	}
	if !strings.Contains(errb, "note[red-line-unsatisfiable]") {
		t.Errorf("stderr %q: no note of the unsatisfiable red line", errb)
	}
	var j dealspace.Deals
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	one := func(ls []dealspace.RedLineRef) bool {
		return len(ls) == 1 && ls[0].Party == "A" && ls[0].RedLine == "not-c"
	}
	if j.Feasible == nil || *j.Feasible != "0" || !j.Complete {
		t.Errorf("feasible %v, complete %v; want \"0\", true", j.Feasible, j.Complete)
	}
	if len(j.Conflicts) != 1 || !one(j.Conflicts[0]) {
		t.Errorf("conflicts %+v, want [[A/not-c]]", j.Conflicts)
	}
	if len(j.Relaxations) != 1 || !one(j.Relaxations[0].Drop) || j.Relaxations[0].Opens != "9" {
		t.Errorf("relaxations %+v, want dropping A/not-c to open 9", j.Relaxations)
	}
	if cout, cerr, code := run(t, "check", file); code != 1 || !strings.Contains(cout+cerr, "red-line-unsatisfiable") {
		t.Errorf("entente check: exit %d, want 1 and red-line-unsatisfiable", code)
	}
}

// TestDealsFrontierNotCounted checks the frontier listed lazily, as
// entente deals does when the whole frontier would take more than
// frontierWork (lowered here so that paretoSrc's does): the counts are
// null unless the listing reaches the end or --count-frontier counts
// them, and the packages listed are the same.
func TestDealsFrontierNotCounted(t *testing.T) {
	defer func(n int) { frontierWork = n }(frontierWork)
	frontierWork = 1
	file := filepath.Join(t.TempDir(), "pareto.yaml")
	if err := os.WriteFile(file, []byte(paretoSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		points   string // pareto_points and pareto_packages as JSON
		packages string
		listed   int
		complete bool
		first    string // the first package's point and count
	}{
		{"limit 4", []string{"--limit", "4"}, "null", "null", 4, false, "0/6"},
		{"limit 20", []string{"--limit", "20"}, "null", "null", 20, false, "0/6"},
		{"json lists all by default", nil, "3", `"21"`, 21, true, "0/6"},
		{"limit past the end", []string{"--limit", "30"}, "3", `"21"`, 21, true, "0/6"},
		{"count", []string{"--limit", "4", "--count-frontier"}, "3", `"21"`, 4, false, "0/6"},
		{"all", []string{"--limit", "0"}, "3", `"21"`, 21, true, "0/6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"deals", file, "--json"}, tt.args...)
			out, errb, code := run(t, args...)
			if code != 0 {
				t.Fatalf("entente %s: exit %d\n%s", strings.Join(args, " "), code, errb)
			}
			var raw map[string]json.RawMessage
			var j dealspace.Deals
			if err := json.Unmarshal([]byte(out), &raw); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(out), &j); err != nil {
				t.Fatal(err)
			}
			if string(raw["pareto_points"]) != tt.points || string(raw["pareto_packages"]) != tt.packages {
				t.Errorf("entente %s: pareto_points %s, pareto_packages %s; want %s, %s", strings.Join(args, " "), raw["pareto_points"], raw["pareto_packages"], tt.points, tt.packages)
			}
			if len(j.Pareto) != tt.listed || j.ParetoComplete != tt.complete {
				t.Errorf("entente %s: %d listed, pareto_complete %v; want %d, %v", strings.Join(args, " "), len(j.Pareto), j.ParetoComplete, tt.listed, tt.complete)
			}
			if got := fmt.Sprintf("%d/%s", j.Pareto[0].Point, j.Pareto[0].Packages); got != tt.first {
				t.Errorf("entente %s: first package of point/count %s, want %s", strings.Join(args, " "), got, tt.first)
			}
			for i, e := range j.Pareto[1:] {
				if e.Point < j.Pareto[i].Point {
					t.Errorf("entry of point %d after point %d", e.Point, j.Pareto[i].Point)
				}
			}
		})
	}
	out, _, code := run(t, "deals", file)
	if code != 0 || !strings.Contains(out, "Pareto frontier (not counted: --count-frontier counts it), by total utility (first 20 shown)") {
		t.Errorf("entente deals: exit %d, no uncounted frontier header:\n%s", code, out)
	}
}
