// Package bench holds the project's benchmarks that compare an engine with
// another method side by side; see README.md for the figures.
package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

// spec describes a generated settlement.
type spec struct {
	enums   []int // options of each enumeration issue
	ranges  []int // values of each range issue
	subsets []int // items of each subset issue
	parties int
	red     int // red lines, spread over the parties
	tight   float64
	seed    int64
	// group, when set, splits the issues (in the order enumerations,
	// ranges, subsets) into consecutive groups of that many, and draws
	// each red line over the issues of one group: the groups share no
	// rule.
	group int
}

type issue struct {
	id   string
	kind rules.Kind
	vals []string // options, items
	n    int      // values of a range (0, 10, 20, ...)
}

// generate writes a settlement: issues as specified, red lines over one
// to three issues each (half over one, a third over two, the rest over
// three), linear additive utilities for every party, reservations 0.3.
func generate(sp spec) string {
	r := rand.New(rand.NewSource(sp.seed))
	var is []issue
	k := 0
	for _, n := range sp.enums {
		var opts []string
		for i := 0; i < n; i++ {
			opts = append(opts, fmt.Sprintf("o%d", i))
		}
		is = append(is, issue{id: fmt.Sprintf("e%d", k), kind: rules.Enum, vals: opts})
		k++
	}
	for _, n := range sp.ranges {
		is = append(is, issue{id: fmt.Sprintf("r%d", k), kind: rules.Range, n: n})
		k++
	}
	for _, n := range sp.subsets {
		var items []string
		for i := 0; i < n; i++ {
			items = append(items, fmt.Sprintf("t%d", i))
		}
		is = append(is, issue{id: fmt.Sprintf("s%d", k), kind: rules.Subset, vals: items})
		k++
	}
	// atom writes a condition on one issue that holds for about a share
	// p of its values.
	atom := func(x issue, p float64) string {
		switch x.kind {
		case rules.Enum:
			var in []string
			for _, o := range x.vals {
				if r.Float64() < p {
					in = append(in, fmt.Sprintf("%q", o))
				}
			}
			if len(in) == 0 {
				in = append(in, fmt.Sprintf("%q", x.vals[r.Intn(len(x.vals))]))
			}
			return fmt.Sprintf("%s in [%s]", x.id, strings.Join(in, ", "))
		case rules.Range:
			t := int(math.Round(p*float64(x.n))) - 1
			t = max(0, min(x.n-1, t))
			if r.Intn(2) == 0 {
				return fmt.Sprintf("%s <= %d", x.id, t*10)
			}
			return fmt.Sprintf("%s >= %d", x.id, (x.n-1-t)*10)
		}
		it := x.vals[r.Intn(len(x.vals))]
		if p < 0.5 {
			return fmt.Sprintf("%q in %s", it, x.id)
		}
		return fmt.Sprintf("!(%q in %s) || size(%s) >= 2", it, x.id, x.id)
	}
	var b strings.Builder
	b.WriteString("entente: 1\nid: generated\nparties:\n")
	for p := 0; p < sp.parties; p++ {
		fmt.Fprintf(&b, "  - {id: P%d, name: Party %d, roles: [belligerent]}\n", p, p)
	}
	b.WriteString("issues:\n")
	for _, x := range is {
		switch x.kind {
		case rules.Enum:
			fmt.Fprintf(&b, "  - {id: %s, options: [%s]}\n", x.id, strings.Join(x.vals, ", "))
		case rules.Range:
			fmt.Fprintf(&b, "  - {id: %s, range: {min: 0, max: %d, step: 10}}\n", x.id, (x.n-1)*10)
		default:
			fmt.Fprintf(&b, "  - {id: %s, subset_of: [%s]}\n", x.id, strings.Join(x.vals, ", "))
		}
	}
	b.WriteString("positions:\n")
	for p := 0; p < sp.parties; p++ {
		fmt.Fprintf(&b, "  - party: P%d\n    red_lines:\n", p)
		for i := p; i < sp.red; i += sp.parties {
			arity := 1
			switch x := r.Float64(); {
			case x > 0.85:
				arity = 3
			case x > 0.5:
				arity = 2
			}
			perm := r.Perm(len(is))[:arity]
			if sp.group > 0 {
				g := r.Intn(len(is) / sp.group)
				perm = r.Perm(sp.group)[:arity]
				for k := range perm {
					perm[k] += g * sp.group
				}
			}
			var rule string
			switch arity {
			case 1:
				rule = atom(is[perm[0]], 1-sp.tight)
			case 2:
				rule = fmt.Sprintf("!(%s) || %s", atom(is[perm[0]], 0.5), atom(is[perm[1]], 1-sp.tight))
			default:
				rule = fmt.Sprintf("(%s) ? (%s || %s) : true", atom(is[perm[0]], 0.5), atom(is[perm[1]], 1-sp.tight), atom(is[perm[2]], 0.5))
			}
			fmt.Fprintf(&b, "      - {id: rl%d, rule: '%s'}\n", i, rule)
		}
		b.WriteString("    utility:\n      weights: {")
		for i, x := range is {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %d", x.id, 1+r.Intn(5))
		}
		b.WriteString("}\n      values:\n")
		for _, x := range is {
			fmt.Fprintf(&b, "        %s: {", x.id)
			switch x.kind {
			case rules.Range:
				fmt.Fprintf(&b, "0: %.2f, %d: %.2f", r.Float64(), (x.n-1)*10, r.Float64())
			default:
				for i, v := range x.vals {
					if i > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "%s: %.2f", v, r.Float64())
				}
			}
			b.WriteString("}\n")
		}
		b.WriteString("    reservation: 0.3\n")
	}
	return b.String()
}

func load(tb testing.TB, src string) *settlement.Settlement {
	tb.Helper()
	s, fs, err := settlement.Parse("generated.yaml", []byte(src), settlement.DefaultOptions())
	if err != nil || fs.Errors() > 0 {
		tb.Fatalf("generated settlement: %v %v", err, fs)
	}
	return s
}

// large is the settlement of the 30-issue benchmark: 14 enumerations of
// 3 options, 6 of 4, 5 ranges of 3 values, 5 subsets of 2 items (about
// 4.9e15 packages), 5 parties, 40 red lines.
func large(tight float64, seed int64) spec {
	return spec{
		enums:   []int{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4},
		ranges:  []int{3, 3, 3, 3, 3},
		subsets: []int{2, 2, 2, 2, 2},
		parties: 5, red: 40, tight: tight, seed: seed,
	}
}

// Feasible: tightness 0.2; infeasible: 0.7 (seeds chosen once so that
// the first is feasible and the second not; the benchmarks check it).
var (
	largeFeasible   = large(0.2, 1)
	largeInfeasible = large(0.7, 3)
)

// BenchmarkLargeCount counts the feasible packages of the 30-issue space.
func BenchmarkLargeCount(b *testing.B) {
	s := load(b, generate(largeFeasible))
	opts := dealspace.DefaultOptions()
	opts.NoFrontier = true
	for i := 0; i < b.N; i++ {
		sp, err := dealspace.New(s)
		if err != nil {
			b.Fatal(err)
		}
		res, err := sp.Count(context.Background(), opts)
		if err != nil || res.Sign() == 0 {
			b.Fatalf("count = %v, %v; want a feasible space", res, err)
		}
		if i == 0 {
			b.ReportMetric(float64(len(sp.RedLines())), "red-lines")
			b.Logf("packages %v, feasible %v", sp.Packages(), res)
		}
	}
}

// BenchmarkLargeBargaining counts the feasible packages of the 30-issue
// space and finds its Nash, Kalai–Smorodinsky and utilitarian packages.
func BenchmarkLargeBargaining(b *testing.B) {
	s := load(b, generate(largeFeasible))
	opts := dealspace.DefaultOptions()
	opts.NoFrontier = true
	for i := 0; i < b.N; i++ {
		res, err := dealspace.Analyze(context.Background(), s, opts)
		if err != nil {
			b.Fatal(err)
		}
		if res.Nash == nil || res.Kalai == nil || res.Utilitarian == nil {
			b.Fatalf("no bargaining solution in the generated space (feasible %v)", res.Feasible)
		}
		if i == 0 {
			b.Logf("packages %v, feasible %v, Nash %v, Kalai %v, utilitarian %v", res.Packages, res.Feasible,
				res.Nash.Utility, res.Kalai.Utility, res.Utilitarian.Utility)
		}
	}
}

// BenchmarkLargeConflicts finds the first 10 minimal conflicts of an
// infeasible 30-issue space.
func BenchmarkLargeConflicts(b *testing.B) {
	s := load(b, generate(largeInfeasible))
	opts := dealspace.DefaultOptions()
	opts.MaxConflicts = 10
	for i := 0; i < b.N; i++ {
		res, err := dealspace.Analyze(context.Background(), s, opts)
		if err != nil {
			b.Fatal(err)
		}
		if res.Feasible.Sign() != 0 || len(res.Conflicts) != 10 {
			b.Fatalf("feasible %v, %d conflicts; want an infeasible space and 10 conflicts", res.Feasible, len(res.Conflicts))
		}
		if i == 0 {
			b.Logf("packages %v; first conflict %v", res.Packages, res.Conflicts[0])
		}
	}
}
