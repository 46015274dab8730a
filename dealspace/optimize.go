package dealspace

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/entente-org/entente/rules"
)

// entry is one value class reachable along an edge: its contribution to
// each party's utility, and how many values of the variable give it.
// When value classes with equal utilities (within tie) are merged into
// one entry, class and vc name the first, and members all of them.
type entry struct {
	util    []int64
	class   int32
	vc      int32
	mult    uint64
	members []member
}

// member names a value class of a layer's variable: v.classes[class].vals[vc].
type member struct {
	class, vc int32
}

// entries returns the value classes along an edge, without those another
// one dominates (no better for any party) and with identical ones merged:
// for any monotone objective, only these can matter.
func (m *mdd) entries(l int, e *edge) []entry {
	if e.ents != nil {
		return e.ents
	}
	key := strconv.Itoa(l) + ":"
	for _, c := range e.classes {
		key += strconv.Itoa(int(c)) + ","
	}
	if m.cache == nil {
		m.cache = map[string][]entry{}
	}
	if es, ok := m.cache[key]; ok {
		e.ents = es
		return es
	}
	v := m.sp.vars[m.order[l]]
	var all []entry
	for _, c := range e.classes {
		for vi, vc := range v.classes[c].vals {
			all = append(all, entry{util: vc.util, class: c, vc: int32(vi), mult: vc.mult, members: []member{{c, int32(vi)}}})
		}
	}
	es := skylineEntries(all)
	// Members in the order of their values, so that the frontier's
	// packages come in the variable's value order along an entry.
	for _, x := range es {
		sort.Slice(x.members, func(i, j int) bool {
			a, b := x.members[i], x.members[j]
			return v.classes[a.class].vals[a.vc].spans[0][0] < v.classes[b.class].vals[b.vc].spans[0][0]
		})
	}
	m.cache[key] = es
	e.ents = es
	return es
}

func skylineEntries(all []entry) []entry {
	sort.SliceStable(all, func(i, j int) bool { return sum(all[i].util) > sum(all[j].util) })
	var out []entry
next:
	for _, x := range all {
		for i := range out {
			switch cmpVec(out[i].util, x.util) {
			case 0:
				out[i].mult += x.mult
				out[i].members = append(out[i].members, x.members...)
				continue next
			case 1:
				continue next
			}
		}
		kept := out[:0]
		for _, y := range out {
			if cmpVec(x.util, y.util) != 1 {
				kept = append(kept, y)
			}
		}
		out = append(kept, x)
	}
	return out
}

func sum(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}

// tie is the tolerance, in fixed point, within which two utilities are
// equal: 1e-9, far above the rounding of the fixed-point terms (half a
// unit each, about 5e-13) and far below any difference a settlement's
// numbers can make.
const tie = Scale / 1_000_000_000

// cmpVec returns 0 when a and b are equal (within tie everywhere), 1 when
// a dominates b (no worse anywhere, better somewhere), 2 otherwise.
func cmpVec(a, b []int64) int {
	eq := true
	for i := range a {
		d := a[i] - b[i]
		if d < -tie {
			return 2
		}
		if d > tie {
			eq = false
		}
	}
	if eq {
		return 0
	}
	return 1
}

// prepare computes, bottom up, each node's best suffix utility per party
// and best suffix sum of utilities.
func (m *mdd) prepare() {
	np := len(m.sp.parties)
	nl := len(m.order)
	for _, t := range m.layers[nl] {
		t.maxSuf = make([]int64, np)
	}
	for l := nl - 1; l >= 0; l-- {
		for _, n := range m.layers[l] {
			n.maxSuf = make([]int64, np)
			for p := range n.maxSuf {
				n.maxSuf[p] = math.MinInt64
			}
			n.maxSum = math.MinInt64
			for ei := range n.edges {
				e := &n.edges[ei]
				for _, x := range m.entries(l, e) {
					for p := range n.maxSuf {
						n.maxSuf[p] = max(n.maxSuf[p], x.util[p]+e.child.maxSuf[p])
					}
					n.maxSum = max(n.maxSum, sum(x.util)+e.child.maxSum)
				}
			}
		}
	}
}

// Solution is a package and what each party gets from it.
type Solution struct {
	// Package gives the value of each issue: a string for an
	// enumeration, an int64 for a range, a []string (items in declared
	// order) for a subset.
	Package rules.Package
	// Utility of each party with a utility, in Space.Parties order, as
	// settlement.Utility.Of computes it.
	Utility []float64
	// Value is the objective's value: the Nash product, the smallest
	// Kalai–Smorodinsky ratio, the sum of utilities.
	Value float64
	util  []int64
}

// objective is what a search maximises over the bargaining set.
type objective struct {
	value func(u []int64) float64          // of a full utility vector
	bound func(u []int64, n *node) float64 // u: prefix + base
}

type choice struct {
	layer int
	class int32
	vc    int32
}

type searcher struct {
	m         *mdd
	ctx       context.Context
	obj       objective
	np        int
	res       []int64
	found     bool
	best      float64
	bestU     []int64
	bestPath  []choice
	path      []choice
	visits    int
	maxVisits int
	gen       int // this search's generation, for node.memo
	err       error
	tick      func()
}

const memoWays = 4

// search maximises obj over the packages of the diagram that give every
// party more than its reservation. It returns nil when there are none.
func (m *mdd) search(ctx context.Context, obj objective, maxVisits int, tick func()) (*Solution, error) {
	root := m.root()
	if root == nil {
		return nil, nil
	}
	m.gen++
	s := &searcher{m: m, ctx: ctx, obj: obj, np: len(m.sp.parties), res: m.sp.res, maxVisits: maxVisits,
		gen: m.gen, tick: tick}
	u := append([]int64(nil), m.sp.base...)
	s.dfs(root, 0, u)
	if !s.found {
		return nil, s.err
	}
	return m.solution(s.bestPath, s.bestU, s.best), s.err
}

// viable reports whether some completion below n of prefix u (base
// included) can give every party more than its reservation.
func (s *searcher) viable(n *node, u []int64) bool {
	for p := 0; p < s.np; p++ {
		if u[p]+n.maxSuf[p] <= s.res[p]+tie {
			return false
		}
	}
	return true
}

func (s *searcher) dfs(n *node, l int, u []int64) {
	if s.err != nil {
		return
	}
	s.visits++
	if s.visits%4096 == 0 {
		if err := s.ctx.Err(); err != nil {
			s.err = err
			return
		}
		if s.tick != nil {
			s.tick()
		}
	}
	if s.maxVisits > 0 && s.visits > s.maxVisits {
		s.err = fmt.Errorf("search of more than %d nodes: %w", s.maxVisits, ErrBudgetExceeded)
		return
	}
	if l == len(s.m.order) {
		for p := 0; p < s.np; p++ {
			if u[p] <= s.res[p]+tie {
				return
			}
		}
		if v := s.obj.value(u); !s.found || v > s.best {
			s.found, s.best = true, v
			s.bestU = append(s.bestU[:0], u...)
			s.bestPath = append(s.bestPath[:0], s.path...)
		}
		return
	}
	// Dominance: a prefix no better for anyone than one already explored
	// from this node cannot lead further.
	if n.memoGen != s.gen {
		n.memoGen = s.gen
		n.memo = n.memo[:0]
	}
	for i := 0; i+s.np <= len(n.memo); i += s.np {
		if cmpVec(n.memo[i:i+s.np], u) != 2 {
			return
		}
	}
	if len(n.memo) < memoWays*s.np {
		n.memo = append(n.memo, u...)
	}
	type cand struct {
		e     *edge
		x     entry
		u     []int64
		bound float64
	}
	var cands []cand
	var buf []int64
	for ei := range n.edges {
		e := &n.edges[ei]
		for _, x := range s.m.entries(l, e) {
			if len(buf) < s.np {
				buf = make([]int64, 16*s.np)
			}
			v := buf[:s.np:s.np]
			buf = buf[s.np:]
			for p := range v {
				v[p] = u[p] + x.util[p]
			}
			if !s.viable(e.child, v) {
				continue
			}
			b := s.obj.bound(v, e.child)
			if s.found && b <= s.best {
				continue
			}
			cands = append(cands, cand{e, x, v, b})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].bound > cands[j].bound })
	for _, c := range cands {
		if s.found && c.bound <= s.best {
			break
		}
		s.path = append(s.path, choice{l, c.x.class, c.x.vc})
		s.dfs(c.e.child, l+1, c.u)
		s.path = s.path[:len(s.path)-1]
		if s.err != nil {
			return
		}
	}
}

// solution turns a path into a package.
func (m *mdd) solution(path []choice, u []int64, value float64) *Solution {
	vals := make([]uint64, len(m.order))
	for _, c := range path {
		v := m.sp.vars[m.order[c.layer]]
		vals[c.layer] = v.classes[c.class].vals[c.vc].rep
	}
	return m.solutionOf(vals, u, value)
}

// solutionOf turns the value index of each layer's variable into a
// package.
func (m *mdd) solutionOf(vals []uint64, u []int64, value float64) *Solution {
	return m.sp.solutionAt(m.order, vals, u, value)
}

// solutionAt turns value indices into a package: vals[i] is the value
// index of variable vars[i], and every variable has one.
func (sp *Space) solutionAt(vars []int, vals []uint64, u []int64, value float64) *Solution {
	sol := &Solution{Package: make(rules.Package, len(sp.s.Issues)), Value: value, util: append([]int64(nil), u...)}
	var items map[string][]bool
	for l, k := range vals {
		v := sp.vars[vars[l]]
		is := v.issue
		if v.item >= 0 {
			if items == nil {
				items = map[string][]bool{}
			}
			if items[is.ID] == nil {
				items[is.ID] = make([]bool, len(is.Items))
			}
			items[is.ID][v.item] = k == 1
			continue
		}
		sol.Package[is.ID] = sp.value(v, k)
	}
	for _, is := range sp.s.Issues {
		if is.Kind != rules.Subset {
			continue
		}
		set := []string{}
		for i, in := range items[is.ID] {
			if in {
				set = append(set, is.Items[i])
			}
		}
		sol.Package[is.ID] = set
	}
	// Report utilities as settlement.Utility computes them, in floating
	// point, rather than from the fixed-point sums.
	sol.Utility = make([]float64, 0, len(sp.utils))
	for _, u := range sp.utils {
		sol.Utility = append(sol.Utility, u.Of(sp.s, sol.Package))
	}
	return sol
}

func utilitarian() objective {
	return objective{
		value: func(u []int64) float64 { return float64(sum(u)) / Scale },
		bound: func(u []int64, n *node) float64 { return float64(sum(u)+n.maxSum) / Scale },
	}
}

func bestFor(q int) objective {
	return objective{
		value: func(u []int64) float64 { return float64(u[q]) },
		bound: func(u []int64, n *node) float64 { return float64(u[q] + n.maxSuf[q]) },
	}
}

func nash(res []int64) objective {
	return objective{
		value: func(u []int64) float64 {
			prod := 1.0
			for p, x := range u {
				prod *= unfix(x - res[p])
			}
			return prod
		},
		bound: func(u []int64, n *node) float64 {
			prod := 1.0
			for p, x := range u {
				prod *= unfix(x + n.maxSuf[p] - res[p])
			}
			return prod
		},
	}
}

func kalai(res, best []int64) objective {
	ratio := func(p int, x int64) float64 { return float64(x-res[p]) / float64(best[p]-res[p]) }
	return objective{
		value: func(u []int64) float64 {
			m := math.Inf(1)
			for p, x := range u {
				m = math.Min(m, ratio(p, x))
			}
			return m
		},
		bound: func(u []int64, n *node) float64 {
			m := math.Inf(1)
			for p, x := range u {
				m = math.Min(m, ratio(p, x+n.maxSuf[p]))
			}
			return m
		},
	}
}

// Describe writes a package as issue=value pairs, in issue order.
func (sp *Space) Describe(pkg rules.Package) string {
	var parts []string
	for _, is := range sp.s.Issues {
		v := pkg[is.ID]
		switch x := v.(type) {
		case []string:
			parts = append(parts, is.ID+"=["+strings.Join(x, ",")+"]")
		default:
			parts = append(parts, fmt.Sprintf("%s=%v", is.ID, x))
		}
	}
	return strings.Join(parts, " ")
}
