package rules

import (
	celast "cel.dev/cel-go/common/ast"
)

// cnf writes the diagram as clauses: one per path to false that the
// issues' domains allow, negating the path's literals.
func (c *symc) cnf(e celast.Expr, root int32) CNF {
	out := CNF{}
	if root == bddTrue {
		return out
	}
	if root == bddFalse {
		return CNF{Clause{}}
	}
	type step struct {
		atom int32
		val  bool
	}
	var path []step
	steps := 0
	minimise := len(c.b.nodes) <= 1<<12
	var walk func(n int32)
	walk = func(n int32) {
		if steps++; steps > 16*MaxClauses*16 {
			c.fail(e, "the rule is too large to write as clauses; split it into simpler rules")
		}
		switch n {
		case bddTrue:
			return
		case bddFalse:
			if len(out) >= MaxClauses {
				c.fail(e, "the rule compiles into more than %d clauses; split it into simpler rules", MaxClauses)
			}
			// Drop the literals the clause does not need: those whose
			// removal leaves a cube on which the rule is still false.
			keep := make([]bool, len(path))
			assign := map[int32]bool{}
			for i, s := range path {
				keep[i] = true
				assign[s.atom] = s.val
			}
			for i := len(path) - 1; i >= 0 && minimise; i-- {
				delete(assign, path[i].atom)
				if c.falseUnder(root, assign) {
					keep[i] = false
				} else {
					assign[path[i].atom] = path[i].val
				}
			}
			var cl Clause
			for i, s := range path {
				if keep[i] {
					l := c.atoms[s.atom]
					l.Neg = s.val
					cl = append(cl, l)
				}
			}
			out = append(out, cl)
			return
		}
		nd := c.b.nodes[n]
		for _, val := range []bool{false, true} {
			path = append(path, step{nd.v, val})
			var lits []Lit
			d := c.decls[nd.v]
			for _, s := range path {
				if c.decls[s.atom] == d {
					l := c.atoms[s.atom]
					l.Neg = !s.val
					lits = append(lits, l)
				}
			}
			if consistent(d, lits) {
				if val {
					walk(nd.hi)
				} else {
					walk(nd.lo)
				}
			}
			path = path[:len(path)-1]
		}
	}
	walk(root)
	return simplify(out, c.rule.env)
}

// falseUnder reports whether the diagram is false whatever the atoms that
// assign leaves free.
func (c *symc) falseUnder(n int32, assign map[int32]bool) bool {
	memo := map[int32]bool{}
	var f func(n int32) bool
	f = func(n int32) bool {
		switch n {
		case bddFalse:
			return true
		case bddTrue:
			return false
		}
		if r, ok := memo[n]; ok {
			return r
		}
		nd := c.b.nodes[n]
		var r bool
		if v, ok := assign[nd.v]; ok {
			if v {
				r = f(nd.hi)
			} else {
				r = f(nd.lo)
			}
		} else {
			r = f(nd.lo) && f(nd.hi)
		}
		memo[n] = r
		return r
	}
	return f(n)
}

// simplify removes duplicate and subsumed clauses and, when the clauses
// of a single literal contradict each other on an issue's domain, returns
// the false CNF.
func simplify(cnf CNF, env *Env) CNF {
	sets := make([]map[Lit]bool, len(cnf))
	for i, cl := range cnf {
		sets[i] = map[Lit]bool{}
		for _, l := range cl {
			sets[i][l] = true
		}
	}
	var out CNF
	units := map[string][]Lit{}
	for i, cl := range cnf {
		subsumed := false
		for j := range cnf {
			if i == j || len(sets[j]) > len(sets[i]) || (len(sets[j]) == len(sets[i]) && j > i) {
				continue
			}
			all := true
			for k := range sets[j] {
				if !sets[i][k] {
					all = false
					break
				}
			}
			if all {
				subsumed = true
				break
			}
		}
		if subsumed {
			continue
		}
		out = append(out, cl)
		if len(cl) == 1 {
			units[cl[0].Issue] = append(units[cl[0].Issue], cl[0])
		}
	}
	for id, lits := range units {
		if d := env.byID[id]; d != nil && !consistent(d, lits) {
			return CNF{Clause{}}
		}
	}
	if out == nil {
		out = CNF{}
	}
	return out
}

// consistent reports whether some value of the issue satisfies every
// literal (each a fact about d).
func consistent(d *issueDecl, lits []Lit) bool {
	switch d.Kind {
	case Enum:
		for _, o := range d.Options {
			ok := true
			for _, l := range lits {
				if !l.Holds(o) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		return false
	case Subset:
		return true // each item is its own atom, seen once on a path
	case Range:
		lo, hi := d.Min, d.Max
		var eq *int64
		var excl []int64
		for _, l := range lits {
			switch {
			case l.Op == Is && !l.Neg:
				n := l.N
				eq = &n
			case l.Op == Is:
				excl = append(excl, l.N)
			case l.Op == AtMost && !l.Neg:
				hi = min(hi, l.N)
			case l.Op == AtMost:
				if l.N >= hi {
					return false
				}
				lo = max(lo, l.N+1)
			}
		}
		if lo > hi {
			return false
		}
		// First value on the step at or above lo.
		first := uint64(d.Min) + (uint64(lo)-uint64(d.Min)+uint64(d.Step)-1)/uint64(d.Step)*uint64(d.Step)
		if int64(first) > hi || int64(first) < lo {
			return false
		}
		if eq != nil {
			for _, x := range excl {
				if x == *eq {
					return false
				}
			}
			return *eq >= lo && *eq <= hi
		}
		count := (uint64(hi)-first)/uint64(d.Step) + 1
		seen := map[int64]bool{}
		for _, x := range excl {
			if x >= lo && x <= hi && onStep(d, x) && !seen[x] {
				seen[x] = true
			}
		}
		return uint64(len(seen)) < count
	}
	return false
}
