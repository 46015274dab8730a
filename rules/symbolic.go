package rules

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"sort"
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

// linear is an int: c plus the sum of a*issue over its terms, one term per
// Range issue, sorted by issue.
type linear struct {
	terms []term
	c     int64
}

type term struct {
	d *issueDecl
	a int64
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

func intConst(n int64) sym     { return sym{k: sInt, cs: []scase{{cond: bddTrue, lin: linear{c: n}}}} }
func strConst(s string) sym    { return sym{k: sString, cs: []scase{{cond: bddTrue, str: s}}} }
func listOf(es []*elem) sym    { return sym{k: sList, cs: []scase{{cond: bddTrue, elems: es}}} }
func (l linear) isConst() bool { return len(l.terms) == 0 }

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

// compare is the diagram of a op b for ints or strings (op is a CEL
// function name: _==_, _<_, _<=_, _>_, _>=_).
func (c *symc) compare(e celast.Expr, op string, a, b sym) int32 {
	if a.k != b.k {
		c.fail(e, "comparing a %s with a %s is outside what the deal-space engine compiles", a.k, b.k)
	}
	out := bddFalse
	switch a.k {
	case sString:
		for _, x := range a.cs {
			for _, y := range b.cs {
				if cmpHolds(op, strings.Compare(x.str, y.str)) {
					out = c.b.or(out, c.b.and(x.cond, y.cond))
				}
			}
		}
	case sInt:
		for _, x := range a.cs {
			for _, y := range b.cs {
				cond := c.b.and(x.cond, y.cond)
				if cond == bddFalse {
					continue
				}
				out = c.b.or(out, c.b.and(cond, c.cmpLinear(e, op, sub(x.lin, y.lin))))
			}
		}
	case sBool:
		if op != "_==_" {
			c.fail(e, "ordering bools is outside what the deal-space engine compiles")
		}
		return c.b.iff(a.b, b.b)
	default:
		c.fail(e, "ordering %ss is outside what the deal-space engine compiles", a.k)
	}
	return out
}

func cmpHolds(op string, sign int) bool {
	switch op {
	case "_==_":
		return sign == 0
	case "_<_":
		return sign < 0
	case "_<=_":
		return sign <= 0
	case "_>_":
		return sign > 0
	case "_>=_":
		return sign >= 0
	}
	return false
}

// bigLinear is a linear expression with exact coefficients, for
// comparisons (which CEL makes without overflow).
type bigLinear struct {
	terms []bigTerm
	c     *big.Int
}

type bigTerm struct {
	d *issueDecl
	a *big.Int
}

func sub(x, y linear) bigLinear { return addLinear(x, y, -1) }

// addLinear returns x + sign*y exactly.
func addLinear(x, y linear, sign int64) bigLinear {
	out := bigLinear{c: new(big.Int).Add(big.NewInt(x.c), new(big.Int).Mul(big.NewInt(y.c), big.NewInt(sign)))}
	coef := map[*issueDecl]*big.Int{}
	var order []*issueDecl
	add := func(ts []term, sign int64) {
		for _, t := range ts {
			if coef[t.d] == nil {
				coef[t.d] = new(big.Int)
				order = append(order, t.d)
			}
			coef[t.d].Add(coef[t.d], new(big.Int).Mul(big.NewInt(t.a), big.NewInt(sign)))
		}
	}
	add(x.terms, 1)
	add(y.terms, sign)
	sort.Slice(order, func(i, j int) bool { return order[i].index < order[j].index })
	for _, d := range order {
		if coef[d].Sign() != 0 {
			out.terms = append(out.terms, bigTerm{d, coef[d]})
		}
	}
	return out
}

// cmpLinear is the diagram of l op 0.
func (c *symc) cmpLinear(e celast.Expr, op string, l bigLinear) int32 {
	switch len(l.terms) {
	case 0:
		return constB(cmpHolds(op, l.c.Sign()))
	case 1:
		t := l.terms[0]
		k := new(big.Int).Neg(l.c) // a*x op k
		a := t.a
		d := t.d
		switch op {
		case "_==_":
			q, r := new(big.Int).QuoRem(k, a, new(big.Int))
			if r.Sign() != 0 || !q.IsInt64() {
				return bddFalse
			}
			return c.isValue(d, q.Int64())
		case "_<=_":
			return c.leq(d, a, k)
		case "_<_":
			return c.leq(d, a, new(big.Int).Sub(k, big.NewInt(1)))
		case "_>_":
			return c.b.not(c.leq(d, a, k))
		case "_>=_":
			return c.b.not(c.leq(d, a, new(big.Int).Sub(k, big.NewInt(1))))
		}
		c.fail(e, "unknown comparison %s", op)
	}
	// Several issues: split over the values of the one with fewest.
	best := 0
	for i, t := range l.terms {
		if t.d.values() < l.terms[best].d.values() {
			best = i
		}
	}
	d := l.terms[best].d
	n := d.values()
	if n > MaxCases {
		c.fail(e, "the comparison combines issues whose values are too many to split (%s has %d values; the limit is %d)", d.ID, n, MaxCases)
	}
	rest := bigLinear{c: l.c}
	for i, t := range l.terms {
		if i != best {
			rest.terms = append(rest.terms, t)
		}
	}
	out := bddFalse
	a := l.terms[best].a
	for i := uint64(0); i < n; i++ {
		v := int64(uint64(d.Min) + i*uint64(d.Step))
		r := bigLinear{terms: rest.terms, c: new(big.Int).Add(rest.c, new(big.Int).Mul(a, big.NewInt(v)))}
		out = c.b.or(out, c.b.and(c.isValue(d, v), c.cmpLinear(e, op, r)))
	}
	return out
}

func constB(v bool) int32 {
	if v {
		return bddTrue
	}
	return bddFalse
}

// leq is the diagram of a*x <= k.
func (c *symc) leq(d *issueDecl, a, k *big.Int) int32 {
	if a.Sign() > 0 {
		return c.atMost(d, floorDiv(k, a))
	}
	// a < 0: x >= ceil(k/a), i.e. not (x <= ceil(k/a) - 1).
	ceil := new(big.Int).Neg(floorDiv(new(big.Int).Neg(k), a))
	return c.b.not(c.atMost(d, new(big.Int).Sub(ceil, big.NewInt(1))))
}

// floorDiv returns floor(k/a).
func floorDiv(k, a *big.Int) *big.Int {
	q, m := new(big.Int).DivMod(k, a, new(big.Int)) // Euclidean: m >= 0
	if a.Sign() < 0 && m.Sign() != 0 {
		// k = q*a + m with 0 < m < |a|: k/a = q + m/a lies in (q-1, q).
		q.Sub(q, big.NewInt(1))
	}
	return q
}

// values returns the number of values of a Range issue.
func (d *issueDecl) values() uint64 {
	return (uint64(d.Max)-uint64(d.Min))/uint64(d.Step) + 1
}

// arith is the value of a op b for ints, strings (+) and lists (+).
func (c *symc) arith(e celast.Expr, op string, a, b sym) sym {
	if a.k != b.k {
		c.fail(e, "arithmetic between a %s and a %s is outside what the deal-space engine compiles", a.k, b.k)
	}
	switch a.k {
	case sString:
		if op != "_+_" {
			break
		}
		return c.pairs(e, sString, a, b, func(x, y scase) scase { return scase{cond: bddTrue, str: x.str + y.str} })
	case sList:
		if op != "_+_" {
			break
		}
		return c.pairs(e, sList, a, b, func(x, y scase) scase {
			return scase{cond: bddTrue, elems: append(append([]*elem(nil), x.elems...), y.elems...)}
		})
	case sInt:
		switch op {
		case "_+_", "_-_":
			sign := int64(1)
			if op == "_-_" {
				sign = -1
			}
			return c.pairs(e, sInt, a, b, func(x, y scase) scase {
				return scase{cond: bddTrue, lin: c.combine(e, x.lin, y.lin, sign)}
			})
		case "_*_":
			if !c.allConst(a) && !c.allConst(b) {
				if c.width(a) <= c.width(b) {
					a = c.concretize(e, a)
				} else {
					b = c.concretize(e, b)
				}
			}
			return c.pairs(e, sInt, a, b, func(x, y scase) scase {
				if x.lin.isConst() {
					return scase{cond: bddTrue, lin: c.scale(e, y.lin, x.lin.c)}
				}
				return scase{cond: bddTrue, lin: c.scale(e, x.lin, y.lin.c)}
			})
		case "_/_", "_%_":
			a, b = c.concretize(e, a), c.concretize(e, b)
			return c.pairs(e, sInt, a, b, func(x, y scase) scase {
				n, m := x.lin.c, y.lin.c
				if m == 0 {
					c.fail(e, "the divisor may be zero, which CEL reports as an error; guard the rule so that it cannot")
				}
				if n == math.MinInt64 && m == -1 {
					c.fail(e, "the division may overflow")
				}
				if op == "_/_" {
					return scase{cond: bddTrue, lin: linear{c: n / m}}
				}
				return scase{cond: bddTrue, lin: linear{c: n % m}}
			})
		}
	}
	c.fail(e, "%s on %ss is outside what the deal-space engine compiles", strings.Trim(op, "_"), a.k)
	return sym{}
}

func (c *symc) allConst(s sym) bool {
	for _, x := range s.cs {
		if !x.lin.isConst() {
			return false
		}
	}
	return true
}

// width is the number of constant cases concretize would make.
func (c *symc) width(s sym) float64 {
	w := 0.0
	for _, x := range s.cs {
		p := 1.0
		for _, t := range x.lin.terms {
			p *= float64(t.d.values())
		}
		w += p
	}
	return w
}

// concretize splits every case of an int over the values of its issues,
// giving constant cases.
func (c *symc) concretize(e celast.Expr, s sym) sym {
	if c.allConst(s) {
		return s
	}
	if c.width(s) > MaxCases {
		c.fail(e, "the expression needs more than %d cases (the product of its issues' values); split the rule or use larger steps", MaxCases)
	}
	out := sym{k: sInt}
	for _, x := range s.cs {
		var rec func(i int, cond int32, acc *big.Int)
		rec = func(i int, cond int32, acc *big.Int) {
			if cond == bddFalse {
				return
			}
			if i == len(x.lin.terms) {
				if !acc.IsInt64() {
					c.fail(e, "the expression may overflow a 64-bit int")
				}
				out.cs = append(out.cs, scase{cond: cond, lin: linear{c: acc.Int64()}})
				return
			}
			t := x.lin.terms[i]
			for k := uint64(0); k < t.d.values(); k++ {
				v := int64(uint64(t.d.Min) + k*uint64(t.d.Step))
				rec(i+1, c.b.and(cond, c.isValue(t.d, v)), new(big.Int).Add(acc, new(big.Int).Mul(big.NewInt(t.a), big.NewInt(v))))
			}
		}
		rec(0, x.cond, big.NewInt(x.lin.c))
	}
	return c.compact(e, out)
}

// combine returns x + sign*y, failing when a value could overflow.
func (c *symc) combine(e celast.Expr, x, y linear, sign int64) linear {
	return c.fit(e, addLinear(x, y, sign))
}

func (c *symc) scale(e celast.Expr, x linear, k int64) linear {
	l := bigLinear{c: new(big.Int).Mul(big.NewInt(x.c), big.NewInt(k))}
	if k != 0 {
		for _, t := range x.terms {
			l.terms = append(l.terms, bigTerm{t.d, new(big.Int).Mul(big.NewInt(t.a), big.NewInt(k))})
		}
	}
	return c.fit(e, l)
}

// fit converts an exact linear expression back to int64 coefficients,
// failing when the expression could take a value outside int64 (CEL
// reports overflow as an error).
func (c *symc) fit(e celast.Expr, l bigLinear) linear {
	lo, hi := new(big.Int).Set(l.c), new(big.Int).Set(l.c)
	out := linear{}
	for _, t := range l.terms {
		x1 := new(big.Int).Mul(t.a, big.NewInt(t.d.Min))
		x2 := new(big.Int).Mul(t.a, big.NewInt(t.d.Max))
		if x1.Cmp(x2) > 0 {
			x1, x2 = x2, x1
		}
		lo.Add(lo, x1)
		hi.Add(hi, x2)
		if !t.a.IsInt64() {
			c.fail(e, "the expression may overflow a 64-bit int")
		}
		out.terms = append(out.terms, term{t.d, t.a.Int64()})
	}
	if !lo.IsInt64() || !hi.IsInt64() || !l.c.IsInt64() {
		c.fail(e, "the expression may overflow a 64-bit int")
	}
	out.c = l.c.Int64()
	return out
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

// cnf writes the diagram as clauses: one per path to false that the
// issues' domains allow, negating the path's literals.
func (c *symc) cnf(e celast.Expr, root int32) CNF {
	out := CNF{}
	if root == bddTrue {
		return out
	}
	if root == bddFalse {
		return CNF{Clause{}}
	}
	type step struct {
		atom int32
		val  bool
	}
	var path []step
	steps := 0
	minimise := len(c.b.nodes) <= 1<<12
	var walk func(n int32)
	walk = func(n int32) {
		if steps++; steps > 16*MaxClauses*16 {
			c.fail(e, "the rule is too large to write as clauses; split it into simpler rules")
		}
		switch n {
		case bddTrue:
			return
		case bddFalse:
			if len(out) >= MaxClauses {
				c.fail(e, "the rule compiles into more than %d clauses; split it into simpler rules", MaxClauses)
			}
			// Drop the literals the clause does not need: those whose
			// removal leaves a cube on which the rule is still false.
			keep := make([]bool, len(path))
			assign := map[int32]bool{}
			for i, s := range path {
				keep[i] = true
				assign[s.atom] = s.val
			}
			for i := len(path) - 1; i >= 0 && minimise; i-- {
				delete(assign, path[i].atom)
				if c.falseUnder(root, assign) {
					keep[i] = false
				} else {
					assign[path[i].atom] = path[i].val
				}
			}
			var cl Clause
			for i, s := range path {
				if keep[i] {
					l := c.atoms[s.atom]
					l.Neg = s.val
					cl = append(cl, l)
				}
			}
			out = append(out, cl)
			return
		}
		nd := c.b.nodes[n]
		for _, val := range []bool{false, true} {
			path = append(path, step{nd.v, val})
			var lits []Lit
			d := c.decls[nd.v]
			for _, s := range path {
				if c.decls[s.atom] == d {
					l := c.atoms[s.atom]
					l.Neg = !s.val
					lits = append(lits, l)
				}
			}
			if consistent(d, lits) {
				if val {
					walk(nd.hi)
				} else {
					walk(nd.lo)
				}
			}
			path = path[:len(path)-1]
		}
	}
	walk(root)
	return simplify(out, c.rule.env)
}

// falseUnder reports whether the diagram is false whatever the atoms that
// assign leaves free.
func (c *symc) falseUnder(n int32, assign map[int32]bool) bool {
	memo := map[int32]bool{}
	var f func(n int32) bool
	f = func(n int32) bool {
		switch n {
		case bddFalse:
			return true
		case bddTrue:
			return false
		}
		if r, ok := memo[n]; ok {
			return r
		}
		nd := c.b.nodes[n]
		var r bool
		if v, ok := assign[nd.v]; ok {
			if v {
				r = f(nd.hi)
			} else {
				r = f(nd.lo)
			}
		} else {
			r = f(nd.lo) && f(nd.hi)
		}
		memo[n] = r
		return r
	}
	return f(n)
}

// simplify removes duplicate and subsumed clauses and, when the clauses
// of a single literal contradict each other on an issue's domain, returns
// the false CNF.
func simplify(cnf CNF, env *Env) CNF {
	sets := make([]map[Lit]bool, len(cnf))
	for i, cl := range cnf {
		sets[i] = map[Lit]bool{}
		for _, l := range cl {
			sets[i][l] = true
		}
	}
	var out CNF
	units := map[string][]Lit{}
	for i, cl := range cnf {
		subsumed := false
		for j := range cnf {
			if i == j || len(sets[j]) > len(sets[i]) || (len(sets[j]) == len(sets[i]) && j > i) {
				continue
			}
			all := true
			for k := range sets[j] {
				if !sets[i][k] {
					all = false
					break
				}
			}
			if all {
				subsumed = true
				break
			}
		}
		if subsumed {
			continue
		}
		out = append(out, cl)
		if len(cl) == 1 {
			units[cl[0].Issue] = append(units[cl[0].Issue], cl[0])
		}
	}
	for id, lits := range units {
		if d := env.byID[id]; d != nil && !consistent(d, lits) {
			return CNF{Clause{}}
		}
	}
	if out == nil {
		out = CNF{}
	}
	return out
}

// consistent reports whether some value of the issue satisfies every
// literal (each a fact about d).
func consistent(d *issueDecl, lits []Lit) bool {
	switch d.Kind {
	case Enum:
		for _, o := range d.Options {
			ok := true
			for _, l := range lits {
				if !l.Holds(o) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		return false
	case Subset:
		return true // each item is its own atom, seen once on a path
	case Range:
		lo, hi := d.Min, d.Max
		var eq *int64
		var excl []int64
		for _, l := range lits {
			switch {
			case l.Op == Is && !l.Neg:
				n := l.N
				eq = &n
			case l.Op == Is:
				excl = append(excl, l.N)
			case l.Op == AtMost && !l.Neg:
				hi = min(hi, l.N)
			case l.Op == AtMost:
				if l.N >= hi {
					return false
				}
				lo = max(lo, l.N+1)
			}
		}
		if lo > hi {
			return false
		}
		// First value on the step at or above lo.
		first := uint64(d.Min) + (uint64(lo)-uint64(d.Min)+uint64(d.Step)-1)/uint64(d.Step)*uint64(d.Step)
		if int64(first) > hi || int64(first) < lo {
			return false
		}
		if eq != nil {
			for _, x := range excl {
				if x == *eq {
					return false
				}
			}
			return *eq >= lo && *eq <= hi
		}
		count := (uint64(hi)-first)/uint64(d.Step) + 1
		seen := map[int64]bool{}
		for _, x := range excl {
			if x >= lo && x <= hi && onStep(d, x) && !seen[x] {
				seen[x] = true
			}
		}
		return uint64(len(seen)) < count
	}
	return false
}
