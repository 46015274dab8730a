package rules

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzSeeds are good and bad expressions, besides those of compileTests.
var fuzzSeeds = []string{
	`nato == "excluded"`,
	`trainers == 0 || nato != "open"`,
	`"arms" in us_responses && size(us_responses) >= 2`,
	`nato in ["excluded", "deferred"] ? trainers <= 5000 : true`,
	`us_responses.exists(r, r == "arms") && trainers + offset > 3`,
	`event.zone == "buffer" && event.type == "state-based"`,
	`event.zonee == 1`,
	`nato == "exclued" || trainers > 99999`,
	`zone`,
	`(((nato`,
	"nato ==\n\"x\"",
	"\xff\xfe",
	`{"a": nato}["a"] == "open"`,
	`[nato, "x"].map(y, y + "z")[0] == "q"`,
	`rules.Event{zone: "x"}.zone == "x"`,
	`"\u00e9" in us_responses`,
	`b"\xff" == b""`,
	`trainers in {0: 1}`,
	`us_responses.all(a, b, a < 2)`,
	`dyn(nato) == 1`,
	`has(nato.x)`,
	`optional.of(1).hasValue()`,
}

// FuzzCompile checks that Compile never panics, that problems lie within the
// expression with consistent positions, and that compiled rules evaluate
// without panicking on a valid package and a zero event.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, tt := range compileTests {
		if len(tt.expr) <= 1024 {
			f.Add(tt.expr)
		}
	}
	env, err := NewEnv(testIssues())
	if err != nil {
		f.Fatal(err)
	}
	eenv, err := NewEventEnv()
	if err != nil {
		f.Fatal(err)
	}
	p := pkg("open", 3000, "arms")
	f.Fuzz(func(t *testing.T, expr string) {
		for _, e := range []*Env{env, eenv} {
			rule, probs := e.Compile(expr)
			if (rule == nil) == (len(probs) == 0) {
				t.Fatalf("%q: rule %v with %d problems", expr, rule, len(probs))
			}
			n := utf8.RuneCountInString(expr)
			for _, pr := range probs {
				if pr.Offset < 0 || pr.Offset > n || pr.Line < 1 || pr.Col < 1 {
					t.Fatalf("%q: problem %v at offset %d outside [0, %d]", expr, pr, pr.Offset, n)
				}
			}
			if len(expr) <= MaxExprBytes && utf8.ValidString(expr) {
				checkProblems(t, expr, probs)
			}
			if rule == nil {
				continue
			}
			if rule.Expr() != expr {
				t.Fatalf("Expr() = %q, want %q", rule.Expr(), expr)
			}
			for _, id := range rule.Issues() {
				if _, ok := env.Issue(id); !e.IsEvent() && !ok {
					t.Fatalf("%q: Issues() lists undeclared %q", expr, id)
				}
			}
			if rule.loops {
				// Nested comprehensions can take exponential time; only
				// rules without them are evaluated.
				continue
			}
			if e.IsEvent() {
				_, _ = rule.EvalEvent(&Event{})
			} else {
				_, _ = rule.Eval(p)
			}
		}
	})
}

// FuzzClauses checks the clause compiler against CEL's evaluation: for any
// expression that compiles into clauses over a small settlement, CEL
// evaluates it without error on every package and the clauses hold
// exactly where it is true. Compiling never panics.
func FuzzClauses(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{
		`e == "ab" || (r + s > 2 && "a" in u)`,
		`size(u.filter(x, x != "b")) * r >= s - 1`,
		`u.exists_one(x, x == "c") ? f == "x" : e.startsWith("b")`,
		`(r / 2) % 2 == 0 && u == ["a", "c"]`,
		`r * s * r < 7 || !(e in ["c", "ba"])`,
		`u.map(x, x + "z").exists(y, y == "bz")`,
		`[e, f].exists(v, v == "x") && s != 3`,
	} {
		f.Add(s)
	}
	env, err := NewEnv(smallIssues())
	if err != nil {
		f.Fatal(err)
	}
	pkgs := allPackages(smallIssues())
	f.Fuzz(func(t *testing.T, expr string) {
		rule, probs := env.Compile(expr)
		if len(probs) > 0 {
			return
		}
		start := time.Now()
		cnf, err := rule.Clauses()
		if d := time.Since(start); d > 10*time.Second { // a hang, not a speed test
			t.Fatalf("Clauses(%q) took %v", expr, d)
		}
		if err != nil {
			var ue *UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("Clauses(%q) = %v, want an UnsupportedError", expr, err)
			}
			if ue.Line < 1 || ue.Col < 1 || ue.Offset < 0 || ue.Offset > utf8.RuneCountInString(expr) {
				t.Fatalf("Clauses(%q): error %v at offset %d outside the expression", expr, err, ue.Offset)
			}
			return
		}
		for _, p := range pkgs {
			want, err := rule.Eval(p)
			if err != nil {
				t.Fatalf("rule %q compiled into clauses although CEL fails on %v: %v", expr, p, err)
			}
			got, err := cnf.Eval(p)
			if err != nil || got != want {
				t.Fatalf("rule %q on %v: clauses %v (%v), CEL %v\nclauses: %s", expr, p, got, err, want, cnf)
			}
		}
	})
}
