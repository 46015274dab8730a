package bench

import (
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

// million is the settlement of the brute-force comparison: 4 enumerations
// of 4 options, 2 ranges of 11 values, a subset of 5 items (991,232
// packages), 5 parties, 12 red lines.
var million = spec{
	enums: []int{4, 4, 4, 4}, ranges: []int{11, 11}, subsets: []int{5},
	parties: 5, red: 12, tight: 0.2, seed: 7,
}

// bruteResult is what both methods compute: the feasible count and the
// values of the three bargaining solutions.
type bruteResult struct {
	feasible                 int64
	nash, kalai, utilitarian float64
	hasSolutions             bool
}

// bruteForce is a tuned brute-force enumerator: it walks every package in
// odometer order, reusing one package map, evaluates the rules with CEL
// (rules.Rule.Eval) red line by red line, stopping at the first that
// fails, and adds up utilities from per-issue tables computed once with
// settlement.Utility (the same numbers Utility.Of adds). A second pass
// over the packages of the bargaining set, kept from the first, gives
// Kalai–Smorodinsky's ratios.
func bruteForce(s *settlement.Settlement) bruteResult { return enumerate(s, false) }

// bruteForceTables is bruteForce tuned further: each rule is evaluated
// with CEL once for every combination of the issues it reads, and the
// enumeration looks the results up.
func bruteForceTables(s *settlement.Settlement) bruteResult { return enumerate(s, true) }

func enumerate(s *settlement.Settlement, tables bool) bruteResult {
	var checks []*rules.Rule
	for _, c := range s.Constraints {
		checks = append(checks, c.Rule.Compiled)
	}
	for _, p := range s.Positions {
		for _, rl := range p.RedLines {
			checks = append(checks, rl.Rule.Compiled)
		}
	}
	var utils []*settlement.Utility
	var res []float64
	for _, p := range s.Positions {
		if p.Utility != nil {
			utils = append(utils, p.Utility)
			res = append(res, p.Reservation)
		}
	}
	np := len(utils)
	values := make([][]any, len(s.Issues))
	table := make([][][]float64, len(s.Issues)) // issue, value, party
	for i, is := range s.Issues {
		values[i] = settlement.Values(is)
		table[i] = make([][]float64, len(values[i]))
		for k, v := range values[i] {
			table[i][k] = make([]float64, np)
			for p, u := range utils {
				if w := u.Weight(is.ID); w > 0 {
					table[i][k][p] = w * u.Value(is, v)
				}
			}
		}
	}
	// Truth tables: for each rule, the issues it reads and its value on
	// each combination of their values (mixed radix).
	type truth struct {
		issues []int
		radix  []int
		ok     []bool
	}
	var truths []truth
	if tables {
		pos := map[string]int{}
		for i, is := range s.Issues {
			pos[is.ID] = i
		}
		for _, r := range checks {
			var tr truth
			n := 1
			for _, id := range r.Issues() {
				tr.issues = append(tr.issues, pos[id])
				tr.radix = append(tr.radix, n)
				n *= len(values[pos[id]])
			}
			tr.ok = make([]bool, n)
			p := rules.Package{}
			for c := 0; c < n; c++ {
				for k, i := range tr.issues {
					p[s.Issues[i].ID] = values[i][c/tr.radix[k]%len(values[i])]
				}
				v, err := r.Eval(p)
				tr.ok[c] = err == nil && v
			}
			truths = append(truths, tr)
		}
	}
	idx := make([]int, len(s.Issues))
	pkg := rules.Package{}
	for i, is := range s.Issues {
		pkg[is.ID] = values[i][0]
	}
	out := bruteResult{nash: math.Inf(-1), kalai: math.Inf(-1), utilitarian: math.Inf(-1)}
	best := make([]float64, np)
	for p := range best {
		best[p] = math.Inf(-1)
	}
	var bargain [][]float64
	u := make([]float64, np)
	for {
		ok := true
		if tables {
			for _, tr := range truths {
				c := 0
				for k, i := range tr.issues {
					c += idx[i] * tr.radix[k]
				}
				if !tr.ok[c] {
					ok = false
					break
				}
			}
		} else {
			for _, r := range checks {
				if v, err := r.Eval(pkg); err != nil || !v {
					ok = false
					break
				}
			}
		}
		if ok {
			out.feasible++
			for p := range u {
				u[p] = 0
				for i := range idx {
					u[p] += table[i][idx[i]][p]
				}
			}
			in := true
			for p := range u {
				if u[p] <= res[p]+1e-9 {
					in = false
				}
			}
			if in {
				out.hasSolutions = true
				sum, prod := 0.0, 1.0
				for p := range u {
					sum += u[p]
					prod *= u[p] - res[p]
					best[p] = math.Max(best[p], u[p])
				}
				out.utilitarian = math.Max(out.utilitarian, sum)
				out.nash = math.Max(out.nash, prod)
				bargain = append(bargain, append([]float64(nil), u...))
			}
		}
		// Next package.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(values[i]) {
				pkg[s.Issues[i].ID] = values[i][idx[i]]
				break
			}
			idx[i] = 0
			pkg[s.Issues[i].ID] = values[i][0]
		}
		if i < 0 {
			break
		}
	}
	for _, v := range bargain {
		m := math.Inf(1)
		for p := range v {
			m = math.Min(m, (v[p]-res[p])/(best[p]-res[p]))
		}
		out.kalai = math.Max(out.kalai, m)
	}
	return out
}

func engine(tb testing.TB, s *settlement.Settlement) bruteResult {
	opts := dealspace.DefaultOptions()
	opts.NoFrontier = true
	r, err := dealspace.Analyze(context.Background(), s, opts)
	if err != nil {
		tb.Fatal(err)
	}
	out := bruteResult{feasible: r.Feasible.Int64(), hasSolutions: r.Nash != nil}
	if r.Nash != nil {
		out.nash, out.kalai, out.utilitarian = r.Nash.Value, r.Kalai.Value, r.Utilitarian.Value
	}
	return out
}

func same(a, b bruteResult) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x)) }
	return a.feasible == b.feasible && a.hasSolutions == b.hasSolutions &&
		(!a.hasSolutions || near(a.nash, b.nash) && near(a.kalai, b.kalai) && near(a.utilitarian, b.utilitarian))
}

// BenchmarkMillion compares the engine with the brute-force enumerator on
// about a million packages, side by side in one run; both must give the
// same feasible count and the same Nash, Kalai–Smorodinsky and
// utilitarian values.
func BenchmarkMillion(b *testing.B) {
	s := load(b, generate(million))
	want := bruteForce(s)
	if got := engine(b, s); !same(got, want) {
		b.Fatalf("engine %+v, brute force %+v", got, want)
	}
	if got := bruteForceTables(s); !same(got, want) {
		b.Fatalf("brute force with tables %+v, brute force %+v", got, want)
	}
	if !want.hasSolutions || want.feasible == 0 {
		b.Fatalf("the generated space has no bargaining solution: %+v", want)
	}
	src := generate(million)
	b.Run("engine", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			// A freshly loaded settlement, so that the engine compiles
			// every rule into clauses again (loading is not timed: the
			// enumerators start from a loaded settlement too).
			b.StopTimer()
			s := load(b, src)
			runtime.GC() // the loading's garbage is not the engine's
			b.StartTimer()
			engine(b, s)
		}
	})
	b.Run("brute-force-tables", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			runtime.GC()
			b.StartTimer()
			bruteForceTables(s)
		}
	})
	b.Run("brute-force-cel", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			bruteForce(s)
		}
	})
}

// TestMillionAgrees checks, as a test, that the engine and the brute-force
// enumerator agree on a smaller space generated the same way.
func TestMillionAgrees(t *testing.T) {
	small := million
	small.ranges = []int{5, 3}
	small.subsets = []int{3}
	s := load(t, generate(small))
	want := bruteForce(s)
	if got := engine(t, s); !same(got, want) {
		t.Fatalf("engine %+v, brute force %+v", got, want)
	}
	if got := bruteForceTables(s); !same(got, want) {
		t.Fatalf("brute force with tables %+v, brute force %+v", got, want)
	}
}
