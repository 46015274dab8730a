package guarantee

import (
	"bytes"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/entente-org/entente/guarantee/efg"
)

// solveTree solves a parsed perfect-information .efg tree by backward
// induction, taking the first action when a player is indifferent (the
// export lists the passive action first). It returns the payoff vector and
// the actions along the equilibrium path from the root, and, for the
// subtree after the root's second action (the attack), its path.
func solveTree(n *efg.Node) ([]*big.Rat, []string) {
	if n.Kind == efg.Terminal {
		return n.Payoffs, nil
	}
	var best []*big.Rat
	var bestPath []string
	for i, c := range n.Children {
		pay, path := solveTree(c)
		if best == nil || pay[n.Player-1].Cmp(best[n.Player-1]) > 0 {
			best, bestPath = pay, append([]string{n.Actions[i]}, path...)
		}
	}
	return best, bestPath
}

// TestEFGRoundTrip writes the credibility games of random guarantees in
// Gambit's format, parses each file back, solves the parsed tree and
// compares with the engine: the attack decision, the plan after an attack
// (who responds) and every player's payoff after an attack.
func TestEFGRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(23))
	players := []string{"A", "B", "C", "D", "E", "F"}
	n := 0
	for n < 300 {
		g := randomGuarantee(rng, players[:1+rng.Intn(len(players))])
		c, o := solveEngine(t, g)
		if o == nil {
			continue
		}
		n++
		game, err := c.EFG("test")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := efg.Write(&buf, game); err != nil {
			t.Fatal(err)
		}
		text := buf.String()
		if !strings.HasPrefix(text, "EFG 2 R \"test\" {") {
			t.Fatalf("prologue: %q", text[:40])
		}
		parsed, err := efg.Parse("g.efg", buf.Bytes())
		if err != nil {
			t.Fatalf("Parse: %v\n%s", err, text)
		}
		if want := 1<<len(c.Movers) + 1; countLeaves(parsed.Root) != want {
			t.Fatalf("%d leaves, want %d", countLeaves(parsed.Root), want)
		}
		_, path := solveTree(parsed.Root)
		if attack := path[0] == ActAttack; attack != o.Attack {
			t.Fatalf("%s: parsed tree attack = %v, engine %v\n%s", Describe(g.Decision), attack, o.Attack, text)
		}
		// The plan after an attack: solve the attack subtree.
		afterPay, after := solveTree(parsed.Root.Children[1])
		var resp []string
		for k, a := range after {
			if a == ActRespond {
				resp = append(resp, c.Movers[k])
			}
		}
		if strings.Join(resp, " ") != strings.Join(o.Responders, " ") {
			t.Fatalf("%s: parsed tree responders %v, engine %v\n%s", Describe(g.Decision), resp, o.Responders, text)
		}
		for i, p := range parsed.Players {
			if afterPay[i].Cmp(o.AfterAttack[p]) != 0 {
				t.Fatalf("payoff of %s after attack: tree %s, engine %s", p, afterPay[i].RatString(), o.AfterAttack[p].RatString())
			}
		}
	}
}

func countLeaves(n *efg.Node) int {
	if n.Kind == efg.Terminal {
		return 1
	}
	s := 0
	for _, c := range n.Children {
		s += countLeaves(c)
	}
	return s
}
