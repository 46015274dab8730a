package guarantee

import (
	"context"
	"math/big"
	"sort"
)

// Param names one cost of a credibility game.
type Param struct {
	// Party is the party whose cost it is (the attacker for Gain and
	// CostIfOpposed).
	Party string
	// Key is gain, cost_if_opposed, cost_of_response or cost_of_inaction.
	Key   string
	mover int // index in Movers, or -1 for the attacker's keys
}

func (p Param) String() string { return p.Party + "." + p.Key }

// Params lists the costs of the game: the attacker's gain and
// cost_if_opposed, then each mover's cost_of_response and
// cost_of_inaction, in the order of play.
func (c *Credibility) Params() []Param {
	out := []Param{{Party: c.Attacker, Key: "gain", mover: -1}, {Party: c.Attacker, Key: "cost_if_opposed", mover: -1}}
	for k, m := range c.Movers {
		out = append(out, Param{Party: m, Key: "cost_of_response", mover: k}, Param{Party: m, Key: "cost_of_inaction", mover: k})
	}
	return out
}

// Value returns the current value of a cost.
func (c *Credibility) Value(p Param) *big.Rat {
	switch p.Key {
	case "gain":
		return c.Gain
	case "cost_if_opposed":
		return c.CostIfOpposed
	case "cost_of_response":
		return c.Response[p.mover]
	}
	return c.Inaction[p.mover]
}

// With returns a copy of the game with one cost set to v.
func (c *Credibility) With(p Param, v *big.Rat) *Credibility {
	d := *c
	d.Response = append([]*big.Rat(nil), c.Response...)
	d.Inaction = append([]*big.Rat(nil), c.Inaction...)
	v = new(big.Rat).Set(v)
	switch p.Key {
	case "gain":
		d.Gain = v
	case "cost_if_opposed":
		d.CostIfOpposed = v
	case "cost_of_response":
		d.Response[p.mover] = v
	default:
		d.Inaction[p.mover] = v
	}
	return &d
}

// Interval is a range of one cost's values, the others fixed, on which
// the equilibrium does not change. Lo or Hi is nil when unbounded.
type Interval struct {
	Lo, Hi             *big.Rat
	LoClosed, HiClosed bool
	Outcome            *Outcome
}

// Contains reports whether v is in the interval.
func (iv Interval) Contains(v *big.Rat) bool {
	if iv.Lo != nil {
		if c := v.Cmp(iv.Lo); c < 0 || (c == 0 && !iv.LoClosed) {
			return false
		}
	}
	if iv.Hi != nil {
		if c := v.Cmp(iv.Hi); c > 0 || (c == 0 && !iv.HiClosed) {
			return false
		}
	}
	return true
}

// Sensitivity is how the equilibrium depends on one cost, the others held
// at their values.
type Sensitivity struct {
	Param Param
	Value *big.Rat
	// Intervals partition the real line, in increasing order; adjacent
	// intervals have different outcomes.
	Intervals []Interval
	// Up is the nearest change of the verdict (attack or activation) as
	// the cost rises from its value, nil when none; Down as it falls.
	Up, Down *Change
}

// Change is where the verdict changes: At is the threshold; Inclusive
// reports whether the new outcome already holds at the threshold itself
// (when false, a player indifferent at the threshold takes the passive
// choice and the old verdict holds there).
type Change struct {
	At        *big.Rat
	Inclusive bool
	Outcome   *Outcome
}

// Sensitivity computes, exactly, the outcome of the game as a function of
// one cost with the others fixed. Costs enter the payoffs linearly, so
// each comparison a player makes is a linear function of the cost, and the
// equilibrium can change only where one of them is zero. Sensitivity
// finds those points (the player's own comparisons for each pair of
// continuations, and the attacker's), solves the game at each and
// between them, and merges neighbours with the same outcome.
func (c *Credibility) Sensitivity(ctx context.Context, p Param, maxCells int64) (*Sensitivity, error) {
	if err := c.checkCells(maxCells); err != nil {
		return nil, err
	}
	win := c.game.winTable() // the same for every value of the cost
	roots := c.breakpoints(p)
	var samples []*big.Rat
	one := big.NewRat(1, 1)
	if len(roots) == 0 {
		samples = append(samples, c.Value(p))
	} else {
		samples = append(samples, new(big.Rat).Sub(roots[0], one))
		for i, r := range roots {
			samples = append(samples, r)
			if i+1 < len(roots) {
				mid := new(big.Rat).Add(r, roots[i+1])
				samples = append(samples, mid.Quo(mid, big.NewRat(2, 1)))
			}
		}
		samples = append(samples, new(big.Rat).Add(roots[len(roots)-1], one))
	}
	var pieces []Interval
	for i, v := range samples {
		o, err := c.With(p, v).solve(ctx, win)
		if err != nil {
			return nil, err
		}
		var iv Interval
		if len(roots) == 0 {
			iv = Interval{Outcome: o}
		} else if i%2 == 1 { // a root
			iv = Interval{Lo: v, Hi: v, LoClosed: true, HiClosed: true, Outcome: o}
		} else {
			if i > 0 {
				iv.Lo = samples[i-1]
			}
			if i+1 < len(samples) {
				iv.Hi = samples[i+1]
			}
			iv.Outcome = o
		}
		if n := len(pieces); n > 0 && pieces[n-1].Outcome.Same(o) {
			pieces[n-1].Hi, pieces[n-1].HiClosed = iv.Hi, iv.HiClosed
			continue
		}
		pieces = append(pieces, iv)
	}
	s := &Sensitivity{Param: p, Value: new(big.Rat).Set(c.Value(p)), Intervals: pieces}
	at := 0
	for i, iv := range pieces {
		if iv.Contains(s.Value) {
			at = i
		}
	}
	now := pieces[at].Outcome
	verdict := func(o *Outcome) bool { return o.Attack == now.Attack && o.Activated == now.Activated }
	for i := at + 1; i < len(pieces); i++ {
		if !verdict(pieces[i].Outcome) {
			s.Up = &Change{At: pieces[i].Lo, Inclusive: pieces[i].LoClosed, Outcome: pieces[i].Outcome}
			break
		}
	}
	for i := at - 1; i >= 0; i-- {
		if !verdict(pieces[i].Outcome) {
			s.Down = &Change{At: pieces[i].Hi, Inclusive: pieces[i].HiClosed, Outcome: pieces[i].Outcome}
			break
		}
	}
	return s, nil
}

// breakpoints returns the sorted values of cost p at which some player's
// comparison ties: the owner's (for each pair of continuations) and the
// attacker's (for each activation and, if it votes, its own response).
func (c *Credibility) breakpoints(p Param) []*big.Rat {
	var fs []func(*Credibility) *big.Rat
	owner := p.mover // the mover whose cost it is, or the attacker if it votes
	if owner < 0 {
		owner = c.attacker
	}
	if owner >= 0 {
		for r := 0; r < 2; r++ {
			for a := 0; a < 2; a++ {
				fs = append(fs, func(d *Credibility) *big.Rat {
					return new(big.Rat).Sub(d.moverPayoff(owner, r == 1, true), d.moverPayoff(owner, a == 1, false))
				})
			}
		}
	}
	for act := 0; act < 2; act++ {
		for resp := 0; resp < 2; resp++ {
			fs = append(fs, func(d *Credibility) *big.Rat { return d.attackPayoff(act == 1, resp == 1) })
		}
	}
	zero, one := new(big.Rat), big.NewRat(1, 1)
	at0, at1 := c.With(p, zero), c.With(p, one)
	var roots []*big.Rat
	for _, f := range fs {
		f0, f1 := f(at0), f(at1)
		slope := new(big.Rat).Sub(f1, f0)
		if slope.Sign() == 0 {
			continue
		}
		r := new(big.Rat).Neg(f0)
		roots = append(roots, r.Quo(r, slope))
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].Cmp(roots[j]) < 0 })
	var out []*big.Rat
	for _, r := range roots {
		if len(out) == 0 || out[len(out)-1].Cmp(r) != 0 {
			out = append(out, r)
		}
	}
	return out
}
