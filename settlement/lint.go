package settlement

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/entente-org/entente/rules"
)

// maxRangeScan bounds the values of a range issue bestValue scans.
const maxRangeScan = 1 << 20

// Lint reports what is vague or self-defeating in a settlement that
// validates: guarantees without trigger, decision rule, obligations or
// deadlines; obligations that bind to nothing but consultation; a deterred
// party among the guarantors; force terms without verification; terms
// without sources; unreachable reservations; parties missing a position;
// triggers nobody observes.
//
// Lint does not report deterred-veto, red-line-unsatisfiable,
// constraints-unsatisfiable or rule-unsupported: they need the engines of
// packages guarantee and dealspace, and package check runs them all.
func Lint(s *Settlement) Findings {
	l := &linter{s: s}
	l.run()
	return l.out
}

type linter struct {
	s   *Settlement
	out Findings
}

func (l *linter) warn(p Pos, code, hint, format string, args ...any) *Finding {
	l.out = append(l.out, Finding{Severity: Warning, Code: code, Message: fmt.Sprintf(format, args...), Hint: hint, Pos: p})
	return &l.out[len(l.out)-1]
}

func (l *linter) run() {
	s := l.s
	for _, src := range s.Sources {
		var missing []string
		if strings.TrimSpace(src.Date) == "" {
			missing = append(missing, "date")
		}
		if strings.TrimSpace(src.URL) == "" {
			missing = append(missing, "url")
		}
		if d := strings.TrimSpace(src.Date); d != "" && !validDate(d) {
			l.warn(src.At("date"), "source-incomplete", "write the date as YYYY-MM-DD (or YYYY-MM, or YYYY when that is all that is known)",
				"source %s has date %q, which is not a date", src.ID, d)
		}
		if len(missing) > 0 {
			l.warn(src.Pos, "source-incomplete", "give the publication's date (YYYY-MM-DD) and a public address",
				"source %s has no %s", src.ID, strings.Join(missing, " and "))
		}
	}
	for _, p := range s.Parties {
		if p.Has(Belligerent) && s.Position(p.ID) == nil {
			f := l.warn(p.Pos, "position-missing", "add a position with its red lines and utility",
				"%s is a belligerent without a position: the deal space ignores it", p.ID)
			f.Party = p.ID
		}
	}
	for _, p := range s.Positions {
		for _, rl := range p.RedLines {
			if rl.Source == "" {
				f := l.warn(rl.Pos, "missing-source", "cite the statement it rests on: source: ID",
					"red line %s of %s cites no source", rl.ID, p.Party)
				f.Party = p.Party
			}
		}
		l.reservation(p)
	}
	for _, g := range s.Guarantees {
		l.guarantee(g)
	}
	if m := s.Monitoring; m != nil {
		for _, t := range m.Triggers {
			if t.Guarantee == "" {
				l.warn(t.Pos, "trigger-orphan", "name the guarantee it activates: guarantee: ID",
					"monitoring trigger %s names no guarantee: it fires without consequence", t.ID)
			}
		}
	}
}

func (l *linter) guarantee(g *Guarantee) {
	mark := len(l.out)
	defer func() {
		for i := mark; i < len(l.out); i++ {
			l.out[i].Guarantee = g.ID
		}
	}()
	switch {
	case g.Trigger == nil:
		l.warn(g.Pos, "guarantee-no-trigger", "state what activates it: trigger: {description: ..., monitor: TRIGGER}",
			"guarantee %s has no trigger: nobody can say when it applies", g.ID)
	case g.Trigger.Monitor == "":
		l.warn(g.Trigger.Pos, "trigger-not-observable", "name a monitoring trigger: monitor: ID",
			"the trigger of guarantee %s names no monitoring trigger: nobody observes it", g.ID)
	}
	if g.Decision == nil {
		l.warn(g.Pos, "guarantee-no-decision", "say who must agree: decision: {unanimity: [...]}, {any: [...]}, {quota: N, weights: {...}}",
			"guarantee %s has no decision rule: nobody is bound to decide that it is triggered", g.ID)
	}
	if g.Deters != "" {
		for i, p := range g.Guarantors {
			if p == g.Deters {
				l.warn(g.Item("guarantors", i), "deterred-guarantor", "take "+p+" out of the guarantors",
					"%s, the party guarantee %s is meant to deter, is among its guarantors", p, g.ID)
			}
		}
	}
	if g.Source == "" {
		l.warn(g.Pos, "missing-source", "cite where the guarantee is offered or proposed: source: ID",
			"guarantee %s cites no source", g.ID)
	}
	isGuarantor := map[string]bool{}
	for _, p := range g.Guarantors {
		isGuarantor[p] = true
	}
	for _, o := range g.Obligations {
		if !isGuarantor[o.Party] {
			f := l.warn(o.Pos, "obligation-not-guarantor", "add "+o.Party+" to the guarantors, or move the obligation",
				"%s has an obligation under guarantee %s but is not among its guarantors", o.Party, g.ID)
			f.Party = o.Party
		}
	}
	if g.Ambiguity {
		l.warn(g.At("ambiguity"), "declared-ambiguity", "this is deliberate; nothing to fix unless the ambiguity was not meant",
			"guarantee %s declares strategic ambiguity: it commits no guarantor to a response", g.ID)
		if len(g.Obligations) > 0 {
			l.warn(g.At("obligations"), "ambiguity-with-obligations", "drop the obligations, or set ambiguity: false",
				"guarantee %s declares strategic ambiguity yet lists obligations: it is not clear which holds", g.ID)
		}
	} else {
		if len(g.Obligations) == 0 {
			l.warn(g.Pos, "guarantee-no-obligations", "say what each guarantor must do: obligations: {P: {responses: [...], within: 72h}}, or declare ambiguity: true",
				"guarantee %s obliges no guarantor to do anything", g.ID)
		}
		binding := false
		for _, o := range g.Obligations {
			if !o.HasWithin {
				f := l.warn(o.Pos, "obligation-no-deadline", "add within: 72h (h, d or w)",
					"the obligation of %s under guarantee %s has no deadline", o.Party, g.ID)
				f.Party = o.Party
			}
			for _, r := range o.Responses {
				if r.Binding() {
					binding = true
				}
			}
		}
		if len(g.Obligations) > 0 && !binding {
			l.warn(g.At("obligations"), "no-binding-obligation", "oblige at least one guarantor to more than consultation (sanctions, arms, air_defence, …)",
				"every obligation of guarantee %s is consultation only: it binds nobody to act (the Budapest pattern)", g.ID)
		}
	}
	for _, o := range g.Obligations {
		if o.Source == "" {
			f := l.warn(o.Pos, "missing-source", "cite where the commitment is made: source: ID",
				"the obligation of %s under guarantee %s cites no source", o.Party, g.ID)
			f.Party = o.Party
		}
	}
	for _, f := range g.Force {
		if (f.HasMax || len(f.Functions) > 0) && strings.TrimSpace(f.Verification) == "" {
			x := l.warn(f.Pos, "force-no-verification", "say who verifies it and how: verification: ...",
				"the force term of %s under guarantee %s sets a cap or functions that nobody verifies", f.Party, g.ID)
			x.Party = f.Party
		}
		if f.Source == "" {
			x := l.warn(f.Pos, "missing-source", "cite where the term is proposed: source: ID",
				"the force term of %s under guarantee %s cites no source", f.Party, g.ID)
			x.Party = f.Party
		}
	}
}

// validDate reports whether s is a date written YYYY-MM-DD, YYYY-MM or YYYY.
func validDate(s string) bool {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// Values lists every value of an issue's domain as the rules package
// represents it: strings for enumerations, int64 for ranges, []string for
// subsets (in item order). Callers must bound the domain's size first.
func Values(is *Issue) []any {
	switch is.Kind {
	case rules.Enum:
		out := make([]any, len(is.Options))
		for i, o := range is.Options {
			out[i] = o
		}
		return out
	case rules.Range:
		n := is.Range.Values()
		if n == 0 || n > 1<<30 {
			return nil
		}
		out := make([]any, 0, n)
		for k := uint64(0); k < n; k++ {
			out = append(out, is.Range.Min+int64(k)*is.Range.Step)
		}
		return out
	case rules.Subset:
		n := len(is.Items)
		if n > 30 {
			return nil
		}
		out := make([]any, 0, 1<<n)
		for mask := 0; mask < 1<<n; mask++ {
			var set []string
			for i, it := range is.Items {
				if mask&(1<<i) != 0 {
					set = append(set, it)
				}
			}
			if set == nil {
				set = []string{}
			}
			out = append(out, set)
		}
		return out
	}
	return nil
}

// reservation reports a reservation value no package can exceed.
func (l *linter) reservation(p *Position) {
	if p.Utility == nil || !p.HasReservation {
		return
	}
	best, ok := BestUtility(l.s, p)
	if !ok {
		return
	}
	if p.Reservation >= best {
		f := l.warn(p.At("reservation"), "reservation-unreachable",
			"lower the reservation below "+strconv.FormatFloat(best, 'g', 4, 64),
			"the reservation %g of %s is at or above the best utility any package gives it (%.4g): it accepts no deal", p.Reservation, p.Party, best)
		f.Party = p.Party
	}
}

// BestUtility returns the highest utility any package gives the party,
// ignoring red lines and constraints (the sum of each issue's best value,
// weighted). It is false when the utility is unusable (no positive weight).
func BestUtility(s *Settlement, p *Position) (float64, bool) {
	u := p.Utility
	total := 0.0
	for _, w := range u.Weights {
		if w > 0 {
			total += w
		}
	}
	if total == 0 {
		return 0, false
	}
	best := 0.0
	ids := make([]string, 0, len(u.Weights))
	for id := range u.Weights {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		w := u.Weights[id]
		is := s.Issue(id)
		if w <= 0 || is == nil {
			continue
		}
		best += w / total * bestValue(is, u)
	}
	return best, true
}

// bestValue is the best value the issue can take under the utility: the
// best option, the best point of the range's domain, or 1 for a subset
// whose items are not all worth the same.
func bestValue(is *Issue, u *Utility) float64 {
	best := 0.0
	switch is.Kind {
	case rules.Enum:
		for _, o := range is.Options {
			best = math.Max(best, u.Value(is, o))
		}
	case rules.Range:
		if is.Range.Values() > maxRangeScan {
			// Flat beyond the points: some point (or a bound) attains the best.
			for _, v := range u.Values[is.ID] {
				best = math.Max(best, v)
			}
			return best
		}
		for _, v := range Values(is) {
			best = math.Max(best, u.Value(is, v))
		}
	case rules.Subset:
		best = u.Value(is, is.Items)
	}
	return best
}
