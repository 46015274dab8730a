package guarantee

import (
	"github.com/entente-org/entente/settlement"
)

// Coalition is a set of parties that agree to activate a guarantee.
type Coalition map[string]bool

// Grand returns the coalition of every voter of the rule.
func Grand(d *settlement.Decision) Coalition {
	c := Coalition{}
	for _, v := range d.Voters() {
		c[v] = true
	}
	return c
}

// CanActivate reports whether some coalition activates the guarantee: the
// grand coalition wins (decision rules are monotone, so nothing else can
// win when it does not).
func CanActivate(d *settlement.Decision) bool {
	return d != nil && d.Wins(Grand(d))
}

// VetoPlayers returns the voters that belong to every winning coalition,
// in order of first appearance in the rule. Decision rules are monotone
// (weights are not negative), so a voter is a veto player exactly when the
// grand coalition without it loses. When no coalition wins, every voter is
// vacuously a veto player; check [CanActivate] first.
func VetoPlayers(d *settlement.Decision) []string {
	if d == nil {
		return nil
	}
	if g, err := Compile(d); err == nil {
		return g.vetoPlayers()
	}
	// A rule the engine rejects (the validator reports why) is still
	// analysed, from its definition.
	grand := Grand(d)
	var out []string
	for _, v := range d.Voters() {
		grand[v] = false
		if !d.Wins(grand) {
			out = append(out, v)
		}
		grand[v] = true
	}
	return out
}

// IsVeto reports whether party p can block activation on its own: it is a
// voter of the rule, some coalition wins, and none wins without p.
func IsVeto(d *settlement.Decision, p string) bool {
	if d == nil || !CanActivate(d) {
		return false
	}
	if g, err := Compile(d); err == nil {
		i := g.Index(p)
		return i >= 0 && !g.winsWithout(i)
	}
	grand := Grand(d)
	if !grand[p] {
		return false
	}
	grand[p] = false
	return !d.Wins(grand)
}

// vetoPlayers returns the voters without whom the grand coalition loses:
// one evaluation of the rule on the leaves' weight totals per voter.
func (g *Game) vetoPlayers() []string {
	var out []string
	for i, v := range g.Voters {
		if !g.winsWithout(i) {
			out = append(out, v)
		}
	}
	return out
}

// winsWithout reports whether every voter but i together win.
func (g *Game) winsWithout(i int) bool {
	sums := make([]int64, len(g.leaves))
	for l, lf := range g.leaves {
		sums[l] = lf.total
	}
	for _, c := range g.contrib[i] {
		sums[c.leaf] -= c.weight
	}
	return g.winsSums(g.root, sums)
}
