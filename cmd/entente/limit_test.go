package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/guarantee"
)

// TestLimitConvention checks the one --limit convention of every verb
// with long lists: N lists at most N, 0 lists all, no flag lists 20 in
// text and all in --json, and --json says "…_complete": false exactly
// when a limit cut a list.
func TestLimitConvention(t *testing.T) {
	ukraine := filepath.Join("..", "..", "examples", "ukraine-2025", "settlement.yaml")
	// Seven guarantors deciding by a majority of four: 35 minimal winning
	// coalitions, more than the text default lists.
	seven := filepath.Join(t.TempDir(), "seven.yaml")
	if err := os.WriteFile(seven, []byte(sevenGuarantors), 0o644); err != nil {
		t.Fatal(err)
	}

	deals := func(args ...string) *dealspace.Deals {
		t.Helper()
		out, errb, code := run(t, append([]string{"deals", ukraine, "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("deals %v: exit %d: %s", args, code, errb)
		}
		var j dealspace.Deals
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatal(err)
		}
		return &j
	}
	all := deals()
	if all.ConflictCount < 2 || len(all.Conflicts) != all.ConflictCount || !all.ConflictsComplete ||
		len(all.Relaxations) != all.RelaxationCount || !all.RelaxationsComplete {
		t.Fatalf("deals --json: %d of %d conflicts (complete %v), %d of %d relaxations (complete %v): want all, complete",
			len(all.Conflicts), all.ConflictCount, all.ConflictsComplete, len(all.Relaxations), all.RelaxationCount, all.RelaxationsComplete)
	}
	one := deals("--limit", "1")
	if len(one.Conflicts) != 1 || one.ConflictsComplete || one.ConflictCount != all.ConflictCount ||
		len(one.Relaxations) != 1 || one.RelaxationsComplete {
		t.Errorf("deals --limit 1: %d conflicts (complete %v, count %d), %d relaxations (complete %v): want 1 each, incomplete, count exact",
			len(one.Conflicts), one.ConflictsComplete, one.ConflictCount, len(one.Relaxations), one.RelaxationsComplete)
	}
	if zero := deals("--limit", "0"); len(zero.Conflicts) != all.ConflictCount || !zero.ConflictsComplete {
		t.Errorf("deals --limit 0: %d of %d conflicts: want all", len(zero.Conflicts), all.ConflictCount)
	}

	guarantees := func(args ...string) map[string]guarantee.Result {
		t.Helper()
		out, errb, code := run(t, append([]string{"guarantee", seven, "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("guarantee %v: exit %d: %s", args, code, errb)
		}
		var j guarantee.Results
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatal(err)
		}
		m := map[string]guarantee.Result{}
		for _, g := range j.Guarantees {
			m[g.ID] = g
		}
		return m
	}
	full, cut := guarantees(), guarantees("--limit", "2")
	alias := guarantees("--list", "2")
	big := 0
	for id, g := range full {
		if g.MinimalCount == nil {
			continue
		}
		n, _ := strconv.Atoi(*g.MinimalCount)
		if len(g.MinimalWinning) != n || !g.MinimalComplete {
			t.Errorf("guarantee --json %s: %d of %d minimal winning coalitions listed: want all", id, len(g.MinimalWinning), n)
		}
		c := cut[id]
		if want := min(n, 2); len(c.MinimalWinning) != want || c.MinimalComplete != (n <= 2) || c.MinimalLimit != 2 {
			t.Errorf("guarantee --limit 2 %s: %d listed, complete %v, limit %d: want %d, %v, 2", id, len(c.MinimalWinning), c.MinimalComplete, c.MinimalLimit, want, n <= 2)
		}
		if len(alias[id].MinimalWinning) != len(c.MinimalWinning) {
			t.Errorf("guarantee --list 2 %s differs from --limit 2", id)
		}
		if n > textLimit {
			big++
		}
	}
	if big == 0 {
		t.Fatal("no guarantee has more than 20 minimal winning coalitions: the text default is untested")
	}
	text, _, _ := run(t, "guarantee", seven)
	textAll, _, _ := run(t, "guarantee", seven, "--limit", "0")
	if !strings.Contains(text, "(35; 20 listed)") || strings.Contains(textAll, "listed)") || strings.Count(textAll, "\n  {G") != 35 {
		t.Errorf("guarantee text: the default should cut at %d and --limit 0 list all", textLimit)
	}
	if _, errb, code := run(t, "guarantee", seven, "--limit", "-1"); code != 2 || !strings.Contains(errb, "0 or more") {
		t.Errorf("--limit -1: exit %d, %q; want 2 and a hint", code, errb)
	}
}

const sevenGuarantors = `entente: 1
id: seven
parties:
  - {id: A, name: A, roles: [belligerent]}
  - {id: B, name: B, roles: [belligerent]}
  - {id: G1, name: G1, roles: [guarantor]}
  - {id: G2, name: G2, roles: [guarantor]}
  - {id: G3, name: G3, roles: [guarantor]}
  - {id: G4, name: G4, roles: [guarantor]}
  - {id: G5, name: G5, roles: [guarantor]}
  - {id: G6, name: G6, roles: [guarantor]}
  - {id: G7, name: G7, roles: [guarantor]}
guarantees:
  - id: majority
    beneficiary: A
    deters: B
    guarantors: [G1, G2, G3, G4, G5, G6, G7]
    decision: {quota: 4, weights: {G1: 1, G2: 1, G3: 1, G4: 1, G5: 1, G6: 1, G7: 1}}
`
