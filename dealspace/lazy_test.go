package dealspace_test

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/settlement"
)

// TestLazyFrontierAgainstBruteForce checks the frontier listed lazily
// from independent groups of issues (Options.FrontierWork exceeded at
// once, so that every frontier is listed that way) against the brute
// force and against the counted frontier: the same points in the same
// order with the same package counts, and the same packages, each once;
// and the first N points alone, for several N, are the first N of the
// counted frontier.
func TestLazyFrontierAgainstBruteForce(t *testing.T) {
	tests := []struct {
		name     string
		unvalued int
		split    bool
	}{
		{"one group", 0, false},
		{"halves", 0, true},
		{"halves and unvalued issues", 1, true},
		{"unvalued issues", 2, false},
	}
	for ti, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &gen{r: rand.New(rand.NewSource(20251110 + int64(ti))), unvalued: tt.unvalued, split: tt.split}
			checked, points := 0, 0
			for attempt := 0; checked < 300 && attempt < 6000; attempt++ {
				src := g.settlement()
				s, fs, err := settlement.Parse("t.yaml", []byte(src), settlement.DefaultOptions())
				if err != nil || fs.Errors() > 0 {
					t.Fatalf("generated settlement does not load: %v %v\n%s", err, fs, src)
				}
				if len(enumerate(s)) > 10000 {
					continue
				}
				b := newBrute(t, s)
				if b.feasible == 0 || nearTie(b) || len(b.parties) == 0 {
					continue
				}
				checked++
				counted, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
				if err != nil {
					t.Fatalf("Analyze: %v\n%s", err, src)
				}
				compareFrontier(b, counted, func(format string, args ...any) {
					t.Errorf("counted: "+format+"\nsettlement:\n%s", append(args, src)...)
				})
				opts := dealspace.DefaultOptions()
				opts.FrontierWork = 1
				for _, n := range []int{1, 2, 5, math.MaxInt} {
					lazy, err := dealspace.Analyze(context.Background(), s, opts)
					if err != nil {
						t.Fatalf("Analyze with FrontierWork 1: %v\n%s", err, src)
					}
					if msg := compareLazy(b, counted.Frontier, lazy.Frontier, n); msg != "" {
						t.Fatalf("first %d points listed lazily: %s\nsettlement:\n%s", n, msg, src)
					}
				}
				points += len(counted.Frontier.Points)
			}
			if checked < 300 {
				t.Fatalf("checked only %d settlements", checked)
			}
			t.Logf("checked %d settlements, %d frontier points", checked, points)
		})
	}
}

// compareLazy compares the first n points of a lazy frontier (and, when
// they are all of them, its packages) with the counted frontier and the
// brute force; it returns what differs, or "".
func compareLazy(b *brute, counted, lazy *dealspace.Frontier, n int) string {
	near := func(a, b []float64) bool {
		for p := range a {
			if math.Abs(a[p]-b[p]) > 1e-7 {
				return false
			}
		}
		return true
	}
	if lazy.Counted() || lazy.Points != nil || lazy.Packages != nil {
		return "the frontier is counted"
	}
	for i := 0; i < n; i++ {
		lp, ok := lazy.Point(i)
		if i >= len(counted.Points) {
			if ok {
				return fmt.Sprintf("point %d %v beyond the %d points", i, lp.Utility, len(counted.Points))
			}
			break
		}
		cp := counted.Points[i]
		switch {
		case !ok:
			return fmt.Sprintf("no point %d; want %v", i, cp.Utility)
		case !near(lp.Utility, cp.Utility):
			return fmt.Sprintf("point %d is %v, want %v", i, lp.Utility, cp.Utility)
		case lp.Packages.Cmp(cp.Packages) != 0:
			return fmt.Sprintf("point %d %v counts %v packages, want %v", i, lp.Utility, lp.Packages, cp.Packages)
		}
		if k := b.index(lp.Package); k < 0 || !near(b.util[k], lp.Utility) {
			return fmt.Sprintf("point %d's package %v does not give %v", i, lp.Package, lp.Utility)
		}
	}
	if n < len(counted.Points) {
		return ""
	}
	want := map[string]int{}
	for _, i := range b.pareto() {
		want[b.key(b.pkgs[i])] = i
	}
	seen := map[string]bool{}
	for pi, sol := range lazy.All() {
		k := b.key(sol.Package)
		i, ok := want[k]
		switch {
		case seen[k]:
			return fmt.Sprintf("package %s listed twice", k)
		case !ok:
			return fmt.Sprintf("package %s is not Pareto-optimal", k)
		case !near(b.util[i], sol.Utility) || !near(b.util[i], counted.Points[pi].Utility):
			return fmt.Sprintf("package %s (%v) listed under point %d %v", k, b.util[i], pi, counted.Points[pi].Utility)
		}
		seen[k] = true
	}
	if len(seen) != len(want) {
		return fmt.Sprintf("%d packages listed, want %d", len(seen), len(want))
	}
	return ""
}
