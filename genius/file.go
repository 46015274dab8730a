package genius

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Kind is the value type of a Genius issue.
type Kind int

// The issue types of Genius.
const (
	Discrete Kind = iota + 1 // one of a list of items
	Integer                  // a whole number from lowerbound to upperbound
	Real                     // a real number from lowerbound to upperbound
)

// String returns the Genius name of the kind: discrete, integer or real.
func (k Kind) String() string {
	switch k {
	case Discrete:
		return "discrete"
	case Integer:
		return "integer"
	case Real:
		return "real"
	}
	return "unknown"
}

// File is one parsed Genius file. A domain file (root element
// <negotiation_template>) holds the issues; a utility profile (root
// element <utility_space>) repeats them with evaluations, and adds weights,
// a reservation value and a discount factor. Parse reads both alike; the
// converter decides which role a file may play.
type File struct {
	// Name is the file name given to Parse.
	Name string
	// Root is the name of the root element; Pos its position.
	Root string
	Pos  Pos
	// Type is the type attribute of <utility_space>: "" for an additive
	// profile, "UNCERTAIN", "nonlinear", "constraint"...; TypePos its position.
	Type    string
	TypePos Pos
	// Objective is the name of the root objective (the domain's name in
	// Genius's editor); empty when the issues sit directly in <utility_space>.
	Objective string
	// Issues lists the issues in document order (depth first through
	// nested objectives).
	Issues []*Issue
	// Objectives lists the nested objectives below the root one.
	Objectives []*Objective
	// Weights lists the <weight> elements, in document order.
	Weights []*Weight
	// Reservation and Discount are the <reservation> and <discount_factor>
	// values, nil when absent.
	Reservation *Number
	Discount    *Number
	// Nonlinear is the position of a <utility> or <utility_function> element
	// (a hyper-rectangle utility of Genius's nonlinear spaces), nil if none.
	Nonlinear *Pos
	// Warnings lists what was read leniently.
	Warnings []Warning
}

// HasPreferences reports whether the file states preferences: weights,
// evaluations, evaluators or a nonlinear utility. A domain has none.
func (f *File) HasPreferences() bool {
	if len(f.Weights) > 0 || f.Nonlinear != nil {
		return true
	}
	for _, is := range f.Issues {
		if is.Evaluator != nil {
			return true
		}
		for _, it := range is.Items {
			if it.Evaluation != nil {
				return true
			}
		}
	}
	return false
}

// Issue is one <issue> element.
type Issue struct {
	Pos   Pos
	Index int
	Name  string
	Kind  Kind
	// Items are the values of a discrete issue, in order.
	Items []*Item
	// Low and High bound an integer issue, RealLow and RealHigh a real one;
	// Bounded is false when the file gives no bounds (a profile may omit
	// them, the domain has them); BoundsPos is where they are written.
	Low, High         int64
	RealLow, RealHigh float64
	Bounded           bool
	BoundsPos         Pos
	// Evaluator is the <evaluator> of an integer or real issue in a profile.
	Evaluator *Evaluator
}

// Item is one value of a discrete issue.
type Item struct {
	Pos         Pos
	Value       string
	Description string
	// Evaluation is the profile's evaluation of the item, nil when absent.
	Evaluation *Number
}

// Evaluator is the <evaluator> of an integer or real issue: its function
// type (linear, constant, triangular...) and its numeric parameters by
// attribute name (slope, offset, parameter0, parameter1...).
type Evaluator struct {
	Pos    Pos
	FType  string
	Params map[string]Number
}

// Number is a numeric attribute with its position.
type Number struct {
	Value float64
	Pos   Pos
}

// Weight is one <weight index=… value=…> element.
type Weight struct {
	Pos   Pos
	Index int
	Value float64
}

// Objective is a nested <objective> element; Genius ignores the weights of
// objectives when it computes utilities.
type Objective struct {
	Pos   Pos
	Index int
	Name  string
}

// Parse reads a Genius domain or utility profile. name is used in
// positions only; Parse does no I/O. The error is an [ErrorList] naming
// every problem found, each with its line and column.
func Parse(name string, src []byte) (*File, error) {
	t, perr := parseXML(name, src)
	if perr != nil {
		return nil, ErrorList{perr}
	}
	p := &parser{t: t, f: &File{Name: name, Root: t.root.name, Pos: t.at(t.root)}}
	p.file()
	if len(p.errs) > 0 {
		return nil, p.errs.sorted()
	}
	return p.f, nil
}

type parser struct {
	t    *tree
	f    *File
	errs ErrorList
	// reservations and discounts collect the <reservation> and
	// <discount_factor> elements found, in any order.
	reservations, discounts []*node
}

func (p *parser) errorf(at Pos, format string, args ...any) {
	p.errs = append(p.errs, &Error{at, fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(at Pos, format string, args ...any) {
	p.f.Warnings = append(p.f.Warnings, Warning{at, fmt.Sprintf(format, args...)})
}

const notGenius = "a Genius domain's root element is <negotiation_template> holding a <utility_space>; a utility profile's root element is <utility_space>"

func (p *parser) file() {
	root := p.t.root
	us := root
	if root.name != "utility_space" {
		us = root.child("utility_space")
		if us == nil {
			p.errorf(p.t.at(root), "not a Genius file: the root element is <%s>, with no <utility_space>; %s", root.name, notGenius)
			return
		}
	}
	if v, ok := us.attr("type"); ok {
		p.f.Type, p.f.TypePos = strings.TrimSpace(v), p.t.attrAt(us, "type")
	}
	// Reservation and discount sit in <utility_space> (or, in some files,
	// in the root objective); the walk below finds those.
	p.terms(us)
	if root != us {
		p.terms(root)
	}
	obj := us.child("objective")
	if obj == nil {
		// Some old files list the issues directly in <utility_space>.
		obj = us
	} else {
		p.f.Objective, _ = obj.attr("name")
		p.terms(obj)
	}
	p.objective(obj)
	p.f.Reservation = p.single(p.reservations, "reservation")
	p.f.Discount = p.single(p.discounts, "discount_factor")
}

// terms collects the <reservation> and <discount_factor> children of n.
func (p *parser) terms(n *node) {
	for _, c := range n.children {
		switch c.name {
		case "reservation":
			p.reservations = append(p.reservations, c)
		case "discount_factor":
			p.discounts = append(p.discounts, c)
		}
	}
}

// single reads the value of the first of the elements in document order;
// a second one is an error.
func (p *parser) single(elems []*node, what string) *Number {
	sort.Slice(elems, func(i, j int) bool { return elems[i].off < elems[j].off })
	var first *Number
	for i, c := range elems {
		v, ok := p.number(c, "value", what)
		switch {
		case !ok:
		case i > 0:
			p.errorf(v.Pos, "a second <%s>; the first is at %s: give one", what, p.t.attrAt(elems[0], "value"))
		default:
			first = &v
		}
	}
	return first
}

// objective walks an objective's children: issues, weights, nested
// objectives, and the utility element of nonlinear profiles.
func (p *parser) objective(n *node) {
	for _, c := range n.children {
		switch c.name {
		case "issue":
			if is := p.issue(c); is != nil {
				p.f.Issues = append(p.f.Issues, is)
			}
		case "objective":
			o := &Objective{Pos: p.t.at(c)}
			o.Name, _ = c.attr("name")
			if v, ok := p.integer(c, "index", "an objective's index"); ok {
				o.Index = int(v)
			}
			p.f.Objectives = append(p.f.Objectives, o)
			p.terms(c)
			p.objective(c)
		case "weight":
			w := &Weight{Pos: p.t.at(c)}
			idx, ok1 := p.integer(c, "index", "a weight's index")
			val, ok2 := p.number(c, "value", "a weight")
			if ok1 && ok2 {
				w.Index, w.Value, w.Pos = int(idx), val.Value, val.Pos
				p.f.Weights = append(p.f.Weights, w)
			}
		case "utility", "utility_function":
			if p.f.Nonlinear == nil {
				at := p.t.at(c)
				p.f.Nonlinear = &at
			}
		}
	}
}

// issue reads an issue; it returns nil after reporting its errors. It
// reads on after an error, so that one run reports them all.
func (p *parser) issue(n *node) *Issue {
	is := &Issue{Pos: p.t.at(n)}
	n0 := len(p.errs)
	idx, _ := p.integer(n, "index", "an issue's index")
	is.Index = int(idx)
	name, ok := n.attr("name")
	if !ok || strings.TrimSpace(name) == "" {
		p.errorf(is.Pos, "an issue without name; give name=\"...\"")
	}
	is.Name = name
	kind, _ := p.kind(n, is)
	is.Kind = kind
	switch kind {
	case Discrete:
		for _, c := range n.children {
			if c.name != "item" {
				continue
			}
			it := &Item{Pos: p.t.at(c)}
			v, ok := c.attr("value")
			if !ok {
				p.errorf(it.Pos, "an item of issue %q has no value; an item is <item index=\"1\" value=\"its name\">", is.Name)
				continue
			}
			if strings.TrimSpace(v) == "" {
				p.errorf(p.t.attrAt(c, "value"), "an item of issue %q has an empty value; the value is the item's name", is.Name)
				continue
			}
			it.Value = v
			it.Description, _ = c.attr("description")
			// Genius skips an evaluation written "null".
			if s, ok := c.attr("evaluation"); ok && strings.TrimSpace(s) != "null" {
				if ev, ok := p.number(c, "evaluation", "an evaluation"); ok {
					it.Evaluation = &ev
				}
			}
			is.Items = append(is.Items, it)
		}
	case Integer:
		p.bounds(n, is, func(c *node, what string) bool {
			lo, ok1 := p.integer(c, "lowerbound", what)
			hi, ok2 := p.integer(c, "upperbound", what)
			if ok1 && !fitsInt32(lo) {
				p.errorf(p.t.attrAt(c, "lowerbound"), "lowerbound %d of issue %q is outside Java's int (%d to %d), which Genius uses for integer issues", lo, is.Name, math.MinInt32, math.MaxInt32)
				ok1 = false
			}
			if ok2 && !fitsInt32(hi) {
				p.errorf(p.t.attrAt(c, "upperbound"), "upperbound %d of issue %q is outside Java's int (%d to %d), which Genius uses for integer issues", hi, is.Name, math.MinInt32, math.MaxInt32)
				ok2 = false
			}
			is.Low, is.High = lo, hi
			return ok1 && ok2
		})
	case Real:
		p.bounds(n, is, func(c *node, what string) bool {
			lo, ok1 := p.number(c, "lowerbound", what)
			hi, ok2 := p.number(c, "upperbound", what)
			is.RealLow, is.RealHigh = lo.Value, hi.Value
			return ok1 && ok2
		})
	}
	if kind != Discrete {
		if c := n.child("evaluator"); c != nil {
			ev := &Evaluator{Pos: p.t.at(c), Params: map[string]Number{}}
			ev.FType, _ = c.attr("ftype")
			for _, a := range c.attrs {
				switch k := a.Name.Local; {
				case k == "slope" || k == "offset" || strings.HasPrefix(k, "parameter"):
					if v, ok := p.number(c, k, "an evaluator's "+k); ok {
						ev.Params[k] = v
					}
				}
			}
			is.Evaluator = ev
		}
	}
	if len(p.errs) > n0 {
		return nil
	}
	return is
}

// bounds reads the bounds of an integer or real issue, from attributes of
// the issue (as Genius writes integer issues) or of a <range> child (as it
// writes real issues, and as older files write integer ones).
func (p *parser) bounds(n *node, is *Issue, read func(*node, string) bool) {
	what := fmt.Sprintf("a bound of issue %q", is.Name)
	src := n
	if _, ok := n.attr("lowerbound"); !ok {
		if _, ok := n.attr("upperbound"); !ok {
			src = n.child("range")
		}
	}
	if src == nil {
		return // no bounds: a profile may rely on the domain's
	}
	is.BoundsPos = p.t.at(src)
	is.Bounded = read(src, what)
}

// kind reads an issue's type. Genius reads the type attribute; files that
// give only vtype or etype are read by those.
func (p *parser) kind(n *node, is *Issue) (Kind, bool) {
	var given, attr string
	for _, a := range []string{"type", "vtype", "etype"} {
		v, ok := n.attr(a)
		v = strings.TrimSpace(v)
		if !ok || v == "" {
			continue
		}
		if given == "" {
			given, attr = v, a
		} else if !strings.EqualFold(v, given) && a == "vtype" {
			p.warnf(p.t.attrAt(n, a), "issue %q: %s=%q and %s=%q disagree; read as %s, as Genius does", is.Name, attr, given, a, v, given)
		}
	}
	switch strings.ToLower(given) {
	case "", "discrete":
		return Discrete, true
	case "integer":
		return Integer, true
	case "real":
		return Real, true
	}
	p.errorf(p.t.attrAt(n, attr), "issue %q has type %q; Genius issue types are discrete, integer and real", is.Name, given)
	return 0, false
}

// integer reads a whole-number attribute.
func (p *parser) integer(n *node, name, what string) (int64, bool) {
	s, ok := n.attr(name)
	if !ok {
		p.errorf(p.t.at(n), "<%s> has no %s attribute; %s is a whole number", n.name, name, what)
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		p.errorf(p.t.attrAt(n, name), "%s %q is not a whole number", what, clip(s))
		return 0, false
	}
	return v, true
}

// number reads a finite numeric attribute.
func (p *parser) number(n *node, name, what string) (Number, bool) {
	at := p.t.attrAt(n, name)
	s, ok := n.attr(name)
	if !ok {
		p.errorf(p.t.at(n), "<%s> has no %s attribute; %s is a number such as 0.5", n.name, name, what)
		return Number{Pos: at}, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.errorf(at, "%s %q is not a finite number such as 0.5", what, clip(s))
		return Number{Pos: at}, false
	}
	return Number{Value: v, Pos: at}, true
}

func fitsInt32(v int64) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

// clip shortens long text quoted in messages.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
