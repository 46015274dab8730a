package guarantee

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/entente-org/entente/settlement"
)

// Missing names costs that a guarantee's credibility game needs and the
// settlement does not give.
type Missing struct {
	// Party is the party whose costs are missing; Aggressor is true when
	// they are the deterred party's (gain, cost_if_opposed).
	Party     string
	Aggressor bool
	// Keys lists the missing keys, e.g. cost_of_response.
	Keys []string
}

func (m Missing) String() string {
	who := m.Party
	if m.Aggressor {
		who = "the aggressor"
		if m.Party != "" {
			who += " " + m.Party
		}
	}
	return who + " (" + strings.Join(m.Keys, ", ") + ")"
}

// ErrMissingCosts is returned by [NewCredibility] when the guarantee gives
// costs, but not all those its game needs; [MissingCosts] names them.
var ErrMissingCosts = errors.New("credibility costs missing")

// ErrNoCosts is returned by [NewCredibility] when the guarantee gives no
// costs at all: it has no credibility game.
var ErrNoCosts = errors.New("no credibility costs")

// Movers returns the voters of the guarantee's decision rule in the order
// they choose in the credibility game: first those among the guarantors,
// in the order of `guarantors`, then the others by first appearance in
// the rule.
func Movers(g *settlement.Guarantee) []string {
	if g.Decision == nil {
		return nil
	}
	voters := g.Decision.Voters()
	isVoter := map[string]bool{}
	for _, v := range voters {
		isVoter[v] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range g.Guarantors {
		if isVoter[p] && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, v := range voters {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// MissingCosts lists the costs a guarantee's credibility game needs and
// does not give: the aggressor's gain and cost_if_opposed, and each
// voter's cost_of_response and cost_of_inaction. It is nil when the
// guarantee gives no costs at all (it then has no credibility game) or
// has no decision rule.
func MissingCosts(g *settlement.Guarantee) []Missing {
	c := g.Credibility
	if c == nil || g.Decision == nil {
		return nil
	}
	var out []Missing
	a := Missing{Party: g.Deters, Aggressor: true}
	if c.Aggressor == nil || !c.Aggressor.HasGain {
		a.Keys = append(a.Keys, "gain")
	}
	if c.Aggressor == nil || !c.Aggressor.HasCostIfOpposed {
		a.Keys = append(a.Keys, "cost_if_opposed")
	}
	if len(a.Keys) > 0 {
		out = append(out, a)
	}
	for _, v := range Movers(g) {
		x := c.Guarantors[v]
		m := Missing{Party: v}
		if x == nil || !x.HasCostOfResponse {
			m.Keys = append(m.Keys, "cost_of_response")
		}
		if x == nil || !x.HasCostOfInac {
			m.Keys = append(m.Keys, "cost_of_inaction")
		}
		if len(m.Keys) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// Credibility is a guarantee's credibility game (DESIGN.md, "Credibility
// game"): the deterred party attacks or refrains (refraining pays every
// player 0); after an attack the voters of the decision rule choose in
// turn, each seeing the earlier choices, to respond or abstain; the
// guarantee activates when the responders win under the rule. The
// attacker gets gain, less cost_if_opposed if activated; a voter gets
// −cost_of_inaction if the guarantee does not activate and
// −cost_of_response if it activates and the voter responded. A party that
// is both the attacker and a voter gets both.
//
// Costs are exact rationals: each number of the file is read as the
// shortest decimal that denotes it (0.1 is 1/10).
type Credibility struct {
	// Attacker is the deterred party ("aggressor" when the guarantee
	// names none).
	Attacker string
	// Movers lists the voters in the order they choose.
	Movers []string
	// Gain and CostIfOpposed are the attacker's.
	Gain, CostIfOpposed *big.Rat
	// Response and Inaction are each mover's cost_of_response and
	// cost_of_inaction, indexed as Movers.
	Response, Inaction []*big.Rat

	game     *Game
	voter    []int // game voter index of each mover
	attacker int   // index in Movers of the attacker, or -1
}

// NewCredibility builds the credibility game of a guarantee. The error
// is [ErrNoCosts] when the guarantee gives no costs, [ErrMissingCosts]
// when some are missing (see [MissingCosts]), or a [*RuleError].
func NewCredibility(g *settlement.Guarantee, game *Game) (*Credibility, error) {
	if g.Credibility == nil {
		return nil, ErrNoCosts
	}
	if miss := MissingCosts(g); len(miss) > 0 {
		parts := make([]string, len(miss))
		for i, m := range miss {
			parts[i] = m.String()
		}
		return nil, fmt.Errorf("%w: %s", ErrMissingCosts, strings.Join(parts, "; "))
	}
	c := &Credibility{Attacker: g.Deters, Movers: Movers(g), game: game, attacker: -1}
	if c.Attacker == "" {
		c.Attacker = "aggressor"
	}
	c.Gain = exact(g.Credibility.Aggressor.Gain)
	c.CostIfOpposed = exact(g.Credibility.Aggressor.CostIfOpposed)
	for k, m := range c.Movers {
		x := g.Credibility.Guarantors[m]
		c.Response = append(c.Response, exact(x.CostOfResponse))
		c.Inaction = append(c.Inaction, exact(x.CostOfInaction))
		c.voter = append(c.voter, game.Index(m))
		if m == g.Deters {
			c.attacker = k
		}
	}
	return c, nil
}

// exact returns the shortest decimal that denotes f, as a rational.
func exact(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		return new(big.Rat).SetFloat64(f)
	}
	return r
}

// Outcome is the subgame-perfect equilibrium of a credibility game,
// solved by backward induction with the passive choice (refrain,
// abstain) taken by a player indifferent between its choices.
type Outcome struct {
	// Attack reports whether the attacker attacks.
	Attack bool
	// Activated reports whether the guarantee activates after an attack
	// in the equilibrium plan, whether or not the attacker attacks.
	Activated bool
	// Responders lists the movers who respond after an attack in the
	// plan, in the order of play.
	Responders []string
	// AfterAttack holds each player's payoff after an attack, by party
	// (the attacker under its own name).
	AfterAttack map[string]*big.Rat
}

// Credible reports whether the threat is credible: the guarantee
// activates after an attack.
func (o *Outcome) Credible() bool { return o.Activated }

// Deters reports whether the guarantee deters: the attacker refrains.
func (o *Outcome) Deters() bool { return !o.Attack }

// Same reports whether two outcomes agree on attack, activation and
// responders.
func (o *Outcome) Same(p *Outcome) bool {
	if o.Attack != p.Attack || o.Activated != p.Activated || len(o.Responders) != len(p.Responders) {
		return false
	}
	for i := range o.Responders {
		if o.Responders[i] != p.Responders[i] {
			return false
		}
	}
	return true
}

// Cells returns the size of the backward-induction table: one cell per
// stage and state.
func (c *Credibility) Cells() float64 {
	return float64(len(c.Movers)+1) * float64(c.game.States())
}

// Solve finds the subgame-perfect plan by backward induction over the
// stages of play and the states of the decision rule (the responders so
// far matter only through their state), so its work is (movers+1) ×
// states, not 2^movers. maxCells bounds the table; beyond it the error is
// a [*TooLargeError].
func (c *Credibility) Solve(ctx context.Context, maxCells int64) (*Outcome, error) {
	if err := c.checkCells(maxCells); err != nil {
		return nil, err
	}
	return c.solve(ctx, c.game.winTable())
}

// checkCells returns a [*TooLargeError] when the backward induction needs
// more than maxCells cells.
func (c *Credibility) checkCells(maxCells int64) error {
	if need := c.Cells(); need > float64(maxCells) {
		return &TooLargeError{What: "the credibility game's backward induction (stages × states)", Need: need, Limit: float64(maxCells),
			Hint: "raise the limit or use fewer voters or smaller quotas"}
	}
	return nil
}

// solve is Solve given the game's win table (which states win), which
// depends on the rule only, not on the costs: Sensitivity computes it
// once for all the games it solves.
func (c *Credibility) solve(ctx context.Context, win []bool) (*Outcome, error) {
	g := c.game
	n := len(c.Movers)
	act := make([][]bool, n+1)
	act[n] = win
	tables := c.decisionTables()
	for k := n - 1; k >= 0; k-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next, v, tab := act[k+1], c.voter[k], tables[k]
		cur := make([]bool, g.size)
		for s := range cur {
			r, a := next[g.add(s, v)], next[s]
			if tab[b2i(r)][b2i(a)] {
				cur[s] = r
			} else {
				cur[s] = a
			}
		}
		act[k] = cur
	}
	o := &Outcome{Activated: act[0][0], AfterAttack: map[string]*big.Rat{}}
	responded := make([]bool, n)
	s := 0
	for k := 0; k < n; k++ {
		t := g.add(s, c.voter[k])
		if tables[k][b2i(act[k+1][t])][b2i(act[k+1][s])] {
			responded[k] = true
			o.Responders = append(o.Responders, c.Movers[k])
			s = t
		}
	}
	for k, m := range c.Movers {
		o.AfterAttack[m] = c.moverPayoff(k, o.Activated, responded[k])
	}
	att := c.attackPayoff(o.Activated, c.attacker >= 0 && responded[c.attacker])
	o.AfterAttack[c.Attacker] = att
	o.Attack = att.Sign() > 0
	return o, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// moverPayoff is mover k's payoff as a voter (and as the attacker, when
// it is both), after an attack.
func (c *Credibility) moverPayoff(k int, activated, responded bool) *big.Rat {
	p := new(big.Rat)
	switch {
	case !activated:
		p.Neg(c.Inaction[k])
	case responded:
		p.Neg(c.Response[k])
	}
	if k == c.attacker {
		p.Add(p, c.Gain)
		if activated {
			p.Sub(p, c.CostIfOpposed)
		}
	}
	return p
}

// attackPayoff is the attacker's payoff after attacking, given the
// activation and, when it is also a voter, its own response.
func (c *Credibility) attackPayoff(activated, responded bool) *big.Rat {
	if c.attacker >= 0 {
		return c.moverPayoff(c.attacker, activated, responded)
	}
	p := new(big.Rat).Set(c.Gain)
	if activated {
		p.Sub(p, c.CostIfOpposed)
	}
	return p
}

// decisionTables returns, for each mover, whether it responds given
// whether the guarantee would activate if it responds (first index) and
// if it abstains (second): it responds only when that pays strictly more.
func (c *Credibility) decisionTables() [][2][2]bool {
	out := make([][2][2]bool, len(c.Movers))
	for k := range c.Movers {
		for r := 0; r < 2; r++ {
			for a := 0; a < 2; a++ {
				out[k][r][a] = c.moverPayoff(k, r == 1, true).Cmp(c.moverPayoff(k, a == 1, false)) > 0
			}
		}
	}
	return out
}
