package guarantee

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/entente-org/entente/guarantee/efg"
)

// MaxEFGMovers bounds the movers of a game written as an .efg tree: the
// tree has 2^movers + 1 leaves.
const MaxEFGMovers = 16

// Action labels of the exported tree. At every node the passive choice
// comes first, so that "take the first action when indifferent" is the
// tie rule of the credibility game.
const (
	ActRefrain = "refrain"
	ActAttack  = "attack"
	ActAbstain = "abstain"
	ActRespond = "respond"
)

// EFG returns the game as a Gambit extensive game with perfect
// information: the attacker's choice (refrain, attack), then each mover's
// (abstain, respond) in the order of play, every node its own information
// set, and at every leaf the exact payoff of every player. title names the
// game. Players are the attacker, then the movers other than the
// attacker.
func (c *Credibility) EFG(title string) (*efg.Game, error) {
	if len(c.Movers) > MaxEFGMovers {
		return nil, &TooLargeError{What: "the .efg tree (movers)", Need: float64(len(c.Movers)), Limit: MaxEFGMovers,
			Hint: "the tree has 2^movers leaves; the equilibrium is still computed without it"}
	}
	players := []string{c.Attacker}
	num := make([]int, len(c.Movers)) // player number of each mover
	for k, m := range c.Movers {
		if k == c.attacker {
			num[k] = 1
			continue
		}
		players = append(players, m)
		num[k] = len(players)
	}
	g := &efg.Game{Title: title, Players: players,
		Comment: fmt.Sprintf("Credibility game: %s attacks or refrains; then %s each respond or abstain, in this order, seeing the earlier choices. The first action at each node is the passive one, taken when indifferent.",
			c.Attacker, strings.Join(c.Movers, ", "))}
	infosets := make([]int, len(players)+1)
	outcomes := 0
	newOutcome := func(name string, pay []*big.Rat) *efg.Node {
		outcomes++
		return &efg.Node{Kind: efg.Terminal, Outcome: outcomes, OutcomeName: name, Payoffs: pay}
	}
	zero := make([]*big.Rat, len(players))
	for i := range zero {
		zero[i] = new(big.Rat)
	}
	refrain := newOutcome(ActRefrain, zero)
	refrain.Name = ActRefrain
	infosets[1]++
	root := &efg.Node{Kind: efg.Personal, Name: c.Attacker + " decides", Player: 1, Infoset: infosets[1],
		InfosetName: c.Attacker + ": attack?", Actions: []string{ActRefrain, ActAttack}}
	responded := make([]bool, len(c.Movers))
	var build func(k, state int) *efg.Node
	build = func(k, state int) *efg.Node {
		if k == len(c.Movers) {
			act := c.game.winsState(state)
			pay := make([]*big.Rat, len(players))
			pay[0] = c.attackPayoff(act, c.attacker >= 0 && responded[c.attacker])
			var who []string
			for j, m := range c.Movers {
				if responded[j] {
					who = append(who, m)
				}
				if j != c.attacker {
					pay[num[j]-1] = c.moverPayoff(j, act, responded[j])
				}
			}
			name := "not activated"
			if act {
				name = "activated"
			}
			if len(who) > 0 {
				name += "; responders " + strings.Join(who, " ")
			} else {
				name += "; no responder"
			}
			t := newOutcome(name, pay)
			return t
		}
		p := num[k]
		infosets[p]++
		n := &efg.Node{Kind: efg.Personal, Name: c.Movers[k] + " decides", Player: p, Infoset: infosets[p],
			InfosetName: fmt.Sprintf("%s: respond? (set %d)", c.Movers[k], infosets[p]), Actions: []string{ActAbstain, ActRespond}}
		responded[k] = false
		n.Children = append(n.Children, build(k+1, state))
		responded[k] = true
		n.Children = append(n.Children, build(k+1, c.game.add(state, c.voter[k])))
		responded[k] = false
		return n
	}
	root.Children = []*efg.Node{refrain, build(0, 0)}
	g.Root = root
	return g, nil
}
