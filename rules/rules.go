package rules

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/ext"
)

// Kind is the kind of an issue's domain: what values the issue can take and
// which CEL type it has inside rules.
type Kind int

const (
	// Enum is an enumeration: the value is one of Issue.Options. CEL type string.
	Enum Kind = iota + 1
	// Range is a bounded integer range: Issue.Min, Min+Step, ... up to
	// Issue.Max. CEL type int.
	Range
	// Subset is a subset of Issue.Items. CEL type list(string); the list holds
	// no duplicates.
	Subset
)

// String returns "enum", "range", "subset", or "Kind(n)" for other values.
func (k Kind) String() string {
	switch k {
	case Enum:
		return "enum"
	case Range:
		return "range"
	case Subset:
		return "subset"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Issue declares one negotiable issue for an environment built by NewEnv.
//
// Only the fields belonging to Kind are read: Options for Enum, Min, Max and
// Step for Range, Items for Subset. A Step of 0 means 1.
type Issue struct {
	// ID is the identifier by which rules refer to the issue.
	ID string
	// Kind selects the domain.
	Kind Kind
	// Options are the values of an Enum issue, in declared order.
	Options []string
	// Min and Max bound a Range issue (both inclusive); Step is the
	// distance between its values, counted from Min.
	Min, Max, Step int64
	// Items are what a Subset issue's value may contain, in declared order.
	Items []string
}

// step returns the effective step of a Range issue.
func (is *Issue) step() int64 {
	if is.Step == 0 {
		return 1
	}
	return is.Step
}

// CELType returns the CEL type of the issue's value in rules: string, int or
// list(string), or an empty string for an unknown Kind.
func (is *Issue) CELType() string {
	switch is.Kind {
	case Enum:
		return "string"
	case Range:
		return "int"
	case Subset:
		return "list(string)"
	}
	return ""
}

// issueDecl is an Issue prepared for fast lookups.
type issueDecl struct {
	Issue
	index int             // position in Env.issues
	set   map[string]bool // Options (Enum) or Items (Subset)
}

// domain lists the options or items of an Enum or Subset issue, comma
// separated, in declared order.
func (d *issueDecl) domain() string {
	if d.Kind == Subset {
		return strings.Join(d.Items, ", ")
	}
	return strings.Join(d.Options, ", ")
}

// Env is a CEL environment in which rules are compiled: either over a
// settlement's issues (NewEnv) or over one monitoring event (NewEventEnv).
// An Env is immutable and safe for concurrent use.
type Env struct {
	cel    *cel.Env
	event  bool                  // built by NewEventEnv
	issues []*issueDecl          // declared order
	byID   map[string]*issueDecl // by Issue.ID
	known  string                // sorted known names, comma separated, for messages
}

// reservedWords are CEL's reserved words and literal keywords: none can be
// the name of an issue.
var reservedWords = map[string]bool{
	"as": true, "break": true, "const": true, "continue": true, "else": true,
	"false": true, "for": true, "function": true, "if": true, "import": true,
	"in": true, "let": true, "loop": true, "package": true, "namespace": true,
	"null": true, "return": true, "true": true, "var": true, "void": true,
	"while": true,
}

// predeclared are identifiers CEL predeclares as type names. A variable with
// one of these names would shadow the type (breaking, say, `type(x) == int`),
// so they are refused as issue ids too.
var predeclared = map[string]bool{
	"bool": true, "bytes": true, "double": true, "dyn": true, "int": true,
	"list": true, "map": true, "null_type": true, "string": true,
	"type": true, "uint": true,
}

// environmentNames are the names the rule environments declare besides the
// issues: CEL macros and functions an issue id would shadow, and the event
// variable of violation rules.
var environmentNames = map[string]bool{"has": true, "size": true, "event": true}

// Reserved reports whether id is a word no issue may be named: a CEL
// reserved word, a predeclared type name, or a name the environments
// declare (has, size, event). The settlement loader and importers that make
// up ids share this one list.
func Reserved(id string) bool {
	return reservedWords[id] || predeclared[id] || environmentNames[id]
}

// ValidID reports why id cannot name an issue, or returns nil if it can: an
// id must be a CEL identifier ([A-Za-z_][A-Za-z0-9_]*) and neither a CEL
// reserved word (true, in, null, ...) nor a predeclared type name (int,
// string, type, ...).
func ValidID(id string) error {
	if id == "" {
		return errors.New("empty issue id")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return fmt.Errorf("issue id %q is not a CEL identifier (letters, digits and _, not starting with a digit)", id)
		}
	}
	if reservedWords[id] {
		return fmt.Errorf("issue id %q is a CEL reserved word", id)
	}
	if predeclared[id] {
		return fmt.Errorf("issue id %q is a CEL type name", id)
	}
	return nil
}

// NewEnv returns an environment whose variables are the given issues. It
// fails (reporting every fault found, joined) on duplicate ids, ids refused
// by ValidID, unknown kinds, empty domains (no options, no items, Min > Max),
// a negative Step, and duplicate options or items.
func NewEnv(issues []Issue) (*Env, error) {
	e := &Env{byID: make(map[string]*issueDecl, len(issues))}
	var errs []error
	var opts []cel.EnvOption
	for i := range issues {
		is := issues[i]
		if err := ValidID(is.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		if e.byID[is.ID] != nil {
			errs = append(errs, fmt.Errorf("duplicate issue id %q", is.ID))
			continue
		}
		d := &issueDecl{Issue: is, index: len(e.issues)}
		var t *cel.Type
		switch is.Kind {
		case Enum:
			d.Options = append([]string(nil), is.Options...)
			set, err := valueSet(is.ID, "option", d.Options)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			d.set, t = set, cel.StringType
		case Range:
			if is.Min > is.Max {
				errs = append(errs, fmt.Errorf("issue %s: empty range: min %d > max %d", is.ID, is.Min, is.Max))
				continue
			}
			if is.Step < 0 {
				errs = append(errs, fmt.Errorf("issue %s: negative step %d", is.ID, is.Step))
				continue
			}
			d.Step = is.step()
			t = cel.IntType
		case Subset:
			d.Items = append([]string(nil), is.Items...)
			set, err := valueSet(is.ID, "item", d.Items)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			d.set, t = set, cel.ListType(cel.StringType)
		default:
			errs = append(errs, fmt.Errorf("issue %s: unknown kind %v", is.ID, is.Kind))
			continue
		}
		e.issues = append(e.issues, d)
		e.byID[is.ID] = d
		opts = append(opts, cel.Variable(is.ID, t))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ids := make([]string, 0, len(e.issues))
	for _, d := range e.issues {
		ids = append(ids, d.ID)
	}
	sort.Strings(ids)
	e.known = strings.Join(ids, ", ")
	env, err := cel.NewEnv(append(opts, celLimits()...)...)
	if err != nil {
		return nil, fmt.Errorf("rules: building CEL environment: %w", err)
	}
	e.cel = env
	return e, nil
}

// valueSet checks that an Enum's options or a Subset's items are not empty
// and hold no duplicates.
func valueSet(id, what string, vals []string) (map[string]bool, error) {
	if len(vals) == 0 {
		return nil, fmt.Errorf("issue %s: empty domain: no %ss", id, what)
	}
	set := make(map[string]bool, len(vals))
	for _, v := range vals {
		if set[v] {
			return nil, fmt.Errorf("issue %s: duplicate %s %q", id, what, v)
		}
		set[v] = true
	}
	return set, nil
}

// celLimits are the limits and validators shared by both kinds of Env.
func celLimits() []cel.EnvOption {
	return []cel.EnvOption{
		cel.ParserExpressionSizeLimit(MaxExprBytes),
		cel.ParserRecursionLimit(MaxNesting),
		// Compare int with double as numbers: event.distance_km > 10 means
		// what an analyst expects, without writing 10.0.
		cel.CrossTypeNumericComparisons(true),
		cel.ASTValidators(
			cel.ValidateComprehensionNestingLimit(MaxLoopNesting),
			cel.ValidateTimestampLiterals(),
			cel.ValidateDurationLiterals(),
			cel.ValidateRegexLiterals(),
		),
	}
}

// EventType is the CEL type name of the `event` variable of NewEventEnv.
const EventType = "rules.Event"

// eventFields are the CEL names of Event's fields, sorted.
var eventFields = func() []string {
	t := reflect.TypeOf(Event{})
	names := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("cel"); tag != "" && tag != "-" {
			names = append(names, tag)
		}
	}
	sort.Strings(names)
	return names
}()

// EventFields returns the names of the fields of `event` in rules from
// NewEventEnv, sorted: actor1, actor2, admin1, date, ...
func EventFields() []string {
	return append([]string(nil), eventFields...)
}

// NewEventEnv returns the environment of monitoring violation rules: one
// variable, `event`, of type rules.Event (see Event for its fields). It is
// declared through cel-go's native types, so a misspelt field such as
// event.zonee is a type error (code rule-type) naming the valid fields.
func NewEventEnv() (*Env, error) {
	env, err := cel.NewEnv(append([]cel.EnvOption{
		ext.NativeTypes(ext.ParseStructTags(true), reflect.TypeOf(Event{})),
		cel.Variable("event", cel.ObjectType(EventType)),
	}, celLimits()...)...)
	if err != nil {
		return nil, fmt.Errorf("rules: building CEL event environment: %w", err)
	}
	return &Env{cel: env, event: true, known: "event"}, nil
}

// IsEvent reports whether the environment was built by NewEventEnv.
func (e *Env) IsEvent() bool { return e.event }

// Issues returns the declared issues, in declared order (none for an event
// environment). Step is reported as its effective value (0 becomes 1).
func (e *Env) Issues() []Issue {
	out := make([]Issue, len(e.issues))
	for i, d := range e.issues {
		out[i] = d.Issue
		out[i].Options = append([]string(nil), d.Options...)
		out[i].Items = append([]string(nil), d.Items...)
	}
	return out
}

// Issue returns the issue declared with the given id.
func (e *Env) Issue(id string) (Issue, bool) {
	d := e.byID[id]
	if d == nil {
		return Issue{}, false
	}
	out := d.Issue
	out.Options = append([]string(nil), d.Options...)
	out.Items = append([]string(nil), d.Items...)
	return out, true
}

// Rule is a compiled, type-checked rule, ready to evaluate. A Rule is
// immutable and safe for concurrent use.
type Rule struct {
	env   *Env
	expr  string
	prg   cel.Program
	reads []string     // sorted names read: issue ids, or event fields
	decls []*issueDecl // the issues read, in the order of reads (issue rules)
	loops bool         // the rule holds a comprehension (exists, all, map, ...)
	ast   *celast.AST  // the checked expression

	clauseOnce sync.Once // Clauses computes clauses and clauseErr once
	clauses    CNF
	clauseErr  error
}

// Expr returns the rule's source text, as given to Compile.
func (r *Rule) Expr() string { return r.expr }

// Issues returns the sorted ids of the issues the rule reads. For a rule
// compiled in an event environment it returns the sorted names of the event
// fields the rule reads (zone, type, ...).
func (r *Rule) Issues() []string { return append([]string(nil), r.reads...) }

// Env returns the environment the rule was compiled in.
func (r *Rule) Env() *Env { return r.env }

// String returns the rule's source text.
func (r *Rule) String() string { return r.expr }
