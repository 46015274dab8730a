package efg

import (
	"bytes"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files in testdata are the sample of Gambit's manual ("The extensive
// game (.efg) file format", bayes1a.efg) and nim.efg from Gambit's
// documentation (doc/_static/games): chance nodes, decimals, repeated
// outcomes and information sets.
func TestParseGambitSamples(t *testing.T) {
	tests := []struct {
		file              string
		players, leaves   int
		firstPayoff       string
		secondPlayerFirst string
	}{
		{"bayes1a.efg", 2, 16, "10", "h"},
		{"nim.efg", 2, 8, "1", "TAKE 1"},
	}
	for _, tt := range tests {
		src, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		g, err := Parse(tt.file, src)
		if err != nil {
			t.Fatalf("Parse(%s): %v", tt.file, err)
		}
		if len(g.Players) != tt.players {
			t.Errorf("Parse(%s): %d players, want %d", tt.file, len(g.Players), tt.players)
		}
		leaves := 0
		var first *Node
		var walk func(n *Node)
		walk = func(n *Node) {
			if n.Kind == Terminal {
				leaves++
				if first == nil {
					first = n
				}
			}
			for _, c := range n.Children {
				walk(c)
			}
		}
		walk(g.Root)
		if leaves != tt.leaves {
			t.Errorf("Parse(%s): %d leaves, want %d", tt.file, leaves, tt.leaves)
		}
		if got := first.Payoffs[0].RatString(); got != tt.firstPayoff {
			t.Errorf("Parse(%s): first payoff %s, want %s", tt.file, got, tt.firstPayoff)
		}
		// Writing and reading again gives the same tree.
		var buf bytes.Buffer
		if err := Write(&buf, g); err != nil {
			t.Fatal(err)
		}
		h, err := Parse("again", buf.Bytes())
		if err != nil {
			t.Fatalf("Parse(Write(%s)): %v\n%s", tt.file, err, buf.String())
		}
		var b2 bytes.Buffer
		if err := Write(&b2, h); err != nil {
			t.Fatal(err)
		}
		if b2.String() != buf.String() {
			t.Errorf("%s does not round-trip:\n%s\n---\n%s", tt.file, buf.String(), b2.String())
		}
	}
}

func TestQuoteAndNumbers(t *testing.T) {
	g := &Game{Title: `a "quoted" \ title`, Players: []string{`P "1"`}, Root: &Node{Kind: Terminal, Outcome: 1, OutcomeName: "o",
		Payoffs: []*big.Rat{big.NewRat(-7, 3)}}}
	var buf bytes.Buffer
	if err := Write(&buf, g); err != nil {
		t.Fatal(err)
	}
	want := "EFG 2 R \"a \\\"quoted\\\" \\\\ title\" { \"P \\\"1\\\"\" }\n\"\"\n\nt \"\" 1 \"o\" { -7/3 }\n"
	if buf.String() != want {
		t.Errorf("Write = %q, want %q", buf.String(), want)
	}
	h, err := Parse("q", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if h.Title != g.Title || h.Players[0] != g.Players[0] || h.Root.Payoffs[0].Cmp(big.NewRat(-7, 3)) != 0 {
		t.Errorf("Parse(Write) = %+v", h)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"", "1:1: expected EFG"},
		{"EFG 3 R \"\" { }", "1:5: expected the version 2"},
		{"EFG 2 R \"t\" { \"A\" }\n\"\"\np \"\" 2 1 \"s\" { \"x\" } 0\n", "3:6: player 2: the game has 1 players"},
		{"EFG 2 R \"t\" { \"A\" }\nt \"\" 1 \"o\" { 1 2 }\n", "2:6: outcome 1 has 2 payoffs for 1 players"},
		{"EFG 2 R \"t\" { \"A\" }\nt \"\" 1\n", "2:6: outcome 1 is used before it is described"},
		{"EFG 2 R \"t\" { \"A\" }\np \"\" 1 1 \"s\" { \"x\" \"y\" } 0\nt \"\" 0\n", "expected a node (p, c or t), found the end of the file"},
		{"EFG 2 R \"t { }", "unterminated label"},
		{"EFG 2 R \"t\" { \"A\" }\nt \"\" 1 \"o\" { 1e999999 }\n", "without an exponent"},
		{"EFG 2 R \"t\" { \"A\" }\nt \"\" 0\nt \"\" 0\n", "3:1: unexpected"},
	}
	for _, tt := range tests {
		_, err := Parse("f.efg", []byte(tt.src))
		if err == nil || !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.src, err, tt.want)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts writes and reads
// back to the same text.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"bayes1a.efg", "nim.efg"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("EFG 2 R \"t\" { \"A\" \"B\" }\n\"\"\np \"\" 1 1 \"s\" { \"x\" \"y\" } 0\nt \"\" 1 \"o\" { 1/2 -3 }\nt \"\" 2 \"p\" { 0, 0 }\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		g, err := Parse("fuzz", src)
		if err != nil {
			return
		}
		var a, b bytes.Buffer
		if err := Write(&a, g); err != nil {
			return // e.g. an outcome whose payoffs were omitted at its only use
		}
		h, err := Parse("again", a.Bytes())
		if err != nil {
			t.Fatalf("Parse(Write(g)): %v\n%s", err, a.String())
		}
		if err := Write(&b, h); err != nil || a.String() != b.String() {
			t.Fatalf("not a fixed point:\n%s\n---\n%s", a.String(), b.String())
		}
	})
}
