package settlement

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/entente-org/entente/rules"
	"go.yaml.in/yaml/v3"
)

// Each kind of mapping in a settlement file has one table below: its keys,
// in the order that the "valid keys" hint of an unknown key lists them,
// each with the function that decodes its value. The table is the only
// list of the keys: the decoder, the set that [nodes.mapping] accepts and
// the hint all derive from it.

// A fieldFunc decodes the value of one key into x, the element being
// decoded (or the state of its decoding).
type fieldFunc[T any] func(d *nodes, x *T, f field)

// A keyFunc is one row of a [fields] table.
type keyFunc[T any] struct {
	key    string
	decode fieldFunc[T]
}

// fields is the table of the keys of one kind of mapping.
type fields[T any] struct {
	keys   []string // in table order
	decode map[string]fieldFunc[T]
}

func table[T any](rows ...keyFunc[T]) *fields[T] {
	t := &fields[T]{decode: make(map[string]fieldFunc[T], len(rows))}
	for _, r := range rows {
		if _, dup := t.decode[r.key]; dup {
			panic("settlement: key " + r.key + " twice in one table")
		}
		t.keys = append(t.keys, r.key)
		t.decode[r.key] = r.decode
	}
	return t
}

// mapping checks that n is a mapping of the table's keys (see
// [nodes.mapping]).
func (t *fields[T]) mapping(d *nodes, n *yaml.Node, what string) ([]field, Loc, bool) {
	return d.mapping(n, what, t.keys)
}

// decodeAll decodes each field, in the file's order, into x. The fields must
// come from t.mapping, which drops the keys t does not know.
func (t *fields[T]) decodeAll(d *nodes, x *T, fs []field) {
	for _, f := range fs {
		t.decode[f.key](d, x, f)
	}
}

var sourceFields = table(
	keyFunc[Source]{"id", func(d *nodes, x *Source, f field) { x.ID, _ = d.str(f.value, "a source's id") }},
	keyFunc[Source]{"publisher", func(d *nodes, x *Source, f field) { x.Publisher, _ = d.str(f.value, "publisher") }},
	keyFunc[Source]{"date", func(d *nodes, x *Source, f field) { x.Date, _ = d.str(f.value, "date") }},
	keyFunc[Source]{"title", func(d *nodes, x *Source, f field) { x.Title, _ = d.str(f.value, "title") }},
	keyFunc[Source]{"url", func(d *nodes, x *Source, f field) { x.URL, _ = d.str(f.value, "url") }},
	keyFunc[Source]{"note", func(d *nodes, x *Source, f field) { x.Note, _ = d.str(f.value, "note") }},
)

func decodeSource(d *nodes, n *yaml.Node) *Source {
	fs, loc, ok := sourceFields.mapping(d, n, "a source")
	if !ok {
		return nil
	}
	x := &Source{Loc: loc}
	sourceFields.decodeAll(d, x, fs)
	return x
}

var partyFields = table(
	keyFunc[Party]{"id", func(d *nodes, x *Party, f field) { x.ID, _ = d.str(f.value, "a party's id") }},
	keyFunc[Party]{"name", func(d *nodes, x *Party, f field) { x.Name, _ = d.str(f.value, "name") }},
	keyFunc[Party]{"roles", func(d *nodes, x *Party, f field) {
		names, ps := d.strsPos(f.value, "roles")
		for i, r := range names {
			if !validRole(Role(r)) {
				d.errorAt(ps[i], "unknown-role", "roles: "+roleList(), "unknown role %q", r)
				continue
			}
			x.Roles = append(x.Roles, Role(r))
		}
	}},
	keyFunc[Party]{"note", func(d *nodes, x *Party, f field) { x.Note, _ = d.str(f.value, "note") }},
)

func decodeParty(d *nodes, n *yaml.Node) *Party {
	fs, loc, ok := partyFields.mapping(d, n, "a party")
	if !ok {
		return nil
	}
	x := &Party{Loc: loc}
	partyFields.decodeAll(d, x, fs)
	return x
}

func validRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

func roleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// issueDecoding is the state of decoding one issue: the issue and the
// number of domains it gives.
type issueDecoding struct {
	*Issue
	kinds int
}

var issueFields = table(
	keyFunc[issueDecoding]{"id", func(d *nodes, x *issueDecoding, f field) { x.ID, _ = d.str(f.value, "an issue's id") }},
	keyFunc[issueDecoding]{"name", func(d *nodes, x *issueDecoding, f field) { x.Name, _ = d.str(f.value, "name") }},
	keyFunc[issueDecoding]{"description", func(d *nodes, x *issueDecoding, f field) { x.Description, _ = d.str(f.value, "description") }},
	keyFunc[issueDecoding]{"options", func(d *nodes, x *issueDecoding, f field) {
		x.kinds++
		x.Kind = rules.Enum
		x.Options = d.list(&x.Loc, "options", f.value, "options")
	}},
	keyFunc[issueDecoding]{"range", func(d *nodes, x *issueDecoding, f field) {
		x.kinds++
		x.Kind = rules.Range
		rf, rloc, ok := rangeFields.mapping(d, f.value, "a range")
		if !ok {
			return
		}
		for k, p := range rloc.Keys {
			x.Loc.Keys["range."+k] = p
		}
		x.Range.Step = 1
		rangeFields.decodeAll(d, &x.Range, rf)
	}},
	keyFunc[issueDecoding]{"subset_of", func(d *nodes, x *issueDecoding, f field) {
		x.kinds++
		x.Kind = rules.Subset
		x.Items = d.list(&x.Loc, "subset_of", f.value, "subset_of")
	}},
	keyFunc[issueDecoding]{"source", func(d *nodes, x *issueDecoding, f field) { x.Source, _ = d.str(f.value, "source") }},
	keyFunc[issueDecoding]{"note", func(d *nodes, x *issueDecoding, f field) { x.Note, _ = d.str(f.value, "note") }},
	keyFunc[issueDecoding]{"pax", func(d *nodes, x *issueDecoding, f field) { x.PAX = d.list(&x.Loc, "pax", f.value, "pax") }},
)

var rangeFields = table(
	keyFunc[Range]{"min", func(d *nodes, x *Range, f field) { x.Min, _ = d.integer(f.value, "min") }},
	keyFunc[Range]{"max", func(d *nodes, x *Range, f field) { x.Max, _ = d.integer(f.value, "max") }},
	keyFunc[Range]{"step", func(d *nodes, x *Range, f field) { x.Step, _ = d.integer(f.value, "step") }},
)

func decodeIssue(d *nodes, n *yaml.Node) *Issue {
	fs, loc, ok := issueFields.mapping(d, n, "an issue")
	if !ok {
		return nil
	}
	x := &issueDecoding{Issue: &Issue{Loc: loc}}
	issueFields.decodeAll(d, x, fs)
	switch {
	case x.kinds == 0:
		d.errorf(n, "issue-domain", "give options: [a, b], range: {min, max, step} or subset_of: [a, b]", "issue %q has no domain", x.ID)
		x.Kind = 0
	case x.kinds > 1:
		d.errorf(n, "issue-domain", "keep one of options, range and subset_of", "issue %q has more than one domain", x.ID)
		x.Kind = 0
	}
	return x.Issue
}

var constraintFields = table(
	keyFunc[Constraint]{"id", func(d *nodes, x *Constraint, f field) { x.ID, _ = d.str(f.value, "a constraint's id") }},
	keyFunc[Constraint]{"rule", func(d *nodes, x *Constraint, f field) { x.Rule, _ = d.rule(f.value, "rule") }},
	keyFunc[Constraint]{"description", func(d *nodes, x *Constraint, f field) { x.Description, _ = d.str(f.value, "description") }},
	keyFunc[Constraint]{"source", func(d *nodes, x *Constraint, f field) { x.Source, _ = d.str(f.value, "source") }},
	keyFunc[Constraint]{"pax", func(d *nodes, x *Constraint, f field) { x.PAX = d.list(&x.Loc, "pax", f.value, "pax") }},
)

func decodeConstraint(d *nodes, n *yaml.Node) *Constraint {
	fs, loc, ok := constraintFields.mapping(d, n, "a constraint")
	if !ok {
		return nil
	}
	x := &Constraint{Loc: loc}
	constraintFields.decodeAll(d, x, fs)
	return x
}

var redLineFields = table(
	keyFunc[RedLine]{"id", func(d *nodes, x *RedLine, f field) { x.ID, _ = d.str(f.value, "a red line's id") }},
	keyFunc[RedLine]{"rule", func(d *nodes, x *RedLine, f field) { x.Rule, _ = d.rule(f.value, "rule") }},
	keyFunc[RedLine]{"source", func(d *nodes, x *RedLine, f field) { x.Source, _ = d.str(f.value, "source") }},
	keyFunc[RedLine]{"description", func(d *nodes, x *RedLine, f field) { x.Description, _ = d.str(f.value, "description") }},
	keyFunc[RedLine]{"pax", func(d *nodes, x *RedLine, f field) { x.PAX = d.list(&x.Loc, "pax", f.value, "pax") }},
)

func decodeRedLine(d *nodes, n *yaml.Node) *RedLine {
	fs, loc, ok := redLineFields.mapping(d, n, "a red line")
	if !ok {
		return nil
	}
	x := &RedLine{Loc: loc}
	redLineFields.decodeAll(d, x, fs)
	return x
}

var positionFields = table(
	keyFunc[Position]{"party", func(d *nodes, x *Position, f field) { x.Party, _ = d.str(f.value, "party") }},
	keyFunc[Position]{"red_lines", func(d *nodes, x *Position, f field) {
		for _, r := range d.seq(f.value, "red_lines") {
			if rl := decodeRedLine(d, r); rl != nil {
				x.RedLines = append(x.RedLines, rl)
			}
		}
	}},
	keyFunc[Position]{"utility", func(d *nodes, x *Position, f field) { x.Utility = decodeUtility(d, f.value) }},
	keyFunc[Position]{"reservation", func(d *nodes, x *Position, f field) {
		x.Reservation, x.HasReservation = d.number(f.value, "reservation")
	}},
	keyFunc[Position]{"note", func(d *nodes, x *Position, f field) { x.Note, _ = d.str(f.value, "note") }},
)

func decodePosition(d *nodes, n *yaml.Node) *Position {
	fs, loc, ok := positionFields.mapping(d, n, "a position")
	if !ok {
		return nil
	}
	x := &Position{Loc: loc}
	positionFields.decodeAll(d, x, fs)
	return x
}

var utilityFields = table(
	keyFunc[Utility]{"weights", func(d *nodes, u *Utility, f field) {
		wf, _, _ := d.mapping(f.value, "weights", nil)
		for _, w := range wf {
			if v, ok := d.number(w.value, "the weight of "+w.key); ok {
				u.Weights[w.key] = v
				u.WeightPos[w.key] = w.kpos
				u.WeightValPos[w.key] = d.pos(w.value)
			}
		}
	}},
	keyFunc[Utility]{"values", func(d *nodes, u *Utility, f field) {
		vf, _, _ := d.mapping(f.value, "values", nil)
		for _, iv := range vf {
			of, _, _ := d.mapping(iv.value, "the values of "+iv.key, nil)
			m := map[string]float64{}
			pm := map[string]Pos{}
			vm := map[string]Pos{}
			for _, o := range of {
				if v, ok := d.number(o.value, fmt.Sprintf("the value of %s: %s", iv.key, o.key)); ok {
					m[o.key] = v
					pm[o.key] = o.kpos
					vm[o.key] = d.pos(o.value)
				}
			}
			u.Values[iv.key] = m
			u.ValuePos[iv.key] = pm
			u.ValueValPos[iv.key] = vm
			u.IssuePos[iv.key] = iv.kpos
		}
	}},
)

func decodeUtility(d *nodes, n *yaml.Node) *Utility {
	fs, loc, ok := utilityFields.mapping(d, n, "a utility")
	if !ok {
		return nil
	}
	u := &Utility{Loc: loc, Weights: map[string]float64{}, Values: map[string]map[string]float64{},
		ValuePos: map[string]map[string]Pos{}, WeightPos: map[string]Pos{},
		ValueValPos: map[string]map[string]Pos{}, WeightValPos: map[string]Pos{}, IssuePos: map[string]Pos{}}
	utilityFields.decodeAll(d, u, fs)
	return u
}

var guaranteeFields = table(
	keyFunc[Guarantee]{"id", func(d *nodes, g *Guarantee, f field) { g.ID, _ = d.str(f.value, "a guarantee's id") }},
	keyFunc[Guarantee]{"title", func(d *nodes, g *Guarantee, f field) { g.Title, _ = d.str(f.value, "title") }},
	keyFunc[Guarantee]{"description", func(d *nodes, g *Guarantee, f field) { g.Description, _ = d.str(f.value, "description") }},
	keyFunc[Guarantee]{"source", func(d *nodes, g *Guarantee, f field) { g.Source, _ = d.str(f.value, "source") }},
	keyFunc[Guarantee]{"pax", func(d *nodes, g *Guarantee, f field) { g.PAX = d.list(&g.Loc, "pax", f.value, "pax") }},
	keyFunc[Guarantee]{"beneficiary", func(d *nodes, g *Guarantee, f field) { g.Beneficiary, _ = d.str(f.value, "beneficiary") }},
	keyFunc[Guarantee]{"deters", func(d *nodes, g *Guarantee, f field) { g.Deters, _ = d.str(f.value, "deters") }},
	keyFunc[Guarantee]{"guarantors", func(d *nodes, g *Guarantee, f field) {
		g.Guarantors = d.list(&g.Loc, "guarantors", f.value, "guarantors")
	}},
	keyFunc[Guarantee]{"trigger", func(d *nodes, g *Guarantee, f field) {
		tf, tl, ok := triggerFields.mapping(d, f.value, "a trigger")
		if !ok {
			return
		}
		t := &Trigger{Loc: tl}
		triggerFields.decodeAll(d, t, tf)
		g.Trigger = t
	}},
	keyFunc[Guarantee]{"decision", func(d *nodes, g *Guarantee, f field) { g.Decision = decodeDecision(d, f.value, 0) }},
	keyFunc[Guarantee]{"obligations", func(d *nodes, g *Guarantee, f field) {
		of, _, _ := d.mapping(f.value, "obligations", nil)
		for _, o := range of {
			if ob := decodeObligation(d, o); ob != nil {
				g.Obligations = append(g.Obligations, ob)
			}
		}
	}},
	keyFunc[Guarantee]{"duration", func(d *nodes, g *Guarantee, f field) { g.Duration, _ = d.str(f.value, "duration") }},
	keyFunc[Guarantee]{"force", func(d *nodes, g *Guarantee, f field) {
		for _, x := range d.seq(f.value, "force") {
			if ft := decodeForce(d, x); ft != nil {
				g.Force = append(g.Force, ft)
			}
		}
	}},
	keyFunc[Guarantee]{"ambiguity", func(d *nodes, g *Guarantee, f field) { g.Ambiguity, _ = d.boolean(f.value, "ambiguity") }},
	keyFunc[Guarantee]{"ambiguity_note", func(d *nodes, g *Guarantee, f field) {
		g.AmbiguityNote, _ = d.str(f.value, "ambiguity_note")
	}},
	keyFunc[Guarantee]{"credibility", func(d *nodes, g *Guarantee, f field) { g.Credibility = decodeCredibility(d, f.value) }},
)

var triggerFields = table(
	keyFunc[Trigger]{"description", func(d *nodes, t *Trigger, f field) { t.Description, _ = d.str(f.value, "description") }},
	keyFunc[Trigger]{"monitor", func(d *nodes, t *Trigger, f field) { t.Monitor, _ = d.str(f.value, "monitor") }},
	keyFunc[Trigger]{"source", func(d *nodes, t *Trigger, f field) { t.Source, _ = d.str(f.value, "source") }},
)

func decodeGuarantee(d *nodes, n *yaml.Node) *Guarantee {
	fs, loc, ok := guaranteeFields.mapping(d, n, "a guarantee")
	if !ok {
		return nil
	}
	g := &Guarantee{Loc: loc}
	guaranteeFields.decodeAll(d, g, fs)
	return g
}

// maxDecisionDepth bounds the nesting of all_of/any_of compositions.
const maxDecisionDepth = 32

// decisionDecoding is the state of decoding one decision rule: the rule,
// its depth of nesting and the forms it names.
type decisionDecoding struct {
	*Decision
	depth int
	forms []string
}

// decisionFields is set by init: its all_of and any_of decoders call
// decodeDecision, which reads the table, and a package variable may not
// depend on itself.
var decisionFields *fields[decisionDecoding]

func init() {
	members := func(d *nodes, x *decisionDecoding, f field) {
		x.forms = append(x.forms, f.key)
		x.Kind = DecisionKind(f.key)
		x.Members = d.list(&x.Loc, f.key, f.value, f.key)
	}
	compose := func(d *nodes, x *decisionDecoding, f field) {
		x.forms = append(x.forms, f.key)
		x.Kind = DecisionKind(f.key)
		for _, r := range d.seq(f.value, f.key) {
			if sub := decodeDecision(d, r, x.depth+1); sub != nil {
				x.Rules = append(x.Rules, sub)
			}
		}
	}
	decisionFields = table(
		keyFunc[decisionDecoding]{"unanimity", members},
		keyFunc[decisionDecoding]{"any", members},
		keyFunc[decisionDecoding]{"quota", func(d *nodes, x *decisionDecoding, f field) {
			x.forms = append(x.forms, f.key)
			x.Kind = Quota
			x.Quota, _ = d.number(f.value, "quota")
		}},
		keyFunc[decisionDecoding]{"weights", func(d *nodes, x *decisionDecoding, f field) {
			wf, _, _ := d.mapping(f.value, "weights", nil)
			x.Weights = map[string]float64{}
			for _, w := range wf {
				if v, ok := d.number(w.value, "the weight of "+w.key); ok {
					x.Weights[w.key] = v
					x.WeightOrder = append(x.WeightOrder, w.key)
					x.Loc.Items["weights"] = append(x.Loc.Items["weights"], w.kpos)
				}
			}
		}},
		keyFunc[decisionDecoding]{"all_of", compose},
		keyFunc[decisionDecoding]{"any_of", compose},
	)
}

func decodeDecision(d *nodes, n *yaml.Node, depth int) *Decision {
	fs, loc, ok := decisionFields.mapping(d, n, "a decision rule")
	if !ok {
		return nil
	}
	x := &decisionDecoding{Decision: &Decision{Loc: loc}, depth: depth}
	if depth > maxDecisionDepth {
		d.errorf(n, "decision-form", "flatten the composition", "decision rule nested more than %d deep", maxDecisionDepth)
		return nil
	}
	decisionFields.decodeAll(d, x, fs)
	hint := "one of {unanimity: [A, B]}, {any: [A, B]}, {quota: N, weights: {A: N}}, {all_of: [RULE, …]}, {any_of: [RULE, …]}"
	switch {
	case len(x.forms) == 0:
		d.errorf(n, "decision-form", hint, "decision rule names no form")
		return nil
	case len(x.forms) > 1:
		d.errorf(n, "decision-form", hint, "decision rule has %s at once; give one form (compose with all_of or any_of)", strings.Join(x.forms, " and "))
		return nil
	}
	if x.Kind == Quota && x.Weights == nil {
		d.errorf(n, "decision-form", "add weights: {A: N, B: N}", "a quota rule needs weights")
	}
	if x.Kind != Quota && x.Weights != nil {
		d.errorf(n, "decision-form", "weights go with quota", "weights given without a quota")
	}
	return x.Decision
}

var obligationFields = table(
	keyFunc[Obligation]{"responses", func(d *nodes, o *Obligation, f field) {
		names, ps := d.strsPos(f.value, "responses")
		for i, r := range names {
			if !validResponse(Response(r)) {
				d.errorAt(ps[i], "unknown-response", "the response ladder: "+ladderList(), "unknown response %q", r)
				continue
			}
			o.Responses = append(o.Responses, Response(r))
		}
	}},
	keyFunc[Obligation]{"within", func(d *nodes, o *Obligation, f field) {
		s, ok := d.str(f.value, "within")
		if !ok {
			return
		}
		dur, err := ParseDuration(s)
		if err != nil {
			d.errorf(f.value, "bad-duration", "write a number and a unit: 72h, 7d or 2w", "within: %v", err)
			return
		}
		o.Within, o.HasWithin, o.WithinText = dur, true, s
	}},
	keyFunc[Obligation]{"source", func(d *nodes, o *Obligation, f field) { o.Source, _ = d.str(f.value, "source") }},
	keyFunc[Obligation]{"description", func(d *nodes, o *Obligation, f field) { o.Description, _ = d.str(f.value, "description") }},
)

func decodeObligation(d *nodes, f field) *Obligation {
	fs, loc, ok := obligationFields.mapping(d, f.value, "an obligation")
	if !ok {
		return nil
	}
	loc.Pos = f.kpos
	o := &Obligation{Loc: loc, Party: f.key}
	obligationFields.decodeAll(d, o, fs)
	return o
}

func validResponse(r Response) bool {
	for _, x := range Ladder {
		if x == r {
			return true
		}
	}
	return false
}

func ladderList() string {
	s := make([]string, len(Ladder))
	for i, r := range Ladder {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

var forceFields = table(
	keyFunc[ForceTerm]{"id", func(d *nodes, x *ForceTerm, f field) { x.ID, _ = d.str(f.value, "id") }},
	keyFunc[ForceTerm]{"party", func(d *nodes, x *ForceTerm, f field) { x.Party, _ = d.str(f.value, "party") }},
	keyFunc[ForceTerm]{"max_personnel", func(d *nodes, x *ForceTerm, f field) {
		x.MaxPersonnel, x.HasMax = d.integer(f.value, "max_personnel")
	}},
	keyFunc[ForceTerm]{"functions", func(d *nodes, x *ForceTerm, f field) { x.Functions = d.strs(f.value, "functions") }},
	keyFunc[ForceTerm]{"places", func(d *nodes, x *ForceTerm, f field) { x.Places = d.strs(f.value, "places") }},
	keyFunc[ForceTerm]{"verification", func(d *nodes, x *ForceTerm, f field) { x.Verification, _ = d.str(f.value, "verification") }},
	keyFunc[ForceTerm]{"source", func(d *nodes, x *ForceTerm, f field) { x.Source, _ = d.str(f.value, "source") }},
	keyFunc[ForceTerm]{"pax", func(d *nodes, x *ForceTerm, f field) { x.PAX = d.list(&x.Loc, "pax", f.value, "pax") }},
	keyFunc[ForceTerm]{"description", func(d *nodes, x *ForceTerm, f field) { x.Description, _ = d.str(f.value, "description") }},
)

func decodeForce(d *nodes, n *yaml.Node) *ForceTerm {
	fs, loc, ok := forceFields.mapping(d, n, "a force term")
	if !ok {
		return nil
	}
	x := &ForceTerm{Loc: loc}
	forceFields.decodeAll(d, x, fs)
	return x
}

var credibilityFields = table(
	keyFunc[Credibility]{"aggressor", func(d *nodes, c *Credibility, f field) {
		af, al, ok := aggressorFields.mapping(d, f.value, "the aggressor's costs")
		if !ok {
			return
		}
		a := &Costs{Loc: al}
		aggressorFields.decodeAll(d, a, af)
		c.Aggressor = a
	}},
	keyFunc[Credibility]{"guarantors", func(d *nodes, c *Credibility, f field) {
		gf, _, _ := d.mapping(f.value, "the guarantors' costs", nil)
		for _, g := range gf {
			cf, cl, ok := guarantorCostFields.mapping(d, g.value, "the costs of "+g.key)
			if !ok {
				continue
			}
			cl.Pos = g.kpos
			x := &Costs{Loc: cl}
			guarantorCostFields.decodeAll(d, x, cf)
			c.Guarantors[g.key] = x
			c.Order = append(c.Order, g.key)
		}
	}},
)

var aggressorFields = table(
	keyFunc[Costs]{"gain", func(d *nodes, a *Costs, f field) { a.Gain, a.HasGain = d.number(f.value, "gain") }},
	keyFunc[Costs]{"cost_if_opposed", func(d *nodes, a *Costs, f field) {
		a.CostIfOpposed, a.HasCostIfOpposed = d.number(f.value, "cost_if_opposed")
	}},
)

var guarantorCostFields = table(
	keyFunc[Costs]{"cost_of_response", func(d *nodes, x *Costs, f field) {
		x.CostOfResponse, x.HasCostOfResponse = d.number(f.value, "cost_of_response")
	}},
	keyFunc[Costs]{"cost_of_inaction", func(d *nodes, x *Costs, f field) {
		x.CostOfInaction, x.HasCostOfInac = d.number(f.value, "cost_of_inaction")
	}},
)

func decodeCredibility(d *nodes, n *yaml.Node) *Credibility {
	fs, loc, ok := credibilityFields.mapping(d, n, "credibility")
	if !ok {
		return nil
	}
	c := &Credibility{Loc: loc, Guarantors: map[string]*Costs{}}
	credibilityFields.decodeAll(d, c, fs)
	return c
}

// monitoringDecoding is the state of decoding a monitoring section: the
// section and the directory that its file paths are relative to.
type monitoringDecoding struct {
	*Monitoring
	dir string
}

var monitoringFields = table(
	keyFunc[monitoringDecoding]{"source", func(d *nodes, m *monitoringDecoding, f field) { m.Source, _ = d.str(f.value, "source") }},
	keyFunc[monitoringDecoding]{"pax", func(d *nodes, m *monitoringDecoding, f field) { m.PAX = d.list(&m.Loc, "pax", f.value, "pax") }},
	keyFunc[monitoringDecoding]{"ceasefire", func(d *nodes, m *monitoringDecoding, f field) {
		cf, cl, ok := ceasefireFields.mapping(d, f.value, "the ceasefire")
		if !ok {
			return
		}
		c := &Ceasefire{Loc: cl}
		ceasefireFields.decodeAll(d, c, cf)
		m.Ceasefire = c
	}},
	keyFunc[monitoringDecoding]{"zones", func(d *nodes, m *monitoringDecoding, f field) {
		var ok bool
		if m.Zones, ok = d.str(f.value, "zones"); ok {
			m.ZonesPath = relTo(m.dir, m.Zones)
		}
	}},
	keyFunc[monitoringDecoding]{"line", func(d *nodes, m *monitoringDecoding, f field) {
		var ok bool
		if m.Line, ok = d.str(f.value, "line"); ok {
			m.LinePath = relTo(m.dir, m.Line)
		}
	}},
	keyFunc[monitoringDecoding]{"sides", func(d *nodes, m *monitoringDecoding, f field) {
		sf, _, _ := d.mapping(f.value, "sides", nil)
		for _, s := range sf {
			m.Sides[s.key] = d.strs(s.value, "the actors of side "+s.key)
			m.SideOrder = append(m.SideOrder, s.key)
			m.Loc.Items["sides"] = append(m.Loc.Items["sides"], s.kpos)
		}
	}},
	keyFunc[monitoringDecoding]{"violations", func(d *nodes, m *monitoringDecoding, f field) {
		for _, x := range d.seq(f.value, "violations") {
			vf, vl, ok := violationFields.mapping(d, x, "a violation rule")
			if !ok {
				continue
			}
			r := &Violation{Loc: vl}
			violationFields.decodeAll(d, r, vf)
			m.Violations = append(m.Violations, r)
		}
	}},
	keyFunc[monitoringDecoding]{"withdrawals", func(d *nodes, m *monitoringDecoding, f field) {
		for _, x := range d.seq(f.value, "withdrawals") {
			wf, wl, ok := withdrawalFields.mapping(d, x, "a withdrawal")
			if !ok {
				continue
			}
			w := &Withdrawal{Loc: wl}
			withdrawalFields.decodeAll(d, w, wf)
			m.Withdrawals = append(m.Withdrawals, w)
		}
	}},
	keyFunc[monitoringDecoding]{"triggers", func(d *nodes, m *monitoringDecoding, f field) {
		for _, x := range d.seq(f.value, "triggers") {
			tf, tl, ok := monitorTriggerFields.mapping(d, x, "a monitoring trigger")
			if !ok {
				continue
			}
			t := &MonitorTrigger{Loc: tl}
			monitorTriggerFields.decodeAll(d, t, tf)
			m.Triggers = append(m.Triggers, t)
		}
	}},
)

var ceasefireFields = table(
	keyFunc[Ceasefire]{"from", func(d *nodes, c *Ceasefire, f field) {
		s, ok := d.str(f.value, "from")
		if !ok {
			return
		}
		t, err := parseTime(s)
		if err != nil {
			d.errorf(f.value, "bad-time", "write an RFC 3339 time such as 2025-09-01T00:00:00Z, or a date 2025-09-01", "ceasefire from: %v", err)
			return
		}
		c.From = t
	}},
	keyFunc[Ceasefire]{"source", func(d *nodes, c *Ceasefire, f field) { c.Source, _ = d.str(f.value, "source") }},
)

var violationFields = table(
	keyFunc[Violation]{"id", func(d *nodes, r *Violation, f field) { r.ID, _ = d.str(f.value, "id") }},
	keyFunc[Violation]{"rule", func(d *nodes, r *Violation, f field) { r.Rule, _ = d.rule(f.value, "rule") }},
	keyFunc[Violation]{"description", func(d *nodes, r *Violation, f field) { r.Description, _ = d.str(f.value, "description") }},
	keyFunc[Violation]{"source", func(d *nodes, r *Violation, f field) { r.Source, _ = d.str(f.value, "source") }},
	keyFunc[Violation]{"pax", func(d *nodes, r *Violation, f field) { r.PAX = d.list(&r.Loc, "pax", f.value, "pax") }},
)

var withdrawalFields = table(
	keyFunc[Withdrawal]{"id", func(d *nodes, w *Withdrawal, f field) { w.ID, _ = d.str(f.value, "id") }},
	keyFunc[Withdrawal]{"description", func(d *nodes, w *Withdrawal, f field) { w.Description, _ = d.str(f.value, "description") }},
	keyFunc[Withdrawal]{"weapons", func(d *nodes, w *Withdrawal, f field) { w.Weapons, _ = d.str(f.value, "weapons") }},
	keyFunc[Withdrawal]{"min_km", func(d *nodes, w *Withdrawal, f field) { w.MinKm, _ = d.number(f.value, "min_km") }},
	keyFunc[Withdrawal]{"source", func(d *nodes, w *Withdrawal, f field) { w.Source, _ = d.str(f.value, "source") }},
	keyFunc[Withdrawal]{"pax", func(d *nodes, w *Withdrawal, f field) { w.PAX = d.list(&w.Loc, "pax", f.value, "pax") }},
)

var monitorTriggerFields = table(
	keyFunc[MonitorTrigger]{"id", func(d *nodes, t *MonitorTrigger, f field) { t.ID, _ = d.str(f.value, "id") }},
	keyFunc[MonitorTrigger]{"side", func(d *nodes, t *MonitorTrigger, f field) { t.Side, _ = d.str(f.value, "side") }},
	keyFunc[MonitorTrigger]{"window", func(d *nodes, t *MonitorTrigger, f field) {
		s, ok := d.str(f.value, "window")
		if !ok {
			return
		}
		dur, err := ParseDuration(s)
		if err != nil {
			d.errorf(f.value, "bad-duration", "write a number and a unit: 24h, 7d or 2w", "window: %v", err)
			return
		}
		t.Window, t.WindowText = dur, s
	}},
	keyFunc[MonitorTrigger]{"threshold", func(d *nodes, t *MonitorTrigger, f field) { t.Threshold, _ = d.integer(f.value, "threshold") }},
	keyFunc[MonitorTrigger]{"guarantee", func(d *nodes, t *MonitorTrigger, f field) { t.Guarantee, _ = d.str(f.value, "guarantee") }},
	keyFunc[MonitorTrigger]{"description", func(d *nodes, t *MonitorTrigger, f field) { t.Description, _ = d.str(f.value, "description") }},
	keyFunc[MonitorTrigger]{"source", func(d *nodes, t *MonitorTrigger, f field) { t.Source, _ = d.str(f.value, "source") }},
)

func decodeMonitoring(d *nodes, n *yaml.Node, dir string) *Monitoring {
	fs, loc, ok := monitoringFields.mapping(d, n, "monitoring")
	if !ok {
		return nil
	}
	m := &monitoringDecoding{Monitoring: &Monitoring{Loc: loc, Sides: map[string][]string{}}, dir: dir}
	monitoringFields.decodeAll(d, m, fs)
	return m.Monitoring
}

func relTo(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// ParseDuration parses a duration written as a whole number and a unit:
// h (hours), d (days) or w (weeks), such as 72h, 7d or 2w.
func ParseDuration(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("%q is not a duration: want a whole number and a unit (h, d, w)", s)
	}
	unit := s[len(s)-1]
	digits := s[:len(s)-1]
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a duration: want a whole number and a unit (h, d, w)", s)
	}
	var per time.Duration
	switch unit {
	case 'h':
		per = time.Hour
	case 'd':
		per = 24 * time.Hour
	case 'w':
		per = 7 * 24 * time.Hour
	default:
		return 0, fmt.Errorf("%q has unit %q; units: h, d, w", s, unit)
	}
	if n > int64(100*365*24*time.Hour/per) {
		return 0, fmt.Errorf("%q is longer than a century", s)
	}
	return time.Duration(n) * per, nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}
