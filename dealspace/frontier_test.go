package dealspace_test

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/settlement"
)

// hugeFrontier writes a settlement whose frontier holds 3 utility vectors
// of 9·10^(n-1) packages each: A and B value only x (a: A 1, B 0; b: 0.5
// each; c: A 0, B 1), and n issues of ten options that nobody values
// follow, the first of which a red line keeps off "o0".
func hugeFrontier(n int) string {
	var b strings.Builder
	b.WriteString("entente: 1\nid: huge\nparties:\n  - {id: A, name: A, roles: [belligerent]}\n  - {id: B, name: B, roles: [belligerent]}\nissues:\n")
	b.WriteString("  - {id: x, options: [a, b, c]}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {id: u%d, options: [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9]}\n", i)
	}
	b.WriteString(`positions:
  - party: A
    red_lines: [{id: not-o0, rule: 'u0 != "o0"'}]
    utility: {weights: {x: 1}, values: {x: {a: 1, b: 0.5}}}
    reservation: 0.1
  - party: B
    utility: {weights: {x: 1}, values: {x: {b: 0.5, c: 1}}}
    reservation: 0.1
`)
	return b.String()
}

// TestFrontierHuge checks that the packages of a frontier far too large
// to list are counted exactly and enumerated lazily: the first ones come
// out at once, distinct, feasible, in point order, and each point's first
// package is its own.
func TestFrontierHuge(t *testing.T) {
	const n = 40
	s, fs, err := settlement.Parse("huge.yaml", []byte(hugeFrontier(n)), settlement.DefaultOptions())
	if err != nil || fs.Errors() > 0 {
		t.Fatalf("settlement: %v %v", err, fs)
	}
	res, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	f := res.Frontier
	perPoint := new(big.Int).Exp(big.NewInt(10), big.NewInt(n-1), nil)
	perPoint.Mul(perPoint, big.NewInt(9))
	total := new(big.Int).Mul(perPoint, big.NewInt(3))
	if f.Packages.Cmp(total) != 0 || len(f.Points) != 3 {
		t.Fatalf("frontier: %v packages on %d points, want %v on 3", f.Packages, len(f.Points), total)
	}
	wantX := []string{"a", "b", "c"} // equal sums: A's utility decides
	for i, p := range f.Points {
		if p.Packages.Cmp(perPoint) != 0 || p.Package["x"] != wantX[i] {
			t.Errorf("point %d: %v packages, x=%v; want %v, x=%s", i, p.Packages, p.Package["x"], perPoint, wantX[i])
		}
	}
	redLine := s.Positions[0].RedLines[0].Rule.Compiled
	seen := map[string]bool{}
	const take = 2000
	for pi, sol := range f.All() {
		if len(seen) == take {
			break
		}
		if pi != 0 {
			t.Fatalf("package %d comes from point %d; the first point has %v", len(seen), pi, perPoint)
		}
		k := res.Space().Describe(sol.Package)
		if seen[k] {
			t.Fatalf("package %s listed twice", k)
		}
		seen[k] = true
		if ok, err := redLine.Eval(sol.Package); err != nil || !ok {
			t.Errorf("package %s breaks A's red line: %v", k, err)
		}
		if sol.Package["x"] != "a" || sol.Utility[0] != 1 || sol.Utility[1] != 0 {
			t.Errorf("package %s gives %v, want point 0's [1 0]", k, sol.Utility)
		}
		if len(seen) == 1 && k != res.Space().Describe(f.Points[0].Package) {
			t.Errorf("first package %s, want point 0's own %s", k, res.Space().Describe(f.Points[0].Package))
		}
	}
	if len(seen) != take {
		t.Errorf("All stopped after %d packages", len(seen))
	}
	for i := range f.Points {
		for sol := range f.Of(i) {
			if got, want := res.Space().Describe(sol.Package), res.Space().Describe(f.Points[i].Package); got != want {
				t.Errorf("Of(%d) starts with %s, want the point's package %s", i, got, want)
			}
			break
		}
	}
}

// TestFrontierOrder checks the order of a point's packages on a small
// case written out by hand: x decides the utilities, y (unvalued, with a
// red line against "p") and n (unvalued) multiply the packages.
func TestFrontierOrder(t *testing.T) {
	src := `entente: 1
id: order
parties:
  - {id: A, name: A, roles: [belligerent]}
  - {id: B, name: B, roles: [belligerent]}
issues:
  - {id: x, options: [a, b]}
  - {id: y, options: [p, q, r]}
  - {id: n, range: {min: 0, max: 2, step: 1}}
positions:
  - party: A
    red_lines: [{id: not-p, rule: 'y != "p" || x == "b"'}]
    utility: {weights: {x: 1}, values: {x: {a: 1}}}
    reservation: 0
  - party: B
    utility: {weights: {x: 1}, values: {x: {b: 1}}}
    reservation: 0
`
	s, fs, err := settlement.Parse("order.yaml", []byte(src), settlement.DefaultOptions())
	if err != nil || fs.Errors() > 0 {
		t.Fatalf("settlement: %v %v", err, fs)
	}
	res, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for pi, sol := range res.Frontier.All() {
		got = append(got, fmt.Sprintf("%d:%s", pi, res.Space().Describe(sol.Package)))
	}
	// Point 0 gives A 1 (x=a, y not p: 6 packages), point 1 gives B 1
	// (x=b: 9 packages); every package is Pareto-optimal but none other.
	want := map[string]bool{}
	for _, y := range []string{"q", "r"} {
		for n := 0; n <= 2; n++ {
			want[fmt.Sprintf("0:x=a y=%s n=%d", y, n)] = true
		}
	}
	for _, y := range []string{"p", "q", "r"} {
		for n := 0; n <= 2; n++ {
			want[fmt.Sprintf("1:x=b y=%s n=%d", y, n)] = true
		}
	}
	if len(got) != len(want) {
		t.Fatalf("All yields %d packages, want %d: %v", len(got), len(want), got)
	}
	for i, g := range got {
		if !want[g] {
			t.Errorf("All yields %s, not on the frontier", g)
		}
		if i > 0 && g[0] < got[i-1][0] {
			t.Errorf("%s comes after %s", g, got[i-1])
		}
	}
	// The order is fixed: a second run gives the same list.
	res2, _ := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
	i := 0
	for pi, sol := range res2.Frontier.All() {
		if g := fmt.Sprintf("%d:%s", pi, res2.Space().Describe(sol.Package)); g != got[i] {
			t.Errorf("second run: package %d is %s, first run %s", i, g, got[i])
		}
		i++
	}
}
