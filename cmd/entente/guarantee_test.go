package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entente-org/entente/guarantee"
	"github.com/entente-org/entente/guarantee/efg"
)

// TestGuaranteeExamplesGolden compares `entente guarantee` on the
// examples with guarantees that can be analysed, as text and as JSON,
// with testdata/golden. Regenerate with
// go test ./cmd/entente -run TestGuaranteeExamplesGolden -update
func TestGuaranteeExamplesGolden(t *testing.T) {
	for _, name := range []string{"istanbul-2022", "ukraine-2025", "budapest-1994", "minsk-2015"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("..", "..", "examples", name, "settlement.yaml")
			for _, form := range []string{"txt", "json"} {
				args := []string{"guarantee", file}
				if form == "json" {
					args = append(args, "--json")
				}
				out, errb, code := run(t, args...)
				if code != 0 {
					t.Errorf("entente %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errb)
				}
				compareGolden(t, "guarantee-"+name+"."+form, "TestGuaranteeExamplesGolden", args, out)
			}
		})
	}
}

// TestGuaranteeJSONKeys checks DESIGN.md's keys and the results the
// examples exist to show.
func TestGuaranteeJSONKeys(t *testing.T) {
	out, _, code := run(t, "guarantee", "--json", filepath.Join("..", "..", "examples", "istanbul-2022", "settlement.yaml"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var raw struct {
		Guarantees []map[string]json.RawMessage `json:"guarantees"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, g := range raw.Guarantees {
		for _, k := range []string{"id", "veto_players", "deterred_veto", "minimal_winning_coalitions", "swings", "banzhaf", "shapley_shubik", "exact", "credibility"} {
			if _, ok := g[k]; !ok {
				t.Errorf("guarantee lacks key %q", k)
			}
		}
		var exact struct {
			Banzhaf, ShapleyShubik map[string]string
		}
		var ex map[string]json.RawMessage
		if err := json.Unmarshal(g["exact"], &ex); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ex["banzhaf"], &exact.Banzhaf); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ex["shapley_shubik"], &exact.ShapleyShubik); err != nil {
			t.Fatal(err)
		}
		if exact.Banzhaf["RU"] != "1/7" || exact.ShapleyShubik["RU"] != "1/7" {
			t.Errorf("exact RU = %v %v, want 1/7 (seven symmetric voters)", exact.Banzhaf["RU"], exact.ShapleyShubik["RU"])
		}
		var c map[string]any
		if err := json.Unmarshal(g["credibility"], &c); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"attack", "activated", "responders", "credible", "deters"} {
			if _, ok := c[k]; !ok {
				t.Errorf("credibility lacks %q", k)
			}
		}
		if c["credible"] != c["activated"] {
			t.Errorf("credible %v != activated %v", c["credible"], c["activated"])
		}
	}
	var res guarantee.Results
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	byID := map[string]guarantee.Result{}
	for _, g := range res.Guarantees {
		byID[g.ID] = g
	}
	// The communiqué deters (the UK alone responds under `any`); the April
	// draft hands Russia a veto and deters nothing.
	if c := byID["communique"].Credibility; c == nil || !c.Credible || !c.Deters || strings.Join(c.Responders, " ") != "GB" {
		t.Errorf("communique credibility = %+v, want credible, deters, responders GB", c)
	}
	d := byID["draft-2022-04-15"]
	if c := d.Credibility; c == nil || c.Credible || c.Deters || len(c.Responders) != 0 {
		t.Errorf("draft credibility = %+v, want not credible, attack, no responder", c)
	}
	if !d.DeterredVeto || !strings.Contains(strings.Join(d.VetoPlayers, " "), "RU") {
		t.Errorf("draft: deterred_veto %v, veto players %v", d.DeterredVeto, d.VetoPlayers)
	}
}

func TestGuaranteeBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "entente: 1\nid: t\nparties:\n  - {id: RU, name: R}\n  - {id: A, name: A}\n  - {id: B, name: B}\nguarantees:\n  - id: g\n    deters: RU\n"
	var many strings.Builder
	many.WriteString("entente: 1\nid: t\nparties:\n  - {id: RU, name: R}\n")
	var members []string
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&many, "  - {id: P%d, name: P%d}\n", i, i)
		members = append(members, fmt.Sprintf("P%d", i))
	}
	fmt.Fprintf(&many, "guarantees:\n  - id: big\n    deters: RU\n    decision: {quota: 6000, weights: {%s}}\n", strings.Join(members, ": 1, ")+": 1")
	tests := []struct {
		name, src string
		code      int
		stderr    string
		stdout    string
	}{
		{"quota above total", head + "    decision: {quota: 5, weights: {A: 1, B: 2}}\n", 2, "quota.yaml:10:23: error[decision-unreachable]: guarantee g: quota 5 is above the total weight 3", ""},
		{"negative weight", head + "    decision: {quota: 1, weights: {A: -1, B: 2}}\n", 2, "error[bad-value]: weight -1 of A", ""},
		{"fractional weight", head + "    decision: {quota: 1, weights: {A: 0.5, B: 2}}\n", 2, "error[bad-value]: weight 0.5 of A", ""},
		{"not a party", head + "    decision: {unanimity: [A, Z]}\n", 2, "error[unknown-party]: guarantee g decision: unknown party \"Z\"", ""},
		{"empty unanimity", head + "    decision: {unanimity: []}\n", 2, "error[decision-empty]", ""},
		{"costs missing", head + "    decision: {unanimity: [A, B]}\n    credibility:\n      aggressor: {gain: 1, cost_if_opposed: 2}\n      guarantors: {A: {cost_of_response: 1, cost_of_inaction: 2}}\n", 0, "",
			"note: no credibility game: credibility costs missing: B (cost_of_response, cost_of_inaction)"},
		{"10,000 voters", many.String(), 1, "a limit stopped part of the analysis", "power indices not computed: exact power indices (64-bit words of tables) needs about"},
	}
	for _, tt := range tests {
		file := write(strings.ReplaceAll(strings.Split(tt.name, " ")[0], ",", "")+".yaml", tt.src)
		out, errb, code := run(t, "guarantee", file)
		if code != tt.code || !strings.Contains(errb, tt.stderr) || !strings.Contains(out, tt.stdout) {
			t.Errorf("%s: entente guarantee: exit %d (want %d)\nstdout: %s\nstderr: %s\nwant stderr %q, stdout %q", tt.name, code, tt.code, out, errb, tt.stderr, tt.stdout)
		}
	}
	// Costs missing: credibility is null in JSON and the missing costs
	// are named; check reports the finding.
	file := filepath.Join(dir, "costs.yaml")
	out, _, _ := run(t, "guarantee", file, "--json")
	var res guarantee.Results
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if g := res.Guarantees[0]; g.Credibility != nil || len(g.CredibilityMissing) != 1 || g.CredibilityMissing[0].Party != "B" {
		t.Errorf("costs missing: %+v", g)
	}
	if !strings.Contains(out, `"credibility": null`) {
		t.Error("credibility is not null in the JSON")
	}
	out, _, _ = run(t, "check", file)
	if !strings.Contains(out, "warning[credibility-incomplete]: guarantee g gives credibility costs but not those of B (cost_of_response, cost_of_inaction)") {
		t.Errorf("check does not report credibility-incomplete:\n%s", out)
	}
	// Usage errors.
	for _, args := range [][]string{{"guarantee"}, {"guarantee", file, "nope"}, {"guarantee", "--list", "-1", file}} {
		if _, _, code := run(t, args...); code != 2 {
			t.Errorf("entente %v: exit %d, want 2", args, code)
		}
	}
}

// TestGuaranteeEFG writes the examples' credibility games and reads each
// back with the .efg parser.
func TestGuaranteeEFG(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join("..", "..", "examples", "ukraine-2025", "settlement.yaml")
	_, errb, code := run(t, "guarantee", file, "--efg", dir, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, id := range []string{"coalition", "us-plus-two", "weighted-quota"} {
		src, err := os.ReadFile(filepath.Join(dir, id+".efg"))
		if err != nil {
			t.Fatalf("%s: %v (stderr %s)", id, err, errb)
		}
		g, err := efg.Parse(id+".efg", src)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if g.Players[0] != "RU" || !strings.HasPrefix(string(src), "EFG 2 R \"ukraine-2025 / "+id) {
			t.Errorf("%s: players %v, prologue %q", id, g.Players, string(src)[:40])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ambiguity.efg")); err == nil {
		t.Error("ambiguity gives no costs and should have no .efg")
	}
}
