package rules

import (
	"strconv"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// walk visits the parsed expression: it records identifier nodes (to tell
// unknown issues from other undeclared references), the issues or event
// fields the rule reads, and problems with literals compared to issues.
// Comprehension variables (from macros such as exists and all) shadow
// issues of the same name, as they do in CEL.
func (c *compiler) walk(e celast.Expr) {
	if e == nil {
		return
	}
	switch e.Kind() {
	case celast.IdentKind:
		name := e.AsIdent()
		c.idents[e.ID()] = name
		if !c.bound(name) && c.env.byID[name] != nil {
			c.reads[name] = true
		}
		// A leading dot names the identifier in the root scope: `.nato`
		// reads nato even inside a comprehension binding that name.
		if root := strings.TrimPrefix(name, "."); root != name && c.env.byID[root] != nil {
			c.reads[root] = true
		}
	case celast.SelectKind:
		s := e.AsSelect()
		op := s.Operand()
		if c.env.event && op.Kind() == celast.IdentKind && op.AsIdent() == "event" && !c.bound("event") {
			c.reads[s.FieldName()] = true
		}
		c.walk(op)
	case celast.CallKind:
		call := e.AsCall()
		c.checkCall(call)
		if call.IsMemberFunction() {
			c.walk(call.Target())
		}
		for _, a := range call.Args() {
			c.walk(a)
		}
	case celast.ListKind:
		for _, el := range e.AsList().Elements() {
			c.walk(el)
		}
	case celast.MapKind:
		for _, en := range e.AsMap().Entries() {
			m := en.AsMapEntry()
			c.walk(m.Key())
			c.walk(m.Value())
		}
	case celast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			c.walk(f.AsStructField().Value())
		}
	case celast.ComprehensionKind:
		c.loops = true
		c.walkComprehension(e.AsComprehension())
	}
}

// walkComprehension mirrors the scopes of CEL's checker: the range and the
// accumulator's initial value see the outer scope; the accumulator is bound
// in the condition, step and result; the iteration variables only in the
// condition and step.
func (c *compiler) walkComprehension(comp celast.ComprehensionExpr) {
	c.walk(comp.IterRange())
	c.walk(comp.AccuInit())
	// A variable iterating over a Subset issue takes that issue's items as
	// values (one-variable form only: with two, the first is the index).
	var over *issueDecl
	if r := comp.IterRange(); r.Kind() == celast.IdentKind && !comp.HasIterVar2() {
		if elem, d := c.resolve(r.AsIdent()); d != nil && !elem && d.Kind == Subset {
			over = d
		}
	}
	n := len(c.scope)
	c.scope = append(c.scope, binding{name: comp.AccuVar()})
	m := len(c.scope)
	c.scope = append(c.scope, binding{name: comp.IterVar(), over: over})
	if comp.HasIterVar2() {
		c.scope = append(c.scope, binding{name: comp.IterVar2()})
	}
	c.walk(comp.LoopCondition())
	c.walk(comp.LoopStep())
	c.scope = c.scope[:m]
	c.walk(comp.Result())
	c.scope = c.scope[:n]
}

// bound reports whether name is a comprehension variable in scope.
func (c *compiler) bound(name string) bool {
	for i := len(c.scope) - 1; i >= 0; i-- {
		if c.scope[i].name == name {
			return true
		}
	}
	return false
}

// resolve returns the issue an identifier stands for. elem is true when the
// identifier is a comprehension variable ranging over the items of the
// returned Subset issue; d is nil when the name is neither.
func (c *compiler) resolve(name string) (elem bool, d *issueDecl) {
	for i := len(c.scope) - 1; i >= 0; i-- {
		if c.scope[i].name == name {
			return c.scope[i].over != nil, c.scope[i].over
		}
	}
	return false, c.env.byID[name]
}

// identIssue returns the issue that e, if it is an identifier, stands for.
func (c *compiler) identIssue(e celast.Expr) (elem bool, d *issueDecl) {
	if e.Kind() != celast.IdentKind {
		return false, nil
	}
	return c.resolve(e.AsIdent())
}

// comparisons are the operators whose literal operand is checked.
var comparisons = map[string]bool{
	"_==_": true, "_!=_": true, "_<_": true, "_<=_": true, "_>_": true, "_>=_": true,
}

// checkCall checks the literals of comparisons and memberships involving an
// issue:
//
//	nato == "x"   "x" != nato   nato in ["x", "y"]   x == "y" in us.exists(x, ...)
//	"x" in us     us == ["x"]   trainers <= 50000    trainers in [0, 1500]
func (c *compiler) checkCall(call celast.CallExpr) {
	args := call.Args()
	if len(args) != 2 || call.IsMemberFunction() {
		return
	}
	fn := call.FunctionName()
	switch {
	case comparisons[fn]:
		equality := fn == "_==_" || fn == "_!=_"
		for i := 0; i < 2; i++ {
			elem, d := c.identIssue(args[i])
			if d == nil {
				continue
			}
			lit := args[1-i]
			switch {
			case elem || d.Kind == Enum:
				c.checkString(d, elem, lit)
			case d.Kind == Range:
				c.checkInt(d, lit, equality)
			case d.Kind == Subset && equality && lit.Kind() == celast.ListKind:
				for _, el := range lit.AsList().Elements() {
					c.checkString(d, true, el)
				}
			}
		}
	case fn == "@in":
		if elem, d := c.identIssue(args[0]); d != nil && args[1].Kind() == celast.ListKind {
			for _, el := range args[1].AsList().Elements() {
				switch {
				case elem || d.Kind == Enum:
					c.checkString(d, elem, el)
				case d.Kind == Range:
					c.checkInt(d, el, true)
				}
			}
		}
		if elem, d := c.identIssue(args[1]); d != nil && !elem && d.Kind == Subset {
			c.checkString(d, true, args[0])
		}
	}
}

// checkString checks a string literal against an Enum issue's options, or,
// when item is true, against a Subset issue's items. Other expressions pass.
func (c *compiler) checkString(d *issueDecl, item bool, lit celast.Expr) {
	if lit.Kind() != celast.LiteralKind {
		return
	}
	s, ok := lit.AsLiteral().(types.String)
	if !ok || d.set[string(s)] {
		return
	}
	if item || d.Kind == Subset {
		c.add(CodeEnumLiteral, c.offset(lit.ID()), "%s is not an item of issue %s; items: %s",
			quote(string(s)), d.ID, d.domain())
		return
	}
	c.add(CodeEnumLiteral, c.offset(lit.ID()), "%s is not an option of issue %s; options: %s",
		quote(string(s)), d.ID, d.domain())
}

// checkInt checks an int literal against a Range issue: it must lie within
// [Min, Max], and, if equality is set, be one of the issue's values.
func (c *compiler) checkInt(d *issueDecl, lit celast.Expr, equality bool) {
	if lit.Kind() != celast.LiteralKind {
		return
	}
	v, ok := lit.AsLiteral().(types.Int)
	if !ok {
		return
	}
	n := int64(v)
	switch {
	case n < d.Min || n > d.Max:
		c.add(CodeRangeLiteral, c.offset(lit.ID()), "%d is outside the range of issue %s: %d..%d",
			n, d.ID, d.Min, d.Max)
	case equality && !onStep(d, n):
		c.add(CodeRangeLiteral, c.offset(lit.ID()), "%d is not a value of issue %s: %d..%d step %d",
			n, d.ID, d.Min, d.Max, d.Step)
	}
}

// onStep reports whether n (within [Min, Max]) is Min plus a multiple of
// Step; the subtraction is done unsigned so that it cannot overflow.
func onStep(d *issueDecl, n int64) bool {
	return (uint64(n)-uint64(d.Min))%uint64(d.Step) == 0
}

// quote quotes a string literal for a message, keeping it short.
func quote(s string) string {
	const maxLen = 60
	if len(s) > maxLen {
		cut := maxLen
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		return strings.TrimSuffix(strconv.Quote(s[:cut]), `"`) + `..."`
	}
	return strconv.Quote(s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
