package settlement

import (
	"time"

	"github.com/entente-org/entente/rules"
	"github.com/paulmach/orb/geojson"
)

// Format is the only settlement format version this package reads.
const Format = 1

// Settlement is one settlement file, with the files it includes merged in.
type Settlement struct {
	Loc
	Format      int
	ID          string
	Title       string
	Description string
	// File is the path of the root file, as given to the loader.
	File string
	// Files lists every file read, the root first, then includes in the
	// order they were first reached.
	Files       []string
	Sources     []*Source
	Parties     []*Party
	Issues      []*Issue
	Constraints []*Constraint
	Positions   []*Position
	Guarantees  []*Guarantee
	Monitoring  *Monitoring
}

// Source is a public document that terms cite by id.
type Source struct {
	Loc
	ID        string
	Publisher string
	Date      string
	Title     string
	URL       string
	Note      string
}

// Role is what a party does in a settlement.
type Role string

// The roles a party may have.
const (
	Belligerent Role = "belligerent"
	Guarantor   Role = "guarantor"
	Mediator    Role = "mediator"
	Observer    Role = "observer"
)

// Roles lists every valid role, in the order of the documentation.
var Roles = []Role{Belligerent, Guarantor, Mediator, Observer}

// Party is a state or other actor.
type Party struct {
	Loc
	ID    string
	Name  string
	Roles []Role
	Note  string
}

// Has reports whether the party has role r.
func (p *Party) Has(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Range is the domain of a bounded integer issue: Min, Min+Step, … up to Max.
type Range struct {
	Min, Max, Step int64
}

// Values returns the number of values of the range (0 when malformed),
// saturating at the largest uint64 rather than overflowing.
func (r Range) Values() uint64 {
	if r.Step <= 0 || r.Max < r.Min {
		return 0
	}
	span := uint64(r.Max) - uint64(r.Min) // exact in two's complement when Max >= Min
	n := span / uint64(r.Step)
	if n == ^uint64(0) {
		return n
	}
	return n + 1
}

// Issue is one negotiable term. Exactly one of Options, Range and Items
// defines its domain, as Kind says.
type Issue struct {
	Loc
	ID          string
	Name        string
	Description string
	Kind        rules.Kind
	Options     []string // rules.Enum
	Range       Range    // rules.Range
	Items       []string // rules.Subset
	Source      string
	Note        string
	PAX         []string
}

// DomainSize returns the number of values of the issue, as a float64 so
// that large subset domains (2^items) do not overflow.
func (i *Issue) DomainSize() float64 {
	switch i.Kind {
	case rules.Enum:
		return float64(len(i.Options))
	case rules.Range:
		return float64(i.Range.Values())
	case rules.Subset:
		n := 1.0
		for range i.Items {
			n *= 2
		}
		return n
	}
	return 0
}

// Rule is a CEL expression in the settlement file, with what is needed to
// map a position inside the expression back to the file.
type Rule struct {
	Expr string
	// Pos is the position of the expression's first character.
	Pos Pos
	// Compiled is the checked rule; nil when the expression has errors.
	Compiled *rules.Rule
	runes    []Pos // position of each rune of Expr, when it could be mapped
}

// At returns the file position of the rune at offset in the expression.
func (r *Rule) At(offset int) Pos {
	if offset >= 0 && offset < len(r.runes) {
		return r.runes[offset]
	}
	if len(r.runes) > 0 && offset >= len(r.runes) {
		p := r.runes[len(r.runes)-1]
		p.Col++
		return p
	}
	return r.Pos
}

// Constraint is a joint rule that makes a package coherent.
type Constraint struct {
	Loc
	ID          string
	Rule        Rule
	Description string
	Source      string
	PAX         []string
}

// RedLine is a hard rule of one party.
type RedLine struct {
	Loc
	ID          string
	Rule        Rule
	Source      string
	Description string
	PAX         []string
}

// Utility is a party's linear additive utility over the issues.
type Utility struct {
	Loc
	// Weights by issue id; normalised by their sum when evaluated.
	Weights map[string]float64
	// Values by issue id, then by option, integer point or item.
	Values map[string]map[string]float64
	// ValuePos holds the position of each value's key: ValuePos[issue][key].
	ValuePos map[string]map[string]Pos
	// WeightPos holds the position of each weight's key.
	WeightPos map[string]Pos
	// ValueValPos and WeightValPos hold the positions of the numbers.
	ValueValPos  map[string]map[string]Pos
	WeightValPos map[string]Pos
	// IssuePos holds the position of each issue key under values.
	IssuePos map[string]Pos
}

// Position is one party's red lines, utility and reservation value.
type Position struct {
	Loc
	Party       string
	RedLines    []*RedLine
	Utility     *Utility
	Reservation float64
	// HasReservation is false when the file gives no reservation (it is then 0).
	HasReservation bool
	Note           string
}

// Response is a rung of the response ladder a guarantor may owe.
type Response string

// The response ladder, from the weakest rung.
const (
	Consultation Response = "consultation"
	Sanctions    Response = "sanctions"
	Arms         Response = "arms"
	Intelligence Response = "intelligence"
	AirDefence   Response = "air_defence"
	AirSupport   Response = "air_support"
	NoFlyZone    Response = "no_fly_zone"
	GroundForces Response = "ground_forces"
)

// Ladder lists every response, from the weakest rung.
var Ladder = []Response{Consultation, Sanctions, Arms, Intelligence, AirDefence, AirSupport, NoFlyZone, GroundForces}

// Binding reports whether a response commits the guarantor to more than
// consultation.
func (r Response) Binding() bool { return r != Consultation }

// Trigger states what activates a guarantee.
type Trigger struct {
	Loc
	Description string
	// Monitor is the id of the monitoring trigger that observes it.
	Monitor string
	Source  string
}

// DecisionKind says which form a decision rule takes.
type DecisionKind string

// The forms of a decision rule.
const (
	Unanimity DecisionKind = "unanimity"
	Any       DecisionKind = "any"
	Quota     DecisionKind = "quota"
	AllOf     DecisionKind = "all_of"
	AnyOf     DecisionKind = "any_of"
)

// Decision is a decision rule: who must agree to activate a guarantee.
// Unanimity and Any use Members; Quota uses Quota and Weights; AllOf and
// AnyOf use Rules.
type Decision struct {
	Loc
	Kind    DecisionKind
	Members []string
	Quota   float64
	Weights map[string]float64
	// WeightOrder lists the weighted voters in file order.
	WeightOrder []string
	Rules       []*Decision
}

// Voters returns every party named in the rule, in order of first
// appearance, without repeats.
func (d *Decision) Voters() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(*Decision)
	walk = func(d *Decision) {
		if d == nil {
			return
		}
		names := d.Members
		if d.Kind == Quota {
			names = d.WeightOrder
		}
		for _, m := range names {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		for _, r := range d.Rules {
			walk(r)
		}
	}
	walk(d)
	return out
}

// Wins reports whether the coalition (the set of parties that agree)
// activates the guarantee under the rule. An empty unanimity or any set
// never wins.
func (d *Decision) Wins(coalition map[string]bool) bool {
	switch d.Kind {
	case Unanimity:
		if len(d.Members) == 0 {
			return false
		}
		for _, m := range d.Members {
			if !coalition[m] {
				return false
			}
		}
		return true
	case Any:
		for _, m := range d.Members {
			if coalition[m] {
				return true
			}
		}
		return false
	case Quota:
		var sum float64
		for p, w := range d.Weights {
			if coalition[p] {
				sum += w
			}
		}
		return sum >= d.Quota
	case AllOf:
		if len(d.Rules) == 0 {
			return false
		}
		for _, r := range d.Rules {
			if !r.Wins(coalition) {
				return false
			}
		}
		return true
	case AnyOf:
		for _, r := range d.Rules {
			if r.Wins(coalition) {
				return true
			}
		}
		return false
	}
	return false
}

// Obligation is what one guarantor must do once a guarantee activates.
type Obligation struct {
	Loc
	Party       string
	Responses   []Response
	Within      time.Duration
	HasWithin   bool
	WithinText  string
	Source      string
	Description string
}

// ForceTerm limits one party's force posture.
type ForceTerm struct {
	Loc
	ID           string
	Party        string
	MaxPersonnel int64
	HasMax       bool
	Functions    []string
	Places       []string
	Verification string
	Source       string
	PAX          []string
	Description  string // free text: what the sources say of the term
}

// Costs of the credibility game, in one common unit.
type Costs struct {
	Loc
	Gain, CostIfOpposed              float64 // the aggressor's
	CostOfResponse, CostOfInaction   float64 // a guarantor's
	HasGain, HasCostIfOpposed        bool
	HasCostOfResponse, HasCostOfInac bool
}

// Credibility holds the costs and gains of a guarantee's credibility game.
type Credibility struct {
	Loc
	Aggressor  *Costs
	Guarantors map[string]*Costs
	// Order lists the guarantors with costs in file order.
	Order []string
}

// Guarantee is a security guarantee: who guarantees whom against whom,
// what triggers it, who decides, and what each guarantor must then do.
type Guarantee struct {
	Loc
	ID            string
	Title         string
	Description   string
	Source        string
	PAX           []string
	Beneficiary   string
	Deters        string
	Guarantors    []string
	Trigger       *Trigger
	Decision      *Decision
	Obligations   []*Obligation
	Duration      string
	Force         []*ForceTerm
	Ambiguity     bool
	AmbiguityNote string
	Credibility   *Credibility
}

// Ceasefire states when a ceasefire takes effect.
type Ceasefire struct {
	Loc
	From   time.Time
	Source string
}

// Violation is a rule that classifies an event as a violation.
type Violation struct {
	Loc
	ID          string
	Rule        Rule
	Description string
	Source      string
	PAX         []string
}

// Withdrawal is a minimum distance from the line of contact for a class of
// weapons (Minsk II's heavy-weapons withdrawal).
type Withdrawal struct {
	Loc
	ID          string
	Description string
	Weapons     string
	MinKm       float64
	Source      string
	PAX         []string
}

// MonitorTrigger fires when a side's violations within a rolling window
// exceed a threshold.
type MonitorTrigger struct {
	Loc
	ID          string
	Side        string
	Window      time.Duration
	WindowText  string
	Threshold   int64
	Guarantee   string
	Description string
	Source      string
}

// Monitoring holds the terms a ceasefire is monitored against.
type Monitoring struct {
	Loc
	Source    string
	PAX       []string
	Ceasefire *Ceasefire
	Zones     string // path relative to the settlement file
	ZonesPath string // path as resolved against the including file
	ZoneIDs   []string
	// ZoneFeatures holds the zones file's features, once loaded.
	ZoneFeatures *geojson.FeatureCollection
	Line         string
	LinePath     string
	// LineFeatures holds the line file's features, once loaded.
	LineFeatures *geojson.FeatureCollection
	Sides        map[string][]string
	SideOrder    []string
	Violations   []*Violation
	Withdrawals  []*Withdrawal
	Triggers     []*MonitorTrigger
}

// Party returns the party with the given id, or nil.
func (s *Settlement) Party(id string) *Party {
	for _, p := range s.Parties {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Issue returns the issue with the given id, or nil.
func (s *Settlement) Issue(id string) *Issue {
	for _, i := range s.Issues {
		if i.ID == id {
			return i
		}
	}
	return nil
}

// Source returns the source with the given id, or nil.
func (s *Settlement) Source(id string) *Source {
	for _, x := range s.Sources {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// Guarantee returns the guarantee with the given id, or nil.
func (s *Settlement) Guarantee(id string) *Guarantee {
	for _, g := range s.Guarantees {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// Position returns the position of a party, or nil.
func (s *Settlement) Position(party string) *Position {
	for _, p := range s.Positions {
		if p.Party == party {
			return p
		}
	}
	return nil
}

// RulesIssues returns the issues as the rules package declares them.
func (s *Settlement) RulesIssues() []rules.Issue {
	out := make([]rules.Issue, 0, len(s.Issues))
	for _, i := range s.Issues {
		out = append(out, rules.Issue{ID: i.ID, Kind: i.Kind, Options: i.Options,
			Min: i.Range.Min, Max: i.Range.Max, Step: i.Range.Step, Items: i.Items})
	}
	return out
}
