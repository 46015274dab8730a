package settlement

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/entente-org/entente/rules"
)

// MaxSubsetItems bounds the items of a subset_of issue (2^62 subsets).
const MaxSubsetItems = 62

// Validate reports what is undefined or wrong in a decoded settlement:
// missing and duplicate ids, references that do not resolve, malformed
// domains, utilities and decision rules, and rules that do not compile.
// Every finding has severity [Error]. Validate compiles each rule and
// stores it in the rule's Compiled field.
func Validate(s *Settlement) Findings {
	v := &validator{s: s}
	v.run()
	return v.out
}

type validator struct {
	s       *Settlement
	out     Findings
	parties map[string]bool
	sources map[string]bool
	issues  map[string]*Issue
	env     *rules.Env
	evEnv   *rules.Env
}

func (v *validator) add(p Pos, code, hint, format string, args ...any) *Finding {
	v.out = append(v.out, Finding{Severity: Error, Code: code, Message: fmt.Sprintf(format, args...), Hint: hint, Pos: p})
	return &v.out[len(v.out)-1]
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (v *validator) run() {
	s := v.s
	if !s.Has("entente") {
		v.add(s.Pos, "missing-key", "start the file with 'entente: 1'", "the settlement does not say its format (entente: 1)")
	} else if s.Format != Format {
		v.add(s.At("entente"), "unsupported-format", "this version of entente reads format 1", "unsupported format %d", s.Format)
	}
	if s.ID == "" {
		v.add(s.At("id"), "missing-key", "add id: a-short-name", "the settlement has no id")
	}
	v.sources = v.uniqueIDs("source", len(s.Sources), func(i int) (string, Loc) { return s.Sources[i].ID, s.Sources[i].Loc })
	v.parties = v.uniqueIDs("party", len(s.Parties), func(i int) (string, Loc) { return s.Parties[i].ID, s.Parties[i].Loc })
	v.uniqueIDs("constraint", len(s.Constraints), func(i int) (string, Loc) { return s.Constraints[i].ID, s.Constraints[i].Loc })
	v.uniqueIDs("guarantee", len(s.Guarantees), func(i int) (string, Loc) { return s.Guarantees[i].ID, s.Guarantees[i].Loc })
	v.validateIssues()
	for _, c := range s.Constraints {
		v.compile(&c.Rule, c.Loc, "constraint "+c.ID)
		v.source(c.Source, c.Loc)
		v.pax(c.PAX, c.Loc)
	}
	v.validatePositions()
	for _, g := range s.Guarantees {
		v.validateGuarantee(g)
	}
	if s.Monitoring != nil {
		v.validateMonitoring(s.Monitoring)
	}
}

// uniqueIDs checks that every element has an id and no id repeats, and
// returns the set of ids.
func (v *validator) uniqueIDs(what string, n int, get func(int) (string, Loc)) map[string]bool {
	seen := map[string]Pos{}
	for i := 0; i < n; i++ {
		id, loc := get(i)
		if id == "" {
			v.add(loc.Pos, "missing-id", "add id: a-short-name", "a %s without id", what)
			continue
		}
		if first, dup := seen[id]; dup {
			v.add(loc.At("id"), "duplicate-id", "rename one of them", "%s %q is already defined at %s", what, id, first)
			continue
		}
		seen[id] = loc.At("id")
	}
	ids := map[string]bool{}
	for id := range seen {
		ids[id] = true
	}
	return ids
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (v *validator) party(id string, p Pos, what string) bool {
	if v.parties[id] {
		return true
	}
	if id == "" {
		v.add(p, "missing-key", "name a party by id: "+quoteList(keys(v.parties)), "%s names no party", what)
		return false
	}
	v.add(p, "unknown-party", "parties: "+quoteList(keys(v.parties)), "%s: unknown party %q", what, id)
	return false
}

func (v *validator) source(id string, loc Loc) {
	if id == "" || v.sources[id] {
		return
	}
	v.add(loc.At("source"), "unknown-source", "sources: "+quoteList(keys(v.sources)), "unknown source %q", id)
}

func (v *validator) pax(codes []string, loc Loc) {
	for i, c := range codes {
		if _, ok := PAXCategory(c); ok {
			continue
		}
		hint := "see docs/pax.md for the codebook's codes"
		if sug := PAXSuggest(c, 3); len(sug) > 0 {
			hint = "did you mean " + strings.Join(sug, ", ") + "? " + hint
		}
		v.add(loc.Item("pax", i), "pax-unknown", hint, "%q is not a PA-X category code", c)
	}
}

func (v *validator) validateIssues() {
	s := v.s
	v.issues = map[string]*Issue{}
	seen := map[string]Pos{}
	var decl []rules.Issue
	for _, is := range s.Issues {
		ok := true
		switch {
		case is.ID == "":
			v.add(is.Pos, "missing-id", "add id: a_name", "an issue without id")
			ok = false
		case !identRE.MatchString(is.ID) || rules.Reserved(is.ID):
			v.add(is.At("id"), "bad-id", "an issue id is a letter or _ then letters, digits or _, and not a CEL word (in, size, int…)", "issue id %q cannot be used in rules", is.ID)
			ok = false
		}
		if first, dup := seen[is.ID]; dup && is.ID != "" {
			v.add(is.At("id"), "duplicate-id", "rename one of them", "issue %q is already defined at %s", is.ID, first)
			ok = false
		} else if is.ID != "" {
			seen[is.ID] = is.At("id")
		}
		switch is.Kind {
		case rules.Enum:
			ok = v.distinct(is.Options, is.Loc, "options", "option", is.ID) && ok
		case rules.Subset:
			ok = v.distinct(is.Items, is.Loc, "subset_of", "item", is.ID) && ok
			if len(is.Items) > MaxSubsetItems {
				v.add(is.At("subset_of"), "issue-domain", fmt.Sprintf("split it into issues of at most %d items", MaxSubsetItems), "issue %q has %d items", is.ID, len(is.Items))
				ok = false
			}
		case rules.Range:
			r := is.Range
			switch {
			case r.Step <= 0:
				v.add(is.At("range.step"), "issue-domain", "step is a whole number of at least 1", "issue %q: step %d", is.ID, r.Step)
				ok = false
			case r.Max < r.Min:
				v.add(is.At("range.min"), "issue-domain", "min is at most max", "issue %q: min %d is above max %d", is.ID, r.Min, r.Max)
				ok = false
			case r.Values() > 1<<40:
				v.add(is.At("range"), "issue-domain", "use a larger step", "issue %q has more than 2^40 values", is.ID)
				ok = false
			}
		default:
			ok = false
		}
		v.source(is.Source, is.Loc)
		v.pax(is.PAX, is.Loc)
		if ok {
			v.issues[is.ID] = is
			decl = append(decl, rules.Issue{ID: is.ID, Kind: is.Kind, Options: is.Options,
				Min: is.Range.Min, Max: is.Range.Max, Step: is.Range.Step, Items: is.Items})
		} else if d, usable := declarable(is, seen); usable {
			// Declare a flawed issue anyway, so that rules reading it are
			// type-checked instead of reported as naming an unknown issue.
			decl = append(decl, d)
		}
	}
	env, err := rules.NewEnv(decl)
	if err != nil {
		v.add(s.At("issues"), "rule-env", "", "cannot build the rule environment: %v", err)
		return
	}
	v.env = env
}

// declarable returns a rules declaration for an issue whose domain has
// errors, when its id and kind are usable: repeated options are dropped
// and a malformed range is replaced by its bounds.
func declarable(is *Issue, seen map[string]Pos) (rules.Issue, bool) {
	if is.ID == "" || !identRE.MatchString(is.ID) || rules.Reserved(is.ID) || seen[is.ID] != is.At("id") {
		return rules.Issue{}, false
	}
	dedupe := func(xs []string) []string {
		var out []string
		m := map[string]bool{}
		for _, x := range xs {
			if !m[x] {
				m[x] = true
				out = append(out, x)
			}
		}
		return out
	}
	d := rules.Issue{ID: is.ID, Kind: is.Kind}
	switch is.Kind {
	case rules.Enum:
		d.Options = dedupe(is.Options)
		return d, len(d.Options) > 0
	case rules.Subset:
		d.Items = dedupe(is.Items)
		return d, len(d.Items) > 0 && len(d.Items) <= MaxSubsetItems
	case rules.Range:
		d.Min, d.Max, d.Step = is.Range.Min, is.Range.Max, is.Range.Step
		if d.Max < d.Min {
			d.Min, d.Max = d.Max, d.Min
		}
		if d.Step <= 0 {
			d.Step = 1
		}
		return d, true
	}
	return rules.Issue{}, false
}

func (v *validator) distinct(vals []string, loc Loc, key, what, issue string) bool {
	if len(vals) == 0 {
		v.add(loc.At(key), "issue-domain", "list at least one "+what, "issue %q has no %ss", issue, what)
		return false
	}
	seen := map[string]bool{}
	for i, x := range vals {
		if seen[x] {
			v.add(loc.Item(key, i), "issue-domain", "list each "+what+" once", "issue %q lists %s %q twice", issue, what, x)
			return false
		}
		seen[x] = true
	}
	return true
}

// compile checks a rule against env and records its problems at their
// positions in the file.
func (v *validator) compile(r *Rule, loc Loc, what string) {
	v.compileIn(v.env, r, loc, what)
}

func (v *validator) compileIn(env *rules.Env, r *Rule, loc Loc, what string) {
	if !loc.Has("rule") {
		v.add(loc.Pos, "missing-key", "add rule: 'an expression'", "%s has no rule", what)
		return
	}
	if env == nil {
		return
	}
	c, problems := env.Compile(r.Expr)
	for _, p := range problems {
		v.add(r.At(p.Offset), p.Code, "", "%s: %s", what, p.Msg)
	}
	if len(problems) == 0 {
		r.Compiled = c
	}
}

func (v *validator) validatePositions() {
	seen := map[string]Pos{}
	for _, p := range v.s.Positions {
		if v.party(p.Party, p.At("party"), "position") {
			if first, dup := seen[p.Party]; dup {
				v.add(p.At("party"), "duplicate-id", "merge the two positions", "party %s already has a position at %s", p.Party, first)
			}
			seen[p.Party] = p.At("party")
		}
		ids := map[string]Pos{}
		for _, rl := range p.RedLines {
			switch first, dup := ids[rl.ID]; {
			case rl.ID == "":
				v.add(rl.Pos, "missing-id", "add id: a-short-name", "a red line of %s without id", p.Party)
			case dup:
				v.add(rl.At("id"), "duplicate-id", "rename one of them", "red line %q of %s is already defined at %s", rl.ID, p.Party, first)
			default:
				ids[rl.ID] = rl.At("id")
			}
			v.compile(&rl.Rule, rl.Loc, "red line "+rl.ID)
			v.source(rl.Source, rl.Loc)
			v.pax(rl.PAX, rl.Loc)
		}
		if p.HasReservation && (p.Reservation < 0 || p.Reservation > 1) {
			v.add(p.At("reservation"), "bad-value", "a reservation is a utility between 0 and 1", "reservation %g is outside [0, 1]", p.Reservation)
		}
		if p.Utility != nil {
			v.validateUtility(p)
		}
	}
}

func (v *validator) validateUtility(p *Position) {
	u := p.Utility
	known := make([]string, 0, len(v.issues))
	for id := range v.issues {
		known = append(known, id)
	}
	sort.Strings(known)
	total := 0.0
	for _, id := range sortedKeys(u.Weights) {
		w := u.Weights[id]
		if v.issues[id] == nil && v.s.Issue(id) == nil {
			v.add(u.WeightPos[id], "unknown-issue", "issues: "+quoteList(known), "weight for unknown issue %q", id)
		}
		if w < 0 {
			v.add(u.WeightValPos[id], "bad-value", "a weight is 0 or more", "weight %g of %s is negative", w, id)
		} else {
			total += w
		}
	}
	if total == 0 {
		f := v.add(u.At("weights"), "utility-zero-weights", "give at least one issue a positive weight", "the utility of %s has no positive weight", p.Party)
		f.Party = p.Party
	}
	for _, id := range sortedKeysM(u.Values) {
		is := v.issues[id]
		if is == nil {
			if v.s.Issue(id) == nil {
				v.add(u.IssuePos[id], "unknown-issue", "issues: "+quoteList(known), "values for unknown issue %q", id)
			}
			continue
		}
		for _, key := range sortedKeys(u.Values[id]) {
			val, at := u.Values[id][key], u.ValuePos[id][key]
			lo := 0.0
			if is.Kind == rules.Subset {
				lo = -1 // an item may count against a subset
			}
			if val < lo || val > 1 || math.IsNaN(val) {
				v.add(u.ValueValPos[id][key], "bad-value", fmt.Sprintf("a value is between %g and 1", lo), "value %g of %s: %s is outside [%g, 1]", val, id, key, lo)
			}
			switch is.Kind {
			case rules.Enum:
				if !contains(is.Options, key) {
					v.add(at, "unknown-option", "options: "+strings.Join(is.Options, ", "), "%q is not an option of issue %s", key, id)
				}
			case rules.Subset:
				if !contains(is.Items, key) {
					v.add(at, "unknown-option", "items: "+strings.Join(is.Items, ", "), "%q is not an item of issue %s", key, id)
				}
			case rules.Range:
				n, err := strconv.ParseInt(key, 10, 64)
				if err != nil || n < is.Range.Min || n > is.Range.Max {
					v.add(at, "unknown-option", fmt.Sprintf("a whole number from %d to %d", is.Range.Min, is.Range.Max), "%q is not a point of range issue %s", key, id)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeysM(m map[string]map[string]float64) []string { return sortedKeys(m) }

func (v *validator) validateGuarantee(g *Guarantee) {
	what := "guarantee " + g.ID
	mark := len(v.out)
	if g.Beneficiary != "" {
		v.party(g.Beneficiary, g.At("beneficiary"), what+" beneficiary")
	}
	if g.Deters != "" {
		v.party(g.Deters, g.At("deters"), what+" deters")
	}
	for i, p := range g.Guarantors {
		v.party(p, g.Item("guarantors", i), what+" guarantors")
	}
	v.source(g.Source, g.Loc)
	v.pax(g.PAX, g.Loc)
	if g.Trigger != nil {
		v.source(g.Trigger.Source, g.Trigger.Loc)
		if m := g.Trigger.Monitor; m != "" && v.monitorTrigger(m) == nil {
			var ids []string
			if v.s.Monitoring != nil {
				for _, t := range v.s.Monitoring.Triggers {
					ids = append(ids, t.ID)
				}
			}
			v.add(g.Trigger.At("monitor"), "unknown-trigger", "monitoring triggers: "+quoteList(ids), "%s: unknown monitoring trigger %q", what, m)
		}
	}
	if g.Decision != nil {
		v.validateDecision(g.Decision, what)
	}
	for _, o := range g.Obligations {
		v.party(o.Party, o.Pos, what+" obligation")
		v.source(o.Source, o.Loc)
	}
	for _, f := range g.Force {
		v.party(f.Party, f.At("party"), what+" force term")
		v.source(f.Source, f.Loc)
		v.pax(f.PAX, f.Loc)
		if f.HasMax && f.MaxPersonnel < 0 {
			v.add(f.At("max_personnel"), "bad-value", "a number of personnel is 0 or more", "max_personnel %d is negative", f.MaxPersonnel)
		}
	}
	if c := g.Credibility; c != nil {
		for _, p := range c.Order {
			v.party(p, c.Guarantors[p].Pos, what+" credibility")
		}
	}
	for i := mark; i < len(v.out); i++ {
		v.out[i].Guarantee = g.ID
	}
}

func (v *validator) monitorTrigger(id string) *MonitorTrigger {
	if v.s.Monitoring == nil {
		return nil
	}
	for _, t := range v.s.Monitoring.Triggers {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (v *validator) validateDecision(d *Decision, what string) {
	switch d.Kind {
	case Unanimity, Any:
		if len(d.Members) == 0 {
			v.add(d.Pos, "decision-empty", "name at least one party", "%s: an empty %s set can never activate", what, d.Kind)
		}
		for i, m := range d.Members {
			v.party(m, d.Item(string(d.Kind), i), what+" decision")
		}
	case Quota:
		total := 0.0
		for i, p := range d.WeightOrder {
			v.party(p, d.Item("weights", i), what+" decision")
			w := d.Weights[p]
			if w < 0 || w != math.Trunc(w) {
				v.add(d.Item("weights", i), "bad-value", "weights are whole numbers of 0 or more", "weight %g of %s", w, p)
				continue
			}
			total += w
		}
		if d.Quota <= 0 || d.Quota != math.Trunc(d.Quota) {
			v.add(d.At("quota"), "bad-value", "a quota is a whole number of at least 1", "quota %g", d.Quota)
		} else if d.Quota > total {
			v.add(d.At("quota"), "decision-unreachable", fmt.Sprintf("lower the quota to at most %g or add weight", total), "%s: quota %g is above the total weight %g: the guarantee can never activate", what, d.Quota, total)
		}
	case AllOf, AnyOf:
		if len(d.Rules) == 0 {
			v.add(d.Pos, "decision-empty", "list at least one rule", "%s: an empty %s can never activate", what, d.Kind)
		}
		for _, r := range d.Rules {
			v.validateDecision(r, what)
		}
	}
}

func (v *validator) validateMonitoring(m *Monitoring) {
	v.source(m.Source, m.Loc)
	v.pax(m.PAX, m.Loc)
	if m.Ceasefire != nil {
		v.source(m.Ceasefire.Source, m.Ceasefire.Loc)
	}
	for i, side := range m.SideOrder {
		v.party(side, m.Item("sides", i), "monitoring sides")
	}
	env, err := rules.NewEventEnv()
	if err != nil {
		v.add(m.Pos, "rule-env", "", "cannot build the event environment: %v", err)
	}
	v.evEnv = env
	v.uniqueIDs("violation rule", len(m.Violations), func(i int) (string, Loc) { return m.Violations[i].ID, m.Violations[i].Loc })
	for _, r := range m.Violations {
		v.compileIn(env, &r.Rule, r.Loc, "violation rule "+r.ID)
		v.source(r.Source, r.Loc)
		v.pax(r.PAX, r.Loc)
	}
	v.uniqueIDs("withdrawal", len(m.Withdrawals), func(i int) (string, Loc) { return m.Withdrawals[i].ID, m.Withdrawals[i].Loc })
	for _, w := range m.Withdrawals {
		if w.MinKm <= 0 {
			v.add(w.At("min_km"), "bad-value", "a distance in km above 0", "withdrawal %s: min_km %g", w.ID, w.MinKm)
		}
		v.source(w.Source, w.Loc)
		v.pax(w.PAX, w.Loc)
	}
	v.uniqueIDs("monitoring trigger", len(m.Triggers), func(i int) (string, Loc) { return m.Triggers[i].ID, m.Triggers[i].Loc })
	for _, t := range m.Triggers {
		what := "monitoring trigger " + t.ID
		v.party(t.Side, t.At("side"), what+" side")
		if t.Window <= 0 && t.WindowText == "" {
			v.add(t.At("window"), "missing-key", "add window: 7d", "%s has no window", what)
		} else if t.Window <= 0 {
			v.add(t.At("window"), "bad-duration", "a window of at least 1h", "%s: window %s is empty", what, t.WindowText)
		}
		if t.Threshold < 0 {
			v.add(t.At("threshold"), "bad-value", "a threshold is 0 or more", "%s: threshold %d", what, t.Threshold)
		}
		if t.Guarantee != "" && v.s.Guarantee(t.Guarantee) == nil {
			var ids []string
			for _, g := range v.s.Guarantees {
				ids = append(ids, g.ID)
			}
			v.add(t.At("guarantee"), "unknown-guarantee", "guarantees: "+quoteList(ids), "%s: unknown guarantee %q", what, t.Guarantee)
		}
		v.source(t.Source, t.Loc)
	}
}
