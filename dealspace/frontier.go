package dealspace

import (
	"context"
	"fmt"
	"math/big"
	"sort"
)

// point is a utility vector reachable below a node (without the base),
// the number of completions that reach it, and one way to reach it.
type point struct {
	vec   []int64
	count *big.Int
	edge  int32 // edge of the node
	entry int32 // entry of the edge
	child int32 // point of the child
}

// Frontier is the Pareto frontier of the feasible packages: the utility
// vectors no feasible package weakly improves for every party and
// strictly for one, each with the number of packages that give it and one
// of them.
type Frontier struct {
	// Points, by decreasing sum of utilities (then decreasing utilities
	// in party order).
	Points []FrontierPoint
	// Packages is the number of feasible packages on the frontier (several
	// packages may give the same utilities).
	Packages *big.Int
}

// FrontierPoint is one utility vector of the frontier.
type FrontierPoint struct {
	Solution
	// Packages is the number of packages that give these utilities.
	Packages *big.Int
}

// frontier computes the Pareto frontier bottom up: the non-dominated
// suffix vectors of a node are the non-dominated sums of an edge's value
// and a non-dominated vector of its child (a package whose suffix is
// dominated below some node is dominated overall). maxPoints bounds the
// vectors kept at any node (ErrBudgetExceeded).
func (m *mdd) frontier(ctx context.Context, maxPoints int, tick func()) (*Frontier, error) {
	root := m.root()
	if root == nil {
		return &Frontier{Packages: new(big.Int)}, nil
	}
	np := len(m.sp.parties)
	nl := len(m.order)
	pts := map[*node][]point{}
	for _, t := range m.layers[nl] {
		pts[t] = []point{{vec: make([]int64, np), count: big.NewInt(1), edge: -1}}
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
						v := make([]int64, np)
						for p := range v {
							v[p] = x.util[p] + c.vec[p]
						}
						cnt := new(big.Int).SetUint64(x.mult)
						cnt.Mul(cnt, c.count)
						k := vecKey(v)
						if i, ok := index[k]; ok {
							cand[i].count.Add(cand[i].count, cnt)
							continue
						}
						index[k] = len(cand)
						cand = append(cand, point{vec: v, count: cnt, edge: int32(ei), entry: int32(xi), child: int32(ci)})
					}
				}
			}
			kept := skyline(cand)
			if maxPoints > 0 && len(kept) > maxPoints {
				return nil, fmt.Errorf("the Pareto frontier has more than %d utility vectors below one node: %w", maxPoints, ErrBudgetExceeded)
			}
			pts[n] = kept
		}
		// The points of the layer below are still needed to trace paths.
	}
	f := &Frontier{Packages: new(big.Int)}
	for _, p := range pts[root] {
		u := make([]int64, np)
		for i := range u {
			u[i] = p.vec[i] + m.sp.base[i]
		}
		// Trace one package giving these utilities.
		var path []choice
		n, cur := root, p
		for l := 0; l < nl; l++ {
			e := &n.edges[cur.edge]
			x := m.entries(l, e)[cur.entry]
			path = append(path, choice{l, x.class, x.vc})
			cur = pts[e.child][cur.child]
			n = e.child
		}
		sol := m.solution(path, u, float64(sum(u))/Scale)
		f.Points = append(f.Points, FrontierPoint{Solution: *sol, Packages: p.count})
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

// skyline keeps the points no other point dominates, merging the counts
// of equal ones (within tie).
func skyline(cand []point) []point {
	sort.SliceStable(cand, func(i, j int) bool { return sum(cand[i].vec) > sum(cand[j].vec) })
	var out []point
next:
	for _, c := range cand {
		for i := range out {
			switch cmpVec(out[i].vec, c.vec) {
			case 0:
				out[i].count.Add(out[i].count, c.count)
				continue next
			case 1:
				continue next
			}
		}
		kept := out[:0]
		for _, y := range out {
			if cmpVec(c.vec, y.vec) != 1 {
				kept = append(kept, y)
			}
		}
		out = append(kept, c)
	}
	return out
}
