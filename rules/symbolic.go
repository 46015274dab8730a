package rules

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// Clauses compiles the rule into clauses over issue-value literals: a CNF
// that holds on exactly the packages on which the rule evaluates to true.
// Subset values are lists of the chosen items in their declared order, as
// in Package. The result is computed once and shared; callers must not
// modify it.
//
// A rule outside the supported subset (see [Supported]), or one whose
// compilation would exceed [MaxClauses], [MaxCases] or [MaxDiagram], gives
// an [*UnsupportedError] locating the offending subexpression; nothing is
// approximated. Rules over events are not compiled (ErrWrongEnv).
func (r *Rule) Clauses() (CNF, error) {
	r.clauseOnce.Do(func() {
		if r.env.event {
			r.clauseErr = fmt.Errorf("rules: Clauses: %w: the rule is over event", ErrWrongEnv)
			return
		}
		r.clauses, r.clauseErr = compileClauses(r)
	})
	return r.clauses, r.clauseErr
}

// symKind is the kind of a symbolic value.
type symKind int

const (
	sBool symKind = iota + 1
	sInt
	sString
	sList
)

func (k symKind) String() string {
	return [...]string{"", "bool", "int", "string", "list"}[k]
}

// sym is the symbolic value of a subexpression over the issues: for a
// bool, the diagram of its truth; for the other kinds, cases whose
// conditions are mutually exclusive and cover every package (under the
// issues' domains), each with its value.
type sym struct {
	k  symKind
	b  int32
	cs []scase
}

type scase struct {
	cond  int32
	lin   linear  // sInt
	str   string  // sString
	elems []*elem // sList
}

// elem is a list element present under a condition (a subset's items are
// present when chosen).
type elem struct {
	present int32
	val     sym
}

type atomKey struct {
	issue *issueDecl
	op    LitOp
	opt   string
	n     int64
}

// symc holds the state of one compilation.
type symc struct {
	rule  *Rule
	b     *bdd
	atoms []Lit
	decls []*issueDecl
	index map[atomKey]int32
	scope []symBinding
	info  *celast.SourceInfo
	lines []int
	nrune int
}

type symBinding struct {
	name string
	val  sym
}

func compileClauses(r *Rule) (cnf CNF, err error) {
	c := &symc{rule: r, b: newBDD(MaxDiagram), index: map[atomKey]int32{}, info: r.ast.SourceInfo()}
	c.lines, c.nrune = lineStarts(r.expr)
	defer func() {
		if v := recover(); v != nil {
			switch x := v.(type) {
			case *UnsupportedError:
				cnf, err = nil, x
			case errBDDLimit:
				cnf, err = nil, c.errAt(r.ast.Expr(), "the rule needs more than %d decision-diagram nodes; split it into simpler rules", MaxDiagram)
			default:
				cnf, err = nil, c.errAt(r.ast.Expr(), "internal error while compiling to clauses: %v", v)
			}
		}
	}()
	s := c.eval(r.ast.Expr())
	if s.k != sBool {
		c.fail(r.ast.Expr(), "the rule is a %s, not a bool", s.k)
	}
	return c.cnf(r.ast.Expr(), s.b), nil
}

// errAt returns an UnsupportedError at the start of e.
func (c *symc) errAt(e celast.Expr, format string, args ...any) *UnsupportedError {
	off := 0
	if e != nil {
		if rg, ok := c.info.GetOffsetRange(e.ID()); ok {
			off = int(rg.Start)
		}
	}
	off, line, col := locate(c.lines, c.nrune, off)
	return &UnsupportedError{Offset: off, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (c *symc) fail(e celast.Expr, format string, args ...any) {
	panic(c.errAt(e, format, args...))
}

// atom returns the diagram of a literal, creating its atom on first use.
func (c *symc) atom(d *issueDecl, op LitOp, opt string, n int64) int32 {
	k := atomKey{d, op, opt, n}
	if i, ok := c.index[k]; ok {
		return c.b.atom(i)
	}
	i := int32(len(c.atoms))
	c.index[k] = i
	c.atoms = append(c.atoms, Lit{Issue: d.ID, Kind: d.Kind, Op: op, Option: opt, N: n})
	c.decls = append(c.decls, d)
	return c.b.atom(i)
}

// isValue is the diagram of `d == v` for a Range issue.
func (c *symc) isValue(d *issueDecl, v int64) int32 {
	if v < d.Min || v > d.Max || !onStep(d, v) {
		return bddFalse
	}
	if d.Min == d.Max {
		return bddTrue
	}
	return c.atom(d, Is, "", v)
}

// atMost is the diagram of `d <= t` for a Range issue.
func (c *symc) atMost(d *issueDecl, t *big.Int) int32 {
	if t.Cmp(big.NewInt(d.Min)) < 0 {
		return bddFalse
	}
	if t.Cmp(big.NewInt(d.Max)) >= 0 {
		return bddTrue
	}
	tt := t.Int64() // within [Min, Max)
	tt = int64(uint64(d.Min) + (uint64(tt)-uint64(d.Min))/uint64(d.Step)*uint64(d.Step))
	return c.atom(d, AtMost, "", tt)
}

func boolSym(b int32) sym { return sym{k: sBool, b: b} }

func constBool(v bool) sym { return boolSym(constB(v)) }

func intConst(n int64) sym  { return sym{k: sInt, cs: []scase{{cond: bddTrue, lin: linear{c: n}}}} }
func strConst(s string) sym { return sym{k: sString, cs: []scase{{cond: bddTrue, str: s}}} }
func listOf(es []*elem) sym { return sym{k: sList, cs: []scase{{cond: bddTrue, elems: es}}} }

func (c *symc) lookup(name string) (sym, bool) {
	for i := len(c.scope) - 1; i >= 0; i-- {
		if c.scope[i].name == name {
			return c.scope[i].val, true
		}
	}
	return sym{}, false
}

// issueSym is the symbolic value of an issue.
func (c *symc) issueSym(d *issueDecl) sym {
	switch d.Kind {
	case Enum:
		s := sym{k: sString}
		for _, o := range d.Options {
			cond := bddTrue
			if len(d.Options) > 1 {
				cond = c.atom(d, Is, o, 0)
			}
			s.cs = append(s.cs, scase{cond: cond, str: o})
		}
		return s
	case Range:
		return sym{k: sInt, cs: []scase{{cond: bddTrue, lin: linear{terms: []term{{d, 1}}}}}}
	case Subset:
		es := make([]*elem, len(d.Items))
		for i, it := range d.Items {
			es[i] = &elem{present: c.atom(d, Has, it, 0), val: strConst(it)}
		}
		return listOf(es)
	}
	panic(fmt.Sprintf("issue %s of unknown kind", d.ID))
}

func (c *symc) eval(e celast.Expr) sym {
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.Bool:
			return constBool(bool(v))
		case types.Int:
			return intConst(int64(v))
		case types.String:
			return strConst(string(v))
		}
		c.fail(e, "a %s literal is outside what the deal-space engine compiles", e.AsLiteral().Type().TypeName())
	case celast.IdentKind:
		name := e.AsIdent()
		if v, ok := c.lookup(name); ok {
			return v
		}
		if d := c.rule.env.byID[name]; d != nil {
			return c.issueSym(d)
		}
		c.fail(e, "unknown identifier %q", name)
	case celast.ListKind:
		l := e.AsList()
		if len(l.OptionalIndices()) > 0 {
			c.fail(e, "optional list elements are outside what the deal-space engine compiles")
		}
		var es []*elem
		for _, x := range l.Elements() {
			es = append(es, &elem{present: bddTrue, val: c.eval(x)})
		}
		return listOf(es)
	case celast.CallKind:
		return c.call(e)
	case celast.ComprehensionKind:
		return c.comprehension(e)
	case celast.SelectKind:
		c.fail(e, "field selection is outside what the deal-space engine compiles")
	case celast.MapKind, celast.StructKind:
		c.fail(e, "maps and messages are outside what the deal-space engine compiles")
	}
	c.fail(e, "this expression is outside what the deal-space engine compiles")
	return sym{}
}

func (c *symc) evalBool(e celast.Expr) int32 {
	s := c.eval(e)
	if s.k != sBool {
		c.fail(e, "expected a bool, got a %s", s.k)
	}
	return s.b
}

func (c *symc) call(e celast.Expr) sym {
	call := e.AsCall()
	fn := call.FunctionName()
	args := call.Args()
	if call.IsMemberFunction() {
		args = append([]celast.Expr{call.Target()}, args...)
	}
	switch {
	case fn == "_&&_" && len(args) == 2:
		return boolSym(c.b.and(c.evalBool(args[0]), c.evalBool(args[1])))
	case fn == "_||_" && len(args) == 2:
		return boolSym(c.b.or(c.evalBool(args[0]), c.evalBool(args[1])))
	case fn == "!_" && len(args) == 1:
		return boolSym(c.b.not(c.evalBool(args[0])))
	case fn == "@not_strictly_false" && len(args) == 1:
		return c.eval(args[0])
	case fn == "_?_:_" && len(args) == 3:
		cond := c.evalBool(args[0])
		return c.merge(e, cond, c.eval(args[1]), c.eval(args[2]))
	case (fn == "_==_" || fn == "_!=_") && len(args) == 2:
		eq := c.equal(e, c.eval(args[0]), c.eval(args[1]))
		if fn == "_!=_" {
			eq = c.b.not(eq)
		}
		return boolSym(eq)
	case (fn == "_<_" || fn == "_<=_" || fn == "_>_" || fn == "_>=_") && len(args) == 2:
		return boolSym(c.compare(e, fn, c.eval(args[0]), c.eval(args[1])))
	case (fn == "_+_" || fn == "_-_" || fn == "_*_" || fn == "_/_" || fn == "_%_") && len(args) == 2:
		return c.arith(e, fn, c.eval(args[0]), c.eval(args[1]))
	case fn == "-_" && len(args) == 1:
		return c.arith(e, "_-_", intConst(0), c.eval(args[0]))
	case fn == "@in" && len(args) == 2:
		return boolSym(c.member(e, c.eval(args[0]), c.eval(args[1])))
	case fn == "size" && len(args) == 1:
		return c.size(e, c.eval(args[0]))
	case (fn == "contains" || fn == "startsWith" || fn == "endsWith" || fn == "matches") && len(args) == 2:
		return boolSym(c.stringTest(e, fn, c.eval(args[0]), c.eval(args[1])))
	}
	name := strings.Trim(fn, "_@")
	c.fail(e, "%s is outside what the deal-space engine compiles", describeFunc(fn, name))
	return sym{}
}

func describeFunc(fn, name string) string {
	switch fn {
	case "_[_]":
		return "indexing"
	case "_?_:_":
		return "the conditional operator"
	}
	return "the function " + name
}

// pairs applies f to every pair of cases of a and b whose conditions can
// hold together, and gathers the results into the cases of a value of
// kind k (merging cases of equal value).
func (c *symc) pairs(e celast.Expr, k symKind, a, b sym, f func(x, y scase) scase) sym {
	if len(a.cs)*len(b.cs) > MaxCases {
		c.fail(e, "the expression has more than %d cases; split the rule or use larger steps", MaxCases)
	}
	out := sym{k: k}
	for _, x := range a.cs {
		for _, y := range b.cs {
			cond := c.b.and(x.cond, y.cond)
			if cond == bddFalse {
				continue
			}
			r := f(x, y)
			r.cond = c.b.and(r.cond, cond)
			if r.cond == bddFalse {
				continue
			}
			out.cs = append(out.cs, r)
		}
	}
	return c.compact(e, out)
}

// compact merges the cases of s that have the same value.
func (c *symc) compact(e celast.Expr, s sym) sym {
	if s.k == sBool || len(s.cs) < 2 {
		return s
	}
	var out []scase
next:
	for _, x := range s.cs {
		for i := range out {
			if sameCase(s.k, out[i], x) {
				out[i].cond = c.b.or(out[i].cond, x.cond)
				continue next
			}
		}
		out = append(out, x)
	}
	if len(out) > MaxCases {
		c.fail(e, "the expression has more than %d cases; split the rule", MaxCases)
	}
	s.cs = out
	return s
}

func sameCase(k symKind, x, y scase) bool {
	switch k {
	case sString:
		return x.str == y.str
	case sInt:
		return x.lin.c == y.lin.c && slices.Equal(x.lin.terms, y.lin.terms)
	case sList:
		return slices.Equal(x.elems, y.elems)
	}
	return false
}

// merge is the value of `cond ? a : b`.
func (c *symc) merge(e celast.Expr, cond int32, a, b sym) sym {
	if a.k != b.k {
		c.fail(e, "the branches have different types (%s and %s)", a.k, b.k)
	}
	switch cond {
	case bddTrue:
		return a
	case bddFalse:
		return b
	}
	if a.k == sBool {
		return boolSym(c.b.ite(cond, a.b, b.b))
	}
	if a.k == sList && len(a.cs) == 1 && len(b.cs) == 1 && a.cs[0].cond == b.cs[0].cond {
		// A list that extends the other: the extra elements are present
		// only under cond (the shape of filter and map steps).
		if l, ok := c.extend(cond, a.cs[0].elems, b.cs[0].elems); ok {
			return sym{k: sList, cs: []scase{{cond: a.cs[0].cond, elems: l}}}
		}
		if l, ok := c.extend(c.b.not(cond), b.cs[0].elems, a.cs[0].elems); ok {
			return sym{k: sList, cs: []scase{{cond: a.cs[0].cond, elems: l}}}
		}
	}
	out := sym{k: a.k}
	for _, x := range a.cs {
		if x.cond = c.b.and(x.cond, cond); x.cond != bddFalse {
			out.cs = append(out.cs, x)
		}
	}
	nc := c.b.not(cond)
	for _, x := range b.cs {
		if x.cond = c.b.and(x.cond, nc); x.cond != bddFalse {
			out.cs = append(out.cs, x)
		}
	}
	return c.compact(e, out)
}

// extend returns short followed by the elements long has beyond it, each
// present only under cond, when long starts with the elements of short.
func (c *symc) extend(cond int32, long, short []*elem) ([]*elem, bool) {
	if len(long) < len(short) || !slices.Equal(long[:len(short)], short) {
		return nil, false
	}
	out := append([]*elem(nil), short...)
	for _, x := range long[len(short):] {
		out = append(out, &elem{present: c.b.and(cond, x.present), val: x.val})
	}
	return out, true
}

// equal is the diagram of a == b.
func (c *symc) equal(e celast.Expr, a, b sym) int32 {
	if a.k != b.k {
		c.fail(e, "comparing a %s with a %s is outside what the deal-space engine compiles", a.k, b.k)
	}
	switch a.k {
	case sBool:
		return c.b.iff(a.b, b.b)
	case sString:
		out := bddFalse
		for _, x := range a.cs {
			for _, y := range b.cs {
				if x.str == y.str {
					out = c.b.or(out, c.b.and(x.cond, y.cond))
				}
			}
		}
		return out
	case sInt:
		return c.compare(e, "_==_", a, b)
	case sList:
		out := bddFalse
		for _, x := range a.cs {
			for _, y := range b.cs {
				cond := c.b.and(x.cond, y.cond)
				if cond == bddFalse {
					continue
				}
				out = c.b.or(out, c.b.and(cond, c.listEqual(e, x.elems, y.elems)))
			}
		}
		return out
	}
	return bddFalse
}

// listEqual is the diagram of: the present elements of x, in order, equal
// those of y.
func (c *symc) listEqual(e celast.Expr, x, y []*elem) int32 {
	type ij struct{ i, j int }
	memo := map[ij]int32{}
	var m func(i, j int) int32
	m = func(i, j int) int32 {
		if r, ok := memo[ij{i, j}]; ok {
			return r
		}
		var r int32
		switch {
		case i == len(x) && j == len(y):
			r = bddTrue
		case i == len(x):
			r = c.b.and(c.b.not(y[j].present), m(i, j+1))
		case j == len(y):
			r = c.b.and(c.b.not(x[i].present), m(i+1, j))
		default:
			both := c.b.and(c.equal(e, x[i].val, y[j].val), m(i+1, j+1))
			r = c.b.ite(x[i].present, c.b.ite(y[j].present, both, m(i, j+1)), m(i+1, j))
		}
		memo[ij{i, j}] = r
		return r
	}
	return m(0, 0)
}

// member is the diagram of `a in l`.
func (c *symc) member(e celast.Expr, a, l sym) int32 {
	if l.k != sList {
		c.fail(e, "membership in a %s is outside what the deal-space engine compiles (lists only)", l.k)
	}
	out := bddFalse
	for _, x := range l.cs {
		in := bddFalse
		for _, el := range x.elems {
			in = c.b.or(in, c.b.and(el.present, c.equal(e, a, el.val)))
		}
		out = c.b.or(out, c.b.and(x.cond, in))
	}
	return out
}

// size is the value of size(s) for a list or a string.
func (c *symc) size(e celast.Expr, s sym) sym {
	out := sym{k: sInt}
	switch s.k {
	case sString:
		for _, x := range s.cs {
			out.cs = append(out.cs, scase{cond: x.cond, lin: linear{c: int64(utf8.RuneCountInString(x.str))}})
		}
	case sList:
		for _, x := range s.cs {
			// exactly[j] is the condition that j elements are present.
			exactly := []int32{bddTrue}
			for _, el := range x.elems {
				next := make([]int32, len(exactly)+1)
				for j := range next {
					absent, present := bddFalse, bddFalse
					if j < len(exactly) {
						absent = c.b.and(exactly[j], c.b.not(el.present))
					}
					if j > 0 {
						present = c.b.and(exactly[j-1], el.present)
					}
					next[j] = c.b.or(absent, present)
				}
				exactly = next
			}
			for j, cond := range exactly {
				if cond = c.b.and(cond, x.cond); cond != bddFalse {
					out.cs = append(out.cs, scase{cond: cond, lin: linear{c: int64(j)}})
				}
			}
		}
	default:
		c.fail(e, "size of a %s is outside what the deal-space engine compiles", s.k)
	}
	return c.compact(e, out)
}

func (c *symc) stringTest(e celast.Expr, fn string, a, b sym) int32 {
	if a.k != sString || b.k != sString {
		c.fail(e, "%s takes strings", fn)
	}
	out := bddFalse
	for _, x := range a.cs {
		for _, y := range b.cs {
			var ok bool
			switch fn {
			case "contains":
				ok = strings.Contains(x.str, y.str)
			case "startsWith":
				ok = strings.HasPrefix(x.str, y.str)
			case "endsWith":
				ok = strings.HasSuffix(x.str, y.str)
			case "matches":
				re, err := regexp.Compile(y.str)
				if err != nil {
					c.fail(e, "invalid regular expression %q: %v", y.str, err)
				}
				ok = re.MatchString(x.str)
			}
			if ok {
				out = c.b.or(out, c.b.and(x.cond, y.cond))
			}
		}
	}
	return out
}

func constB(v bool) int32 {
	if v {
		return bddTrue
	}
	return bddFalse
}

// comprehension evaluates a macro (all, exists, exists_one, map, filter)
// by unrolling it over the elements of its list, each step taking effect
// only when its element is present.
func (c *symc) comprehension(e celast.Expr) sym {
	comp := e.AsComprehension()
	if comp.HasIterVar2() {
		c.fail(e, "two-variable comprehensions are outside what the deal-space engine compiles")
	}
	rng := c.eval(comp.IterRange())
	if rng.k != sList {
		c.fail(comp.IterRange(), "iterating over a %s is outside what the deal-space engine compiles (lists only)", rng.k)
	}
	init := c.eval(comp.AccuInit())
	var result sym
	for i, x := range rng.cs {
		accu := init
		for _, el := range x.elems {
			c.scope = append(c.scope, symBinding{comp.AccuVar(), accu}, symBinding{comp.IterVar(), el.val})
			step := c.eval(comp.LoopStep())
			c.scope = c.scope[:len(c.scope)-2]
			accu = c.merge(e, el.present, step, accu)
		}
		c.scope = append(c.scope, symBinding{comp.AccuVar(), accu})
		r := c.eval(comp.Result())
		c.scope = c.scope[:len(c.scope)-1]
		if i == 0 {
			result = r
		} else {
			result = c.merge(e, x.cond, r, result)
		}
	}
	if len(rng.cs) == 0 {
		c.fail(e, "empty comprehension range")
	}
	return result
}
