package dealspace

import (
	"context"
	"fmt"
	"iter"
	"math/big"
	"sort"
)

// point is a utility vector reachable below a node (without the base),
// the number of completions that reach it, and every way to reach it:
// src, then more.
type point struct {
	vec   []int64
	count *big.Int
	src   source
	more  []source
}

// source is one way to reach a point of a node: one of the node's edges,
// one entry of that edge, and a point of the edge's child. The terminal's
// only point has no source.
type source struct {
	edge, entry, child int32
}

// Frontier is the Pareto frontier of the feasible packages: the packages
// that no feasible package weakly improves for every party and strictly
// for one. Several packages may give the same utilities; the frontier is
// held as its distinct utility vectors (Points), each with the number of
// packages that give it, and the packages themselves are enumerated
// lazily from the decision diagram by All and Of, however many there are.
//
// A frontier that is not counted (Counted false: Options.FrontierWork
// was exceeded) holds neither Points nor Packages; Point, All and Of
// compute its points one by one, in the same order, as they are asked
// for.
//
// A Frontier is safe for concurrent use; its iterators may run
// concurrently.
type Frontier struct {
	// Points are the distinct utility vectors, by decreasing sum of
	// utilities (then decreasing utilities in party order); nil when the
	// frontier is not counted.
	Points []FrontierPoint
	// Packages is the number of packages on the frontier: the sum of the
	// points' Packages; nil when the frontier is not counted.
	Packages *big.Int

	lazy *product // when not counted

	m    *mdd
	root *node
	// ways[n][i] lists the sources of the i-th point of node n that some
	// frontier package goes through (points no such package reaches are
	// dropped, and child indices renumbered accordingly).
	ways map[*node][][]source
}

// FrontierPoint is one utility vector of the frontier.
type FrontierPoint struct {
	// Solution is the first package Of(i) yields for this point, and the
	// point's utilities.
	Solution
	// Packages is the number of packages that give these utilities.
	Packages *big.Int

	at int32 // index of the point among the root's
}

// All yields every package on the frontier, each exactly once, with the
// index in Points of the utility vector it gives: point by point in
// Points order, and the packages of one point in the order Of gives them.
// It enumerates lazily: stopping the loop stops the work, so taking the
// first few packages of a frontier of 10^15 is cheap.
func (f *Frontier) All() iter.Seq2[int, *Solution] {
	return func(yield func(int, *Solution) bool) {
		for i := 0; ; i++ {
			if _, ok := f.Point(i); !ok {
				return
			}
			for s := range f.Of(i) {
				if !yield(i, s) {
					return
				}
			}
		}
	}
}

// Of yields the packages that give the utilities of Points[i], each
// exactly once, Points[i].Packages of them in all. The order is fixed for
// a settlement: depth first through the decision diagram (its variable
// order, not the issues'), the values of each variable in their declared
// order where the diagram does not split them. Each Solution's Utility
// is computed from its package by settlement.Utility.Of, and its Value is
// the point's sum of utilities. For a frontier not counted the order is
// also fixed: for each combination of the groups' points that gives the
// vector, the groups' packages nested, the first group outermost.
func (f *Frontier) Of(i int) iter.Seq[*Solution] {
	if f.lazy != nil {
		lp, ok := f.lazy.point(i)
		if !ok {
			return func(func(*Solution) bool) {}
		}
		return f.lazy.of(lp)
	}
	return func(yield func(*Solution) bool) {
		if f.m == nil || i < 0 || i >= len(f.Points) {
			return
		}
		p := &f.Points[i]
		vals := make([]uint64, len(f.m.order))
		f.walk(f.root, 0, p.at, vals, func(vals []uint64) bool {
			return yield(f.m.solutionOf(vals, p.util, p.Value))
		})
	}
}

// Counted reports whether the whole frontier was computed: Points and
// Packages hold every point and the number of packages.
func (f *Frontier) Counted() bool { return f.lazy == nil }

// Point returns the i-th point of the frontier (Points[i] when counted;
// otherwise computed, with those before it, on first request), and false
// when the frontier has no more than i points. Its Packages count is
// exact either way.
func (f *Frontier) Point(i int) (*FrontierPoint, bool) {
	if f.lazy != nil {
		lp, ok := f.lazy.point(i)
		if !ok {
			return nil, false
		}
		return &lp.FrontierPoint, true
	}
	if i < 0 || i >= len(f.Points) {
		return nil, false
	}
	return &f.Points[i], true
}

// walk enumerates the completions of point pi of node n at layer l,
// writing each layer's value index into vals, and calls leaf for each
// full package; it stops, returning false, when leaf does.
func (f *Frontier) walk(n *node, l int, pi int32, vals []uint64, leaf func([]uint64) bool) bool {
	if l == len(f.m.order) {
		return leaf(vals)
	}
	v := f.m.sp.vars[f.m.order[l]]
	for _, s := range f.ways[n][pi] {
		e := &n.edges[s.edge]
		x := &f.m.entries(l, e)[s.entry]
		for _, mb := range x.members {
			for _, span := range v.classes[mb.class].vals[mb.vc].spans {
				for k := span[0]; ; k++ {
					vals[l] = k
					if !f.walk(e.child, l+1, s.child, vals, leaf) {
						return false
					}
					if k == span[1] {
						break
					}
				}
			}
		}
	}
	return true
}

// frontier computes the Pareto frontier bottom up: the non-dominated
// suffix vectors of a node are the non-dominated sums of an edge's value
// and a non-dominated vector of its child (a package whose suffix is
// dominated below some node is dominated overall). Each vector kept
// remembers every way it is reached, so that the packages of the root's
// vectors can be enumerated afterwards. maxPoints bounds the vectors kept
// at any node (ErrBudgetExceeded).
func (m *mdd) frontier(ctx context.Context, maxPoints, maxWork int, tick func()) (*Frontier, error) {
	f, err := m.rawFrontier(ctx, maxPoints, maxWork, tick)
	if err != nil || f.m == nil {
		return f, err
	}
	for i := range f.Points {
		for s := range f.Of(i) {
			f.Points[i].Solution = *s
			break
		}
	}
	return f, nil
}

// errFrontierWork reports that computing the whole frontier would take
// more than the work allowed (Options.FrontierWork).
var errFrontierWork = fmt.Errorf("the whole Pareto frontier takes more work than allowed: %w", ErrBudgetExceeded)

// rawFrontier is frontier without each point's first package (Solution
// holds only the utilities and their sum): what a group of independent
// issues needs, whose packages are partial. maxWork, when positive,
// bounds the vector sums and comparisons (errFrontierWork).
func (m *mdd) rawFrontier(ctx context.Context, maxPoints, maxWork int, tick func()) (*Frontier, error) {
	work := 0
	root := m.root()
	if root == nil {
		return &Frontier{Packages: new(big.Int)}, nil
	}
	np := len(m.sp.parties)
	nl := len(m.order)
	pts := map[*node][]point{}
	for _, t := range m.layers[nl] {
		pts[t] = []point{{vec: make([]int64, np), count: big.NewInt(1), src: source{-1, -1, -1}}}
	}
	for l := nl - 1; l >= 0; l-- {
		for ni, n := range m.layers[l] {
			if ni%64 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if tick != nil {
					tick()
				}
			}
			index := map[string]int{}
			var cand []point
			for ei := range n.edges {
				e := &n.edges[ei]
				below := pts[e.child]
				for xi, x := range m.entries(l, e) {
					for ci, c := range below {
						if work++; maxWork > 0 && work > maxWork {
							return nil, errFrontierWork
						}
						v := make([]int64, np)
						for p := range v {
							v[p] = x.util[p] + c.vec[p]
						}
						cnt := new(big.Int).SetUint64(x.mult)
						cnt.Mul(cnt, c.count)
						src := source{int32(ei), int32(xi), int32(ci)}
						k := vecKey(v)
						if i, ok := index[k]; ok {
							cand[i].count.Add(cand[i].count, cnt)
							cand[i].more = append(cand[i].more, src)
							continue
						}
						index[k] = len(cand)
						cand = append(cand, point{vec: v, count: cnt, src: src})
						if len(cand)%4096 == 0 {
							if err := ctx.Err(); err != nil {
								return nil, err
							}
						}
					}
				}
			}
			kept, w, err := skyline(ctx, cand, maxWork-work)
			if err != nil {
				return nil, err
			}
			if work += w; maxWork > 0 && work > maxWork {
				return nil, errFrontierWork
			}
			if maxPoints > 0 && len(kept) > maxPoints {
				return nil, fmt.Errorf("the Pareto frontier has more than %d utility vectors below one node: %w", maxPoints, ErrBudgetExceeded)
			}
			pts[n] = kept
		}
		// The points of the layer below are still needed to trace paths.
	}
	f := &Frontier{Packages: new(big.Int), m: m, root: root, ways: m.frontierWays(pts)}
	for i, p := range pts[root] {
		u := make([]int64, np)
		for k := range u {
			u[k] = p.vec[k] + m.sp.base[k]
		}
		fp := FrontierPoint{Solution: Solution{Value: float64(sum(u)) / Scale, util: u}, Packages: p.count, at: int32(i)}
		f.Points = append(f.Points, fp)
		f.Packages.Add(f.Packages, p.count)
	}
	sort.SliceStable(f.Points, func(i, j int) bool {
		a, b := f.Points[i].util, f.Points[j].util
		if sa, sb := sum(a), sum(b); sa != sb {
			return sa > sb
		}
		for k := range a {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return false
	})
	return f, nil
}

// frontierWays keeps, of the points of every node, those some root point
// reaches, and returns their sources with child indices renumbered: what
// Frontier.walk needs, and nothing of the vectors and counts.
func (m *mdd) frontierWays(pts map[*node][]point) map[*node][][]source {
	nl := len(m.order)
	root := m.layers[0][0]
	// keep[n][i] is the new index of point i of n, or -1.
	keep := map[*node][]int32{}
	mark := func(n *node, i int32) {
		k := keep[n]
		if k == nil {
			k = make([]int32, len(pts[n]))
			for j := range k {
				k[j] = -1
			}
			keep[n] = k
		}
		k[i] = 0
	}
	for i := range pts[root] {
		mark(root, int32(i))
	}
	each := func(p *point, do func(source)) {
		if p.src.edge >= 0 {
			do(p.src)
		}
		for _, s := range p.more {
			do(s)
		}
	}
	for l := 0; l < nl; l++ {
		for _, n := range m.layers[l] {
			k := keep[n]
			for i := range k {
				if k[i] < 0 {
					continue
				}
				each(&pts[n][i], func(s source) { mark(n.edges[s.edge].child, s.child) })
			}
		}
	}
	for _, k := range keep {
		next := int32(0)
		for i := range k {
			if k[i] >= 0 {
				k[i] = next
				next++
			}
		}
	}
	ways := map[*node][][]source{}
	for n, k := range keep {
		var out [][]source
		for i := range k {
			if k[i] < 0 {
				continue
			}
			var ss []source
			each(&pts[n][i], func(s source) {
				ss = append(ss, source{s.edge, s.entry, keep[n.edges[s.edge].child][s.child]})
			})
			out = append(out, ss)
		}
		ways[n] = out
	}
	return ways
}

// skyline keeps the points no other point dominates, merging the counts
// and sources of equal ones (within tie). It takes time quadratic in the
// points, so it checks ctx as it goes, and returns the comparisons made;
// it stops early once they exceed maxWork, when positive (the caller
// reports it).
func skyline(ctx context.Context, cand []point, maxWork int) ([]point, int, error) {
	sort.SliceStable(cand, func(i, j int) bool { return sum(cand[i].vec) > sum(cand[j].vec) })
	var out []point
	var beaten []int // points of out that the candidate dominates
	work, total := 0, 0
next:
	for ci := range cand {
		c := &cand[ci]
		total += len(out) + 1
		if maxWork > 0 && total > maxWork {
			return nil, total, nil
		}
		if work += len(out) + 1; work > 1<<20 {
			work = 0
			if err := ctx.Err(); err != nil {
				return nil, total, err
			}
		}
		beaten = beaten[:0]
		for i := range out {
			switch relate(out[i].vec, c.vec) {
			case 0:
				out[i].count.Add(out[i].count, c.count)
				out[i].more = append(out[i].more, c.src)
				out[i].more = append(out[i].more, c.more...)
				continue next
			case 1:
				continue next
			case -1:
				beaten = append(beaten, i)
			}
		}
		if len(beaten) > 0 {
			// Rare: candidates come by decreasing sum, so one dominates
			// an earlier point only when their sums are within ties.
			kept, b := out[:0], 0
			for i := range out {
				if b < len(beaten) && beaten[b] == i {
					b++
					continue
				}
				kept = append(kept, out[i])
			}
			out = kept
		}
		out = append(out, *c)
	}
	return out, total, nil
}

// relate compares two utility vectors: 0 when equal (within tie
// everywhere), 1 when a dominates b (no worse anywhere, better
// somewhere), -1 when b dominates a, 2 otherwise. It agrees with cmpVec:
// relate(a, b) is 0 or 1 exactly when cmpVec(a, b) is, and -1 when
// cmpVec(b, a) is 1.
func relate(a, b []int64) int {
	aBetter, bBetter := false, false
	for i := range a {
		d := a[i] - b[i]
		if d > tie {
			aBetter = true
		} else if d < -tie {
			bBetter = true
		}
		if aBetter && bBetter {
			return 2
		}
	}
	switch {
	case aBetter:
		return 1
	case bBetter:
		return -1
	}
	return 0
}
