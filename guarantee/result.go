package guarantee

import (
	"encoding/json"
	"errors"
	"math/big"
)

// This file holds the analysis as the CLI's --json and the server's
// responses give it (DESIGN.md, "Results as JSON"): one tagged type per
// result, marshalled unchanged by every face. Lists and maps are never
// null; exact values are fractions as strings beside their floats.

// Results is the result of analysing a settlement's guarantees.
type Results struct {
	// File is the settlement file (or the name it was submitted under).
	File       string   `json:"file"`
	Guarantees []Result `json:"guarantees"`
}

// Result is the analysis of one guarantee.
type Result struct {
	ID           string   `json:"id"`
	Title        string   `json:"title,omitempty"`
	Rule         string   `json:"rule"`
	Deters       string   `json:"deters"`
	Voters       []string `json:"voters"`
	CanActivate  bool     `json:"can_activate"`
	VetoPlayers  []string `json:"veto_players"`
	DeterredVeto bool     `json:"deterred_veto"`
	// MinimalWinning lists minimal winning coalitions: all of them when
	// MinimalComplete, else the first MinimalLimit (0: no limit asked,
	// the search stopped at a bound).
	MinimalWinning  [][]string `json:"minimal_winning_coalitions"`
	MinimalCount    *string    `json:"minimal_winning_count"`
	MinimalLimit    int        `json:"minimal_winning_limit"`
	MinimalComplete bool       `json:"minimal_winning_complete"`
	// WinningCoalitions is the exact number of winning coalitions.
	WinningCoalitions   *string                `json:"winning_coalitions"`
	Swings              map[string]json.Number `json:"swings"`
	Banzhaf             map[string]float64     `json:"banzhaf"`
	ShapleyShubik       map[string]float64     `json:"shapley_shubik"`
	Exact               ExactPower             `json:"exact"`
	Credibility         *CredibilityResult     `json:"credibility"`
	CredibilityMissing  []MissingResult        `json:"credibility_missing"`
	EFG                 string                 `json:"efg,omitempty"`
	Notes               []string               `json:"notes"`
	PowerComputed       bool                   `json:"power_computed"`
	CredibilityComputed bool                   `json:"credibility_computed"`
}

// ExactPower holds the power indices as exact fractions ("p/q") and the
// swings as decimal strings.
type ExactPower struct {
	Banzhaf       map[string]string `json:"banzhaf"`
	ShapleyShubik map[string]string `json:"shapley_shubik"`
	Swings        map[string]string `json:"swings"`
	TotalSwings   string            `json:"total_swings,omitempty"`
}

// MissingResult names the costs one party lacks for the credibility game.
type MissingResult struct {
	Party     string   `json:"party"`
	Aggressor bool     `json:"aggressor"`
	Keys      []string `json:"keys"`
}

// CredibilityResult is the credibility game's subgame-perfect outcome and
// the threshold of each cost.
type CredibilityResult struct {
	Attack      bool             `json:"attack"`
	Activated   bool             `json:"activated"`
	Responders  []string         `json:"responders"`
	Credible    bool             `json:"credible"`
	Deters      bool             `json:"deters"`
	Attacker    string           `json:"attacker"`
	Order       []string         `json:"order"`
	AfterAttack map[string]Value `json:"payoffs_after_attack"`
	Thresholds  []Threshold      `json:"thresholds"`
}

// Value is an exact rational with its nearest float.
type Value struct {
	Value float64 `json:"value"`
	Exact string  `json:"exact"`
}

// NewValue returns r as a Value.
func NewValue(r *big.Rat) Value {
	f, _ := r.Float64()
	return Value{Value: f, Exact: r.RatString()}
}

// Threshold is how the outcome depends on one cost: the nearest changes
// above and below its value (null when none) and the outcome on every
// interval of the cost.
type Threshold struct {
	Party     string           `json:"party"`
	Key       string           `json:"key"`
	Value     Value            `json:"value"`
	Up        *ChangeResult    `json:"up"`
	Down      *ChangeResult    `json:"down"`
	Intervals []IntervalResult `json:"intervals"`
}

// ChangeResult is a cost at which the outcome changes, and the outcome
// beyond it.
type ChangeResult struct {
	At        Value `json:"at"`
	Inclusive bool  `json:"inclusive"`
	OutcomeResult
}

// OutcomeResult is an outcome of the credibility game.
type OutcomeResult struct {
	Attack     bool     `json:"attack"`
	Activated  bool     `json:"activated"`
	Credible   bool     `json:"credible"`
	Deters     bool     `json:"deters"`
	Responders []string `json:"responders"`
}

// IntervalResult is an interval of a cost (null ends are unbounded) and
// the outcome on it.
type IntervalResult struct {
	From       *Value `json:"from"`
	To         *Value `json:"to"`
	FromClosed bool   `json:"from_closed"`
	ToClosed   bool   `json:"to_closed"`
	OutcomeResult
}

func outcomeResult(o *Outcome) OutcomeResult {
	return OutcomeResult{Attack: o.Attack, Activated: o.Activated, Credible: o.Credible(), Deters: o.Deters(), Responders: nonNil(o.Responders)}
}

func changeResult(c *Change) *ChangeResult {
	if c == nil {
		return nil
	}
	return &ChangeResult{At: NewValue(c.At), Inclusive: c.Inclusive, OutcomeResult: outcomeResult(c.Outcome)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Result gives r as a Result; opts are the options it was analysed with.
func (r *Report) Result(opts Options) Result {
	g := r.Guarantee
	j := Result{ID: g.ID, Title: g.Title, Rule: r.Rule, Deters: g.Deters, Voters: nonNil(r.Voters),
		CanActivate: r.CanActivate, VetoPlayers: nonNil(r.VetoPlayers), DeterredVeto: r.DeterredVeto,
		MinimalWinning: [][]string{}, MinimalLimit: opts.ListLimit,
		Swings: map[string]json.Number{}, Banzhaf: map[string]float64{}, ShapleyShubik: map[string]float64{},
		Exact:              ExactPower{Banzhaf: map[string]string{}, ShapleyShubik: map[string]string{}, Swings: map[string]string{}},
		CredibilityMissing: []MissingResult{}, Notes: []string{}}
	if r.GameErr != nil {
		j.Notes = append(j.Notes, r.GameErr.Error())
	}
	if p := r.Power; p != nil {
		j.PowerComputed = true
		w := p.Winning.String()
		j.WinningCoalitions = &w
		for i, v := range r.Game.Voters {
			j.Swings[v] = json.Number(p.Swings[i].String())
			j.Exact.Swings[v] = p.Swings[i].String()
			j.Banzhaf[v], _ = p.Banzhaf[i].Float64()
			j.ShapleyShubik[v], _ = p.ShapleyShubik[i].Float64()
			j.Exact.Banzhaf[v] = p.Banzhaf[i].String()
			j.Exact.ShapleyShubik[v] = p.ShapleyShubik[i].String()
		}
		j.Exact.TotalSwings = p.TotalSwings.String()
	} else if r.PowerErr != nil && r.GameErr == nil {
		j.Notes = append(j.Notes, "power indices not computed: "+r.PowerErr.Error())
	}
	if m := r.Minimal; m != nil {
		j.MinimalWinning = append(j.MinimalWinning, m.List...)
		if m.Count != nil {
			c := m.Count.String()
			j.MinimalCount = &c
		}
		j.MinimalComplete = m.Complete
		if m.Note != "" {
			j.Notes = append(j.Notes, "minimal winning coalitions "+m.Note)
		}
	} else if r.MinimalErr != nil && r.GameErr == nil {
		j.Notes = append(j.Notes, "minimal winning coalitions not computed: "+r.MinimalErr.Error())
	}
	for _, m := range r.Missing {
		j.CredibilityMissing = append(j.CredibilityMissing, MissingResult(m))
	}
	switch {
	case r.Outcome != nil:
		j.CredibilityComputed = true
		o := r.Outcome
		c := &CredibilityResult{Attack: o.Attack, Activated: o.Activated, Responders: nonNil(o.Responders), Credible: o.Credible(),
			Deters: o.Deters(), Attacker: r.Credibility.Attacker, Order: r.Credibility.Movers,
			AfterAttack: map[string]Value{}, Thresholds: []Threshold{}}
		for p, v := range o.AfterAttack {
			c.AfterAttack[p] = NewValue(v)
		}
		for _, s := range r.Sensitivities {
			t := Threshold{Party: s.Param.Party, Key: s.Param.Key, Value: NewValue(s.Value), Up: changeResult(s.Up), Down: changeResult(s.Down)}
			for _, iv := range s.Intervals {
				x := IntervalResult{FromClosed: iv.LoClosed, ToClosed: iv.HiClosed, OutcomeResult: outcomeResult(iv.Outcome)}
				if iv.Lo != nil {
					v := NewValue(iv.Lo)
					x.From = &v
				}
				if iv.Hi != nil {
					v := NewValue(iv.Hi)
					x.To = &v
				}
				t.Intervals = append(t.Intervals, x)
			}
			c.Thresholds = append(c.Thresholds, t)
		}
		j.Credibility = c
	case errors.Is(r.CredibilityErr, ErrNoCosts):
		j.Notes = append(j.Notes, "no credibility game: the guarantee gives no costs")
	case errors.Is(r.CredibilityErr, ErrMissingCosts):
		j.Notes = append(j.Notes, "no credibility game: "+r.CredibilityErr.Error())
	case r.CredibilityErr != nil && r.GameErr == nil:
		j.Notes = append(j.Notes, "credibility game not solved: "+r.CredibilityErr.Error())
	}
	return j
}
