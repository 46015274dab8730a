package settlement_test

import (
	"fmt"

	"github.com/entente-org/entente/settlement"
)

// Parse a small settlement from a string and read the model.
func ExampleParse() {
	src := `
entente: 1
id: example
title: A small settlement
sources:
  - {id: s1, publisher: Example Press, date: 2025-08-19, title: "A statement", url: "https://example.org/s1"}
parties:
  - {id: UA, name: Ukraine, roles: [belligerent]}
  - {id: RU, name: Russia, roles: [belligerent]}
issues:
  - {id: nato, options: [excluded, deferred, open]}
  - {id: trainers, range: {min: 0, max: 20000, step: 1000}}
positions:
  - party: RU
    red_lines:
      - {id: no-nato, rule: 'nato == "excluded"', source: s1}
  - party: UA
    red_lines:
      - {id: some-trainers, rule: 'trainers >= 5000', source: s1}
`
	s, findings, err := settlement.Parse("example.yaml", []byte(src), settlement.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.ID, "-", s.Title)
	for _, is := range s.Issues {
		fmt.Printf("issue %s: %d values\n", is.ID, len(settlement.Values(is)))
	}
	for _, p := range s.Positions {
		for _, rl := range p.RedLines {
			fmt.Printf("%s red line %s at %s\n", p.Party, rl.ID, rl.Pos)
		}
	}
	fmt.Println(findings.Errors(), "errors")
	// Output:
	// example - A small settlement
	// issue nato: 3 values
	// issue trainers: 21 values
	// RU red line no-nato at example.yaml:16:9
	// UA red line some-trainers at example.yaml:19:9
	// 0 errors
}

// Every problem in the file is reported at once, each at its position and
// with a hint at what would be valid.
func ExampleParse_errors() {
	src := `
entente: 1
id: example
parties:
  - {id: UA, name: Ukraine, roles: [belligerent, bystander]}
issues:
  - {id: nato, option: [excluded, open]}
`
	_, findings, err := settlement.Parse("bad.yaml", []byte(src), settlement.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		if f.Severity == settlement.Error {
			fmt.Println(f)
		}
	}
	// Output:
	// bad.yaml:5:50: error[unknown-role]: unknown role "bystander" (roles: belligerent, guarantor, mediator, observer)
	// bad.yaml:7:5: error[issue-domain]: issue "nato" has no domain (give options: [a, b], range: {min, max, step} or subset_of: [a, b])
	// bad.yaml:7:16: error[unknown-key]: unknown key "option" in an issue (valid keys: id, name, description, options, range, subset_of, source, note, pax)
}
