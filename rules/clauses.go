package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// LitOp says what a literal states about its issue.
type LitOp int

const (
	// Is states that an Enum issue takes option Lit.Option, or that a Range
	// issue takes the value Lit.N.
	Is LitOp = iota + 1
	// Has states that a Subset issue contains item Lit.Item.
	Has
	// AtMost states that a Range issue's value is at most Lit.N.
	AtMost
)

// Lit is an issue-value literal: one fact about one issue's value, or its
// negation. The atoms are `nato == "excluded"` (Is, on an Enum issue),
// `trainers == 5000` (Is, on a Range issue), `"arms" in us_responses` (Has)
// and `trainers <= 5000` (AtMost).
type Lit struct {
	Issue string
	// Kind is the issue's kind.
	Kind Kind
	Op   LitOp
	// Option is the option of an Is literal on an Enum issue, or the item of
	// a Has literal.
	Option string
	// N is the value of an Is literal on a Range issue, or the bound of an
	// AtMost literal.
	N int64
	// Neg negates the atom.
	Neg bool
}

// String writes the literal in CEL: nato == "excluded", trainers <= 5000,
// !("arms" in us_responses).
func (l Lit) String() string {
	var s string
	switch l.Op {
	case Is:
		if l.Kind == Enum {
			s = l.Issue + " == " + strconv.Quote(l.Option)
		} else {
			s = l.Issue + " == " + strconv.FormatInt(l.N, 10)
		}
	case Has:
		s = strconv.Quote(l.Option) + " in " + l.Issue
	case AtMost:
		s = l.Issue + " <= " + strconv.FormatInt(l.N, 10)
	default:
		s = fmt.Sprintf("%s ?%d", l.Issue, int(l.Op))
	}
	if l.Neg {
		if l.Op == Has {
			return "!(" + s + ")"
		}
		switch l.Op {
		case Is:
			return strings.Replace(s, " == ", " != ", 1)
		case AtMost:
			return l.Issue + " > " + strconv.FormatInt(l.N, 10)
		}
	}
	return s
}

// Holds reports whether the literal holds for a value of its issue (a
// string for an Enum issue, an int64 for a Range issue, a []string for a
// Subset issue). A value of the wrong type makes the atom false.
func (l Lit) Holds(v any) bool {
	var atom bool
	switch l.Op {
	case Is:
		if l.Kind == Enum {
			s, ok := v.(string)
			atom = ok && s == l.Option
		} else {
			n, ok := toInt64(v)
			atom = ok && n == l.N
		}
	case Has:
		switch x := v.(type) {
		case []string:
			for _, it := range x {
				if it == l.Option {
					atom = true
				}
			}
		case []any:
			for _, it := range x {
				if s, ok := it.(string); ok && s == l.Option {
					atom = true
				}
			}
		}
	case AtMost:
		n, ok := toInt64(v)
		atom = ok && n <= l.N
	}
	return atom != l.Neg
}

// Clause is a disjunction of literals. The empty clause is false.
type Clause []Lit

// CNF is a conjunction of clauses. The empty CNF is true.
type CNF []Clause

// Eval reports whether every clause has a literal that holds on the
// package; an issue the package lacks is an error.
func (c CNF) Eval(p Package) (bool, error) {
	for _, cl := range c {
		ok := false
		for _, l := range cl {
			v, present := p[l.Issue]
			if !present {
				return false, fmt.Errorf("rules: package has no value for issue %s", l.Issue)
			}
			if l.Holds(v) {
				ok = true
				break
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// String writes the clauses in CEL, one parenthesised disjunction per
// clause joined by &&; "true" for no clause, "false" for the empty clause.
func (c CNF) String() string {
	if len(c) == 0 {
		return "true"
	}
	parts := make([]string, len(c))
	for i, cl := range c {
		if len(cl) == 0 {
			parts[i] = "false"
			continue
		}
		lits := make([]string, len(cl))
		for j, l := range cl {
			lits[j] = l.String()
		}
		parts[i] = "(" + strings.Join(lits, " || ") + ")"
	}
	return strings.Join(parts, " && ")
}

// Limits of the clause compiler: beyond them a rule is reported as
// unsupported rather than approximated.
const (
	// MaxClauses is the most clauses one rule compiles into.
	MaxClauses = 1 << 14
	// MaxCases is the most cases (values of an arithmetic or string
	// expression, branches of a split over an issue's values) one
	// subexpression may have.
	MaxCases = 1 << 12
	// MaxDiagram is the most decision-diagram nodes one rule may need
	// (and a sixteenth of the operations on them).
	MaxDiagram = 1 << 16
)

// ErrUnsupported is wrapped by every [UnsupportedError].
var ErrUnsupported = errors.New("rule outside what the clause compiler supports")

// UnsupportedError reports a rule that [Rule.Clauses] cannot compile into
// clauses exactly: a construct outside the supported subset, or a rule too
// large for the limits. Offset, Line and Col locate the offending
// subexpression within the rule, as for [Problem].
type UnsupportedError struct {
	Offset, Line, Col int
	Msg               string
}

// Error formats the error as "line:col: msg".
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// Unwrap returns ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// Supported describes, for messages, what the clause compiler accepts.
const Supported = "comparisons, in, &&, ||, !, ?:, + - * / % over ints, size(), membership and equality on subsets, all/exists/exists_one/filter/map over lists, and contains/startsWith/endsWith/matches on strings"
