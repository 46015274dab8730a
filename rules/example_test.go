package rules_test

import (
	"fmt"
	"log"
	"time"

	"github.com/entente-org/entente/rules"
)

func settlement() *rules.Env {
	env, err := rules.NewEnv([]rules.Issue{
		{ID: "nato", Kind: rules.Enum, Options: []string{"excluded", "deferred", "open"}},
		{ID: "trainers", Kind: rules.Range, Min: 0, Max: 20000, Step: 1000},
		{ID: "us_responses", Kind: rules.Subset, Items: []string{"consultation", "sanctions", "arms"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	return env
}

// A red line compiled once and evaluated on two packages.
func Example() {
	env := settlement()
	rule, probs := env.Compile(`nato in ["excluded", "deferred"] ? trainers <= 5000 : "arms" in us_responses`)
	if probs != nil {
		log.Fatal(probs)
	}
	fmt.Println(rule.Issues())
	for _, p := range []rules.Package{
		{"nato": "deferred", "trainers": int64(3000), "us_responses": []string{"sanctions"}},
		{"nato": "open", "trainers": int64(0), "us_responses": []string{"consultation"}},
	} {
		ok, err := rule.Eval(p)
		fmt.Println(ok, err)
	}
	// Output:
	// [nato trainers us_responses]
	// true <nil>
	// false <nil>
}

// Compile reports every problem, with its position, sorted.
func ExampleEnv_Compile_problems() {
	env := settlement()
	_, probs := env.Compile("nato == \"exclued\" ||\n  zone == \"buffer\" ||\n  trainers > 50000")
	for _, p := range probs {
		fmt.Println(p)
	}
	// Output:
	// 1:9: rule-enum-literal: "exclued" is not an option of issue nato; options: excluded, deferred, open
	// 2:3: rule-unknown-issue: unknown issue "zone"; known: nato, trainers, us_responses
	// 3:14: rule-range-literal: 50000 is outside the range of issue trainers: 0..20000
}

// Evaluating a package whose value lies outside its issue's domain is an
// error, not a panic.
func ExampleRule_Eval_error() {
	env := settlement()
	rule, _ := env.Compile(`nato == "excluded"`)
	_, err := rule.Eval(rules.Package{"nato": "neutral"})
	fmt.Println(err)
	// Output:
	// rules: issue nato: "neutral" is not an option; options: excluded, deferred, open
}

// A monitoring violation rule evaluated on one event.
func ExampleRule_EvalEvent() {
	env, err := rules.NewEventEnv()
	if err != nil {
		log.Fatal(err)
	}
	rule, probs := env.Compile(`event.zone == "buffer" && event.type == "state-based" &&
		event.date >= timestamp("2025-04-20T00:00:00Z")`)
	if probs != nil {
		log.Fatal(probs)
	}
	ev := &rules.Event{
		Source: "ucdp", Zone: "buffer", Type: "state-based", Fatalities: 2,
		Date: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC),
	}
	fmt.Println(rule.Issues())
	fmt.Println(rule.EvalEvent(ev))
	// Output:
	// [date type zone]
	// true <nil>
}

// A misspelt event field is a type error naming the valid fields.
func ExampleNewEventEnv_typo() {
	env, _ := rules.NewEventEnv()
	_, probs := env.Compile(`event.zonee == "buffer"`)
	fmt.Println(probs[0].Code, probs[0].Line, probs[0].Col)
	fmt.Println(probs[0].Msg)
	// Output:
	// rule-type 1 7
	// unknown field "zonee" of event; fields: actor1, actor2, admin1, date, distance_km, fatalities, id, lat, location, lon, notes, other_side, precision_date, precision_place, side, source, subtype, type, zone
}

// NewEnv refuses ids CEL cannot use and empty domains.
func ExampleNewEnv_error() {
	_, err := rules.NewEnv([]rules.Issue{
		{ID: "us-responses", Kind: rules.Subset, Items: []string{"arms"}},
		{ID: "nato", Kind: rules.Enum},
	})
	fmt.Println(err)
	// Output:
	// issue id "us-responses" is not a CEL identifier (letters, digits and _, not starting with a digit)
	// issue nato: empty domain: no options
}
