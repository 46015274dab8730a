package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/entente-org/entente/dealspace"
)

// grouped is large's 30 issues (14 enumerations of 3 options, 6 of 4, 5
// ranges of 3 values, 5 subsets of 2 items) in 10 independent groups of 3
// issues, 5 parties, 40 red lines each inside one group (seed chosen once
// for a feasible space).
var grouped = func() spec { s := large(0.2, 10); s.group = 3; return s }()

// groupedSmall is the same kind of settlement with 21 issues in 7 groups
// and 28 red lines: small enough for the whole frontier to be computed.
var groupedSmall = spec{
	enums:   []int{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4},
	ranges:  []int{3, 3, 3, 3},
	subsets: []int{2, 2, 2},
	parties: 5, red: 28, tight: 0.2, seed: 10, group: 3,
}

// frontierWork is the budget entente deals gives the whole frontier
// before it lists it lazily (cmd/entente's frontierWork).
const frontierWork = 1 << 21

// BenchmarkGroupedFrontier lists the first 20 frontier packages of
// settlements made of independent groups of issues, side by side: lazily
// from the groups' frontiers (Options.FrontierWork exceeded), against the
// whole frontier computed and counted as before, and the analysis without
// a frontier for scale. On the 30-issue settlement the whole frontier
// takes minutes, so it is compared on the 15-issue one.
func BenchmarkGroupedFrontier(b *testing.B) {
	for _, x := range []struct {
		name string
		spec spec
		full bool
	}{{"issues=21", groupedSmall, true}, {"issues=30", grouped, false}} {
		s := load(b, generate(x.spec))
		var first []string // the first 20 of the first method that lists them
		methods := []string{"no-frontier", "lazy-first-20", "deals-first-20"}
		if x.full {
			methods = append(methods, "full-then-first-20")
		}
		for _, method := range methods {
			b.Run(x.name+"/"+method, func(b *testing.B) {
				opts := dealspace.DefaultOptions()
				switch method {
				case "no-frontier":
					opts.NoFrontier = true
				case "lazy-first-20":
					opts.FrontierWork = 1 // lazy at once
				case "deals-first-20":
					opts.FrontierWork = frontierWork // as entente deals does
				}
				for i := 0; i < b.N; i++ {
					res, err := dealspace.Analyze(context.Background(), s, opts)
					if err != nil {
						b.Fatal(err)
					}
					if method == "no-frontier" {
						continue
					}
					if res.Frontier.Counted() != (method == "full-then-first-20") {
						b.Fatalf("%s: frontier counted %v", method, res.Frontier.Counted())
					}
					var got []string
					for pi, sol := range res.Frontier.All() {
						got = append(got, fmt.Sprint(pi, sol.Utility))
						if len(got) == 20 {
							break
						}
					}
					if len(got) != 20 {
						b.Fatalf("%s: %d frontier packages, want 20", method, len(got))
					}
					if first == nil {
						first = got
					} else if fmt.Sprint(got) != fmt.Sprint(first) {
						b.Fatalf("%s: first 20 %v, another method %v", method, got, first)
					}
					if i == 0 {
						if res.Frontier.Counted() {
							b.ReportMetric(float64(len(res.Frontier.Points)), "points")
						}
						b.Logf("%s: feasible %v; first %s", method, res.Feasible, got[0])
					}
				}
			})
		}
	}
}
