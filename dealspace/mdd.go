package dealspace

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"sort"
)

// mdd is a multi-valued decision diagram of the packages that satisfy a
// set of clauses: one layer per variable, in a chosen order; an edge
// carries the classes of its variable that lead to the same child. It is
// compiled top down: the state of a node is the set of clauses that cross
// the layer (some variables assigned, some not) and are not yet
// satisfied, so that two prefixes with the same state have the same
// completions and share one node.
type mdd struct {
	sp     *Space
	order  []int     // variable of each layer
	layers [][]*node // layers[len(order)] holds the terminal
	count  *big.Int
	cache  map[string][]entry // entries of edges, by layer and classes
	gen    int                // searches run, for node.memo
}

type node struct {
	state []int32
	edges []edge
	count *big.Int
	// Filled for optimisation: best possible suffix utility per party,
	// and of the sum of utilities.
	maxSuf []int64
	maxSum int64
	// memo holds prefixes a search has explored from here (memoGen says
	// which search).
	memo    []int64
	memoGen int
}

type edge struct {
	child   *node
	classes []int32
	mult    uint64  // number of values of the variable along the edge
	ents    []entry // the edge's value classes, once computed (see mdd.entries)
}

// compileMDD builds the diagram of the packages satisfying clauses.
// maxNodes bounds its size (ErrBudgetExceeded); ctx is checked as it goes.
func (sp *Space) compileMDD(ctx context.Context, clauses []clause, maxNodes int, tick func(int)) (*mdd, error) {
	m := &mdd{sp: sp}
	m.order = sp.varOrder(clauses)
	pos := make([]int, len(sp.vars))
	for i, v := range m.order {
		pos[v] = i
	}
	nl := len(m.order)
	// For each clause: its variables' layers; start and end layer.
	type cinfo struct {
		first, last int
		at          map[int]bitset // layer -> classes that satisfy
	}
	infos := make([]cinfo, len(clauses))
	starts := make([][]int32, nl)
	touch := make([][]int32, nl)
	for ci, cl := range clauses {
		if len(cl) == 0 {
			m.count = new(big.Int)
			m.layers = [][]*node{{}}
			return m, nil
		}
		info := cinfo{first: nl, last: -1, at: map[int]bitset{}}
		for _, f := range cl {
			l := pos[f.v]
			info.at[l] = f.set
			info.first = min(info.first, l)
			info.last = max(info.last, l)
			touch[l] = append(touch[l], int32(ci))
		}
		infos[ci] = info
		starts[info.first] = append(starts[info.first], int32(ci))
	}
	root := &node{}
	m.layers = make([][]*node, nl+1)
	m.layers[0] = []*node{root}
	total := 1
	var keyBuf []byte
	for l := 0; l < nl; l++ {
		v := sp.vars[m.order[l]]
		next := map[string]*node{}
		isTouching := map[int32]bool{}
		for _, c := range touch[l] {
			isTouching[c] = true
		}
		for ni, n := range m.layers[l] {
			if ni%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			// Clauses that matter here: the node's active ones and those
			// that start at this layer.
			active := append(append([]int32(nil), n.state...), starts[l]...)
			byChild := map[*node]int{}
			for c := range v.classes {
				var st []int32
				dead := false
				for _, ci := range active {
					if !isTouching[ci] {
						st = append(st, ci)
						continue
					}
					info := &infos[ci]
					if info.at[l].has(c) {
						continue // satisfied
					}
					if info.last == l {
						dead = true
						break
					}
					st = append(st, ci)
				}
				if dead {
					continue
				}
				sort.Slice(st, func(i, j int) bool { return st[i] < st[j] })
				keyBuf = keyBuf[:0]
				for _, ci := range st {
					keyBuf = binary.LittleEndian.AppendUint32(keyBuf, uint32(ci))
				}
				child := next[string(keyBuf)]
				if child == nil {
					child = &node{state: st}
					next[string(keyBuf)] = child
					total++
					if maxNodes > 0 && total > maxNodes {
						return nil, fmt.Errorf("decision diagram of more than %d nodes: %w", maxNodes, ErrBudgetExceeded)
					}
				}
				if ei, ok := byChild[child]; ok {
					n.edges[ei].classes = append(n.edges[ei].classes, int32(c))
					n.edges[ei].mult += v.classes[c].size
					continue
				}
				byChild[child] = len(n.edges)
				n.edges = append(n.edges, edge{child: child, classes: []int32{int32(c)}, mult: v.classes[c].size})
			}
		}
		layer := make([]*node, 0, len(next))
		for _, n := range next {
			layer = append(layer, n)
		}
		// A deterministic order: by state.
		slices.SortFunc(layer, func(a, b *node) int { return slices.Compare(a.state, b.state) })
		m.layers[l+1] = layer
		if tick != nil {
			tick(total)
		}
	}
	m.countPaths()
	return m, nil
}

// countPaths counts the packages below each node and drops the edges that
// lead to no package.
func (m *mdd) countPaths() {
	nl := len(m.order)
	for _, t := range m.layers[nl] {
		t.count = big.NewInt(1) // the only terminal has the empty state
		if len(t.state) != 0 {
			t.count = new(big.Int)
		}
	}
	for l := nl - 1; l >= 0; l-- {
		for _, n := range m.layers[l] {
			n.count = new(big.Int)
			kept := n.edges[:0]
			for _, e := range n.edges {
				if e.child.count.Sign() == 0 {
					continue
				}
				kept = append(kept, e)
				x := new(big.Int).SetUint64(e.mult)
				n.count.Add(n.count, x.Mul(x, e.child.count))
			}
			n.edges = kept
		}
	}
	m.count = new(big.Int)
	if len(m.layers[0]) > 0 {
		m.count.Set(m.layers[0][0].count)
	}
}

// root returns the root node, or nil when no package satisfies the clauses.
func (m *mdd) root() *node {
	if len(m.layers[0]) == 0 || m.count.Sign() == 0 {
		return nil
	}
	return m.layers[0][0]
}

// varOrder chooses an order of the variables that keeps few clauses open
// across each layer: greedy orders from a few starting points, scored by
// the sum over layers of 2^(open clauses), the best kept.
func (sp *Space) varOrder(clauses []clause) []int {
	nv := len(sp.vars)
	occurs := make([][]int, nv) // clauses of each variable
	for ci, cl := range clauses {
		for _, f := range cl {
			occurs[f.v] = append(occurs[f.v], ci)
		}
	}
	score := func(order []int) float64 {
		placed := make([]int, len(clauses))
		open := 0
		s := 0.0
		for _, v := range order {
			for _, ci := range occurs[v] {
				if placed[ci] == 0 {
					open++
				}
				placed[ci]++
				if placed[ci] == len(clauses[ci]) {
					open--
				}
			}
			s += float64(uint64(1) << min(open, 60))
		}
		return s
	}
	greedy := func(start int) []int {
		order := []int{start}
		done := make([]bool, nv)
		done[start] = true
		placed := make([]int, len(clauses))
		for _, ci := range occurs[start] {
			placed[ci]++
		}
		for len(order) < nv {
			best, bestGain, bestLink := -1, 0, -1
			for v := 0; v < nv; v++ {
				if done[v] {
					continue
				}
				gain, link := 0, 0
				for _, ci := range occurs[v] {
					switch {
					case placed[ci] == 0 && len(clauses[ci]) > 1:
						gain++ // opens a clause
					case placed[ci]+1 == len(clauses[ci]) && placed[ci] > 0:
						gain-- // closes one
						link++
					default:
						if placed[ci] > 0 {
							link++
						}
					}
				}
				if best < 0 || gain < bestGain || (gain == bestGain && link > bestLink) {
					best, bestGain, bestLink = v, gain, link
				}
			}
			done[best] = true
			order = append(order, best)
			for _, ci := range occurs[best] {
				placed[ci]++
			}
		}
		return order
	}
	natural := make([]int, nv)
	for i := range natural {
		natural[i] = i
	}
	if nv == 0 {
		return natural
	}
	best, bestScore := natural, score(natural)
	starts := map[int]bool{0: true, nv - 1: true}
	minDeg, maxDeg := 0, 0
	for v := range occurs {
		if len(occurs[v]) < len(occurs[minDeg]) {
			minDeg = v
		}
		if len(occurs[v]) > len(occurs[maxDeg]) {
			maxDeg = v
		}
	}
	starts[minDeg], starts[maxDeg] = true, true
	keys := make([]int, 0, len(starts))
	for s := range starts {
		keys = append(keys, s)
	}
	sort.Ints(keys)
	for _, s := range keys {
		o := greedy(s)
		if sc := score(o); sc < bestScore {
			best, bestScore = o, sc
		}
	}
	return best
}
