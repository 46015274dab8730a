package dealspace

import (
	"fmt"
	"testing"

	"github.com/entente-org/entente/settlement"
)

// TestComponents checks the groups of variables that share no rule.
func TestComponents(t *testing.T) {
	const head = `entente: 1
id: t
parties:
  - {id: A, name: A, roles: [belligerent]}
issues:
  - {id: x, options: [a, b, c]}
  - {id: y, options: [a, b]}
  - {id: z, range: {min: 0, max: 10, step: 5}}
  - {id: s, subset_of: [p, q]}
  - {id: w, options: [a, b]}
constraints:
`
	tests := []struct {
		name  string
		rules []string
		want  string // variables by group: x y z s.p s.q w = 0..5
	}{
		{"no rule", nil, "[[0] [1] [2] [3] [4] [5]]"},
		{"one rule over two issues", []string{`x == "a" || y == "b"`}, "[[0 1] [2] [3] [4] [5]]"},
		{"a chain", []string{`x == "a" || y == "b"`, `y == "a" || z > 0`}, "[[0 1 2] [3] [4] [5]]"},
		{"two groups", []string{`x == "a" || w == "b"`, `"p" in s || z == 5`}, "[[0 5] [1] [2 3] [4]]"},
		{"a subset's items", []string{`size(s) == 1`}, "[[0] [1] [2] [3 4] [5]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head
			for i, r := range tt.rules {
				src += fmt.Sprintf("  - {id: c%d, rule: '%s'}\n", i, r)
			}
			if len(tt.rules) == 0 {
				src += "  - {id: c, rule: 'true'}\n"
			}
			src += "positions:\n  - party: A\n    utility: {weights: {x: 1}, values: {x: {a: 1}}}\n    reservation: 0\n"
			s, fs, err := settlement.Parse("t.yaml", []byte(src), settlement.DefaultOptions())
			if err != nil || fs.Errors() > 0 {
				t.Fatalf("settlement: %v %v", err, fs)
			}
			sp, err := New(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(sp.components(sp.ruleClauses(nil))); got != tt.want {
				t.Errorf("components = %s, want %s", got, tt.want)
			}
		})
	}
}
