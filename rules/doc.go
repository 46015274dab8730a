// Package rules compiles and evaluates the rules of a settlement: red lines,
// constraints and monitoring violation rules, written as CEL expressions
// (https://cel.dev). It uses cel-go's own parser, type checker and
// interpreter, and adds checks of its own that CEL cannot make: literals
// compared with an issue must lie in that domain.
//
// The package imports no other package of entente: callers translate their
// settlement declarations into [Issue] values and their monitoring records
// into [Event] values.
//
// # Issues
//
// A settlement declares negotiable issues, each with a finite domain. In a
// rule, an issue is a variable named by its id, with a CEL type that
// depends on its [Kind]:
//
//	Kind    in the settlement file                      CEL type      a value
//	Enum    options: [excluded, deferred, open]         string        "deferred"
//	Range   range: {min: 0, max: 20000, step: 1000}     int           5000
//	Subset  subset_of: [consultation, sanctions, arms]  list(string)  ["arms", "sanctions"]
//
// [NewEnv] builds an [Env] from the issues. Ids must be CEL identifiers
// ([A-Za-z_][A-Za-z0-9_]*) and may be neither CEL reserved words (true,
// false, null, in, as, if, let, ...) nor predeclared type names (int,
// string, type, list, ...); see [ValidID]. Duplicate ids, empty domains
// (no options, no items, min > max), a negative step and repeated options
// or items are errors. A step of 0 means 1.
//
// # Writing rules
//
// A rule is a CEL expression of type bool over the issues. The whole
// standard library is available: the logical operators, comparisons,
// arithmetic on ints, `in`, size(), the conditional operator and the macros
// all, exists, exists_one, map and filter. For instance:
//
//	nato == "excluded"
//	trainers == 0 || nato != "open"
//	"arms" in us_responses && size(us_responses) >= 2
//	nato in ["excluded", "deferred"] ? trainers <= 5000 : true
//	us_responses.all(r, r != "arms") || trainers + 2000 <= 10000
//
// A rule may span several lines and hold // comments.
//
// # Problems
//
// [Env.Compile] returns either a [Rule] or every [Problem] it found (up to
// [MaxProblems]), sorted by position. Each Problem has a stable Code:
//
//   - rule-syntax ([CodeSyntax]): the text is not CEL (`nato ==`,
//     `nato = "open"`), is empty, is longer than [MaxExprBytes], is not valid
//     UTF-8, or nests deeper than [MaxNesting].
//   - rule-type ([CodeType]): CEL's type checker refused the expression:
//     `nato == 5`, `size(trainers) > 1`, an unknown function such as
//     `foo(nato)`, or, over events, an unknown field (`event.zonee`), whose
//     message lists the valid fields. Also an invalid timestamp, duration or
//     regular expression literal (`timestamp("2025-13-01T00:00:00Z")`,
//     `event.location.matches("(")`) and comprehensions nested more than
//     [MaxLoopNesting] deep.
//   - rule-unknown-issue ([CodeUnknownIssue]): an identifier that is not a
//     declared issue: `zone == "buffer"` gives `unknown issue "zone"; known:
//     nato, trainers, us_responses` (ids sorted). Over events, any identifier
//     but `event`; the message lists the event's fields.
//   - rule-not-bool ([CodeNotBool]): the expression type-checks but is not a
//     bool, e.g. `trainers + 1000` (type int) or `dyn(nato)` (type dyn).
//   - rule-enum-literal ([CodeEnumLiteral]): a string literal compared with
//     an Enum issue is not one of its options: `nato == "exclued"` gives
//     `"exclued" is not an option of issue nato; options: excluded, deferred,
//     open`. The literal may stand on either side of ==, !=, <, <=, > or >=,
//     or be an element of the list in `nato in ["excluded", "x"]`. Likewise a
//     string used as an item of a Subset issue must be one of its items:
//     `"armss" in us_responses`, `us_responses == ["arms", "x"]` and, in
//     macros over the issue, `us_responses.exists(r, r == "x")` give
//     `"armss" is not an item of issue us_responses; items: consultation,
//     sanctions, arms`.
//   - rule-range-literal ([CodeRangeLiteral]): an int literal compared with
//     a Range issue lies outside [min, max] (`trainers <= 50000`), or, tested
//     with ==, != or in, is not one of its values (`trainers == 1500` with
//     step 1000, which can never hold).
//
// The literal checks look at literals written directly against an issue;
// `trainers + 1000 <= 50000` or `nato == (x ? "a" : "b")` are not checked.
//
// # Positions
//
// Problem.Line and Problem.Col are 1-based and Problem.Offset is 0-based,
// all counted in runes (Unicode code points) of the expression, with lines
// separated by "\n". They point at the offending token: the literal for
// rule-enum-literal and rule-range-literal, the identifier for
// rule-unknown-issue, the field name for an unknown event field, the
// operator or call for other type errors, the first token for rule-not-bool.
// Errors CEL reports without a position (recursion limits) are at offset 0.
// An offset may equal the expression's length: "unexpected end of input".
//
// # Evaluating
//
// [Rule.Eval] evaluates a rule on a [Package], a map from issue id to value:
// a string for an Enum issue, an int64 (or any Go integer type) for a Range
// issue, a []string (or []any of strings) for a Subset issue. Values of the
// issues the rule reads are validated first; a missing value, a value of the
// wrong Go type, an option that is not declared, an integer off the range or
// its step, or an unknown or repeated item is an error, never a panic. So
// are runtime errors such as division by zero. [Env.CheckPackage] validates
// a whole package.
//
// [Rule.Issues] lists, sorted, the issues a rule reads, so that callers can
// tell which rules a change of issue affects.
//
// # Violation rules over events
//
// [NewEventEnv] builds the environment of monitoring violation rules: one
// variable, `event`, of type rules.Event, declared through cel-go's native
// types (ext.NativeTypes) from the [Event] struct and its cel tags:
//
//	id string            source string ("ucdp", "acled", "jsonl")
//	date timestamp       side string         other_side string
//	actor1 string        actor2 string       type string
//	subtype string       fatalities int      lat double
//	lon double           admin1 string       location string
//	zone string          distance_km double  precision_place int
//	precision_date int   notes string
//
// For example:
//
//	event.zone == "buffer" && event.type == "state-based"
//	event.distance_km < 15.0 && event.fatalities >= 1
//	event.date >= timestamp("2025-04-20T00:00:00Z")
//
// [Rule.EvalEvent] evaluates such a rule on an *Event; for these rules
// [Rule.Issues] returns the event fields the rule reads.
//
// # Limits, performance and concurrency
//
// Compile never panics: expressions longer than [MaxExprBytes] bytes, not
// valid UTF-8, or nested beyond [MaxNesting] are rule-syntax problems, and
// an unexpected panic inside cel-go is turned into one too. Compiling the
// worst 64 KiB inputs takes a fraction of a second. Comprehensions may nest
// at most [MaxLoopNesting] deep, so that no rule takes exponential time to
// evaluate.
//
// An Env and a Rule are immutable and safe for concurrent use. A Rule holds
// its planned cel.Program (with constant folding), so evaluation does not
// parse or plan again; EvalEvent binds the event without allocating an
// activation and takes a few hundred nanoseconds for a rule of three
// comparisons.
//
// # Example
//
// A settlement with three issues and a red line:
//
//	env, err := rules.NewEnv([]rules.Issue{
//		{ID: "nato", Kind: rules.Enum, Options: []string{"excluded", "deferred", "open"}},
//		{ID: "trainers", Kind: rules.Range, Min: 0, Max: 20000, Step: 1000},
//		{ID: "us_responses", Kind: rules.Subset, Items: []string{"consultation", "sanctions", "arms"}},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	rule, probs := env.Compile(`nato in ["excluded", "deferred"] ? trainers <= 5000 : "arms" in us_responses`)
//	for _, p := range probs {
//		fmt.Println(p) // line:col: code: message
//	}
//	if rule == nil {
//		return
//	}
//	fmt.Println(rule.Issues()) // [nato trainers us_responses]
//	ok, err := rule.Eval(rules.Package{
//		"nato": "deferred", "trainers": int64(3000), "us_responses": []string{"sanctions"},
//	})
//	fmt.Println(ok, err) // true <nil>
//
// A misspelt option is caught at compile time:
//
//	_, probs = env.Compile(`nato == "exclued"`)
//	fmt.Println(probs[0])
//	// 1:9: rule-enum-literal: "exclued" is not an option of issue nato; options: excluded, deferred, open
package rules
