package dealspace_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/settlement"
)

const exampleSettlement = `entente: 1
id: example
parties:
  - {id: UA, name: Ukraine, roles: [belligerent]}
  - {id: RU, name: Russia, roles: [belligerent]}
issues:
  - {id: nato, options: [excluded, deferred, open]}
  - {id: trainers, range: {min: 0, max: 20000, step: 5000}}
positions:
  - party: UA
    red_lines: [{id: no-ban, rule: 'nato != "excluded"'}]
    utility: {weights: {nato: 1, trainers: 1}, values: {nato: {open: 1, deferred: 0.5}, trainers: {0: 0, 20000: 1}}}
    reservation: 0.3
  - party: RU
    red_lines: [{id: no-nato, rule: 'nato != "open"'}, {id: few-trainers, rule: 'trainers <= 10000'}]
    utility: {weights: {nato: 1, trainers: 1}, values: {nato: {excluded: 1, deferred: 0.5}, trainers: {0: 1, 20000: 0}}}
    reservation: 0.3
`

func ExampleAnalyze() {
	s, findings, err := settlement.Parse("example.yaml", []byte(exampleSettlement), settlement.DefaultOptions())
	if err != nil || findings.Errors() > 0 {
		fmt.Println(err, findings)
		return
	}
	res, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Feasible, "of", res.Packages, "packages are feasible")
	fmt.Println("Nash:", res.Space().Describe(res.Nash.Package), res.Nash.Utility)
	fmt.Println("frontier:", len(res.Frontier.Points), "points")
	// Output:
	// 3 of 15 packages are feasible
	// Nash: nato=deferred trainers=10000 [0.5 0.5]
	// frontier: 3 points
}

func ExampleAnalyze_noPositions() {
	s, _, _ := settlement.Parse("empty.yaml", []byte("entente: 1\nid: empty\nissues: [{id: nato, options: [excluded, open]}]\n"), settlement.DefaultOptions())
	_, err := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
	fmt.Println(errors.Is(err, dealspace.ErrNoPositions), err)
	// Output:
	// true the settlement has no positions: no party states red lines or a utility
}
