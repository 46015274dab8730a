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

// The frontier is a set of packages: here nobody values the number of
// observers, so each Pareto-optimal utility vector is given by as many
// packages as observer counts the red lines allow. Points come by
// decreasing total utility, ties by decreasing utility in party order.
func ExampleFrontier_All() {
	src := `entente: 1
id: example
parties:
  - {id: UA, name: Ukraine, roles: [belligerent]}
  - {id: RU, name: Russia, roles: [belligerent]}
issues:
  - {id: nato, options: [excluded, deferred, open]}
  - {id: observers, range: {min: 0, max: 200, step: 100}}
positions:
  - party: UA
    red_lines: [{id: observed, rule: 'observers >= 100'}]
    utility: {weights: {nato: 1}, values: {nato: {open: 1, deferred: 0.5}}}
  - party: RU
    utility: {weights: {nato: 1}, values: {nato: {excluded: 1, deferred: 0.5}}}
`
	s, _, _ := settlement.Parse("example.yaml", []byte(src), settlement.DefaultOptions())
	res, _ := dealspace.Analyze(context.Background(), s, dealspace.DefaultOptions())
	f := res.Frontier
	fmt.Println(f.Packages, "packages on", len(f.Points), "utility vectors")
	for point, pkg := range f.All() {
		fmt.Println(point, res.Space().Describe(pkg.Package), pkg.Utility)
	}
	// Output:
	// 6 packages on 3 utility vectors
	// 0 nato=open observers=100 [1 0]
	// 0 nato=open observers=200 [1 0]
	// 1 nato=deferred observers=100 [0.5 0.5]
	// 1 nato=deferred observers=200 [0.5 0.5]
	// 2 nato=excluded observers=100 [0 1]
	// 2 nato=excluded observers=200 [0 1]
}
