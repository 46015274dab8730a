package dealspace

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"sort"
	"strconv"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

// Scale is the fixed-point unit of utilities inside the engine: a utility
// u is held as the integer round(u * Scale), so that sums are exact and
// associative and ties between packages are exact.
const Scale = 1 << 40

// RedLine names one red line of one party.
type RedLine struct {
	Party  string
	ID     string
	Source string
	// Rule is the red line's expression, as written.
	Rule string
	Pos  settlement.Pos
}

// String writes the red line as PARTY/ID.
func (r RedLine) String() string { return r.Party + "/" + r.ID }

// Space is a settlement's deal space prepared for analysis: its issues
// split into engine variables whose values are grouped into classes, its
// constraints and red lines as clauses over those classes, and the
// utilities of the parties that state one, in fixed point. A Space is
// immutable once built and safe for concurrent use.
type Space struct {
	s        *settlement.Settlement
	vars     []*variable
	hard     []clause // the constraints
	hardIDs  []string // constraint of each hard clause
	red      [][]clause
	redLines []RedLine
	// Parties lists the parties with a utility, in position order.
	parties []string
	res     []int64 // reservation of each party, fixed point
	resv    []float64
	utils   []*settlement.Utility
	base    []int64 // utility every package gives each party regardless of variables
	total   *big.Int
}

// variable is an engine variable: a whole Enum or Range issue, or one item
// of a Subset issue (values 0: left out, 1: chosen).
type variable struct {
	issue *settlement.Issue
	item  int    // the item's index for a subset variable, else -1
	n     uint64 // number of values
	// classes partition the values: values of one class satisfy the same
	// literals of every rule.
	classes []*class
}

// class is a set of values of a variable, as intervals of value indices.
type class struct {
	spans [][2]uint64
	size  uint64
	// vals split the class into values of equal utility for every party.
	vals []valueClass
}

// valueClass is a set of values of a class that every party values alike.
type valueClass struct {
	util []int64 // contribution to each party's utility, fixed point
	mult uint64  // number of values
	rep  uint64  // index of a representative value
	// spans lists its values, as increasing intervals of value indices
	// (what the frontier's packages are enumerated from).
	spans [][2]uint64
}

// clause is a disjunction of facts, each on a distinct variable.
type clause []fact

// fact states that a variable's value lies in one of a set of classes.
type fact struct {
	v   int
	set bitset
}

// bitset is a set of small integers.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(uint(i)%64)) != 0 }
func (b bitset) add(i int)      { b[i/64] |= 1 << (uint(i) % 64) }
func (b bitset) count() (n int) {
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// Limits of the engine's representation (see Options for run-time budgets).
const (
	// MaxValueClasses is the most values of one variable the utilities may
	// tell apart.
	MaxValueClasses = 1 << 16
)

// ErrNoPositions is returned when no party states a position: there are
// no red lines and no utilities to analyse.
var ErrNoPositions = errors.New("the settlement has no positions: no party states red lines or a utility")

// RuleError reports constraints or red lines the engine cannot compile.
type RuleError struct {
	Rules []UnsupportedRule
}

// UnsupportedRule is one rule outside what compiles, at its position.
type UnsupportedRule struct {
	What string // "constraint ID" or "red line ID of PARTY"
	Pos  settlement.Pos
	Err  *rules.UnsupportedError
}

func (e *RuleError) Error() string {
	s := ""
	for i, r := range e.Rules {
		if i > 0 {
			s += "\n"
		}
		s += fmt.Sprintf("%s: %s: %s", r.Pos, r.What, r.Err.Msg)
	}
	return s
}

// Unwrap returns rules.ErrUnsupported.
func (e *RuleError) Unwrap() error { return rules.ErrUnsupported }

// DomainError reports an issue whose values the engine cannot represent.
type DomainError struct {
	Issue string
	Pos   settlement.Pos
	Msg   string
}

func (e *DomainError) Error() string { return fmt.Sprintf("%s: issue %s: %s", e.Pos, e.Issue, e.Msg) }

// New prepares the deal space of a settlement that has passed validation
// (every constraint and red line compiled). It fails with ErrNoPositions,
// a *RuleError for rules outside the clause compiler's subset, or a
// *DomainError for an issue whose utilities tell apart more than
// MaxValueClasses values.
func New(s *settlement.Settlement) (*Space, error) {
	if len(s.Positions) == 0 {
		return nil, ErrNoPositions
	}
	return newSpace(s)
}

func newSpace(s *settlement.Settlement) (*Space, error) {
	sp := &Space{s: s, total: big.NewInt(1)}
	byIssue := map[string][]int{} // issue id -> variable indices
	for _, is := range s.Issues {
		switch is.Kind {
		case rules.Subset:
			for i := range is.Items {
				byIssue[is.ID] = append(byIssue[is.ID], len(sp.vars))
				sp.vars = append(sp.vars, &variable{issue: is, item: i, n: 2})
			}
		default:
			n := uint64(len(is.Options))
			if is.Kind == rules.Range {
				n = is.Range.Values()
			}
			if n == 0 {
				return nil, &DomainError{Issue: is.ID, Pos: is.Pos, Msg: "empty domain"}
			}
			byIssue[is.ID] = append(byIssue[is.ID], len(sp.vars))
			sp.vars = append(sp.vars, &variable{issue: is, item: -1, n: n})
		}
	}
	for _, v := range sp.vars {
		sp.total.Mul(sp.total, new(big.Int).SetUint64(v.n))
	}
	// Compile every rule.
	var bad []UnsupportedRule
	get := func(r *settlement.Rule, what string) rules.CNF {
		if r.Compiled == nil {
			bad = append(bad, UnsupportedRule{What: what, Pos: r.Pos, Err: &rules.UnsupportedError{Line: 1, Col: 1, Msg: "the rule did not compile; run entente check"}})
			return nil
		}
		cnf, err := r.Compiled.Clauses()
		if err != nil {
			var ue *rules.UnsupportedError
			if errors.As(err, &ue) {
				bad = append(bad, UnsupportedRule{What: what, Pos: r.At(ue.Offset), Err: ue})
			} else {
				bad = append(bad, UnsupportedRule{What: what, Pos: r.Pos, Err: &rules.UnsupportedError{Line: 1, Col: 1, Msg: err.Error()}})
			}
		}
		return cnf
	}
	var hardCNF []rules.CNF
	for _, c := range s.Constraints {
		hardCNF = append(hardCNF, get(&c.Rule, "constraint "+c.ID))
	}
	var redCNF []rules.CNF
	for _, p := range s.Positions {
		for _, rl := range p.RedLines {
			redCNF = append(redCNF, get(&rl.Rule, "red line "+rl.ID+" of "+p.Party))
			sp.redLines = append(sp.redLines, RedLine{Party: p.Party, ID: rl.ID, Source: rl.Source, Rule: rl.Rule.Expr, Pos: rl.Pos})
		}
	}
	if len(bad) > 0 {
		return nil, &RuleError{Rules: bad}
	}
	// Classes: cut each variable's values wherever a literal changes truth.
	var lits []rules.Lit
	for _, cs := range [][]rules.CNF{hardCNF, redCNF} {
		for _, cnf := range cs {
			for _, cl := range cnf {
				lits = append(lits, cl...)
			}
		}
	}
	sp.makeClasses(byIssue, lits)
	for i, cnf := range hardCNF {
		for _, cl := range sp.clauses(byIssue, cnf) {
			sp.hard = append(sp.hard, cl)
			sp.hardIDs = append(sp.hardIDs, s.Constraints[i].ID)
		}
	}
	for _, cnf := range redCNF {
		sp.red = append(sp.red, sp.clauses(byIssue, cnf))
	}
	if err := sp.makeUtilities(); err != nil {
		return nil, err
	}
	return sp, nil
}

// value returns the value of variable v at index k, as rules sees it
// (string, int64, or for a subset variable whether its item is chosen).
func (sp *Space) value(v *variable, k uint64) any {
	is := v.issue
	switch {
	case v.item >= 0:
		return k == 1
	case is.Kind == rules.Enum:
		return is.Options[k]
	}
	return is.Range.Min + int64(k)*is.Range.Step
}

// holds reports whether literal l holds at value index k of v.
func (sp *Space) holds(v *variable, l rules.Lit, k uint64) bool {
	if v.item >= 0 {
		in := k == 1
		return in != l.Neg
	}
	return l.Holds(sp.value(v, k))
}

// makeClasses partitions each variable's values by the literals that
// mention it.
func (sp *Space) makeClasses(byIssue map[string][]int, lits []rules.Lit) {
	// cuts[v] holds the value indices after which a new class starts, and
	// isolated values (each its own class).
	after := make([]map[uint64]bool, len(sp.vars))
	alone := make([]map[uint64]bool, len(sp.vars))
	for i := range sp.vars {
		after[i], alone[i] = map[uint64]bool{}, map[uint64]bool{}
	}
	for _, l := range lits {
		for _, vi := range byIssue[l.Issue] {
			v := sp.vars[vi]
			is := v.issue
			switch {
			case v.item >= 0:
				if is.Items[v.item] == l.Option {
					alone[vi][0], alone[vi][1] = true, true
				}
			case is.Kind == rules.Enum:
				for k, o := range is.Options {
					if o == l.Option {
						alone[vi][uint64(k)] = true
					}
				}
			case l.Op == rules.Is:
				if k, ok := rangeIndex(is, l.N); ok {
					alone[vi][k] = true
				}
			case l.Op == rules.AtMost:
				if l.N >= is.Range.Min {
					k := (uint64(l.N) - uint64(is.Range.Min)) / uint64(is.Range.Step)
					if k+1 < v.n {
						after[vi][k] = true
					}
				}
			}
		}
	}
	for vi, v := range sp.vars {
		if v.issue.Kind == rules.Enum && v.item < 0 {
			// Options no literal names form one class.
			var rest [][2]uint64
			for k := uint64(0); k < v.n; k++ {
				if alone[vi][k] {
					v.classes = append(v.classes, &class{spans: [][2]uint64{{k, k}}, size: 1})
				} else {
					rest = append(rest, [2]uint64{k, k})
				}
			}
			if len(rest) > 0 {
				v.classes = append(v.classes, &class{spans: rest, size: uint64(len(rest))})
			}
			continue
		}
		// Ranges and items: intervals between cuts, isolated values alone.
		var points []uint64
		for k := range after[vi] {
			points = append(points, k)
		}
		for k := range alone[vi] {
			if k > 0 {
				points = append(points, k-1)
			}
			points = append(points, k)
		}
		sort.Slice(points, func(i, j int) bool { return points[i] < points[j] })
		lo := uint64(0)
		for _, p := range points {
			if p < lo || p >= v.n-1 {
				continue
			}
			v.classes = append(v.classes, &class{spans: [][2]uint64{{lo, p}}, size: p - lo + 1})
			lo = p + 1
		}
		v.classes = append(v.classes, &class{spans: [][2]uint64{{lo, v.n - 1}}, size: v.n - lo})
	}
}

// rangeIndex returns the index of value n of a range issue.
func rangeIndex(is *settlement.Issue, n int64) (uint64, bool) {
	r := is.Range
	if n < r.Min || n > r.Max || (uint64(n)-uint64(r.Min))%uint64(r.Step) != 0 {
		return 0, false
	}
	return (uint64(n) - uint64(r.Min)) / uint64(r.Step), true
}

// clauses translates a rule's CNF into clauses over classes, dropping
// clauses that always hold.
func (sp *Space) clauses(byIssue map[string][]int, cnf rules.CNF) []clause {
	var out []clause
	for _, cl := range cnf {
		facts := map[int]bitset{}
		var order []int
		for _, l := range cl {
			for _, vi := range byIssue[l.Issue] {
				v := sp.vars[vi]
				if v.item >= 0 && v.issue.Items[v.item] != l.Option {
					continue
				}
				set := facts[vi]
				if set == nil {
					set = newBitset(len(v.classes))
					facts[vi] = set
					order = append(order, vi)
				}
				for ci, c := range v.classes {
					if sp.holds(v, l, c.spans[0][0]) {
						set.add(ci)
					}
				}
			}
		}
		var c clause
		always := false
		sort.Ints(order)
		for _, vi := range order {
			set := facts[vi]
			switch set.count() {
			case 0:
				continue
			case len(sp.vars[vi].classes):
				always = true
			}
			c = append(c, fact{v: vi, set: set})
		}
		if !always {
			out = append(out, c)
		}
	}
	return out
}

// makeUtilities splits each class into value classes and computes each
// party's fixed-point contributions.
func (sp *Space) makeUtilities() error {
	for _, p := range sp.s.Positions {
		if p.Utility == nil {
			continue
		}
		sp.parties = append(sp.parties, p.Party)
		sp.res = append(sp.res, fix(p.Reservation))
		sp.resv = append(sp.resv, p.Reservation)
		sp.utils = append(sp.utils, p.Utility)
	}
	us := sp.utils
	np := len(us)
	sp.base = make([]int64, np)
	empty := []string{}
	for _, is := range sp.s.Issues {
		if is.Kind != rules.Subset {
			continue
		}
		for p, u := range us {
			if w := u.Weight(is.ID); w > 0 {
				sp.base[p] += fix(w * u.Value(is, empty))
			}
		}
	}
	for _, v := range sp.vars {
		is := v.issue
		// util returns the contributions of value index k.
		util := func(k uint64) []int64 {
			out := make([]int64, np)
			for p, u := range us {
				w := u.Weight(is.ID)
				if w <= 0 {
					continue
				}
				switch {
				case v.item >= 0:
					if k == 1 {
						out[p] = fix(w*u.Value(is, []string{is.Items[v.item]})) - fix(w*u.Value(is, empty))
					}
				default:
					out[p] = fix(w * u.Value(is, sp.value(v, k)))
				}
			}
			return out
		}
		// Breakpoints of range utilities: the parties' points.
		var breaks []uint64
		if is.Kind == rules.Range {
			seen := map[uint64]bool{}
			for _, u := range us {
				if u.Weight(is.ID) <= 0 {
					continue
				}
				for key := range u.Values[is.ID] {
					n, err := strconv.ParseInt(key, 10, 64)
					if err != nil || n < is.Range.Min || n > is.Range.Max {
						continue
					}
					// The point's own value, and the nearest values on the step.
					k := (uint64(n) - uint64(is.Range.Min)) / uint64(is.Range.Step)
					for _, x := range []uint64{k, k + 1} {
						if x < v.n && !seen[x] {
							seen[x] = true
							breaks = append(breaks, x)
						}
					}
				}
			}
			sort.Slice(breaks, func(i, j int) bool { return breaks[i] < breaks[j] })
		}
		total := 0
		for _, c := range v.classes {
			byVec := map[string]int{}
			add := func(vec []int64, mult, rep uint64) {
				key := vecKey(vec)
				span := [2]uint64{rep, rep + mult - 1}
				if i, ok := byVec[key]; ok {
					vc := &c.vals[i]
					vc.mult += mult
					if last := &vc.spans[len(vc.spans)-1]; last[1]+1 == span[0] {
						last[1] = span[1]
					} else {
						vc.spans = append(vc.spans, span)
					}
					return
				}
				byVec[key] = len(c.vals)
				c.vals = append(c.vals, valueClass{util: vec, mult: mult, rep: rep, spans: [][2]uint64{span}})
			}
			for _, sp := range c.spans {
				if is.Kind != rules.Range || v.item >= 0 {
					for k := sp[0]; k <= sp[1]; k++ {
						add(util(k), 1, k)
					}
					continue
				}
				// Segments between breakpoints: constant for every party
				// or split value by value.
				lo := sp[0]
				for lo <= sp[1] {
					hi := sp[1]
					i := sort.Search(len(breaks), func(i int) bool { return breaks[i] >= lo })
					if i < len(breaks) && breaks[i] == lo {
						hi = lo
					} else if i < len(breaks) && breaks[i]-1 < hi {
						hi = breaks[i] - 1
					}
					a, b := util(lo), util(hi)
					if slices.Equal(a, b) {
						add(a, hi-lo+1, lo)
					} else {
						if hi-lo+1 > MaxValueClasses {
							return &DomainError{Issue: is.ID, Pos: is.Pos, Msg: fmt.Sprintf(
								"the utilities tell apart %d values of this range (more than the %d the engine handles): use a larger step", hi-lo+1, MaxValueClasses)}
						}
						for k := lo; k <= hi; k++ {
							add(util(k), 1, k)
						}
					}
					if hi == math.MaxUint64 {
						break
					}
					lo = hi + 1
				}
			}
			total += len(c.vals)
			if total > MaxValueClasses {
				return &DomainError{Issue: is.ID, Pos: is.Pos, Msg: fmt.Sprintf(
					"the utilities tell apart more than %d values of this issue: use a larger step", MaxValueClasses)}
			}
		}
	}
	return nil
}

// fix converts a utility to fixed point.
func fix(u float64) int64 { return int64(math.Round(u * Scale)) }

// unfix converts a fixed-point utility back.
func unfix(u int64) float64 { return float64(u) / Scale }

func vecKey(v []int64) string {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = strconv.AppendInt(b, x, 36)
		b = append(b, ',')
	}
	return string(b)
}

// Packages returns the number of packages of the settlement (the product
// of its issues' domain sizes), ignoring constraints and red lines.
func (sp *Space) Packages() *big.Int { return new(big.Int).Set(sp.total) }

// RedLines returns the red lines in position order.
func (sp *Space) RedLines() []RedLine { return append([]RedLine(nil), sp.redLines...) }

// Parties returns the parties with a utility, in position order: the axes
// of utility vectors.
func (sp *Space) Parties() []string { return append([]string(nil), sp.parties...) }

// Reservation returns each party's reservation value, in Parties order.
func (sp *Space) Reservation() []float64 {
	return append([]float64(nil), sp.resv...)
}
