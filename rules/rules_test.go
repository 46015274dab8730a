package rules

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// testIssues are the issues of the tests' settlement.
func testIssues() []Issue {
	return []Issue{
		{ID: "nato", Kind: Enum, Options: []string{"excluded", "deferred", "open"}},
		{ID: "trainers", Kind: Range, Min: 0, Max: 20000, Step: 1000},
		{ID: "us_responses", Kind: Subset, Items: []string{"consultation", "sanctions", "arms"}},
		{ID: "offset", Kind: Range, Min: -50, Max: 50, Step: 0},
	}
}

func testEnv(t testing.TB) *Env {
	t.Helper()
	env, err := NewEnv(testIssues())
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func eventEnv(t testing.TB) *Env {
	t.Helper()
	env, err := NewEventEnv()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestNewEnv(t *testing.T) {
	tests := []struct {
		name   string
		issues []Issue
		want   string // substring of the error; "" for success
	}{
		{"ok", testIssues(), ""},
		{"no issues", nil, ""},
		{"duplicate id", []Issue{{ID: "a", Kind: Enum, Options: []string{"x"}}, {ID: "a", Kind: Range}}, `duplicate issue id "a"`},
		{"empty id", []Issue{{ID: "", Kind: Range}}, "empty issue id"},
		{"digit first", []Issue{{ID: "1a", Kind: Range}}, "not a CEL identifier"},
		{"dash", []Issue{{ID: "us-responses", Kind: Range}}, "not a CEL identifier"},
		{"dot", []Issue{{ID: "a.b", Kind: Range}}, "not a CEL identifier"},
		{"non-ASCII", []Issue{{ID: "otán", Kind: Range}}, "not a CEL identifier"},
		{"reserved in", []Issue{{ID: "in", Kind: Range}}, "reserved word"},
		{"reserved null", []Issue{{ID: "null", Kind: Range}}, "reserved word"},
		{"reserved package", []Issue{{ID: "package", Kind: Range}}, "reserved word"},
		{"type name", []Issue{{ID: "int", Kind: Range}}, "type name"},
		{"type", []Issue{{ID: "type", Kind: Range}}, "type name"},
		{"underscore ok", []Issue{{ID: "_x1", Kind: Range}}, ""},
		{"no options", []Issue{{ID: "a", Kind: Enum}}, "empty domain: no options"},
		{"duplicate option", []Issue{{ID: "a", Kind: Enum, Options: []string{"x", "x"}}}, `duplicate option "x"`},
		{"no items", []Issue{{ID: "a", Kind: Subset}}, "empty domain: no items"},
		{"duplicate item", []Issue{{ID: "a", Kind: Subset, Items: []string{"x", "y", "x"}}}, `duplicate item "x"`},
		{"min > max", []Issue{{ID: "a", Kind: Range, Min: 2, Max: 1}}, "empty range"},
		{"negative step", []Issue{{ID: "a", Kind: Range, Max: 1, Step: -1}}, "negative step"},
		{"single value range", []Issue{{ID: "a", Kind: Range, Min: 5, Max: 5}}, ""},
		{"unknown kind", []Issue{{ID: "a"}}, "unknown kind"},
		{"all faults reported", []Issue{{ID: "1"}, {ID: "b", Kind: Enum}}, "issue b: empty domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := NewEnv(tt.issues)
			if tt.want == "" {
				if err != nil || env == nil {
					t.Fatalf("NewEnv: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewEnv error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEnvAccessors(t *testing.T) {
	env := testEnv(t)
	if env.IsEvent() {
		t.Error("IsEvent on an issue env")
	}
	is, ok := env.Issue("offset")
	if !ok || is.Step != 1 || is.Min != -50 {
		t.Errorf("Issue(offset) = %+v, %v; want step 1 (0 means 1)", is, ok)
	}
	if _, ok := env.Issue("zone"); ok {
		t.Error("Issue(zone) found")
	}
	all := env.Issues()
	all[0].Options[0] = "mutated"
	if again, _ := env.Issue("nato"); again.Options[0] != "excluded" {
		t.Error("Issues returned shared slices")
	}
	if got := (&Issue{Kind: Subset}).CELType(); got != "list(string)" {
		t.Errorf("CELType = %q", got)
	}
	if got := Kind(9).String(); got != "Kind(9)" {
		t.Errorf("Kind(9).String() = %q", got)
	}
}

// want is one expected problem: code, position and a substring of Msg.
type want struct {
	code      string
	line, col int
	msg       string
}

// compileTests run in the issue env (event: false) or the event env.
var compileTests = []struct {
	expr  string
	event bool
	want  []want // nil: the rule compiles
}{
	// Rules that compile: no problem code triggered.
	{expr: `nato == "excluded"`},
	{expr: `"excluded" == nato`},
	{expr: `trainers == 0 || nato != "open"`},
	{expr: `"arms" in us_responses && size(us_responses) >= 2`},
	{expr: `nato in ["excluded", "deferred"] ? trainers <= 5000 : true`},
	{expr: `us_responses == ["arms", "sanctions"]`},
	{expr: `us_responses.exists(r, r == "arms")`},
	{expr: `us_responses.all(r, r in ["arms", "sanctions"])`},
	{expr: `us_responses.all(a, us_responses.all(b, us_responses.exists(c, c == a || c == b)))`},
	{expr: `trainers <= 20000 && trainers >= 0 && trainers in [0, 5000]`},
	{expr: `trainers + 30000 > 40000`}, // literal not compared directly
	{expr: `trainers < 1500`},          // within range; off-step is fine for < and >
	{expr: `offset == -50 || offset > -3`},
	{expr: `[1, 2].exists(nato, nato > 1)`}, // nato shadowed by the iteration variable
	{expr: "// the red line\nnato == \"excluded\" // comment"},
	{expr: `type(nato) == string`},
	{expr: `event.zone == "buffer" && event.type == "state-based"`, event: true},
	{expr: `has(event.zone) && event.date > timestamp("2025-01-01T00:00:00Z")`, event: true},

	// rule-syntax
	{expr: ``, want: []want{{CodeSyntax, 1, 1, "Syntax error"}}},
	{expr: `nato ==`, want: []want{{CodeSyntax, 1, 8, "mismatched input '<EOF>'"}}},
	{expr: `nato = "open"`, want: []want{{CodeSyntax, 1, 6, "token recognition error"}, {CodeSyntax, 1, 8, "extraneous input"}}},
	{expr: "nato == \"open\" &&\n  (trainers > 0", want: []want{{CodeSyntax, 2, 16, "Syntax error"}}},
	{expr: `"é" == nato &&& x`, want: []want{{CodeSyntax, 1, 15, "Syntax error"}}},
	{expr: "\xffnato", want: []want{{CodeSyntax, 1, 1, "not valid UTF-8"}}},
	{expr: "nato == \"ok\xc3\"", want: []want{{CodeSyntax, 1, 12, "not valid UTF-8"}}},
	{expr: strings.Repeat("(", 300) + "true" + strings.Repeat(")", 300), want: []want{{CodeSyntax, 1, 1, "recursion"}}},
	{expr: strings.Repeat(" ", MaxExprBytes+1), want: []want{{CodeSyntax, 1, 1, "the limit is 65536"}}},

	// rule-type
	{expr: `nato == 5`, want: []want{{CodeType, 1, 6, "no matching overload"}}},
	{expr: `size(trainers) > 1`, want: []want{{CodeType, 1, 5, "no matching overload"}}},
	{expr: `foo(nato)`, want: []want{{CodeType, 1, 4, "undeclared reference to 'foo'"}}},
	{expr: `event.zonee == "buffer"`, event: true, want: []want{{CodeType, 1, 7, `unknown field "zonee" of event; fields: actor1, actor2, admin1, date,`}}},
	{expr: "event.zone == \"x\" ||\n  has(event . zonee)", event: true, want: []want{{CodeType, 2, 15, `unknown field "zonee"`}}},
	{expr: `event.fatalities > 2.5`, event: true}, // int and double compare as numbers
	{expr: `event.distance_km > 10 && trainers < 2.5e3`, want: []want{{CodeUnknownIssue, 1, 1, `unknown issue "event"`}}},
	{expr: `event.fatalities + 2.5 > 3`, event: true, want: []want{{CodeType, 1, 18, "no matching overload"}}}, // arithmetic stays typed
	{expr: `event.date > timestamp("2025-13-01T00:00:00Z")`, event: true, want: []want{{CodeType, 1, 24, "invalid timestamp"}}},
	{expr: `event.location.matches("(")`, event: true, want: []want{{CodeType, 1, 24, "invalid matches argument"}}},
	{expr: "us_responses.all(a,\n us_responses.all(b,\n  us_responses.all(c,\n   us_responses.exists(d, d == c))))", want: []want{{CodeType, 4, 17, "nest more than 3 deep"}}},

	// rule-unknown-issue
	{expr: `zone == "buffer"`, want: []want{{CodeUnknownIssue, 1, 1, `unknown issue "zone"; known: nato, offset, trainers, us_responses`}}},
	{expr: "nato == \"open\" &&\n   zone.size() > 0", want: []want{{CodeUnknownIssue, 2, 4, `unknown issue "zone"`}}},
	{expr: `us_responses.exists(r, r == nato2)`, want: []want{{CodeUnknownIssue, 1, 29, `unknown issue "nato2"`}}},
	{expr: `zone == "x"`, event: true, want: []want{{CodeUnknownIssue, 1, 1, `unknown identifier "zone" (did you mean event.zone?); known: event, with fields: actor1,`}}},
	{expr: `evnt.zone == "x"`, event: true, want: []want{{CodeUnknownIssue, 1, 1, `unknown identifier "evnt"; known: event`}}},

	// rule-not-bool
	{expr: `trainers + 1000`, want: []want{{CodeNotBool, 1, 1, "type int; a rule must be a bool"}}},
	{expr: "  // c\n  nato", want: []want{{CodeNotBool, 2, 3, "type string"}}},
	{expr: `dyn(nato)`, want: []want{{CodeNotBool, 1, 1, "type dyn"}}},
	{expr: `event.zone`, event: true, want: []want{{CodeNotBool, 1, 1, "type string"}}},

	// rule-enum-literal
	{expr: `nato == "exclued"`, want: []want{{CodeEnumLiteral, 1, 9, `"exclued" is not an option of issue nato; options: excluded, deferred, open`}}},
	{expr: `"exclued" == nato`, want: []want{{CodeEnumLiteral, 1, 1, `"exclued" is not an option`}}},
	{expr: `nato != "x"`, want: []want{{CodeEnumLiteral, 1, 9, `"x" is not an option`}}},
	{expr: `nato in ["a", "excluded", "b"]`, want: []want{{CodeEnumLiteral, 1, 10, `"a"`}, {CodeEnumLiteral, 1, 27, `"b"`}}},
	{expr: `"armss" in us_responses`, want: []want{{CodeEnumLiteral, 1, 1, `"armss" is not an item of issue us_responses; items: consultation, sanctions, arms`}}},
	{expr: `us_responses == ["arms", "x"]`, want: []want{{CodeEnumLiteral, 1, 26, `"x" is not an item`}}},
	{expr: `us_responses.exists(r, r == "x")`, want: []want{{CodeEnumLiteral, 1, 29, `"x" is not an item`}}},
	{expr: "nato == \"open\" ||\n\tnato == \"opn\"", want: []want{{CodeEnumLiteral, 2, 10, `"opn"`}}},

	// rule-range-literal
	{expr: `trainers <= 50000`, want: []want{{CodeRangeLiteral, 1, 13, "50000 is outside the range of issue trainers: 0..20000"}}},
	{expr: `50000 >= trainers`, want: []want{{CodeRangeLiteral, 1, 1, "50000 is outside"}}},
	{expr: `trainers == 1500`, want: []want{{CodeRangeLiteral, 1, 13, "1500 is not a value of issue trainers: 0..20000 step 1000"}}},
	{expr: `trainers in [0, -1000]`, want: []want{{CodeRangeLiteral, 1, 17, "-1000 is outside"}}},
	{expr: `offset > -51`, want: []want{{CodeRangeLiteral, 1, 10, "-51 is outside the range of issue offset: -50..50"}}},

	// Several problems, sorted by offset.
	{expr: "zone == 1 ||\n  nato == \"exclued\" ||\n  trainers > 99999 ||\n  \"x\" in us_responses", want: []want{
		{CodeUnknownIssue, 1, 1, `"zone"`},
		{CodeEnumLiteral, 2, 11, `"exclued"`},
		{CodeRangeLiteral, 3, 14, "99999"},
		{CodeEnumLiteral, 4, 3, `"x"`},
	}},
	{expr: `nato == "x" && nato == 1`, want: []want{{CodeEnumLiteral, 1, 9, `"x"`}, {CodeType, 1, 21, "no matching overload"}}},
}

func TestCompile(t *testing.T) {
	envs := map[bool]*Env{false: testEnv(t), true: eventEnv(t)}
	for _, tt := range compileTests {
		name := tt.expr
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			rule, probs := envs[tt.event].Compile(tt.expr)
			checkProblems(t, tt.expr, probs)
			if (rule == nil) == (len(probs) == 0) {
				t.Fatalf("rule = %v with %d problems", rule, len(probs))
			}
			if len(probs) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(probs), len(tt.want), fmtProblems(probs))
			}
			for i, w := range tt.want {
				p := probs[i]
				if p.Code != w.code || p.Line != w.line || p.Col != w.col || !strings.Contains(p.Msg, w.msg) {
					t.Errorf("problem %d = %v\nwant %d:%d: %s: ...%s...", i, p, w.line, w.col, w.code, w.msg)
				}
			}
			if rule != nil && rule.Expr() != tt.expr {
				t.Errorf("Expr() = %q", rule.Expr())
			}
		})
	}
}

// checkProblems asserts the invariants of every Compile result: offsets
// within the expression, Line/Col matching Offset, sorted order.
func checkProblems(t testing.TB, expr string, probs []Problem) {
	t.Helper()
	runes := []rune(expr)
	if len(expr) > MaxExprBytes {
		runes = nil
	}
	for i, p := range probs {
		if p.Offset < 0 || p.Offset > len(runes) && len(expr) <= MaxExprBytes {
			t.Fatalf("problem %v: offset %d outside [0, %d]", p, p.Offset, len(runes))
		}
		if i > 0 && p.Offset < probs[i-1].Offset {
			t.Fatalf("problems not sorted: %v before %v", probs[i-1], p)
		}
		switch p.Code {
		case CodeSyntax, CodeType, CodeUnknownIssue, CodeNotBool, CodeEnumLiteral, CodeRangeLiteral:
		default:
			t.Fatalf("problem %v: unknown code", p)
		}
		if p.Msg == "" {
			t.Fatalf("problem %v: empty message", p)
		}
		if runes == nil {
			continue
		}
		line, col := 1, 1
		for _, r := range runes[:p.Offset] {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		if p.Line != line || p.Col != col {
			t.Fatalf("problem %v: offset %d is %d:%d", p, p.Offset, line, col)
		}
	}
}

func fmtProblems(probs []Problem) string {
	var b strings.Builder
	for _, p := range probs {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestMaxProblems(t *testing.T) {
	_, probs := testEnv(t).Compile(strings.Repeat(`nato == "x" || `, 500) + "true")
	if len(probs) != MaxProblems || probs[MaxProblems-1].Offset != (MaxProblems-1)*15+8 {
		t.Fatalf("got %d problems, last %v", len(probs), probs[len(probs)-1])
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{Code: CodeSyntax, Msg: "bad", Line: 2, Col: 3, Offset: 9}
	if got := p.String(); got != "2:3: rule-syntax: bad" {
		t.Errorf("String() = %q", got)
	}
}

func TestCompileNeverPanics(t *testing.T) {
	env := testEnv(t)
	inputs := []string{
		strings.Repeat("[", 100000),
		strings.Repeat("1+", 30000) + "1 == 2",
		strings.Repeat("!", 30000) + "true",
		strings.Repeat("a.", 30000) + "b",
		strings.Repeat(`nato == "open" && `, 3000) + "true",
		strings.Repeat("\"", 1000),
		"\x00", "\u2028", "🙂 == nato", "nato == '''", "b\"\\xff\" == b''",
		"9223372036854775808 > trainers", "trainers / 0 == 1",
	}
	for _, in := range inputs {
		_, probs := env.Compile(in)
		checkProblems(t, in, probs)
	}
}

var issuesTests = []struct {
	expr  string
	event bool
	want  []string
}{
	{expr: `true`, want: nil},
	{expr: `nato == "open"`, want: []string{"nato"}},
	{expr: `us_responses.exists(r, r == "arms") && trainers > 0 && nato != "open" && trainers < 9000`, want: []string{"nato", "trainers", "us_responses"}},
	{expr: `[1].exists(nato, nato == 1) && offset == 0`, want: []string{"offset"}},
	{expr: `[nato].exists(nato, nato == "open")`, want: []string{"nato"}},
	{expr: `event.zone == "buffer" && event.type == "state-based" && has(event.actor1) && event.zone != "x"`, event: true, want: []string{"actor1", "type", "zone"}},
	{expr: `[1].exists(event, event > 0)`, event: true, want: nil},
}

func TestRuleIssues(t *testing.T) {
	envs := map[bool]*Env{false: testEnv(t), true: eventEnv(t)}
	for _, tt := range issuesTests {
		rule, probs := envs[tt.event].Compile(tt.expr)
		if probs != nil {
			t.Fatalf("%s: %s", tt.expr, fmtProblems(probs))
		}
		got := rule.Issues()
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Issues() = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func pkg(nato string, trainers int64, us ...string) Package {
	return Package{"nato": nato, "trainers": trainers, "us_responses": us, "offset": int64(0)}
}

var evalTests = []struct {
	expr string
	pkg  Package
	want bool
}{
	{`nato == "excluded"`, pkg("excluded", 0), true},
	{`nato == "excluded"`, pkg("open", 0), false},
	{`trainers == 0 || nato != "open"`, pkg("open", 1000), false},
	{`trainers == 0 || nato != "open"`, pkg("open", 0), true},
	// Subset membership and size().
	{`"arms" in us_responses && size(us_responses) >= 2`, pkg("open", 0, "arms", "sanctions"), true},
	{`"arms" in us_responses && size(us_responses) >= 2`, pkg("open", 0, "arms"), false},
	{`"arms" in us_responses`, pkg("open", 0), false},
	{`us_responses.size() == 0`, pkg("open", 0), true},
	{`us_responses.all(r, r != "consultation")`, pkg("open", 0, "arms", "sanctions"), true},
	{`us_responses.exists_one(r, r in ["arms", "sanctions"])`, pkg("open", 0, "arms", "sanctions"), false},
	{`us_responses == ["sanctions", "arms"]`, pkg("open", 0, "sanctions", "arms"), true},
	// The conditional operator.
	{`nato in ["excluded", "deferred"] ? trainers <= 5000 : true`, pkg("deferred", 6000), false},
	{`nato in ["excluded", "deferred"] ? trainers <= 5000 : true`, pkg("deferred", 5000), true},
	{`nato in ["excluded", "deferred"] ? trainers <= 5000 : true`, pkg("open", 20000), true},
	// Arithmetic over ranges.
	{`trainers + offset * 100 <= 5000`, Package{"trainers": int64(4000), "offset": -10}, true},
	{`trainers + offset * 100 <= 5000`, Package{"trainers": 4000, "offset": 11}, false},
	{`trainers / 1000 % 2 == 1 && trainers - 3000 == 0`, Package{"trainers": int32(3000)}, true},
	{`offset < 0 && -offset == 50`, Package{"offset": int8(-50)}, true},
	{`int(string(trainers).size()) == 5`, Package{"trainers": uint16(20000)}, true},
	// Entries the rule does not read are not consulted.
	{`trainers == 0`, Package{"trainers": 0, "nato": 42, "zone": "x"}, true},
	{`true`, nil, true},
}

func TestEval(t *testing.T) {
	env := testEnv(t)
	for _, tt := range evalTests {
		rule, probs := env.Compile(tt.expr)
		if probs != nil {
			t.Fatalf("%s:\n%s", tt.expr, fmtProblems(probs))
		}
		got, err := rule.Eval(tt.pkg)
		if err != nil || got != tt.want {
			t.Errorf("%s on %v = %v, %v; want %v", tt.expr, tt.pkg, got, err, tt.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		expr string
		pkg  Package
		want string
	}{
		{`nato == "open"`, Package{}, "no value for issue nato"},
		{`nato == "open"`, nil, "no value for issue nato"},
		{`nato == "open"`, Package{"nato": "opened"}, `"opened" is not an option; options: excluded, deferred, open`},
		{`nato == "open"`, Package{"nato": 1}, "is a int, not a string"},
		{`trainers == 0`, Package{"trainers": "0"}, "is a string, not an integer"},
		{`trainers == 0`, Package{"trainers": 0.0}, "is a float64, not an integer"},
		{`trainers == 0`, Package{"trainers": uint64(1) << 63}, "not an integer"},
		{`trainers == 0`, Package{"trainers": int64(21000)}, "21000 is not a value of 0..20000 step 1000"},
		{`trainers == 0`, Package{"trainers": 1500}, "1500 is not a value"},
		{`trainers == 0`, Package{"trainers": nil}, "not an integer"},
		{`size(us_responses) == 0`, Package{"us_responses": "arms"}, "not a []string"},
		{`size(us_responses) == 0`, Package{"us_responses": []string{"tanks"}}, `"tanks" is not an item`},
		{`size(us_responses) == 0`, Package{"us_responses": []string{"arms", "arms"}}, `item "arms" appears twice`},
		{`size(us_responses) == 0`, Package{"us_responses": []any{"arms", 3}}, "element 3 is a int"},
		{`trainers / (offset - offset) == 0`, Package{"trainers": 0, "offset": 0}, "division by zero"},
	}
	for _, tt := range tests {
		rule, probs := env.Compile(tt.expr)
		if probs != nil {
			t.Fatalf("%s:\n%s", tt.expr, fmtProblems(probs))
		}
		got, err := rule.Eval(tt.pkg)
		if err == nil || got || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s on %v = %v, %v; want an error containing %q", tt.expr, tt.pkg, got, err, tt.want)
		}
	}
	// []any of strings is accepted.
	rule, _ := env.Compile(`"arms" in us_responses`)
	if ok, err := rule.Eval(Package{"us_responses": []any{"sanctions", "arms"}}); !ok || err != nil {
		t.Errorf("[]any subset: %v, %v", ok, err)
	}
}

func TestCheckPackage(t *testing.T) {
	env := testEnv(t)
	if err := env.CheckPackage(pkg("open", 3000, "arms")); err != nil {
		t.Errorf("valid package: %v", err)
	}
	err := env.CheckPackage(Package{"nato": "x", "trainers": 1, "zone": "b", "extra": 1})
	if err == nil {
		t.Fatal("invalid package accepted")
	}
	for _, w := range []string{`"x" is not an option`, "1 is not a value", "no value for issue us_responses", "no value for issue offset", `"extra", which is not`, `"zone", which is not`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("CheckPackage error %q lacks %q", err, w)
		}
	}
}

func testEvent() *Event {
	return &Event{
		ID: "ucdp-1", Source: "ucdp", Date: time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC),
		Side: "ru", OtherSide: "ua", Actor1: "Government of Russia", Actor2: "Government of Ukraine",
		Type: "state-based", Subtype: "shelling", Fatalities: 3, Lat: 47.8, Lon: 35.1,
		Admin1: "Zaporizhzhia", Location: "Huliaipole", Zone: "buffer", DistanceKm: 4.5,
		PrecisionPlace: 1, PrecisionDate: 2,
	}
}

func TestEvalEvent(t *testing.T) {
	env := eventEnv(t)
	if !env.IsEvent() || len(env.Issues()) != 0 {
		t.Error("event env accessors")
	}
	tests := []struct {
		expr string
		want bool
	}{
		{`event.zone == "buffer" && event.type == "state-based"`, true},
		{`event.zone == "buffer" && event.type == "non-state"`, false},
		{`event.id == "ucdp-1" && event.source in ["ucdp", "acled"] && event.side == "ru" && event.other_side == "ua"`, true},
		{`event.actor1.startsWith("Government") && event.actor2.contains("Ukraine")`, true},
		{`event.subtype == "shelling" && event.fatalities >= 3 && event.fatalities * 2 == 6`, true},
		{`event.lat > 47.0 && event.lon < 36.0 && event.distance_km < 15.0`, true},
		{`event.admin1 == "Zaporizhzhia" && event.location.matches("^Hul")`, true},
		{`event.precision_place <= 2 && event.precision_date == 2`, true},
		{`event.date >= timestamp("2025-04-20T00:00:00Z") && event.date < timestamp("2025-05-03T00:00:00Z")`, true},
		{`event.date.getFullYear() == 2024`, false},
		{`event.lat > 47 && event.distance_km < 5 && event.distance_km > 4`, true}, // int literals against doubles
		{`event.distance_km > 5`, false},
	}
	ev := testEvent()
	for _, tt := range tests {
		rule, probs := env.Compile(tt.expr)
		if probs != nil {
			t.Fatalf("%s:\n%s", tt.expr, fmtProblems(probs))
		}
		got, err := rule.EvalEvent(ev)
		if err != nil || got != tt.want {
			t.Errorf("%s = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
	rule, _ := env.Compile(`event.fatalities > 0`)
	if _, err := rule.EvalEvent(nil); err == nil {
		t.Error("EvalEvent(nil) succeeded")
	}
	if ok, err := rule.EvalEvent(&Event{}); ok || err != nil {
		t.Errorf("zero event: %v, %v", ok, err)
	}
	if got := EventFields(); len(got) != 19 || got[0] != "actor1" || got[18] != "zone" {
		t.Errorf("EventFields() = %q", got)
	}
}

func TestWrongEnv(t *testing.T) {
	issueRule, _ := testEnv(t).Compile(`true`)
	eventRule, _ := eventEnv(t).Compile(`true`)
	if _, err := issueRule.EvalEvent(testEvent()); !errors.Is(err, ErrWrongEnv) {
		t.Errorf("EvalEvent on an issue rule: %v", err)
	}
	if _, err := eventRule.Eval(Package{}); !errors.Is(err, ErrWrongEnv) {
		t.Errorf("Eval on an event rule: %v", err)
	}
	if eventRule.Env() == nil || eventRule.String() != "true" {
		t.Error("Env/String")
	}
}

func TestConcurrentEval(t *testing.T) {
	rule, _ := eventEnv(t).Compile(`event.zone == "buffer" && event.fatalities > 0`)
	prule, _ := testEnv(t).Compile(`"arms" in us_responses || trainers > 1000`)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				ev := testEvent()
				ev.Fatalities = int64((g + i) % 2)
				if ok, err := rule.EvalEvent(ev); err != nil || ok != (ev.Fatalities > 0) {
					t.Errorf("EvalEvent = %v, %v", ok, err)
					return
				}
				if ok, err := prule.Eval(pkg("open", int64(i%3)*1000)); err != nil || ok != (i%3 == 2) {
					t.Errorf("Eval = %v, %v", ok, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func BenchmarkEvalEvent(b *testing.B) {
	rule, _ := eventEnv(b).Compile(`event.zone == "buffer" && event.type == "state-based" && event.fatalities > 0`)
	ev := testEvent()
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := rule.EvalEvent(ev); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	rule, _ := testEnv(b).Compile(`nato in ["excluded", "deferred"] ? trainers <= 5000 : "arms" in us_responses`)
	p := pkg("open", 2000, "arms")
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := rule.Eval(p); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	env := testEnv(b)
	for b.Loop() {
		if _, probs := env.Compile(`nato in ["excluded", "deferred"] ? trainers <= 5000 : "arms" in us_responses`); probs != nil {
			b.Fatal(probs)
		}
	}
}
