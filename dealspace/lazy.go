package dealspace

import (
	"container/heap"
	"context"
	"iter"
	"math/big"
	"slices"
	"sort"
	"sync"
)

// components partitions the variables into groups that share no clause:
// two variables are in one group when a chain of clauses links them.
// Utilities are additive per variable (settlement.Utility is linear
// additive, a subset issue's items each add their own value), so the
// clauses alone decide the groups. Groups hold increasing variable
// indices and come in the order of their first variable.
func (sp *Space) components(clauses []clause) [][]int {
	parent := make([]int, len(sp.vars))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, cl := range clauses {
		for _, f := range cl[1:] {
			a, b := find(cl[0].v), find(f.v)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	var out [][]int
	at := map[int]int{}
	for v := range sp.vars {
		r := find(v)
		g, ok := at[r]
		if !ok {
			g = len(out)
			at[r] = g
			out = append(out, nil)
		}
		out[g] = append(out[g], v)
	}
	return out
}

// subSpace returns the space of the variables vs alone (their classes and
// utilities, no base utility), with the clauses over them renumbered.
func (sp *Space) subSpace(vs []int, clauses []clause) (*Space, []clause) {
	local := map[int]int{}
	sub := *sp
	sub.vars = nil
	for i, v := range vs {
		local[v] = i
		sub.vars = append(sub.vars, sp.vars[v])
	}
	sub.hard, sub.hardIDs, sub.red = nil, nil, nil
	sub.base = make([]int64, len(sp.parties))
	var out []clause
	for _, cl := range clauses {
		if _, ok := local[cl[0].v]; !ok {
			continue
		}
		c := make(clause, len(cl))
		for i, f := range cl {
			c[i] = fact{v: local[f.v], set: f.set}
		}
		out = append(out, c)
	}
	return &sub, out
}

// group is the frontier of one group of independent variables.
type group struct {
	vars []int     // the global index of each of the group's variables
	f    *Frontier // over the group's variables alone, without Solutions
}

// product lists the Pareto frontier of a space made of independent
// groups of variables, point by point, without computing it whole. Every
// package's utility vector is the sum of one vector per group, and a
// package is Pareto-optimal only if each group's part is Pareto-optimal
// within its group; so the frontier's points are among the sums of one
// point of each group's frontier. Those sums (combinations) are
// enumerated best first, by decreasing sum of utilities, from a heap;
// as a point dominates another only if its sum is higher (up to the
// tolerance tie), a sum is on the frontier exactly when no point emitted
// before it dominates it (sort-filter skyline). Equal sums (within tie)
// of several combinations are one point, whose packages are those of
// every such combination.
type product struct {
	mu     sync.Mutex
	sp     *Space
	groups []group
	heap   comboHeap
	buf    []candidate // pulled from the heap, by frontier order
	points []lazyPoint // emitted, in frontier order
	done   bool
	window int64 // how far below a candidate's sum equal or dominating sums may lie
}

// candidate is a sum of one point per group, with every combination
// found so far that gives it.
type candidate struct {
	vec    []int64 // without the base
	sum    int64
	combos [][]int32
	count  *big.Int
}

type lazyPoint struct {
	FrontierPoint
	vec    []int64 // without the base
	combos [][]int32
}

type combo struct {
	idx  []int32
	sum  int64
	last int // the last group whose index is not 0 (0 for the first combination)
}

type comboHeap []combo

func (h comboHeap) Len() int           { return len(h) }
func (h comboHeap) Less(i, j int) bool { return h[i].sum > h[j].sum }
func (h comboHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *comboHeap) Push(x any)        { *h = append(*h, x.(combo)) }
func (h *comboHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// lazyFrontier computes the frontier of each group of independent
// variables and returns a Frontier that lists the whole one lazily.
func (sp *Space) lazyFrontier(ctx context.Context, clauses []clause, opts Options, tick func()) (*Frontier, error) {
	p := &product{sp: sp, window: 2 * int64(len(sp.parties)+1) * tie}
	for _, vs := range sp.components(clauses) {
		sub, cls := sp.subSpace(vs, clauses)
		m, err := sub.compileMDD(ctx, cls, opts.MaxNodes, nil)
		if err != nil {
			return nil, err
		}
		f, err := m.rawFrontier(ctx, opts.MaxFrontier, 0, tick)
		if err != nil {
			return nil, err
		}
		if len(f.Points) == 0 {
			return &Frontier{Packages: new(big.Int)}, nil
		}
		p.groups = append(p.groups, group{vars: vs, f: f})
	}
	first := combo{idx: make([]int32, len(p.groups))}
	first.sum = p.sumOf(first.idx)
	p.heap = comboHeap{first}
	return &Frontier{lazy: p}, nil
}

func (p *product) sumOf(idx []int32) int64 {
	var s int64
	for g, i := range idx {
		s += sum(p.groups[g].f.Points[i].util)
	}
	return s
}

// pull takes the combination of highest sum from the heap, pushes its
// successors (each combination is reached from exactly one: the one with
// its last non-zero index one lower) and adds it to buf.
func (p *product) pull() {
	c := heap.Pop(&p.heap).(combo)
	for g := c.last; g < len(p.groups); g++ {
		if int(c.idx[g])+1 >= len(p.groups[g].f.Points) {
			continue
		}
		idx := slices.Clone(c.idx)
		idx[g]++
		heap.Push(&p.heap, combo{idx: idx, sum: p.sumOf(idx), last: g})
	}
	np := len(p.sp.parties)
	vec := make([]int64, np)
	count := big.NewInt(1)
	for g, i := range c.idx {
		pt := &p.groups[g].f.Points[i]
		for k := range vec {
			vec[k] += pt.util[k]
		}
		count.Mul(count, pt.Packages)
	}
	x := candidate{vec: vec, sum: c.sum, combos: [][]int32{c.idx}, count: count}
	at := sort.Search(len(p.buf), func(i int) bool { return before(x.sum, x.vec, p.buf[i].sum, p.buf[i].vec) })
	p.buf = slices.Insert(p.buf, at, x)
}

// before reports whether a vector of sum sa comes before one of sum sb in
// the frontier's order: decreasing sum, then decreasing utilities in
// party order.
func before(sa int64, a []int64, sb int64, b []int64) bool {
	if sa != sb {
		return sa > sb
	}
	for k := range a {
		if a[k] != b[k] {
			return a[k] > b[k]
		}
	}
	return false
}

// next emits the next point of the frontier; false when there is none.
func (p *product) next() bool {
	for {
		if len(p.buf) == 0 {
			if p.heap.Len() == 0 {
				p.done = true
				return false
			}
			p.pull()
		}
		// Pull every combination that may equal or dominate the first
		// candidate: their sums are at least its sum less the window.
		for p.heap.Len() > 0 && p.heap[0].sum >= p.buf[0].sum-p.window {
			p.pull()
		}
		c := p.buf[0]
		p.buf = p.buf[1:]
		// Merge the candidates equal to it.
		kept := p.buf[:0]
		for _, x := range p.buf {
			if relate(c.vec, x.vec) == 0 {
				c.combos = append(c.combos, x.combos...)
				c.count = new(big.Int).Add(c.count, x.count)
				continue
			}
			kept = append(kept, x)
		}
		p.buf = kept
		dominated := false
		for i := range p.points {
			if relate(p.points[i].vec, c.vec) == 1 {
				dominated = true
				break
			}
		}
		for i := 0; i < len(p.buf) && !dominated; i++ {
			dominated = relate(p.buf[i].vec, c.vec) == 1
		}
		if dominated {
			continue
		}
		u := make([]int64, len(c.vec))
		for k := range u {
			u[k] = c.vec[k] + p.sp.base[k]
		}
		lp := lazyPoint{FrontierPoint: FrontierPoint{Solution: Solution{Value: float64(sum(u)) / Scale, util: u}, Packages: c.count}, combos: c.combos}
		lp.vec = c.vec
		p.points = append(p.points, lp)
		i := len(p.points) - 1
		for s := range p.of(&p.points[i]) {
			p.points[i].Solution = *s
			break
		}
		return true
	}
}

// point returns the i-th point of the frontier, computing the points
// before it as needed.
func (p *product) point(i int) (*lazyPoint, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.points) <= i && !p.done {
		p.next()
	}
	if i < 0 || i >= len(p.points) {
		return nil, false
	}
	return &p.points[i], true
}

// of yields the packages of an emitted point: for each combination that
// gives it, in the order found, the product of its groups' packages, the
// first group outermost.
func (p *product) of(pt *lazyPoint) iter.Seq[*Solution] {
	combos, u, value := pt.combos, pt.util, pt.Value
	return func(yield func(*Solution) bool) {
		vars := make([]int, len(p.sp.vars))
		for v := range vars {
			vars[v] = v
		}
		vals := make([]uint64, len(p.sp.vars))
		for _, c := range combos {
			if !p.walk(c, 0, vals, func() bool { return yield(p.sp.solutionAt(vars, vals, u, value)) }) {
				return
			}
		}
	}
}

func (p *product) walk(c []int32, g int, vals []uint64, leaf func() bool) bool {
	if g == len(p.groups) {
		return leaf()
	}
	gr := &p.groups[g]
	f := gr.f
	local := make([]uint64, len(f.m.order))
	return f.walk(f.root, 0, f.Points[c[g]].at, local, func(lv []uint64) bool {
		for l, k := range lv {
			vals[gr.vars[f.m.order[l]]] = k
		}
		return p.walk(c, g+1, vals, leaf)
	})
}
