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

func decodeSource(d *nodes, n *yaml.Node) *Source {
	fields, loc, ok := d.mapping(n, "a source", []string{"id", "publisher", "date", "title", "url", "note"})
	if !ok {
		return nil
	}
	x := &Source{Loc: loc}
	for _, f := range fields {
		switch f.key {
		case "id":
			x.ID, _ = d.str(f.value, "a source's id")
		case "publisher":
			x.Publisher, _ = d.str(f.value, "publisher")
		case "date":
			x.Date, _ = d.str(f.value, "date")
		case "title":
			x.Title, _ = d.str(f.value, "title")
		case "url":
			x.URL, _ = d.str(f.value, "url")
		case "note":
			x.Note, _ = d.str(f.value, "note")
		}
	}
	return x
}

func decodeParty(d *nodes, n *yaml.Node) *Party {
	fields, loc, ok := d.mapping(n, "a party", []string{"id", "name", "roles", "note"})
	if !ok {
		return nil
	}
	x := &Party{Loc: loc}
	for _, f := range fields {
		switch f.key {
		case "id":
			x.ID, _ = d.str(f.value, "a party's id")
		case "name":
			x.Name, _ = d.str(f.value, "name")
		case "note":
			x.Note, _ = d.str(f.value, "note")
		case "roles":
			names, ps := d.strsPos(f.value, "roles")
			for i, r := range names {
				if !validRole(Role(r)) {
					d.errorAt(ps[i], "unknown-role", "roles: "+roleList(), "unknown role %q", r)
					continue
				}
				x.Roles = append(x.Roles, Role(r))
			}
		}
	}
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

func decodeIssue(d *nodes, n *yaml.Node) *Issue {
	fields, loc, ok := d.mapping(n, "an issue", []string{"id", "name", "description", "options", "range", "subset_of", "source", "note", "pax"})
	if !ok {
		return nil
	}
	x := &Issue{Loc: loc}
	kinds := 0
	for _, f := range fields {
		switch f.key {
		case "id":
			x.ID, _ = d.str(f.value, "an issue's id")
		case "name":
			x.Name, _ = d.str(f.value, "name")
		case "description":
			x.Description, _ = d.str(f.value, "description")
		case "note":
			x.Note, _ = d.str(f.value, "note")
		case "source":
			x.Source, _ = d.str(f.value, "source")
		case "pax":
			x.PAX = d.list(&loc, "pax", f.value, "pax")
		case "options":
			kinds++
			x.Kind = rules.Enum
			x.Options = d.list(&loc, "options", f.value, "options")
		case "subset_of":
			kinds++
			x.Kind = rules.Subset
			x.Items = d.list(&loc, "subset_of", f.value, "subset_of")
		case "range":
			kinds++
			x.Kind = rules.Range
			rf, rloc, ok := d.mapping(f.value, "a range", []string{"min", "max", "step"})
			if !ok {
				continue
			}
			for k, p := range rloc.Keys {
				loc.Keys["range."+k] = p
			}
			x.Range.Step = 1
			for _, g := range rf {
				switch g.key {
				case "min":
					x.Range.Min, _ = d.integer(g.value, "min")
				case "max":
					x.Range.Max, _ = d.integer(g.value, "max")
				case "step":
					x.Range.Step, _ = d.integer(g.value, "step")
				}
			}
		}
	}
	switch {
	case kinds == 0:
		d.errorf(n, "issue-domain", "give options: [a, b], range: {min, max, step} or subset_of: [a, b]", "issue %q has no domain", x.ID)
		x.Kind = 0
	case kinds > 1:
		d.errorf(n, "issue-domain", "keep one of options, range and subset_of", "issue %q has more than one domain", x.ID)
		x.Kind = 0
	}
	return x
}

func decodeConstraint(d *nodes, n *yaml.Node) *Constraint {
	fields, loc, ok := d.mapping(n, "a constraint", []string{"id", "rule", "description", "source", "pax"})
	if !ok {
		return nil
	}
	x := &Constraint{Loc: loc}
	for _, f := range fields {
		switch f.key {
		case "id":
			x.ID, _ = d.str(f.value, "a constraint's id")
		case "rule":
			x.Rule, _ = d.rule(f.value, "rule")
		case "description":
			x.Description, _ = d.str(f.value, "description")
		case "source":
			x.Source, _ = d.str(f.value, "source")
		case "pax":
			x.PAX = d.list(&loc, "pax", f.value, "pax")
		}
	}
	return x
}

func decodeRedLine(d *nodes, n *yaml.Node) *RedLine {
	fields, loc, ok := d.mapping(n, "a red line", []string{"id", "rule", "source", "description", "pax"})
	if !ok {
		return nil
	}
	x := &RedLine{Loc: loc}
	for _, f := range fields {
		switch f.key {
		case "id":
			x.ID, _ = d.str(f.value, "a red line's id")
		case "rule":
			x.Rule, _ = d.rule(f.value, "rule")
		case "description":
			x.Description, _ = d.str(f.value, "description")
		case "source":
			x.Source, _ = d.str(f.value, "source")
		case "pax":
			x.PAX = d.list(&loc, "pax", f.value, "pax")
		}
	}
	return x
}

func decodePosition(d *nodes, n *yaml.Node) *Position {
	fields, loc, ok := d.mapping(n, "a position", []string{"party", "red_lines", "utility", "reservation", "note"})
	if !ok {
		return nil
	}
	x := &Position{Loc: loc}
	for _, f := range fields {
		switch f.key {
		case "party":
			x.Party, _ = d.str(f.value, "party")
		case "note":
			x.Note, _ = d.str(f.value, "note")
		case "reservation":
			x.Reservation, x.HasReservation = d.number(f.value, "reservation")
		case "red_lines":
			for _, r := range d.seq(f.value, "red_lines") {
				if rl := decodeRedLine(d, r); rl != nil {
					x.RedLines = append(x.RedLines, rl)
				}
			}
		case "utility":
			x.Utility = decodeUtility(d, f.value)
		}
	}
	return x
}

func decodeUtility(d *nodes, n *yaml.Node) *Utility {
	fields, loc, ok := d.mapping(n, "a utility", []string{"weights", "values"})
	if !ok {
		return nil
	}
	u := &Utility{Loc: loc, Weights: map[string]float64{}, Values: map[string]map[string]float64{},
		ValuePos: map[string]map[string]Pos{}, WeightPos: map[string]Pos{},
		ValueValPos: map[string]map[string]Pos{}, WeightValPos: map[string]Pos{}, IssuePos: map[string]Pos{}}
	for _, f := range fields {
		switch f.key {
		case "weights":
			wf, _, _ := d.mapping(f.value, "weights", nil)
			for _, w := range wf {
				if v, ok := d.number(w.value, "the weight of "+w.key); ok {
					u.Weights[w.key] = v
					u.WeightPos[w.key] = w.kpos
					u.WeightValPos[w.key] = d.pos(w.value)
				}
			}
		case "values":
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
		}
	}
	return u
}

var guaranteeKeys = []string{"id", "title", "description", "source", "pax", "beneficiary", "deters", "guarantors",
	"trigger", "decision", "obligations", "duration", "force", "ambiguity", "ambiguity_note", "credibility"}

func decodeGuarantee(d *nodes, n *yaml.Node) *Guarantee {
	fields, loc, ok := d.mapping(n, "a guarantee", guaranteeKeys)
	if !ok {
		return nil
	}
	g := &Guarantee{Loc: loc}
	for _, f := range fields {
		v := f.value
		switch f.key {
		case "id":
			g.ID, _ = d.str(v, "a guarantee's id")
		case "title":
			g.Title, _ = d.str(v, "title")
		case "description":
			g.Description, _ = d.str(v, "description")
		case "source":
			g.Source, _ = d.str(v, "source")
		case "pax":
			g.PAX = d.list(&loc, "pax", v, "pax")
		case "beneficiary":
			g.Beneficiary, _ = d.str(v, "beneficiary")
		case "deters":
			g.Deters, _ = d.str(v, "deters")
		case "guarantors":
			g.Guarantors = d.list(&loc, "guarantors", v, "guarantors")
		case "duration":
			g.Duration, _ = d.str(v, "duration")
		case "ambiguity":
			g.Ambiguity, _ = d.boolean(v, "ambiguity")
		case "ambiguity_note":
			g.AmbiguityNote, _ = d.str(v, "ambiguity_note")
		case "trigger":
			tf, tl, ok := d.mapping(v, "a trigger", []string{"description", "monitor", "source"})
			if !ok {
				continue
			}
			t := &Trigger{Loc: tl}
			for _, x := range tf {
				switch x.key {
				case "description":
					t.Description, _ = d.str(x.value, "description")
				case "monitor":
					t.Monitor, _ = d.str(x.value, "monitor")
				case "source":
					t.Source, _ = d.str(x.value, "source")
				}
			}
			g.Trigger = t
		case "decision":
			g.Decision = decodeDecision(d, v, 0)
		case "obligations":
			of, _, _ := d.mapping(v, "obligations", nil)
			for _, o := range of {
				if ob := decodeObligation(d, o); ob != nil {
					g.Obligations = append(g.Obligations, ob)
				}
			}
		case "force":
			for _, x := range d.seq(v, "force") {
				if ft := decodeForce(d, x); ft != nil {
					g.Force = append(g.Force, ft)
				}
			}
		case "credibility":
			g.Credibility = decodeCredibility(d, v)
		}
	}
	return g
}

// maxDecisionDepth bounds the nesting of all_of/any_of compositions.
const maxDecisionDepth = 32

var decisionKeys = []string{"unanimity", "any", "quota", "weights", "all_of", "any_of"}

func decodeDecision(d *nodes, n *yaml.Node, depth int) *Decision {
	fields, loc, ok := d.mapping(n, "a decision rule", decisionKeys)
	if !ok {
		return nil
	}
	x := &Decision{Loc: loc}
	if depth > maxDecisionDepth {
		d.errorf(n, "decision-form", "flatten the composition", "decision rule nested more than %d deep", maxDecisionDepth)
		return nil
	}
	var forms []string
	for _, f := range fields {
		switch f.key {
		case "unanimity", "any":
			forms = append(forms, f.key)
			x.Kind = DecisionKind(f.key)
			x.Members = d.list(&loc, f.key, f.value, f.key)
		case "quota":
			forms = append(forms, f.key)
			x.Kind = Quota
			x.Quota, _ = d.number(f.value, "quota")
		case "weights":
			wf, _, _ := d.mapping(f.value, "weights", nil)
			x.Weights = map[string]float64{}
			for _, w := range wf {
				if v, ok := d.number(w.value, "the weight of "+w.key); ok {
					x.Weights[w.key] = v
					x.WeightOrder = append(x.WeightOrder, w.key)
					loc.Items["weights"] = append(loc.Items["weights"], w.kpos)
				}
			}
		case "all_of", "any_of":
			forms = append(forms, f.key)
			x.Kind = DecisionKind(f.key)
			for _, r := range d.seq(f.value, f.key) {
				if sub := decodeDecision(d, r, depth+1); sub != nil {
					x.Rules = append(x.Rules, sub)
				}
			}
		}
	}
	hint := "one of {unanimity: [A, B]}, {any: [A, B]}, {quota: N, weights: {A: N}}, {all_of: [RULE, …]}, {any_of: [RULE, …]}"
	switch {
	case len(forms) == 0:
		d.errorf(n, "decision-form", hint, "decision rule names no form")
		return nil
	case len(forms) > 1:
		d.errorf(n, "decision-form", hint, "decision rule has %s at once; give one form (compose with all_of or any_of)", strings.Join(forms, " and "))
		return nil
	}
	if x.Kind == Quota && x.Weights == nil {
		d.errorf(n, "decision-form", "add weights: {A: N, B: N}", "a quota rule needs weights")
	}
	if x.Kind != Quota && x.Weights != nil {
		d.errorf(n, "decision-form", "weights go with quota", "weights given without a quota")
	}
	return x
}

func decodeObligation(d *nodes, f field) *Obligation {
	fields, loc, ok := d.mapping(f.value, "an obligation", []string{"responses", "within", "source", "description"})
	if !ok {
		return nil
	}
	loc.Pos = f.kpos
	o := &Obligation{Loc: loc, Party: f.key}
	for _, x := range fields {
		switch x.key {
		case "responses":
			names, ps := d.strsPos(x.value, "responses")
			for i, r := range names {
				if !validResponse(Response(r)) {
					d.errorAt(ps[i], "unknown-response", "the response ladder: "+ladderList(), "unknown response %q", r)
					continue
				}
				o.Responses = append(o.Responses, Response(r))
			}
		case "within":
			s, ok := d.str(x.value, "within")
			if !ok {
				continue
			}
			dur, err := ParseDuration(s)
			if err != nil {
				d.errorf(x.value, "bad-duration", "write a number and a unit: 72h, 7d or 2w", "within: %v", err)
				continue
			}
			o.Within, o.HasWithin, o.WithinText = dur, true, s
		case "source":
			o.Source, _ = d.str(x.value, "source")
		case "description":
			o.Description, _ = d.str(x.value, "description")
		}
	}
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

func decodeForce(d *nodes, n *yaml.Node) *ForceTerm {
	fields, loc, ok := d.mapping(n, "a force term", []string{"id", "party", "max_personnel", "functions", "places", "verification", "source", "pax", "description"})
	if !ok {
		return nil
	}
	x := &ForceTerm{Loc: loc}
	for _, f := range fields {
		switch f.key {
		case "id":
			x.ID, _ = d.str(f.value, "id")
		case "party":
			x.Party, _ = d.str(f.value, "party")
		case "max_personnel":
			x.MaxPersonnel, x.HasMax = d.integer(f.value, "max_personnel")
		case "functions":
			x.Functions = d.strs(f.value, "functions")
		case "places":
			x.Places = d.strs(f.value, "places")
		case "verification":
			x.Verification, _ = d.str(f.value, "verification")
		case "description":
			x.Description, _ = d.str(f.value, "description")
		case "source":
			x.Source, _ = d.str(f.value, "source")
		case "pax":
			x.PAX = d.list(&loc, "pax", f.value, "pax")
		}
	}
	return x
}

func decodeCredibility(d *nodes, n *yaml.Node) *Credibility {
	fields, loc, ok := d.mapping(n, "credibility", []string{"aggressor", "guarantors"})
	if !ok {
		return nil
	}
	c := &Credibility{Loc: loc, Guarantors: map[string]*Costs{}}
	for _, f := range fields {
		switch f.key {
		case "aggressor":
			af, al, ok := d.mapping(f.value, "the aggressor's costs", []string{"gain", "cost_if_opposed"})
			if !ok {
				continue
			}
			a := &Costs{Loc: al}
			for _, x := range af {
				switch x.key {
				case "gain":
					a.Gain, a.HasGain = d.number(x.value, "gain")
				case "cost_if_opposed":
					a.CostIfOpposed, a.HasCostIfOpposed = d.number(x.value, "cost_if_opposed")
				}
			}
			c.Aggressor = a
		case "guarantors":
			gf, _, _ := d.mapping(f.value, "the guarantors' costs", nil)
			for _, g := range gf {
				cf, cl, ok := d.mapping(g.value, "the costs of "+g.key, []string{"cost_of_response", "cost_of_inaction"})
				if !ok {
					continue
				}
				cl.Pos = g.kpos
				x := &Costs{Loc: cl}
				for _, y := range cf {
					switch y.key {
					case "cost_of_response":
						x.CostOfResponse, x.HasCostOfResponse = d.number(y.value, "cost_of_response")
					case "cost_of_inaction":
						x.CostOfInaction, x.HasCostOfInac = d.number(y.value, "cost_of_inaction")
					}
				}
				c.Guarantors[g.key] = x
				c.Order = append(c.Order, g.key)
			}
		}
	}
	return c
}

var monitoringKeys = []string{"source", "pax", "ceasefire", "zones", "line", "sides", "violations", "withdrawals", "triggers"}

func decodeMonitoring(d *nodes, n *yaml.Node, dir string) *Monitoring {
	fields, loc, ok := d.mapping(n, "monitoring", monitoringKeys)
	if !ok {
		return nil
	}
	m := &Monitoring{Loc: loc, Sides: map[string][]string{}}
	for _, f := range fields {
		v := f.value
		switch f.key {
		case "source":
			m.Source, _ = d.str(v, "source")
		case "pax":
			m.PAX = d.list(&loc, "pax", v, "pax")
		case "zones":
			if m.Zones, ok = d.str(v, "zones"); ok {
				m.ZonesPath = relTo(dir, m.Zones)
			}
		case "line":
			if m.Line, ok = d.str(v, "line"); ok {
				m.LinePath = relTo(dir, m.Line)
			}
		case "ceasefire":
			cf, cl, ok := d.mapping(v, "the ceasefire", []string{"from", "source"})
			if !ok {
				continue
			}
			c := &Ceasefire{Loc: cl}
			for _, x := range cf {
				switch x.key {
				case "from":
					s, ok := d.str(x.value, "from")
					if !ok {
						continue
					}
					t, err := parseTime(s)
					if err != nil {
						d.errorf(x.value, "bad-time", "write an RFC 3339 time such as 2025-09-01T00:00:00Z, or a date 2025-09-01", "ceasefire from: %v", err)
						continue
					}
					c.From = t
				case "source":
					c.Source, _ = d.str(x.value, "source")
				}
			}
			m.Ceasefire = c
		case "sides":
			sf, _, _ := d.mapping(v, "sides", nil)
			for _, s := range sf {
				m.Sides[s.key] = d.strs(s.value, "the actors of side "+s.key)
				m.SideOrder = append(m.SideOrder, s.key)
				loc.Items["sides"] = append(loc.Items["sides"], s.kpos)
			}
		case "violations":
			for _, x := range d.seq(v, "violations") {
				vf, vl, ok := d.mapping(x, "a violation rule", []string{"id", "rule", "description", "source", "pax"})
				if !ok {
					continue
				}
				r := &Violation{Loc: vl}
				for _, y := range vf {
					switch y.key {
					case "id":
						r.ID, _ = d.str(y.value, "id")
					case "rule":
						r.Rule, _ = d.rule(y.value, "rule")
					case "description":
						r.Description, _ = d.str(y.value, "description")
					case "source":
						r.Source, _ = d.str(y.value, "source")
					case "pax":
						r.PAX = d.list(&vl, "pax", y.value, "pax")
					}
				}
				m.Violations = append(m.Violations, r)
			}
		case "withdrawals":
			for _, x := range d.seq(v, "withdrawals") {
				wf, wl, ok := d.mapping(x, "a withdrawal", []string{"id", "description", "weapons", "min_km", "source", "pax"})
				if !ok {
					continue
				}
				w := &Withdrawal{Loc: wl}
				for _, y := range wf {
					switch y.key {
					case "id":
						w.ID, _ = d.str(y.value, "id")
					case "description":
						w.Description, _ = d.str(y.value, "description")
					case "weapons":
						w.Weapons, _ = d.str(y.value, "weapons")
					case "min_km":
						w.MinKm, _ = d.number(y.value, "min_km")
					case "source":
						w.Source, _ = d.str(y.value, "source")
					case "pax":
						w.PAX = d.list(&wl, "pax", y.value, "pax")
					}
				}
				m.Withdrawals = append(m.Withdrawals, w)
			}
		case "triggers":
			for _, x := range d.seq(v, "triggers") {
				tf, tl, ok := d.mapping(x, "a monitoring trigger", []string{"id", "side", "window", "threshold", "guarantee", "description", "source"})
				if !ok {
					continue
				}
				t := &MonitorTrigger{Loc: tl}
				for _, y := range tf {
					switch y.key {
					case "id":
						t.ID, _ = d.str(y.value, "id")
					case "side":
						t.Side, _ = d.str(y.value, "side")
					case "window":
						s, ok := d.str(y.value, "window")
						if !ok {
							continue
						}
						dur, err := ParseDuration(s)
						if err != nil {
							d.errorf(y.value, "bad-duration", "write a number and a unit: 24h, 7d or 2w", "window: %v", err)
							continue
						}
						t.Window, t.WindowText = dur, s
					case "threshold":
						t.Threshold, _ = d.integer(y.value, "threshold")
					case "guarantee":
						t.Guarantee, _ = d.str(y.value, "guarantee")
					case "description":
						t.Description, _ = d.str(y.value, "description")
					case "source":
						t.Source, _ = d.str(y.value, "source")
					}
				}
				m.Triggers = append(m.Triggers, t)
			}
		}
	}
	return m
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
