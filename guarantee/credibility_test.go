package guarantee

import (
	"context"
	"fmt"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/entente-org/entente/settlement"
)

// treeOutcome is the result of the brute-force game-tree search.
type treeOutcome struct {
	attack, activated bool
	responders        []string
}

// bruteTree solves the credibility game by an explicit search of the
// whole game tree (2^movers leaves), written from DESIGN.md's rules and
// independent of the engine: payoffs are computed at each leaf from the
// guarantee's costs and the rule's Wins; each player compares its two
// subtrees' payoffs and takes the passive choice when they are equal.
func bruteTree(g *settlement.Guarantee) treeOutcome {
	movers := Movers(g)
	c := g.Credibility
	r := func(f float64) *big.Rat { return exact(f) }
	type leaf struct {
		pay       map[string]*big.Rat
		activated bool
		resp      []string
	}
	var solve func(k int, resp []string) leaf
	solve = func(k int, resp []string) leaf {
		if k == len(movers) {
			set := map[string]bool{}
			for _, p := range resp {
				set[p] = true
			}
			act := g.Decision.Wins(set)
			pay := map[string]*big.Rat{}
			att := r(c.Aggressor.Gain)
			if act {
				att.Sub(att, r(c.Aggressor.CostIfOpposed))
			}
			pay["@attacker"] = att
			for _, m := range movers {
				x := new(big.Rat)
				if !act {
					x.Neg(r(c.Guarantors[m].CostOfInaction))
				} else if set[m] {
					x.Neg(r(c.Guarantors[m].CostOfResponse))
				}
				pay[m] = x
			}
			return leaf{pay: pay, activated: act, resp: append([]string(nil), resp...)}
		}
		m := movers[k]
		ab := solve(k+1, resp)
		re := solve(k+1, append(resp, m))
		// A party that is also the attacker counts both payoffs.
		val := func(l leaf) *big.Rat {
			v := new(big.Rat).Set(l.pay[m])
			if m == g.Deters {
				v.Add(v, l.pay["@attacker"])
			}
			return v
		}
		if val(re).Cmp(val(ab)) > 0 {
			return re
		}
		return ab
	}
	l := solve(0, nil)
	att := new(big.Rat).Set(l.pay["@attacker"])
	for _, m := range movers {
		if m == g.Deters {
			att.Add(att, l.pay[m])
		}
	}
	return treeOutcome{attack: att.Sign() > 0, activated: l.activated, responders: l.resp}
}

// randomGuarantee returns a guarantee over some of players with a random
// rule and small integer costs (ties are frequent), sometimes with the
// deterred party among the voters.
func randomGuarantee(rng *rand.Rand, players []string) *settlement.Guarantee {
	var d *settlement.Decision
	if rng.Intn(3) == 0 {
		d = randomWeighted(rng, players)
	} else {
		d = randomRule(rng, players, 0)
	}
	voters := d.Voters()
	g := &settlement.Guarantee{ID: "g", Decision: d, Deters: "X"}
	if rng.Intn(4) == 0 {
		g.Deters = voters[rng.Intn(len(voters))]
	}
	// Guarantors: a random subset of the voters, in random order.
	for _, i := range rng.Perm(len(voters)) {
		if rng.Intn(2) == 0 {
			g.Guarantors = append(g.Guarantors, voters[i])
		}
	}
	c := &settlement.Credibility{Guarantors: map[string]*settlement.Costs{}}
	c.Aggressor = &settlement.Costs{Gain: float64(rng.Intn(7) - 1), CostIfOpposed: float64(rng.Intn(9)), HasGain: true, HasCostIfOpposed: true}
	for _, v := range voters {
		c.Guarantors[v] = &settlement.Costs{CostOfResponse: float64(rng.Intn(7) - 1), CostOfInaction: float64(rng.Intn(7) - 1),
			HasCostOfResponse: true, HasCostOfInac: true}
		c.Order = append(c.Order, v)
	}
	g.Credibility = c
	return g
}

func solveEngine(t *testing.T, g *settlement.Guarantee) (*Credibility, *Outcome) {
	t.Helper()
	game, err := Compile(g.Decision)
	if err != nil {
		return nil, nil
	}
	c, err := NewCredibility(g, game)
	if err != nil {
		t.Fatalf("NewCredibility: %v", err)
	}
	o, err := c.Solve(context.Background(), 1<<24)
	if err != nil {
		t.Fatal(err)
	}
	return c, o
}

// TestCredibilityAgainstTreeSearch compares the engine's backward
// induction over states with the explicit game-tree search on random
// games of up to 7 movers.
func TestCredibilityAgainstTreeSearch(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	players := []string{"A", "B", "C", "D", "E", "F", "G"}
	n := 0
	for trial := 0; n < 1500; trial++ {
		g := randomGuarantee(rng, players[:1+rng.Intn(len(players))])
		_, o := solveEngine(t, g)
		if o == nil {
			continue
		}
		n++
		want := bruteTree(g)
		if o.Attack != want.attack || o.Activated != want.activated || strings.Join(o.Responders, " ") != strings.Join(want.responders, " ") {
			t.Fatalf("%s (deters %s, movers %v): Solve = attack %v activated %v responders %v; tree search attack %v activated %v responders %v",
				Describe(g.Decision), g.Deters, Movers(g), o.Attack, o.Activated, o.Responders, want.attack, want.activated, want.responders)
		}
		if o.Credible() != o.Activated || o.Deters() == o.Attack {
			t.Fatalf("credible/deters inconsistent: %+v", o)
		}
	}
}

// TestOneGuarantorClosedForm checks the closed forms for one guarantor:
// it responds iff cost_of_response < cost_of_inaction; the attacker then
// attacks iff gain > cost_if_opposed (iff gain > 0 when it does not).
func TestOneGuarantorClosedForm(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 2000; trial++ {
		cr, ci := float64(rng.Intn(11)-2), float64(rng.Intn(11)-2)
		gain, coi := float64(rng.Intn(11)-2), float64(rng.Intn(11))
		if trial%2 == 0 { // fractions too
			cr, ci, gain, coi = cr/4, ci/3, gain/2, coi/5
		}
		g := &settlement.Guarantee{ID: "g", Deters: "RU", Guarantors: []string{"US"},
			Decision: &settlement.Decision{Kind: settlement.Any, Members: []string{"US"}},
			Credibility: &settlement.Credibility{
				Aggressor:  &settlement.Costs{Gain: gain, CostIfOpposed: coi, HasGain: true, HasCostIfOpposed: true},
				Guarantors: map[string]*settlement.Costs{"US": {CostOfResponse: cr, CostOfInaction: ci, HasCostOfResponse: true, HasCostOfInac: true}},
				Order:      []string{"US"}}}
		_, o := solveEngine(t, g)
		responds := exact(cr).Cmp(exact(ci)) < 0
		attack := exact(gain).Sign() > 0
		if responds {
			attack = exact(gain).Cmp(exact(coi)) > 0
		}
		if o.Activated != responds || o.Attack != attack {
			t.Fatalf("cr %g ci %g gain %g coi %g: activated %v attack %v, want %v %v", cr, ci, gain, coi, o.Activated, o.Attack, responds, attack)
		}
	}
}

// TestSensitivityAgainstTreeSearch checks every interval and threshold of
// random games: at each end point, just inside each end and in the
// middle, the tree search gives the interval's outcome; and the stated
// changes hold on the side they say, and not at the threshold itself
// unless inclusive.
func TestSensitivityAgainstTreeSearch(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	players := []string{"A", "B", "C", "D", "E"}
	eps := big.NewRat(1, 1000)
	n := 0
	for n < 150 {
		g := randomGuarantee(rng, players[:1+rng.Intn(len(players))])
		c, o := solveEngine(t, g)
		if o == nil {
			continue
		}
		n++
		for _, p := range c.Params() {
			s, err := c.Sensitivity(context.Background(), p, 1<<24)
			if err != nil {
				t.Fatal(err)
			}
			tree := func(v *big.Rat) treeOutcome { return bruteTree(setCost(g, p, v)) }
			check := func(v *big.Rat, want *Outcome, what string) {
				got := tree(v)
				if got.attack != want.Attack || got.activated != want.Activated || strings.Join(got.responders, " ") != strings.Join(want.Responders, " ") {
					t.Fatalf("%s %s: %s at %s: tree search %+v, interval says %+v", Describe(g.Decision), p, what, v.RatString(), got, want)
				}
			}
			for i, iv := range s.Intervals {
				if i > 0 && iv.Outcome.Same(s.Intervals[i-1].Outcome) {
					t.Fatalf("%s: adjacent intervals with the same outcome", p)
				}
				if iv.Lo != nil {
					if iv.LoClosed {
						check(iv.Lo, iv.Outcome, "closed lower end")
					}
					check(new(big.Rat).Add(iv.Lo, eps), iv.Outcome, "just above the lower end")
				}
				if iv.Hi != nil {
					if iv.HiClosed {
						check(iv.Hi, iv.Outcome, "closed upper end")
					}
					check(new(big.Rat).Sub(iv.Hi, eps), iv.Outcome, "just below the upper end")
				}
				if iv.Lo == nil && iv.Hi != nil {
					check(new(big.Rat).Sub(iv.Hi, big.NewRat(1000, 1)), iv.Outcome, "far below")
				}
				if iv.Hi == nil && iv.Lo != nil {
					check(new(big.Rat).Add(iv.Lo, big.NewRat(1000, 1)), iv.Outcome, "far above")
				}
			}
			now := tree(s.Value)
			for _, ch := range []*Change{s.Up, s.Down} {
				if ch == nil {
					continue
				}
				at := tree(ch.At)
				changed := at.attack != now.attack || at.activated != now.activated
				if changed != ch.Inclusive {
					t.Fatalf("%s: at the threshold %s the verdict changed = %v, Inclusive = %v", p, ch.At.RatString(), changed, ch.Inclusive)
				}
			}
		}
	}
}

// setCost returns a copy of the guarantee with one cost changed.
func setCost(g *settlement.Guarantee, p Param, v *big.Rat) *settlement.Guarantee {
	f, _ := v.Float64()
	h := *g
	c := *g.Credibility
	a := *c.Aggressor
	c.Aggressor = &a
	c.Guarantors = map[string]*settlement.Costs{}
	for k, x := range g.Credibility.Guarantors {
		y := *x
		c.Guarantors[k] = &y
	}
	switch p.Key {
	case "gain":
		a.Gain = f
	case "cost_if_opposed":
		a.CostIfOpposed = f
	case "cost_of_response":
		c.Guarantors[p.Party].CostOfResponse = f
	case "cost_of_inaction":
		c.Guarantors[p.Party].CostOfInaction = f
	}
	h.Credibility = &c
	return &h
}

func TestMissingCosts(t *testing.T) {
	g := &settlement.Guarantee{ID: "g", Deters: "RU", Guarantors: []string{"US", "FR"},
		Decision: &settlement.Decision{Kind: settlement.Unanimity, Members: []string{"FR", "US", "DE"}},
		Credibility: &settlement.Credibility{
			Aggressor:  &settlement.Costs{Gain: 5, HasGain: true},
			Guarantors: map[string]*settlement.Costs{"US": {CostOfResponse: 1, HasCostOfResponse: true}, "FR": {CostOfResponse: 1, CostOfInaction: 2, HasCostOfResponse: true, HasCostOfInac: true}}}}
	got := fmt.Sprint(MissingCosts(g))
	want := "[the aggressor RU (cost_if_opposed) US (cost_of_inaction) DE (cost_of_response, cost_of_inaction)]"
	if got != want {
		t.Errorf("MissingCosts = %s, want %s", got, want)
	}
	game, _ := Compile(g.Decision)
	if _, err := NewCredibility(g, game); err == nil || !strings.Contains(err.Error(), "DE (cost_of_response, cost_of_inaction)") {
		t.Errorf("NewCredibility = %v, want ErrMissingCosts naming DE", err)
	}
	if got := strings.Join(Movers(g), " "); got != "US FR DE" {
		t.Errorf("Movers = %s, want US FR DE (guarantors first, then the rule's order)", got)
	}
	g.Credibility = nil
	if MissingCosts(g) != nil {
		t.Error("MissingCosts without costs should be nil: no game, no finding")
	}
}
