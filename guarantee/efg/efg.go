// Package efg reads and writes extensive games in Gambit's .efg format
// (version 2, "EFG 2 R"), as documented in Gambit's manual, "The extensive
// game (.efg) file format".
//
// # The format
//
// A file is a prologue and a body. The prologue is the token EFG, the
// version 2, the letter R, the game's title in double quotes, the players'
// names in braces ({ "Player 1" "Player 2" }) and a comment in double
// quotes. The body lists the nodes of the tree in prefix order (a node,
// then the subtrees of its children from first to last), one per line as
// Gambit writes them:
//
//	p "name" PLAYER INFOSET "infoset name" { "action" "action" } OUTCOME
//	c "name" INFOSET "infoset name" { "action" PROB "action" PROB } OUTCOME
//	t "name" OUTCOME "outcome name" { PAYOFF PAYOFF }
//
// Players and information sets are numbered from 1; outcome 0 is the null
// outcome, which has no name and no payoffs. Labels are double-quoted,
// with \" for a quote inside (and \\ for a backslash). Numbers may be
// integers, decimals or rationals (3/4); Gambit reads them all exactly.
// An information set or outcome that appears again may omit its
// description; when repeated it must match.
//
// [Write] writes every label quoted and every payoff as an exact rational
// (an integer when it is one). [Parse] reads what Write writes and the
// files Gambit's own examples use (commas between payoffs, repeated
// descriptions omitted, decimals), reporting errors with line and column.
package efg

import (
	"bufio"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// Game is an extensive game.
type Game struct {
	Title   string
	Comment string
	Players []string
	Root    *Node
}

// Kind is the kind of a node.
type Kind byte

// The kinds of node.
const (
	Personal Kind = 'p'
	Chance   Kind = 'c'
	Terminal Kind = 't'
)

// Node is a node of the game tree.
type Node struct {
	Kind Kind
	Name string
	// Player is the 1-based number of the player who moves (personal
	// nodes only).
	Player int
	// Infoset is the information set's number, unique within the player
	// (or among chance nodes); InfosetName its label.
	Infoset     int
	InfosetName string
	// Actions label the moves; Probs are the chance probabilities.
	Actions []string
	Probs   []*big.Rat
	// Outcome is the outcome's number (0: none), OutcomeName its label,
	// Payoffs one per player.
	Outcome     int
	OutcomeName string
	Payoffs     []*big.Rat
	// Children, one per action.
	Children []*Node
}

// Quote returns s as an .efg label: in double quotes, with quotes and
// backslashes escaped by a backslash.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Number formats an exact rational as .efg writes it: an integer, or p/q.
func Number(r *big.Rat) string { return r.RatString() }

// Write writes the game in .efg format, one node per line.
func Write(w io.Writer, g *Game) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "EFG 2 R %s {", Quote(g.Title))
	for _, p := range g.Players {
		fmt.Fprintf(bw, " %s", Quote(p))
	}
	fmt.Fprintf(bw, " }\n%s\n\n", Quote(g.Comment))
	var walk func(n *Node) error
	walk = func(n *Node) error {
		switch n.Kind {
		case Personal:
			fmt.Fprintf(bw, "p %s %d %d %s {", Quote(n.Name), n.Player, n.Infoset, Quote(n.InfosetName))
			for _, a := range n.Actions {
				fmt.Fprintf(bw, " %s", Quote(a))
			}
			fmt.Fprintf(bw, " } %d", n.Outcome)
		case Chance:
			fmt.Fprintf(bw, "c %s %d %s {", Quote(n.Name), n.Infoset, Quote(n.InfosetName))
			for i, a := range n.Actions {
				fmt.Fprintf(bw, " %s %s", Quote(a), Number(n.Probs[i]))
			}
			fmt.Fprintf(bw, " } %d", n.Outcome)
		case Terminal:
			fmt.Fprintf(bw, "t %s %d", Quote(n.Name), n.Outcome)
		default:
			return fmt.Errorf("write efg: node of unknown kind %q", n.Kind)
		}
		if n.Outcome != 0 {
			if len(n.Payoffs) != len(g.Players) {
				return fmt.Errorf("write efg: outcome %d has %d payoffs for %d players", n.Outcome, len(n.Payoffs), len(g.Players))
			}
			fmt.Fprintf(bw, " %s {", Quote(n.OutcomeName))
			for _, p := range n.Payoffs {
				fmt.Fprintf(bw, " %s", Number(p))
			}
			fmt.Fprint(bw, " }")
		}
		fmt.Fprintln(bw)
		if n.Kind != Terminal && len(n.Children) != len(n.Actions) {
			return fmt.Errorf("write efg: node %q has %d actions and %d children", n.Name, len(n.Actions), len(n.Children))
		}
		for _, c := range n.Children {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if g.Root == nil {
		return fmt.Errorf("write efg: the game has no root")
	}
	if err := walk(g.Root); err != nil {
		return err
	}
	return bw.Flush()
}
