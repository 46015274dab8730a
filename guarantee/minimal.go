package guarantee

import (
	"context"
	"fmt"
	"math/big"
	"sort"
)

// Minimal describes the minimal winning coalitions of a game: winning
// coalitions that lose when any one member leaves.
type Minimal struct {
	// Count is the exact number of minimal winning coalitions; nil when
	// it could not be counted within the limits (Note says why).
	Count *big.Int
	// List holds minimal winning coalitions (each in voter order), at
	// most the limit asked for, in the order a depth-first search over
	// the voters (in order, members first) finds them.
	List [][]string
	// Complete reports whether List holds every minimal winning coalition.
	Complete bool
	// Note explains a missing count or an incomplete search.
	Note string
}

// MaxListedNames bounds a listing of every minimal winning coalition
// (limit 0): it stops once the coalitions listed hold this many voter
// names in all, and the result says it is incomplete.
const MaxListedNames = 1 << 20

// MinimalWinning lists up to limit minimal winning coalitions (all of
// them when limit is 0, as far as the search's bound allows) and counts
// them all.
//
// A basic rule (one weighted, unanimity or any leaf) is counted by a
// generating function: with the voters sorted by weight, a minimal
// winning coalition is a set T of heavier voters plus its lightest member
// j with q − w(j) ≤ w(T) < q, so the count is a sum over j of coalition
// counts by weight below the quota (n·q steps, exact big integers, at
// most maxCells of them). A composition is counted by a depth-first
// search over coalitions that stops at the first winning set on each
// branch and prunes branches that cannot win; it visits at most maxNodes
// coalitions, and beyond that Count is nil.
func (g *Game) MinimalWinning(ctx context.Context, limit int, maxNodes, maxCells int64) (*Minimal, error) {
	m := &Minimal{}
	if g.root.leaf >= 0 {
		lf := g.leaves[g.root.leaf]
		if c := equalWeights(lf); c != nil {
			m.Count = c
		} else if float64(lf.quota)*float64(g.N()) <= float64(maxCells) {
			c, err := g.countLeaf(ctx, lf)
			if err != nil {
				return nil, err
			}
			m.Count = c
		} else {
			m.Note = fmt.Sprintf("not counted: %d voters × quota %d exceeds the limit of %d steps", g.N(), lf.quota, maxCells)
		}
	}
	// A basic rule too large to count is only searched for the listing.
	s := &search{g: g, limit: limit, maxNodes: maxNodes, ctx: ctx, count: m.Count == nil && m.Note == ""}
	if err := s.run(); err != nil {
		return nil, err
	}
	m.List = s.list
	switch {
	case m.Note != "":
	case m.Count == nil && !s.exhausted:
		m.Note = fmt.Sprintf("not counted: the search of a composition stopped after %d coalitions (at least %d found)", maxNodes, s.found)
	case m.Count == nil:
		m.Count = big.NewInt(s.found)
	}
	m.Complete = m.Count != nil && m.Count.Cmp(big.NewInt(int64(len(m.List)))) == 0
	if s.full && !m.Complete && m.Note == "" {
		m.Note = fmt.Sprintf("listed up to %d voter names (%d coalitions); ask for fewer with a limit", MaxListedNames, len(m.List))
	}
	return m, nil
}

// equalWeights counts the minimal winning coalitions of a leaf whose
// voters of positive weight all weigh the same w (unanimity, any, and
// majorities of equals): the coalitions of exactly ⌈q/w⌉ of its m voters,
// C(m, ⌈q/w⌉). It is nil when the weights differ.
func equalWeights(lf leaf) *big.Int {
	var w, m int64
	for _, x := range lf.weights {
		if x == 0 {
			continue
		}
		if w != 0 && x != w {
			return nil
		}
		w = x
		m++
	}
	if w == 0 {
		return nil
	}
	k := (lf.quota + w - 1) / w
	return new(big.Int).Binomial(m, k)
}

// countLeaf counts the minimal winning coalitions of a weighted leaf.
func (g *Game) countLeaf(ctx context.Context, lf leaf) (*big.Int, error) {
	order := make([]int, 0, g.N())
	for i, w := range lf.weights {
		if w > 0 {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return lf.weights[order[a]] > lf.weights[order[b]] })
	q := lf.quota
	cnt := make([]*big.Int, q) // coalitions of the voters so far, by weight < q
	for i := range cnt {
		cnt[i] = new(big.Int)
	}
	cnt[0].SetInt64(1)
	total := new(big.Int)
	for _, j := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w := lf.weights[j]
		lo := q - w
		if lo < 0 {
			lo = 0
		}
		for s := lo; s < q; s++ {
			total.Add(total, cnt[s])
		}
		for s := q - 1 - w; s >= 0; s-- {
			if cnt[s].Sign() != 0 {
				cnt[s+w].Add(cnt[s+w], cnt[s])
			}
		}
	}
	return total, nil
}

// search enumerates minimal winning coalitions depth first.
type search struct {
	g         *Game
	limit     int
	maxNodes  int64
	ctx       context.Context
	count     bool // search everything (no exact count otherwise)
	nodes     int64
	found     int64
	exhausted bool
	list      [][]string
	member    []bool
	cur, rest []int64 // uncapped weight sums by leaf: members; undecided voters
	tmp       []int64
	stop      bool
	names     int  // voter names listed so far
	full      bool // the listing reached MaxListedNames
}

func (s *search) run() error {
	g := s.g
	s.member = make([]bool, g.N())
	s.cur = make([]int64, len(g.leaves))
	s.rest = make([]int64, len(g.leaves))
	s.tmp = make([]int64, len(g.leaves))
	for l, lf := range g.leaves {
		s.rest[l] = lf.total
	}
	s.exhausted = true
	s.rec(0)
	if err := s.ctx.Err(); err != nil {
		return err
	}
	return nil
}

func (s *search) rec(i int) {
	if s.stop {
		return
	}
	s.nodes++
	if s.nodes > s.maxNodes || s.ctx.Err() != nil {
		s.stop, s.exhausted = true, false
		return
	}
	g := s.g
	if g.winsSums(g.root, s.cur) {
		if s.minimal() {
			s.found++
			if (s.limit == 0 || len(s.list) < s.limit) && !s.full {
				var c []string
				for v, in := range s.member {
					if in {
						c = append(c, g.Voters[v])
					}
				}
				s.list = append(s.list, c)
				s.names += len(c)
				s.full = s.names >= MaxListedNames
			}
			if !s.count && (s.full || s.limit > 0 && len(s.list) >= s.limit) {
				s.stop = true
			}
		}
		return
	}
	if i == g.N() {
		return
	}
	for l := range s.tmp {
		s.tmp[l] = s.cur[l] + s.rest[l]
	}
	if !g.winsSums(g.root, s.tmp) {
		return
	}
	for _, c := range g.contrib[i] {
		s.rest[c.leaf] -= c.weight
		s.cur[c.leaf] += c.weight
	}
	s.member[i] = true
	s.rec(i + 1)
	s.member[i] = false
	for _, c := range g.contrib[i] {
		s.cur[c.leaf] -= c.weight
	}
	s.rec(i + 1)
	for _, c := range g.contrib[i] {
		s.rest[c.leaf] += c.weight
	}
}

// minimal reports whether every member of the current winning coalition
// is needed. Each member tested counts as a node of the search's budget.
func (s *search) minimal() bool {
	g := s.g
	for v, in := range s.member {
		if !in {
			continue
		}
		s.nodes++
		copy(s.tmp, s.cur)
		for _, c := range g.contrib[v] {
			s.tmp[c.leaf] -= c.weight
		}
		if g.winsSums(g.root, s.tmp) {
			return false
		}
	}
	return true
}

// winsSums evaluates the rule on uncapped weight sums by leaf.
func (g *Game) winsSums(n *node, sums []int64) bool {
	if n.leaf >= 0 {
		return sums[n.leaf] >= g.leaves[n.leaf].quota
	}
	for _, c := range n.children {
		if g.winsSums(c, sums) != n.and {
			return !n.and
		}
	}
	return n.and
}
