package rules

// bdd is a small reduced ordered binary decision diagram package, used by
// the clause compiler to build a rule's truth function over its atoms
// (issue-value literals) before writing it as clauses. Variables are atom
// indices; the order is the order in which atoms were created, which is
// deterministic for a given rule.
type bdd struct {
	nodes  []bddNode
	unique map[bddNode]int32
	memo   map[bddOp]int32
	limit  int
	steps  int // operations computed (memo misses), bounded by 16*limit
}

// bddNode is a decision node: if atom v then hi else lo. Nodes 0 and 1 are
// the constants false and true.
type bddNode struct {
	v      int32
	lo, hi int32
}

type bddOp struct {
	op   byte
	a, b int32
}

const (
	bddFalse int32 = 0
	bddTrue  int32 = 1
	// bddLeafVar is the variable of the two constant nodes: after every atom.
	bddLeafVar int32 = 1<<31 - 1
)

func newBDD(limit int) *bdd {
	b := &bdd{unique: map[bddNode]int32{}, memo: map[bddOp]int32{}, limit: limit}
	b.nodes = append(b.nodes, bddNode{v: bddLeafVar}, bddNode{v: bddLeafVar})
	return b
}

// errBDDLimit is raised (as a panic caught by the compiler) when a rule's
// diagram grows beyond the node budget.
type errBDDLimit struct{}

// mk returns the node (v, lo, hi), reduced and shared.
func (b *bdd) mk(v, lo, hi int32) int32 {
	if lo == hi {
		return lo
	}
	n := bddNode{v, lo, hi}
	if id, ok := b.unique[n]; ok {
		return id
	}
	if len(b.nodes) >= b.limit {
		panic(errBDDLimit{})
	}
	id := int32(len(b.nodes))
	b.nodes = append(b.nodes, n)
	b.unique[n] = id
	return id
}

// atom returns the diagram of atom v alone.
func (b *bdd) atom(v int32) int32 { return b.mk(v, bddFalse, bddTrue) }

func (b *bdd) not(a int32) int32 {
	switch a {
	case bddFalse:
		return bddTrue
	case bddTrue:
		return bddFalse
	}
	k := bddOp{'!', a, 0}
	if r, ok := b.memo[k]; ok {
		return r
	}
	n := b.nodes[a]
	r := b.mk(n.v, b.not(n.lo), b.not(n.hi))
	b.memo[k] = r
	return r
}

func (b *bdd) and(x, y int32) int32 {
	switch {
	case x == bddFalse || y == bddFalse:
		return bddFalse
	case x == bddTrue:
		return y
	case y == bddTrue || x == y:
		return x
	}
	if x > y {
		x, y = y, x
	}
	return b.apply('&', x, y)
}

func (b *bdd) or(x, y int32) int32 {
	switch {
	case x == bddTrue || y == bddTrue:
		return bddTrue
	case x == bddFalse:
		return y
	case y == bddFalse || x == y:
		return x
	}
	if x > y {
		x, y = y, x
	}
	return b.apply('|', x, y)
}

func (b *bdd) apply(op byte, x, y int32) int32 {
	k := bddOp{op, x, y}
	if r, ok := b.memo[k]; ok {
		return r
	}
	if b.steps++; b.steps > 16*b.limit {
		panic(errBDDLimit{})
	}
	nx, ny := b.nodes[x], b.nodes[y]
	v := min(nx.v, ny.v)
	xl, xh, yl, yh := x, x, y, y
	if nx.v == v {
		xl, xh = nx.lo, nx.hi
	}
	if ny.v == v {
		yl, yh = ny.lo, ny.hi
	}
	var r int32
	if op == '&' {
		r = b.mk(v, b.and(xl, yl), b.and(xh, yh))
	} else {
		r = b.mk(v, b.or(xl, yl), b.or(xh, yh))
	}
	b.memo[k] = r
	return r
}

// ite returns if c then t else e.
func (b *bdd) ite(c, t, e int32) int32 {
	return b.or(b.and(c, t), b.and(b.not(c), e))
}

func (b *bdd) iff(x, y int32) int32 {
	return b.or(b.and(x, y), b.and(b.not(x), b.not(y)))
}
