package dealspace_test

import (
	"context"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/settlement"
)

// TestUnsatisfiableRedLine checks that a red line no package satisfies on
// its own is analysed, not refused: nothing is feasible, the red line is a
// conflict of one, and dropping it (with whatever else collides) is a
// relaxation that opens the packages the other rules allow.
func TestUnsatisfiableRedLine(t *testing.T) {
	const head = `entente: 1
id: t
parties:
  - {id: A, name: A, roles: [belligerent]}
  - {id: B, name: B, roles: [belligerent]}
issues:
  - {id: x, options: [a, b, c]}
  - {id: n, range: {min: 0, max: 10, step: 5}}
positions:
  - party: A
    red_lines:
      - {id: never, rule: 'x == "a" && x == "b"'}
`
	tests := []struct {
		name string
		more string // B's position
		// want: the conflicts and relaxations (drop, opens), as PARTY/ID sets
		conflicts []string
		relax     map[string]int64
	}{
		{"alone", "  - party: B\n    utility: {weights: {x: 1}, values: {x: {a: 1}}}\n    reservation: 0\n",
			[]string{"A/never"}, map[string]int64{"A/never": 9}},
		{"with another conflict", "  - party: B\n    red_lines:\n      - {id: only-a, rule: 'x == \"a\"'}\n      - {id: not-a, rule: 'x != \"a\"'}\n",
			[]string{"A/never", "B/not-a+B/only-a"}, map[string]int64{"A/never+B/not-a": 3, "A/never+B/only-a": 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, fs, err := settlement.Parse("t.yaml", []byte(head+tt.more), settlement.DefaultOptions())
			if err != nil || fs.Errors() > 0 {
				t.Fatalf("settlement: %v %v", err, fs)
			}
			res, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
			if err != nil {
				t.Fatalf("Analyze = %v, want an analysis", err)
			}
			if res.Feasible == nil || res.Feasible.Sign() != 0 {
				t.Errorf("Feasible = %v, want 0", res.Feasible)
			}
			var got []string
			for _, c := range res.Conflicts {
				got = append(got, linesKey(c))
			}
			if !sameSet(got, tt.conflicts) {
				t.Errorf("Conflicts = %v, want %v", got, tt.conflicts)
			}
			if len(res.Relaxations) != len(tt.relax) {
				t.Errorf("Relaxations = %v, want %v", res.Relaxations, tt.relax)
			}
			for _, r := range res.Relaxations {
				k := linesKey(r.Drop)
				if w, ok := tt.relax[k]; !ok || r.Opens.Int64() != w {
					t.Errorf("relaxation %s opens %v; want %v", k, r.Opens, tt.relax)
				}
			}
			c, err := dealspace.FindContradictions(s)
			if err != nil || len(c.RedLines) != 1 || c.RedLines[0].String() != "A/never" {
				t.Errorf("FindContradictions = %+v, %v; want A/never", c, err)
			}
		})
	}
}
