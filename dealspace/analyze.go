package dealspace

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/entente-org/entente/settlement"
)

// ErrBudgetExceeded is wrapped by errors that report an analysis cut
// short by one of the budgets of Options.
var ErrBudgetExceeded = errors.New("budget exceeded")

// ConstraintsError reports constraints that no package satisfies
// together: the deal space is empty before any red line.
type ConstraintsError struct {
	// Constraints lists a minimal set of constraints that contradict each
	// other.
	Constraints []*settlement.Constraint
}

func (e *ConstraintsError) Error() string {
	var ids []string
	for _, c := range e.Constraints {
		ids = append(ids, fmt.Sprintf("%s (%s)", c.ID, c.Pos))
	}
	if len(ids) == 0 {
		return "no package satisfies the issues' domains"
	}
	return "the constraints contradict each other: no package satisfies " + strings.Join(ids, " and ")
}

// Options are the budgets and hooks of an analysis. The zero value means
// no budget; DefaultOptions gives budgets that keep memory within a few
// GiB.
type Options struct {
	// MaxNodes bounds the nodes of each decision diagram.
	MaxNodes int
	// MaxFrontier bounds the utility vectors kept below any one node while
	// computing the Pareto frontier.
	MaxFrontier int
	// MaxSearch bounds the nodes each bargaining search visits.
	MaxSearch int
	// MaxConflicts stops the search for conflicts after that many (0: all).
	MaxConflicts int
	// NoFrontier skips the Pareto frontier.
	NoFrontier bool
	// FrontierWork, when positive, bounds the work (vector sums and
	// dominance comparisons) spent computing and counting the whole
	// Pareto frontier. Beyond it the frontier is not counted
	// (Frontier.Counted false): Analyze computes instead the frontier of
	// each group of issues that shares no rule with the others, and the
	// Frontier lists the whole frontier's points lazily, in the same
	// order, from those groups'. 0 always counts the whole frontier.
	FrontierWork int
	// Progress, when set, is called now and then from the analysing
	// goroutine with what is being done.
	Progress func(Progress)
}

// Progress describes the work in hand.
type Progress struct {
	// Stage is one of "diagram", "conflicts", "relaxations", "bargaining",
	// "frontier".
	Stage string
	// Nodes is the size of the decision diagram being built, Conflicts
	// and Relaxations the numbers found so far, Visits the nodes a search
	// has visited.
	Nodes, Conflicts, Relaxations, Visits int
}

// DefaultOptions returns budgets suitable for a laptop: 4 million diagram
// nodes, 200,000 frontier vectors per node, unbounded searches and
// conflicts.
func DefaultOptions() Options {
	return Options{MaxNodes: 4 << 20, MaxFrontier: 200_000}
}

// Relaxation is a minimal set of red lines whose removal lets some
// package satisfy the others, and how many packages it opens.
type Relaxation struct {
	Drop  []RedLine
	Opens *big.Int
}

// Result is what an analysis found. Fields not computed are nil or empty,
// and Incomplete says which parts were cut short.
type Result struct {
	// Packages is the number of packages (every combination of values).
	Packages *big.Int
	// Feasible is the number of packages that satisfy every constraint and
	// every red line; nil if the analysis stopped before counting.
	Feasible *big.Int
	// Parties lists the parties with a utility, the axes of every utility
	// vector, with their Reservation values.
	Parties     []string
	Reservation []float64
	// RedLines lists every red line, in position order.
	RedLines []RedLine
	// Conflicts are the minimal sets of red lines that no package
	// satisfies together (with the constraints), by size then position;
	// only when nothing is feasible.
	Conflicts [][]RedLine
	// Relaxations are the minimal sets of red lines whose removal makes
	// the rest satisfiable, by packages opened (most first), then size.
	Relaxations []Relaxation
	// Nash, Kalai and Utilitarian are the bargaining solutions over the
	// packages that give every party more than its reservation; nil when
	// there is none.
	Nash, Kalai, Utilitarian *Solution
	// Best holds, for Kalai–Smorodinsky, each party's best utility over
	// the bargaining set.
	Best []float64
	// Frontier is the Pareto frontier of the feasible packages (empty when
	// none is feasible); nil when not computed (Options.NoFrontier, or cut
	// short).
	Frontier *Frontier
	// Incomplete names the parts cut short by the context or a budget:
	// "feasible", "conflicts", "relaxations", "bargaining", "frontier".
	Incomplete []string

	space *Space
}

// Space returns the deal space analysed.
func (r *Result) Space() *Space { return r.space }

// Analyze analyses the deal space of a validated settlement: it counts the
// feasible packages; when there are none it enumerates the minimal
// conflicts and relaxations (with the packages each relaxation opens);
// otherwise it finds the utilitarian, Kalai–Smorodinsky and Nash packages
// and the Pareto frontier. Everything is exact.
//
// Errors from New, and a *ConstraintsError, mean the settlement cannot be
// analysed. When ctx ends or a budget is exceeded, Analyze returns what it
// has found with Incomplete set, and the error (wrapping ctx.Err() or
// ErrBudgetExceeded).
func Analyze(ctx context.Context, s *settlement.Settlement, opts Options) (*Result, error) {
	sp, err := New(s)
	if err != nil {
		return nil, err
	}
	return sp.Analyze(ctx, opts)
}

// Analyze analyses the space; see the function Analyze.
func (sp *Space) Analyze(ctx context.Context, opts Options) (*Result, error) {
	res := &Result{Packages: sp.Packages(), Parties: sp.Parties(), Reservation: sp.Reservation(), RedLines: sp.RedLines(), space: sp}
	progress := func(pr Progress) {
		if opts.Progress != nil {
			opts.Progress(pr)
		}
	}
	m, err := sp.compileMDD(ctx, sp.ruleClauses(nil), opts.MaxNodes, func(n int) { progress(Progress{Stage: "diagram", Nodes: n}) })
	if err != nil {
		res.Incomplete = []string{"feasible", "conflicts", "relaxations", "bargaining", "frontier"}
		return res, err
	}
	res.Feasible = m.count
	if m.count.Sign() == 0 {
		if !opts.NoFrontier {
			// Nothing feasible: the frontier is empty, and known to be.
			res.Frontier = &Frontier{Packages: new(big.Int)}
		}
		// Only now is the SAT solver needed: a feasible package proves
		// the constraints consistent.
		p := newSATProblem(sp)
		if hc := sp.hardConflict(p); hc != nil {
			return nil, &ConstraintsError{Constraints: hc}
		}
		return sp.explain(ctx, p, res, opts, progress)
	}
	m.prepare()
	if err := sp.bargain(ctx, m, res, opts, progress); err != nil {
		res.Incomplete = append(res.Incomplete, "bargaining", "frontier")
		return res, err
	}
	if opts.NoFrontier {
		return res, nil
	}
	tick := func() { progress(Progress{Stage: "frontier"}) }
	f, err := m.frontier(ctx, opts.MaxFrontier, opts.FrontierWork, tick)
	if errors.Is(err, errFrontierWork) {
		f, err = sp.lazyFrontier(ctx, sp.ruleClauses(nil), opts, tick)
	}
	if err != nil {
		res.Incomplete = append(res.Incomplete, "frontier")
		return res, err
	}
	res.Frontier = f
	return res, nil
}

// explain finds the conflicts and relaxations of an infeasible space.
func (sp *Space) explain(ctx context.Context, p *satProblem, res *Result, opts Options, progress func(Progress)) (*Result, error) {
	muses, mcses, complete := sp.explore(ctx, p, opts.MaxConflicts, func(nm, nc int) {
		progress(Progress{Stage: "conflicts", Conflicts: nm, Relaxations: nc})
	})
	for _, m := range muses {
		res.Conflicts = append(res.Conflicts, sp.lines(m))
	}
	if !complete {
		res.Incomplete = append(res.Incomplete, "conflicts", "relaxations")
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if opts.MaxConflicts > 0 {
			// Stopped at the requested number of conflicts: relaxations
			// are not all known, so none is reported.
			return res, nil
		}
	}
	for i, mcs := range mcses {
		progress(Progress{Stage: "relaxations", Relaxations: i})
		drop := make([]bool, len(sp.red))
		for _, r := range mcs {
			drop[r] = true
		}
		m, err := sp.compileMDD(ctx, sp.ruleClauses(drop), opts.MaxNodes, nil)
		if err != nil {
			if complete { // else "relaxations" is already listed
				res.Incomplete = append(res.Incomplete, "relaxations")
			}
			return res, err
		}
		res.Relaxations = append(res.Relaxations, Relaxation{Drop: sp.lines(mcs), Opens: m.count})
	}
	sort.SliceStable(res.Relaxations, func(i, j int) bool {
		a, b := res.Relaxations[i], res.Relaxations[j]
		if c := a.Opens.Cmp(b.Opens); c != 0 {
			return c > 0
		}
		return len(a.Drop) < len(b.Drop)
	})
	return res, nil
}

func (sp *Space) lines(idx []int) []RedLine {
	out := make([]RedLine, len(idx))
	for i, r := range idx {
		out[i] = sp.redLines[r]
	}
	return out
}

// bargain finds the utilitarian, Kalai–Smorodinsky and Nash packages.
func (sp *Space) bargain(ctx context.Context, m *mdd, res *Result, opts Options, progress func(Progress)) error {
	if len(sp.parties) == 0 {
		return nil
	}
	visits := 0
	tick := func() {
		visits += 4096
		progress(Progress{Stage: "bargaining", Visits: visits})
	}
	u, err := m.search(ctx, utilitarian(), opts.MaxSearch, tick)
	if err != nil || u == nil {
		return err
	}
	best := make([]int64, len(sp.parties))
	for q := range sp.parties {
		b, err := m.search(ctx, bestFor(q), opts.MaxSearch, tick)
		if err != nil {
			return err
		}
		best[q] = b.util[q]
		res.Best = append(res.Best, unfix(best[q]))
	}
	k, err := m.search(ctx, kalai(sp.res, best), opts.MaxSearch, tick)
	if err != nil {
		return err
	}
	n, err := m.search(ctx, nash(sp.res), opts.MaxSearch, tick)
	if err != nil {
		return err
	}
	res.Utilitarian, res.Kalai, res.Nash = u, k, n
	return nil
}

// Count returns the number of feasible packages, and nothing else.
func (sp *Space) Count(ctx context.Context, opts Options) (*big.Int, error) {
	m, err := sp.compileMDD(ctx, sp.ruleClauses(nil), opts.MaxNodes, nil)
	if err != nil {
		return nil, err
	}
	return m.count, nil
}

// ruleClauses returns the clauses of the constraints and of the red lines
// not dropped (drop nil: every red line).
func (sp *Space) ruleClauses(drop []bool) []clause {
	out := append([]clause(nil), sp.hard...)
	for r, cls := range sp.red {
		if drop == nil || !drop[r] {
			out = append(out, cls...)
		}
	}
	return out
}
