package dealspace

import (
	"sync"

	"github.com/crillab/gophersat/solver"
)

// satMu serialises calls into gophersat, whose conflict analysis uses a
// package-level buffer (solver.bufLits) and so cannot run concurrently.
var satMu sync.Mutex

// satProblem is the deal space as a SAT problem for gophersat: one boolean
// per class of each variable with two or more classes (exactly one true),
// the constraints' clauses each guarded by a selector for its constraint,
// and each red line's clauses guarded by a selector for the red line. A
// query assumes the selectors of the rules it keeps.
type satProblem struct {
	sp      *Space
	base    []int   // first boolean of each variable (0: the variable has one class)
	nvars   int     // booleans used so far
	truth   int     // a boolean assumed true: unit clauses become (l or not truth)
	hardSel []int   // selector of each constraint (by index in s.Constraints)
	redSel  []int   // selector of each red line
	cnf     [][]int // the clauses, DIMACS-style literals
	s       *solver.Solver
	empty   bool // a clause with no literal at all: nothing is satisfiable
}

func newSATProblem(sp *Space) *satProblem {
	p := &satProblem{sp: sp}
	p.truth = p.newVar()
	p.add([]int{p.truth, p.newVar()}) // so that the problem is never empty
	p.base = make([]int, len(sp.vars))
	for i, v := range sp.vars {
		if len(v.classes) < 2 {
			continue
		}
		p.base[i] = p.nvars + 1
		lits := make([]int, len(v.classes))
		for c := range v.classes {
			lits[c] = p.newVar()
		}
		p.add(lits)
		p.atMostOne(lits)
	}
	ids := map[string]int{}
	for _, c := range sp.s.Constraints {
		if _, ok := ids[c.ID]; !ok {
			ids[c.ID] = p.newVar()
			p.hardSel = append(p.hardSel, ids[c.ID])
		}
	}
	for i, cl := range sp.hard {
		p.addGuarded(ids[sp.hardIDs[i]], cl)
	}
	for _, cls := range sp.red {
		sel := p.newVar()
		p.redSel = append(p.redSel, sel)
		for _, cl := range cls {
			p.addGuarded(sel, cl)
		}
	}
	satMu.Lock()
	p.s = solver.New(solver.ParseSliceNb(p.cnf, p.nvars))
	satMu.Unlock()
	return p
}

func (p *satProblem) newVar() int {
	p.nvars++
	return p.nvars
}

// add appends a clause, rewriting a unit clause (which gophersat would
// drop on the next assumption) as (l or not truth).
func (p *satProblem) add(lits []int) {
	switch len(lits) {
	case 0:
		p.empty = true
	case 1:
		p.cnf = append(p.cnf, []int{lits[0], -p.truth})
	default:
		p.cnf = append(p.cnf, lits)
	}
}

// atMostOne adds a sequential (ladder) encoding for long lists and the
// pairwise one for short lists.
func (p *satProblem) atMostOne(lits []int) {
	if len(lits) <= 6 {
		for i := range lits {
			for j := i + 1; j < len(lits); j++ {
				p.add([]int{-lits[i], -lits[j]})
			}
		}
		return
	}
	prev := 0
	for i, l := range lits {
		if i == len(lits)-1 {
			p.add([]int{-l, -prev})
			break
		}
		s := p.newVar()
		p.add([]int{-l, s})
		if prev != 0 {
			p.add([]int{-prev, s})
			p.add([]int{-l, -prev})
		}
		prev = s
	}
}

func (p *satProblem) addGuarded(sel int, cl clause) {
	lits := []int{-sel}
	for _, f := range cl {
		v := p.sp.vars[f.v]
		for c := range v.classes {
			if f.set.has(c) {
				if p.base[f.v] == 0 {
					return // the variable's only class: the clause always holds
				}
				lits = append(lits, p.base[f.v]+c)
			}
		}
	}
	p.add(lits)
}

// solve reports whether some package satisfies every constraint and the
// red lines for which keep is true, and returns the class of each
// variable in one such package.
func (p *satProblem) solve(keep []bool) (bool, []int) {
	return p.solveSome(nil, keep)
}

// solveHard is solve over the constraints given by keepHard alone.
func (p *satProblem) solveHard(keepHard []bool) bool {
	ok, _ := p.solveSome(keepHard, make([]bool, len(p.redSel)))
	return ok
}

// solveSome is solve over the constraints and red lines kept; a nil
// keepHard keeps every constraint.
func (p *satProblem) solveSome(keepHard, keepRed []bool) (bool, []int) {
	if p.empty {
		return false, nil
	}
	assume := []solver.Lit{solver.IntToLit(int32(p.truth))}
	for i, s := range p.hardSel {
		l := solver.IntToLit(int32(s))
		if keepHard != nil && !keepHard[i] {
			l = l.Negation()
		}
		assume = append(assume, l)
	}
	for i, s := range p.redSel {
		l := solver.IntToLit(int32(s))
		if !keepRed[i] {
			l = l.Negation()
		}
		assume = append(assume, l)
	}
	satMu.Lock()
	defer satMu.Unlock()
	if p.s.Assume(assume) == solver.Unsat {
		return false, nil
	}
	if p.s.Solve() != solver.Sat {
		return false, nil
	}
	m := p.s.Model()
	classes := make([]int, len(p.sp.vars))
	for i, v := range p.sp.vars {
		if p.base[i] == 0 {
			continue
		}
		for c := range v.classes {
			if m[p.base[i]+c-1] {
				classes[i] = c
				break
			}
		}
	}
	return true, classes
}
