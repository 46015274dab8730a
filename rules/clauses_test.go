package rules

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// smallIssues are issues with small domains, so that every package can be
// enumerated: 3 * 2 * 4 * 4 * 8 = 768 packages.
func smallIssues() []Issue {
	return []Issue{
		{ID: "e", Kind: Enum, Options: []string{"ab", "ba", "c"}},
		{ID: "f", Kind: Enum, Options: []string{"x", "y"}},
		{ID: "r", Kind: Range, Min: -2, Max: 4, Step: 2},
		{ID: "s", Kind: Range, Min: 0, Max: 3, Step: 1},
		{ID: "u", Kind: Subset, Items: []string{"a", "b", "c"}},
	}
}

// allPackages enumerates every package of the issues.
func allPackages(issues []Issue) []Package {
	out := []Package{{}}
	for _, is := range issues {
		var vals []any
		switch is.Kind {
		case Enum:
			for _, o := range is.Options {
				vals = append(vals, o)
			}
		case Range:
			step := is.Step
			if step == 0 {
				step = 1
			}
			for v := is.Min; v <= is.Max; v += step {
				vals = append(vals, v)
			}
		case Subset:
			for mask := 0; mask < 1<<len(is.Items); mask++ {
				set := []string{}
				for i, it := range is.Items {
					if mask&(1<<i) != 0 {
						set = append(set, it)
					}
				}
				vals = append(vals, set)
			}
		}
		var next []Package
		for _, p := range out {
			for _, v := range vals {
				q := Package{}
				for k, x := range p {
					q[k] = x
				}
				q[is.ID] = v
				next = append(next, q)
			}
		}
		out = next
	}
	return out
}

// ruleGen writes random well-typed rules over smallIssues.
type ruleGen struct{ r *rand.Rand }

func (g *ruleGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g *ruleGen) boolean(depth int) string {
	if depth <= 0 {
		switch g.r.Intn(9) {
		case 0:
			if g.r.Intn(2) == 0 {
				return fmt.Sprintf("%s %s %s", g.pick("e", `"c"`), g.pick("==", "!="), g.pick(`"ab"`, "e", `"c"`))
			}
			return fmt.Sprintf("%s %s %s", g.str(1), g.pick("==", "!="), g.str(1))
		case 1:
			if g.r.Intn(2) == 0 {
				return fmt.Sprintf("f in [%s]", g.pick(`"x"`, `"y", "x"`))
			}
			return fmt.Sprintf("e in [%s]", g.pick(`"ab"`, `"c", "ba"`, `"ba", "c", "ab"`))
		case 2:
			return fmt.Sprintf("%s %s %s", g.integer(1), g.pick("==", "!=", "<", "<=", ">", ">="), g.integer(1))
		case 3:
			return fmt.Sprintf("%q in u", g.pick("a", "b", "c"))
		case 4:
			return fmt.Sprintf("u %s %s", g.pick("==", "!="), g.pick(`[]`, `["a"]`, `["a", "c"]`, `["c", "a"]`, `["b", "c"]`))
		case 5:
			return fmt.Sprintf("u.%s(x, x %s %q)", g.pick("all", "exists", "exists_one"), g.pick("==", "!=", "<"), g.pick("a", "b", "c"))
		case 6:
			return fmt.Sprintf("%s.%s(%q)", g.pick("e", "f"), g.pick("startsWith", "endsWith", "contains"), g.pick("a", "b", "x"))
		case 7:
			return fmt.Sprintf("%s %s %s", g.pick("e", "f"), g.pick("<", ">=", ">"), g.pick("e", "f"))
		default:
			return g.pick("true", "false", "r in [0, 4]", "s in [1, 2]", "e in u", `u.map(x, x + "z").exists(y, y == "bz")`)
		}
	}
	switch g.r.Intn(6) {
	case 0:
		return fmt.Sprintf("(%s && %s)", g.boolean(depth-1), g.boolean(depth-1))
	case 1:
		return fmt.Sprintf("(%s || %s)", g.boolean(depth-1), g.boolean(depth-1))
	case 2:
		return fmt.Sprintf("!(%s)", g.boolean(depth-1))
	case 3:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolean(depth-1), g.boolean(depth-1), g.boolean(depth-1))
	case 4:
		return fmt.Sprintf("(%s) == (%s)", g.boolean(depth-1), g.boolean(depth-1))
	}
	return g.boolean(0)
}

func (g *ruleGen) integer(depth int) string {
	if depth <= 0 {
		return g.pick("r", "s", "(1 + 0)", "(0 - 3)", "2", "size(u)", "size(e)", "size(u.filter(x, x != \"b\"))")
	}
	switch g.r.Intn(8) {
	case 0:
		return fmt.Sprintf("(%s + %s)", g.integer(depth-1), g.integer(depth-1))
	case 1:
		return fmt.Sprintf("(%s - %s)", g.integer(depth-1), g.integer(depth-1))
	case 2:
		return fmt.Sprintf("(%s * %s)", g.integer(depth-1), g.integer(depth-1))
	case 3:
		return fmt.Sprintf("(%s %s %s)", g.integer(depth-1), g.pick("/", "%"), g.pick("2", "-3", "(s + 1)"))
	case 4:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolean(0), g.integer(depth-1), g.integer(depth-1))
	case 5:
		return fmt.Sprintf("-(%s)", g.integer(depth-1))
	}
	return g.integer(0)
}

func (g *ruleGen) str(depth int) string {
	if depth <= 0 || g.r.Intn(3) > 0 {
		return g.pick("e", "f", "(true ? e : f)")
	}
	return fmt.Sprintf("(%s ? %s : %s)", g.boolean(0), g.str(depth-1), g.str(depth-1))
}

// TestClausesAgreeWithEval compiles random rules into clauses and checks,
// on every package of a small settlement, that the clauses hold exactly
// when CEL's evaluation of the rule is true.
func TestClausesAgreeWithEval(t *testing.T) {
	env, err := NewEnv(smallIssues())
	if err != nil {
		t.Fatal(err)
	}
	pkgs := allPackages(smallIssues())
	g := &ruleGen{rand.New(rand.NewSource(4))}
	compiled := 0
	for i := 0; i < 1500; i++ {
		expr := g.boolean(1 + i%3)
		rule, probs := env.Compile(expr)
		if len(probs) > 0 {
			t.Fatalf("generated rule %q does not compile: %v", expr, probs)
		}
		cnf, err := rule.Clauses()
		if err != nil {
			t.Fatalf("Clauses(%q): %v", expr, err)
		}
		compiled++
		for _, p := range pkgs {
			want, evalErr := rule.Eval(p)
			got, err := cnf.Eval(p)
			if err != nil {
				t.Fatalf("CNF.Eval: %v", err)
			}
			if evalErr != nil {
				t.Fatalf("rule %q compiled although CEL fails on %v: %v", expr, p, evalErr)
			}
			if got != want {
				t.Fatalf("rule %q on %v: clauses %v, CEL %v\nclauses: %s", expr, p, got, want, cnf)
			}
		}
	}
	if compiled < 1500 {
		t.Errorf("compiled %d rules, want 1500", compiled)
	}
}

func TestClauses(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		expr string
		want string // the CNF as CEL
	}{
		{`nato == "excluded"`, `(nato == "excluded")`},
		{`nato != "open"`, `(nato != "open")`},
		{`true`, `true`},
		{`nato == "excluded" && nato == "open"`, `false`},
		{`trainers <= 5500`, `(trainers <= 5000)`},
		{`trainers > 20000`, `false`},
		{`trainers >= 0`, `true`},
		{`trainers == 1000`, `(trainers == 1000)`},
		{`!("arms" in us_responses)`, `(!("arms" in us_responses))`},
		{`size(us_responses) == 0`, `(!("arms" in us_responses)) && (!("sanctions" in us_responses)) && (!("consultation" in us_responses))`},
		{`nato in ["excluded", "deferred", "open"]`, `true`},
	}
	for _, tt := range tests {
		rule, probs := env.Compile(tt.expr)
		if len(probs) > 0 {
			t.Fatalf("Compile(%q): %v", tt.expr, probs)
		}
		cnf, err := rule.Clauses()
		if err != nil {
			t.Errorf("Clauses(%q): %v", tt.expr, err)
			continue
		}
		if got := cnf.String(); got != tt.want {
			t.Errorf("Clauses(%q) = %s, want %s", tt.expr, got, tt.want)
		}
	}
}

func TestClausesUnsupported(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		expr string
		col  int
		msg  string
	}{
		{`trainers > 10.5`, 12, "double literal"},
		{`size(us_responses) > 0 && us_responses[0] == "arms"`, 39, "indexing"},
		{`trainers / (offset + 50) > 1`, 10, "divisor may be zero"},
		{`{"a": 1}["a"] == 1`, 9, "indexing"},
		{`{"a": nato}.size() == 1`, 1, "maps"},
		{`trainers * trainers * trainers * offset > 0`, 32, "cases"},
		{`nato.matches("(")`, 5, ""},
		{`9223372036854775807 + trainers > 0`, 21, "overflow"},
	}
	for _, tt := range tests {
		rule, probs := env.Compile(tt.expr)
		if len(probs) > 0 {
			continue // refused earlier, by the type checker
		}
		_, err := rule.Clauses()
		var ue *UnsupportedError
		if !errors.As(err, &ue) || !errors.Is(err, ErrUnsupported) {
			t.Errorf("Clauses(%q) = %v, want an UnsupportedError", tt.expr, err)
			continue
		}
		if ue.Line != 1 || ue.Col != tt.col || !strings.Contains(ue.Msg, tt.msg) {
			t.Errorf("Clauses(%q) = %v, want 1:%d: ...%s...", tt.expr, err, tt.col, tt.msg)
		}
	}
	eenv := eventEnv(t)
	rule, _ := eenv.Compile(`event.zone == "x"`)
	if _, err := rule.Clauses(); !errors.Is(err, ErrWrongEnv) {
		t.Errorf("Clauses on an event rule = %v, want ErrWrongEnv", err)
	}
}
