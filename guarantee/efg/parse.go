package efg

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// MaxNodes and MaxDepth bound what [Parse] reads.
const (
	MaxNodes = 1 << 22
	MaxDepth = 1 << 12
)

// ErrSyntax is the sentinel of every [*SyntaxError].
var ErrSyntax = errors.New("efg syntax error")

// SyntaxError is a problem in an .efg file, at a line and column (1-based,
// columns in characters).
type SyntaxError struct {
	Name      string
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// Unwrap returns [ErrSyntax].
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tString
	tNumber
	tOpen
	tClose
)

type token struct {
	kind      tokKind
	text      string
	line, col int
}

type parser struct {
	name  string
	src   string
	off   int
	line  int
	col   int
	tok   token
	nodes int
	g     *Game
	// declared information sets, by player (0 for chance) and number,
	// and outcomes, for repeats
	infosets map[[2]int]*Node
	outcomes map[int]*Node
}

// Parse reads an .efg file. name is used in error messages.
func Parse(name string, src []byte) (*Game, error) {
	if !utf8.Valid(src) {
		return nil, &SyntaxError{Name: name, Line: 1, Col: 1, Msg: "the file is not UTF-8 text"}
	}
	p := &parser{name: name, src: string(src), line: 1, col: 1,
		infosets: map[[2]int]*Node{}, outcomes: map[int]*Node{}}
	if err := p.next(); err != nil {
		return nil, err
	}
	return p.game()
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return &SyntaxError{Name: p.name, Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) advance(r rune, size int) {
	p.off += size
	if r == '\n' {
		p.line++
		p.col = 1
	} else {
		p.col++
	}
}

// next reads the next token into p.tok. Commas are separators, like
// whitespace (Gambit writes "{ 1, 2 }" between payoffs).
func (p *parser) next() error {
	for p.off < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.off:])
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == ',' {
			p.advance(r, size)
			continue
		}
		break
	}
	t := token{line: p.line, col: p.col}
	if p.off >= len(p.src) {
		t.kind = tEOF
		p.tok = t
		return nil
	}
	r, size := utf8.DecodeRuneInString(p.src[p.off:])
	switch {
	case r == '{':
		p.advance(r, size)
		t.kind, t.text = tOpen, "{"
	case r == '}':
		p.advance(r, size)
		t.kind, t.text = tClose, "}"
	case r == '"':
		p.advance(r, size)
		var b strings.Builder
		for {
			if p.off >= len(p.src) {
				return p.errorf(t, "unterminated label: add the closing \"")
			}
			r, size = utf8.DecodeRuneInString(p.src[p.off:])
			p.advance(r, size)
			if r == '"' {
				break
			}
			if r == '\\' && p.off < len(p.src) {
				r, size = utf8.DecodeRuneInString(p.src[p.off:])
				p.advance(r, size)
			}
			b.WriteRune(r)
		}
		t.kind, t.text = tString, b.String()
	case r == '-' || r == '+' || r == '.' || (r >= '0' && r <= '9'):
		start := p.off
		for p.off < len(p.src) {
			r, size = utf8.DecodeRuneInString(p.src[p.off:])
			if r == '-' || r == '+' || r == '.' || r == '/' || r == 'e' || r == 'E' || (r >= '0' && r <= '9') {
				p.advance(r, size)
				continue
			}
			break
		}
		t.kind, t.text = tNumber, p.src[start:p.off]
	case r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z':
		start := p.off
		for p.off < len(p.src) {
			r, size = utf8.DecodeRuneInString(p.src[p.off:])
			if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				p.advance(r, size)
				continue
			}
			break
		}
		t.kind, t.text = tWord, p.src[start:p.off]
	default:
		return p.errorf(t, "unexpected character %q", r)
	}
	p.tok = t
	return nil
}

func (p *parser) expectWord(w string) error {
	if p.tok.kind != tWord || p.tok.text != w {
		return p.errorf(p.tok, "expected %s, found %s", w, p.describe())
	}
	return p.next()
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tEOF:
		return "the end of the file"
	case tString:
		return fmt.Sprintf("the label %q", p.tok.text)
	}
	return fmt.Sprintf("%q", p.tok.text)
}

func (p *parser) str(what string) (string, error) {
	if p.tok.kind != tString {
		return "", p.errorf(p.tok, "expected %s (a double-quoted label), found %s", what, p.describe())
	}
	s := p.tok.text
	return s, p.next()
}

func (p *parser) integer(what string, min int) (int, error) {
	t := p.tok
	if t.kind != tNumber {
		return 0, p.errorf(t, "expected %s (a whole number), found %s", what, p.describe())
	}
	var n int
	if _, err := fmt.Sscanf(t.text, "%d", &n); err != nil || fmt.Sprint(n) != strings.TrimPrefix(t.text, "+") || n < min {
		return 0, p.errorf(t, "%s must be a whole number of at least %d, not %s", what, min, t.text)
	}
	return n, p.next()
}

// number reads an integer, decimal or rational, exactly.
func (p *parser) number(what string) (*big.Rat, error) {
	t := p.tok
	if t.kind != tNumber {
		return nil, p.errorf(t, "expected %s (a number such as 3, -1.5 or 2/3), found %s", what, p.describe())
	}
	if len(t.text) > 200 {
		return nil, p.errorf(t, "%s: number too long", what)
	}
	text := t.text
	if strings.ContainsAny(text, "eE") {
		return nil, p.errorf(t, "%s: write %s without an exponent", what, text)
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, p.errorf(t, "%s: %q is not a number (integer, decimal or p/q)", what, text)
	}
	return r, p.next()
}

func (p *parser) game() (*Game, error) {
	if err := p.expectWord("EFG"); err != nil {
		return nil, err
	}
	if p.tok.kind != tNumber || p.tok.text != "2" {
		return nil, p.errorf(p.tok, "expected the version 2, found %s", p.describe())
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if err := p.expectWord("R"); err != nil {
		return nil, err
	}
	g := &Game{}
	p.g = g
	var err error
	if g.Title, err = p.str("the title"); err != nil {
		return nil, err
	}
	if p.tok.kind != tOpen {
		return nil, p.errorf(p.tok, "expected { and the players' names, found %s", p.describe())
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	for p.tok.kind == tString {
		g.Players = append(g.Players, p.tok.text)
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	if p.tok.kind != tClose {
		return nil, p.errorf(p.tok, "expected a player's name or }, found %s", p.describe())
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tString {
		g.Comment = p.tok.text
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	root, err := p.node(0)
	if err != nil {
		return nil, err
	}
	g.Root = root
	if p.tok.kind != tEOF {
		return nil, p.errorf(p.tok, "unexpected %s after the last node of the tree", p.describe())
	}
	return g, nil
}

func (p *parser) node(depth int) (*Node, error) {
	t := p.tok
	if depth > MaxDepth {
		return nil, p.errorf(t, "the tree is more than %d levels deep", MaxDepth)
	}
	p.nodes++
	if p.nodes > MaxNodes {
		return nil, p.errorf(t, "more than %d nodes", MaxNodes)
	}
	if t.kind != tWord || (t.text != "p" && t.text != "c" && t.text != "t") {
		return nil, p.errorf(t, "expected a node (p, c or t), found %s", p.describe())
	}
	n := &Node{Kind: Kind(t.text[0])}
	if err := p.next(); err != nil {
		return nil, err
	}
	var err error
	if n.Name, err = p.str("the node's name"); err != nil {
		return nil, err
	}
	if n.Kind == Personal {
		at := p.tok
		if n.Player, err = p.integer("the player", 1); err != nil {
			return nil, err
		}
		if n.Player > len(p.g.Players) {
			return nil, p.errorf(at, "player %d: the game has %d players", n.Player, len(p.g.Players))
		}
	}
	if n.Kind != Terminal {
		if err := p.infoset(n); err != nil {
			return nil, err
		}
	}
	if err := p.outcome(n); err != nil {
		return nil, err
	}
	if n.Kind == Terminal {
		return n, nil
	}
	for range n.Actions {
		c, err := p.node(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, c)
	}
	return n, nil
}

// infoset reads an information set's number and, unless it repeats one
// already declared, its name and actions. Information sets are numbered
// within their player, or among chance nodes (n.Player is 0).
func (p *parser) infoset(n *Node) error {
	at := p.tok
	var err error
	if n.Infoset, err = p.integer("the information set", 1); err != nil {
		return err
	}
	key := [2]int{n.Player, n.Infoset}
	prev := p.infosets[key]
	if p.tok.kind != tString {
		if prev == nil {
			return p.errorf(at, "information set %d is used before it is described: give its name and actions", n.Infoset)
		}
		n.InfosetName, n.Actions, n.Probs = prev.InfosetName, prev.Actions, prev.Probs
		return nil
	}
	if n.InfosetName, err = p.str("the information set's name"); err != nil {
		return err
	}
	if p.tok.kind != tOpen {
		return p.errorf(p.tok, "expected { and the actions, found %s", p.describe())
	}
	if err := p.next(); err != nil {
		return err
	}
	for p.tok.kind == tString {
		n.Actions = append(n.Actions, p.tok.text)
		if err := p.next(); err != nil {
			return err
		}
		if n.Kind == Chance {
			pr, err := p.number("the action's probability")
			if err != nil {
				return err
			}
			n.Probs = append(n.Probs, pr)
		}
	}
	if p.tok.kind != tClose {
		return p.errorf(p.tok, "expected an action's label or }, found %s", p.describe())
	}
	if len(n.Actions) == 0 {
		return p.errorf(p.tok, "information set %d has no actions", n.Infoset)
	}
	if err := p.next(); err != nil {
		return err
	}
	if prev != nil && !sameActions(prev, n) {
		return p.errorf(at, "information set %d is described twice, differently", n.Infoset)
	}
	p.infosets[key] = n
	return nil
}

func sameActions(a, b *Node) bool {
	if a.InfosetName != b.InfosetName || len(a.Actions) != len(b.Actions) {
		return false
	}
	for i := range a.Actions {
		if a.Actions[i] != b.Actions[i] {
			return false
		}
		if a.Probs != nil && a.Probs[i].Cmp(b.Probs[i]) != 0 {
			return false
		}
	}
	return true
}

// outcome reads an outcome's number and, unless it is 0 or repeats one
// already described, its name and payoffs.
func (p *parser) outcome(n *Node) error {
	at := p.tok
	var err error
	if n.Outcome, err = p.integer("the outcome", 0); err != nil {
		return err
	}
	if n.Outcome == 0 {
		return nil
	}
	prev := p.outcomes[n.Outcome]
	if p.tok.kind != tString {
		if prev == nil {
			return p.errorf(at, "outcome %d is used before it is described: give its name and payoffs", n.Outcome)
		}
		n.OutcomeName, n.Payoffs = prev.OutcomeName, prev.Payoffs
		return nil
	}
	if n.OutcomeName, err = p.str("the outcome's name"); err != nil {
		return err
	}
	if p.tok.kind != tOpen {
		return p.errorf(p.tok, "expected { and the payoffs, found %s", p.describe())
	}
	if err := p.next(); err != nil {
		return err
	}
	for p.tok.kind == tNumber {
		r, err := p.number("a payoff")
		if err != nil {
			return err
		}
		n.Payoffs = append(n.Payoffs, r)
	}
	if p.tok.kind != tClose {
		return p.errorf(p.tok, "expected a payoff or }, found %s", p.describe())
	}
	if len(n.Payoffs) != len(p.g.Players) {
		return p.errorf(at, "outcome %d has %d payoffs for %d players", n.Outcome, len(n.Payoffs), len(p.g.Players))
	}
	if err := p.next(); err != nil {
		return err
	}
	if prev != nil {
		same := prev.OutcomeName == n.OutcomeName
		for i := range n.Payoffs {
			same = same && prev.Payoffs[i].Cmp(n.Payoffs[i]) == 0
		}
		if !same {
			return p.errorf(at, "outcome %d is described twice, differently", n.Outcome)
		}
	}
	p.outcomes[n.Outcome] = n
	return nil
}
