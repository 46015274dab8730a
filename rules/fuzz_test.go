package rules

import (
	"testing"
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
