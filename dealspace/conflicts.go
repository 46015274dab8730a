package dealspace

import (
	"context"
	"sort"

	"github.com/crillab/gophersat/solver"
	"github.com/entente-org/entente/settlement"
)

// explore enumerates the minimal conflicts (minimal unsatisfiable sets of
// red lines, with the constraints) and the minimal relaxations (minimal
// correction sets: red lines whose removal makes the rest satisfiable) by
// MARCO (Liffiton et al., "Fast, flexible MUS enumeration", Constraints
// 21(2), 2016): a map solver proposes an unexplored set of red lines; a
// satisfiable one grows into a maximal satisfiable set, whose complement
// is a minimal relaxation; an unsatisfiable one shrinks into a minimal
// conflict; each result blocks its region of the map. Enumeration stops
// early after maxConflicts conflicts (0: no limit) or when ctx ends;
// complete reports whether every conflict and relaxation was found.
func (sp *Space) explore(ctx context.Context, p *satProblem, maxConflicts int, tick func(conflicts, relaxations int)) (muses, mcses [][]int, complete bool) {
	n := len(sp.red)
	var blocks [][]int // map clauses over red-line indices + 1 (negative: not kept)
	for {
		if ctx.Err() != nil || (maxConflicts > 0 && len(muses) >= maxConflicts) {
			return muses, mcses, false
		}
		if tick != nil {
			tick(len(muses), len(mcses))
		}
		seed, ok := mapSeed(n, blocks)
		if !ok {
			break
		}
		// Make the seed maximal: add every red line that completes no
		// known conflict.
		for r := 0; r < n; r++ {
			if seed[r] {
				continue
			}
			seed[r] = true
			for _, m := range muses {
				if subset(m, seed) {
					seed[r] = false
					break
				}
			}
		}
		if sat, classes := p.solve(seed); sat {
			mss := sp.satisfied(classes)
			for r := 0; r < n; r++ {
				if mss[r] {
					continue
				}
				if ctx.Err() != nil {
					return muses, mcses, false
				}
				mss[r] = true
				if ok, cl := p.solve(mss); ok {
					mss = sp.satisfied(cl)
				} else {
					mss[r] = false
				}
			}
			var mcs []int
			var block []int
			for r := 0; r < n; r++ {
				if !mss[r] {
					mcs = append(mcs, r)
					block = append(block, r+1)
				}
			}
			if len(mcs) == 0 {
				return muses, mcses, true // everything is satisfiable
			}
			mcses = append(mcses, mcs)
			blocks = append(blocks, block)
			continue
		}
		// Shrink the unsatisfiable seed to a minimal conflict (deletion).
		keep := append([]bool(nil), seed...)
		for r := 0; r < n; r++ {
			if !keep[r] {
				continue
			}
			if ctx.Err() != nil {
				return muses, mcses, false
			}
			keep[r] = false
			if ok, _ := p.solve(keep); ok {
				keep[r] = true
			}
		}
		var mus []int
		var block []int
		for r := 0; r < n; r++ {
			if keep[r] {
				mus = append(mus, r)
				block = append(block, -(r + 1))
			}
		}
		muses = append(muses, mus)
		if len(block) == 0 {
			// The constraints alone are unsatisfiable: no red line matters.
			return muses, mcses, true
		}
		blocks = append(blocks, block)
	}
	sortSets(muses)
	sortSets(mcses)
	return muses, mcses, true
}

// mapSeed returns a set of red lines satisfying every block clause, or
// false when none is left.
func mapSeed(n int, blocks [][]int) ([]bool, bool) {
	seed := make([]bool, n)
	if len(blocks) == 0 {
		return seed, true
	}
	// A fresh solver each time: the map is small, and gophersat's
	// incremental clause addition interacts badly with assumptions.
	cnf := [][]int{{n + 1, n + 2}}
	for _, b := range blocks {
		if len(b) == 1 {
			cnf = append(cnf, []int{b[0], -(n + 1)})
			continue
		}
		cnf = append(cnf, b)
	}
	satMu.Lock()
	defer satMu.Unlock()
	s := solver.New(solver.ParseSliceNb(cnf, n+2))
	if s.Assume([]solver.Lit{solver.IntToLit(int32(n + 1))}) == solver.Unsat || s.Solve() != solver.Sat {
		return nil, false
	}
	m := s.Model()
	copy(seed, m[:n])
	return seed, true
}

// satisfied returns the red lines a package (given by the class of each
// variable) satisfies.
func (sp *Space) satisfied(classes []int) []bool {
	out := make([]bool, len(sp.red))
	for r, cls := range sp.red {
		out[r] = true
		for _, cl := range cls {
			if !cl.holds(classes) {
				out[r] = false
				break
			}
		}
	}
	return out
}

func (c clause) holds(classes []int) bool {
	for _, f := range c {
		if f.set.has(classes[f.v]) {
			return true
		}
	}
	return false
}

func subset(m []int, set []bool) bool {
	for _, r := range m {
		if !set[r] {
			return false
		}
	}
	return true
}

// sortSets orders sets by size, then lexicographically.
func sortSets(sets [][]int) {
	sort.Slice(sets, func(i, j int) bool {
		a, b := sets[i], sets[j]
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
}

// hardConflict returns a minimal set of constraints that no package
// satisfies, in file order, when the constraints contradict each other
// (empty, not nil, when no package satisfies the issues' domains); nil
// otherwise.
func (sp *Space) hardConflict(p *satProblem) []*settlement.Constraint {
	keep := make([]bool, len(p.hardSel))
	for i := range keep {
		keep[i] = true
	}
	if p.solveHard(keep) {
		return nil
	}
	for i := range keep {
		keep[i] = false
		if p.solveHard(keep) {
			keep[i] = true
		}
	}
	out := []*settlement.Constraint{}
	for i, k := range keep {
		if k {
			out = append(out, sp.s.Constraints[i])
		}
	}
	return out
}
