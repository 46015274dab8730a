package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// Problem codes: the stable values of Problem.Code. See the package
// documentation, section "Problems", for examples of each.
const (
	// CodeSyntax: the expression does not parse as CEL, or is refused before
	// parsing (longer than MaxExprBytes, not valid UTF-8, nested deeper than
	// MaxNesting).
	CodeSyntax = "rule-syntax"
	// CodeType: the CEL type checker refused the expression (no matching
	// overload, unknown function, unknown event field, ...), or one of the
	// validators that run with it did: an invalid timestamp, duration or
	// regular expression literal, comprehensions nested deeper than
	// MaxLoopNesting.
	CodeType = "rule-type"
	// CodeUnknownIssue: an identifier that is not a declared issue (or, in
	// an event environment, not `event`).
	CodeUnknownIssue = "rule-unknown-issue"
	// CodeNotBool: the expression type-checks but its type is not bool.
	CodeNotBool = "rule-not-bool"
	// CodeEnumLiteral: a string literal compared with an Enum issue is not
	// one of its options, or one used as an element of a Subset issue is not
	// one of its items.
	CodeEnumLiteral = "rule-enum-literal"
	// CodeRangeLiteral: an int literal compared with a Range issue lies
	// outside [Min, Max], or, tested for equality or membership, is not one
	// of the issue's values (Min + k*Step).
	CodeRangeLiteral = "rule-range-literal"
)

// MaxExprBytes is the longest expression Compile accepts, in bytes.
const MaxExprBytes = 64 << 10

// MaxNesting is the parser's recursion limit: how deeply an expression may
// nest (parentheses, lists, operator chains of the same precedence, ...).
const MaxNesting = 250

// MaxLoopNesting is how deeply comprehensions (the macros all, exists,
// exists_one, map and filter) may nest, so that evaluation time stays
// polynomial of low degree.
const MaxLoopNesting = 3

// MaxProblems is the most problems Compile returns for one expression (the
// first ones by offset); CEL's parser and checker stop at 100 errors too.
const MaxProblems = 100

// Problem is one fault found in a rule by Compile.
type Problem struct {
	// Code is one of the Code* constants.
	Code string
	// Msg is a human-readable description, without position.
	Msg string
	// Line and Col locate the offending token: 1-based, counted in runes
	// (code points), lines separated by "\n".
	Line, Col int
	// Offset is the 0-based rune offset of the offending token within the
	// expression; 0 <= Offset <= the number of runes in the expression.
	Offset int
}

// String formats the problem as "line:col: code: msg".
func (p Problem) String() string {
	return fmt.Sprintf("%d:%d: %s: %s", p.Line, p.Col, p.Code, p.Msg)
}

// Compile parses and type-checks expr and runs the package's own checks on
// literals. It returns a Rule and no problems, or a nil Rule and every
// problem found (up to MaxProblems), sorted by offset. A rule must have type
// bool. Compile never panics, whatever expr holds.
func (e *Env) Compile(expr string) (rule *Rule, probs []Problem) {
	defer func() {
		if v := recover(); v != nil {
			rule = nil
			probs = []Problem{{Code: CodeSyntax, Msg: fmt.Sprintf("internal error while compiling: %v", v), Line: 1, Col: 1}}
		}
	}()
	c := &compiler{env: e, expr: expr}
	return c.compile()
}

// compiler holds the state of one Compile call.
type compiler struct {
	env   *Env
	expr  string
	lines []int // rune offset at which each line starts
	nrune int
	src   common.Source
	info  *celast.SourceInfo
	probs []Problem

	// Filled by walk.
	idents map[int64]string // every identifier node, by id
	reads  map[string]bool  // issues (or event fields) read
	scope  []binding        // comprehension variables in scope
	loops  bool             // a comprehension was seen
	nested bool             // the comprehension nesting limit was reported
}

// binding is a comprehension variable in scope. over is the Subset issue the
// variable ranges over (its values are that issue's items), or nil.
type binding struct {
	name string
	over *issueDecl
}

func (c *compiler) compile() (*Rule, []Problem) {
	if len(c.expr) > MaxExprBytes {
		c.lines, c.nrune = []int{0}, 1
		c.add(CodeSyntax, 0, "expression is %d bytes long; the limit is %d", len(c.expr), MaxExprBytes)
		return nil, c.probs
	}
	c.index()
	if !utf8.ValidString(c.expr) {
		off := 0
		for i, r := range c.expr {
			if r == utf8.RuneError {
				if _, n := utf8.DecodeRuneInString(c.expr[i:]); n == 1 {
					break
				}
			}
			off++
		}
		c.add(CodeSyntax, off, "expression is not valid UTF-8")
		return nil, c.probs
	}
	c.src = common.NewTextSource(c.expr)
	parsed, iss := c.env.cel.ParseSource(c.src)
	if iss != nil && iss.Err() != nil {
		for _, err := range iss.Errors() {
			c.add(CodeSyntax, c.celOffset(err), "%s", err.Message)
		}
		return nil, c.sorted()
	}
	c.info = parsed.NativeRep().SourceInfo()
	c.idents = map[int64]string{}
	c.reads = map[string]bool{}
	c.walk(parsed.NativeRep().Expr())

	checked, iss := c.env.cel.Check(parsed)
	if iss != nil && iss.Err() != nil {
		for _, err := range iss.Errors() {
			c.checkError(err)
		}
	} else if t := checked.OutputType(); t.Kind() != types.BoolKind {
		c.add(CodeNotBool, c.start(), "the rule has type %s; a rule must be a bool", t)
	}
	if len(c.probs) > 0 {
		return nil, c.sorted()
	}
	prg, err := c.env.cel.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		c.add(CodeType, c.start(), "%v", err)
		return nil, c.probs
	}
	r := &Rule{env: c.env, expr: c.expr, prg: prg, loops: c.loops, ast: checked.NativeRep()}
	for name := range c.reads {
		r.reads = append(r.reads, name)
	}
	sort.Strings(r.reads)
	if !c.env.event {
		for _, id := range r.reads {
			r.decls = append(r.decls, c.env.byID[id])
		}
	}
	return r, nil
}

// index computes the rune offsets at which lines start.
func (c *compiler) index() {
	c.lines, c.nrune = lineStarts(c.expr)
}

// lineStarts returns the rune offsets at which the lines of expr start
// and its length in runes.
func lineStarts(expr string) (lines []int, nrune int) {
	lines = []int{0}
	for _, r := range expr {
		nrune++
		if r == '\n' {
			lines = append(lines, nrune)
		}
	}
	return lines, nrune
}

// locate clamps rune offset off into an expression of nrune runes whose
// lines start at lines, and returns it with its 1-based line and column.
func locate(lines []int, nrune, off int) (clamped, line, col int) {
	off = max(0, min(off, nrune))
	line = sort.Search(len(lines), func(i int) bool { return lines[i] > off })
	return off, line, off - lines[line-1] + 1
}

// add records a problem at rune offset off (clamped into the expression).
func (c *compiler) add(code string, off int, format string, args ...any) {
	off, line, col := locate(c.lines, c.nrune, off)
	c.probs = append(c.probs, Problem{
		Code:   code,
		Msg:    fmt.Sprintf(format, args...),
		Line:   line,
		Col:    col,
		Offset: off,
	})
}

// sorted sorts the problems by offset and drops duplicates.
func (c *compiler) sorted() []Problem {
	sort.SliceStable(c.probs, func(i, j int) bool { return c.probs[i].Offset < c.probs[j].Offset })
	out := c.probs[:0]
	for i, p := range c.probs {
		if len(out) == MaxProblems {
			break
		}
		if i == 0 || p != c.probs[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// celOffset converts the location of a CEL error into a rune offset; errors
// without a location (such as "max recursion depth exceeded") map to 0.
func (c *compiler) celOffset(err *cel.Error) int {
	loc := err.Location
	if loc == nil || loc.Line() < 1 || loc.Column() < 0 {
		return 0
	}
	off, ok := c.src.LocationOffset(loc)
	if !ok {
		return 0
	}
	return int(off)
}

// offset returns the rune offset at which the node with the given id starts.
func (c *compiler) offset(id int64) int {
	if r, ok := c.info.GetOffsetRange(id); ok {
		return int(r.Start)
	}
	return c.start()
}

// start returns the rune offset of the expression's first token, skipping
// white space and comments.
func (c *compiler) start() int {
	off, s := 0, c.expr
	for s != "" {
		switch {
		case strings.HasPrefix(s, "//"):
			nl := strings.IndexByte(s, '\n')
			if nl < 0 {
				return c.nrune
			}
			off += utf8.RuneCountInString(s[:nl])
			s = s[nl:]
		case strings.IndexByte(" \t\n\r\f", s[0]) >= 0:
			off++
			s = s[1:]
		default:
			return off
		}
	}
	return off
}

var (
	undeclaredRE = regexp.MustCompile(`^undeclared reference to '([^']*)'`)
	undefinedRE  = regexp.MustCompile(`^undefined field '([^']*)'`)
)

// checkError converts one type-checker error into a problem.
func (c *compiler) checkError(err *cel.Error) {
	off := c.celOffset(err)
	if m := undeclaredRE.FindStringSubmatch(err.Message); m != nil {
		if name, ok := c.idents[err.ExprID]; ok && name == m[1] {
			c.unknownIdent(name, off)
			return
		}
	}
	if m := undefinedRE.FindStringSubmatch(err.Message); m != nil && c.env.event {
		c.add(CodeType, c.findWord(m[1], off), "unknown field %q of event; fields: %s",
			m[1], strings.Join(eventFields, ", "))
		return
	}
	if err.Message == "comprehension exceeds nesting limit" {
		// Reported once, at the name of the outermost macro too deep.
		if !c.nested {
			c.nested = true
			c.add(CodeType, c.wordBefore(off), "comprehensions (all, exists, exists_one, map, filter) nest more than %d deep", MaxLoopNesting)
		}
		return
	}
	c.add(CodeType, off, "%s", err.Message)
}

// wordBefore returns the rune offset of the identifier that ends just before
// rune offset off (white space allowed between), or off if there is none.
func (c *compiler) wordBefore(off int) int {
	runes := []rune(c.expr)
	if off > len(runes) {
		return off
	}
	i := off
	for i > 0 && strings.ContainsRune(" \t\n\r\f", runes[i-1]) {
		i--
	}
	j := i
	for j > 0 && (runes[j-1] < utf8.RuneSelf && isIDByte(byte(runes[j-1]))) {
		j--
	}
	if j == i {
		return off
	}
	return j
}

func isIDByte(b byte) bool {
	return b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// unknownIdent reports an identifier that is neither declared nor bound.
func (c *compiler) unknownIdent(name string, off int) {
	if !c.env.event {
		if c.env.known == "" {
			c.add(CodeUnknownIssue, off, "unknown issue %q; no issues are declared", name)
			return
		}
		c.add(CodeUnknownIssue, off, "unknown issue %q; known: %s", name, c.env.known)
		return
	}
	hint := ""
	if i := sort.SearchStrings(eventFields, name); i < len(eventFields) && eventFields[i] == name {
		hint = fmt.Sprintf(" (did you mean event.%s?)", name)
	}
	c.add(CodeUnknownIssue, off, "unknown identifier %q%s; known: event, with fields: %s",
		name, hint, strings.Join(eventFields, ", "))
}

// findWord returns the rune offset of the first occurrence of the identifier
// word at or after rune offset from, or from if there is none.
func (c *compiler) findWord(word string, from int) int {
	// Convert the rune offset to a byte offset.
	bi, n := len(c.expr), 0
	for i := range c.expr {
		if n == from {
			bi = i
			break
		}
		n++
	}
	for i := bi; word != "" && i+len(word) <= len(c.expr); i++ {
		if c.expr[i:i+len(word)] != word || (i > 0 && isIDByte(c.expr[i-1])) {
			continue
		}
		if j := i + len(word); j < len(c.expr) && isIDByte(c.expr[j]) {
			continue
		}
		return from + utf8.RuneCountInString(c.expr[bi:i])
	}
	return from
}
