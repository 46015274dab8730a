package guarantee

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/entente-org/entente/settlement"
)

// MaxWeight bounds a weight or quota of a decision rule: larger numbers
// lose their integer precision as float64 and could never be analysed
// exactly anyway.
const MaxWeight = 1 << 50

// ErrInvalidRule is the sentinel of every [*RuleError].
var ErrInvalidRule = errors.New("invalid decision rule")

// RuleError is a decision rule that cannot be analysed: a fractional or
// negative weight, an empty set, a quota no coalition reaches. Pos is the
// position of the offending rule in the settlement file.
type RuleError struct {
	Pos settlement.Pos
	Msg string
}

func (e *RuleError) Error() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// Unwrap returns [ErrInvalidRule].
func (e *RuleError) Unwrap() error { return ErrInvalidRule }

// Game is a decision rule compiled into a monotone simple game: every
// basic rule (unanimity, any, quota) is a weighted threshold game over the
// voters, called a leaf, and the compositions combine the leaves' verdicts
// with AND (all_of) and OR (any_of).
//
// A coalition's state is the vector of the leaves' weight sums, each
// capped at the leaf's quota: the state decides whether the coalition
// wins, and adding a voter moves it up. The power indices and the
// credibility game are dynamic programmes over these states, never over
// coalitions or orderings.
type Game struct {
	// Voters lists the voters in order of first appearance in the rule.
	Voters []string
	index  map[string]int
	leaves []leaf
	root   *node
	// stride[l] is the place value of leaf l in a state index; size is
	// the number of states, the product of (quota+1).
	stride []int
	size   int
	// contrib[i] lists the leaves voter i adds weight to.
	contrib [][]share
}

type leaf struct {
	quota   int64
	weights []int64 // by voter index
	total   int64
}

type share struct {
	leaf   int
	weight int64
}

// node is a composition: a leaf (leaf >= 0) or an AND/OR of children.
type node struct {
	leaf     int
	and      bool
	children []*node
}

// MaxStates bounds the state space a [Game] may have: the product over
// its leaves of (quota+1).
const MaxStates = 1 << 30

// Compile turns a decision rule into a [Game]. It rejects what the
// settlement validator also rejects (so that the engine is safe on any
// input): an empty unanimity, any or composition; weights that are
// negative, fractional or above [MaxWeight]; a quota below 1, fractional,
// or above the total weight.
func Compile(d *settlement.Decision) (*Game, error) {
	if d == nil {
		return nil, &RuleError{Msg: "no decision rule"}
	}
	g := &Game{Voters: d.Voters(), index: map[string]int{}}
	for i, v := range g.Voters {
		g.index[v] = i
	}
	root, err := g.compile(d, 0)
	if err != nil {
		return nil, err
	}
	g.root = root
	g.size = 1
	g.stride = make([]int, len(g.leaves))
	for l, lf := range g.leaves {
		g.stride[l] = g.size
		if lf.quota+1 > int64(MaxStates/g.size) {
			return nil, &TooLargeError{What: "the rule's state space", Need: float64(g.size) * float64(lf.quota+1), Limit: MaxStates,
				Hint: "quotas multiply: lower the weights (divide them and the quota by a common factor)"}
		}
		g.size *= int(lf.quota + 1)
	}
	g.contrib = make([][]share, len(g.Voters))
	for l, lf := range g.leaves {
		for i, w := range lf.weights {
			if w > 0 {
				g.contrib[i] = append(g.contrib[i], share{leaf: l, weight: w})
			}
		}
	}
	return g, nil
}

func (g *Game) compile(d *settlement.Decision, depth int) (*node, error) {
	if d == nil {
		return nil, &RuleError{Msg: "empty rule"}
	}
	if depth > 64 {
		return nil, &RuleError{Pos: d.Pos, Msg: "decision rule nested more than 64 deep"}
	}
	switch d.Kind {
	case settlement.Unanimity, settlement.Any:
		if len(d.Members) == 0 {
			return nil, &RuleError{Pos: d.Pos, Msg: fmt.Sprintf("an empty %s set can never activate; name at least one party", d.Kind)}
		}
		lf := leaf{weights: make([]int64, len(g.Voters))}
		for _, m := range d.Members {
			lf.weights[g.index[m]] = 1 // a member listed twice counts once
		}
		for _, w := range lf.weights {
			lf.total += w
		}
		lf.quota = 1
		if d.Kind == settlement.Unanimity {
			lf.quota = lf.total
		}
		g.leaves = append(g.leaves, lf)
		return &node{leaf: len(g.leaves) - 1}, nil
	case settlement.Quota:
		lf := leaf{weights: make([]int64, len(g.Voters))}
		for _, p := range d.WeightOrder {
			w := d.Weights[p]
			if w < 0 || w != math.Trunc(w) || w > MaxWeight || math.IsNaN(w) {
				return nil, &RuleError{Pos: d.Pos, Msg: fmt.Sprintf("weight %g of %s: weights are whole numbers from 0 to 2^50", w, p)}
			}
			lf.weights[g.index[p]] += int64(w)
			lf.total += int64(w)
			if lf.total > MaxWeight {
				return nil, &RuleError{Pos: d.Pos, Msg: "the weights add up to more than 2^50"}
			}
		}
		q := d.Quota
		switch {
		case q < 1 || q != math.Trunc(q) || math.IsNaN(q):
			return nil, &RuleError{Pos: d.Pos, Msg: fmt.Sprintf("quota %g: a quota is a whole number of at least 1", q)}
		case q > float64(lf.total):
			return nil, &RuleError{Pos: d.Pos, Msg: fmt.Sprintf("quota %g is above the total weight %d: the guarantee can never activate", q, lf.total)}
		}
		lf.quota = int64(q)
		g.leaves = append(g.leaves, lf)
		return &node{leaf: len(g.leaves) - 1}, nil
	case settlement.AllOf, settlement.AnyOf:
		if len(d.Rules) == 0 {
			return nil, &RuleError{Pos: d.Pos, Msg: fmt.Sprintf("an empty %s can never activate; list at least one rule", d.Kind)}
		}
		n := &node{leaf: -1, and: d.Kind == settlement.AllOf}
		for _, r := range d.Rules {
			c, err := g.compile(r, depth+1)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, c)
		}
		return n, nil
	}
	return nil, &RuleError{Pos: d.Pos, Msg: fmt.Sprintf("unknown form %q", d.Kind)}
}

// N returns the number of voters.
func (g *Game) N() int { return len(g.Voters) }

// Index returns the index of a voter in [Game.Voters], or -1.
func (g *Game) Index(voter string) int {
	if i, ok := g.index[voter]; ok {
		return i
	}
	return -1
}

// States returns the number of states of the game's dynamic programmes.
func (g *Game) States() int { return g.size }

// value returns the capped weight sum of leaf l in state s.
func (g *Game) value(s, l int) int64 {
	return int64(s/g.stride[l]) % (g.leaves[l].quota + 1)
}

// add returns the state reached from s when voter i joins.
func (g *Game) add(s, i int) int {
	for _, c := range g.contrib[i] {
		q := g.leaves[c.leaf].quota
		v := int64(s/g.stride[c.leaf]) % (q + 1)
		nv := v + c.weight
		if nv > q {
			nv = q
		}
		s += int(nv-v) * g.stride[c.leaf]
	}
	return s
}

// winsState reports whether a coalition in state s wins.
func (g *Game) winsState(s int) bool { return g.eval(g.root, s) }

func (g *Game) eval(n *node, s int) bool {
	if n.leaf >= 0 {
		return g.value(s, n.leaf) >= g.leaves[n.leaf].quota
	}
	for _, c := range n.children {
		if g.eval(c, s) != n.and {
			return !n.and
		}
	}
	return n.and
}

// state returns the state of a coalition given by membership.
func (g *Game) state(member []bool) int {
	s := 0
	for i, in := range member {
		if in {
			s = g.add(s, i)
		}
	}
	return s
}

// Wins reports whether the coalition (member[i] for voter i) activates the
// guarantee.
func (g *Game) Wins(member []bool) bool { return g.winsState(g.state(member)) }

// winTable returns, for every state, whether it wins.
func (g *Game) winTable() []bool {
	w := make([]bool, g.size)
	for s := range w {
		w[s] = g.winsState(s)
	}
	return w
}

// Describe writes the rule in words, e.g. "unanimity of FR, GB, DE" or
// "all of (US; 2 of FR 1, GB 1, DE 1)".
func Describe(d *settlement.Decision) string {
	if d == nil {
		return "none"
	}
	switch d.Kind {
	case settlement.Unanimity:
		return "unanimity of " + shortList(d.Members)
	case settlement.Any:
		return "any of " + shortList(d.Members)
	case settlement.Quota:
		parts := make([]string, 0, len(d.WeightOrder))
		for _, p := range d.WeightOrder {
			parts = append(parts, fmt.Sprintf("%s %g", p, d.Weights[p]))
		}
		return fmt.Sprintf("%g of %s", d.Quota, shortList(parts))
	case settlement.AllOf, settlement.AnyOf:
		parts := make([]string, 0, len(d.Rules))
		for _, r := range d.Rules {
			parts = append(parts, Describe(r))
		}
		word := "all of"
		if d.Kind == settlement.AnyOf {
			word = "any of"
		}
		return word + " (" + strings.Join(parts, "; ") + ")"
	}
	return string(d.Kind)
}

// TooLargeError says that an analysis needs more memory or work than its
// limit allows. Need and Limit are in the unit What names.
type TooLargeError struct {
	What  string
	Need  float64
	Limit float64
	Hint  string
}

// ErrTooLarge is the sentinel of every [*TooLargeError].
var ErrTooLarge = errors.New("analysis too large")

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("%s needs about %.3g, above the limit of %.3g", e.What, e.Need, e.Limit)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// Unwrap returns [ErrTooLarge].
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// shortList joins up to 12 names, then says how many more there are.
func shortList(names []string) string {
	const max = 12
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … (%d in all)", strings.Join(names[:max], ", "), len(names))
}
