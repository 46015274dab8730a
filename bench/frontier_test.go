package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/entente-org/entente/dealspace"
)

// BenchmarkFrontierMillion analyses the million-package settlement of
// BenchmarkMillion with its Pareto frontier (1,163 packages on as many
// utility vectors), and without it, side by side: the difference is the
// frontier's cost.
func BenchmarkFrontierMillion(b *testing.B) {
	s := load(b, generate(million))
	for _, frontier := range []bool{true, false} {
		b.Run(fmt.Sprintf("frontier=%v", frontier), func(b *testing.B) {
			opts := dealspace.DefaultOptions()
			opts.NoFrontier = !frontier
			for i := 0; i < b.N; i++ {
				res, err := dealspace.Analyze(context.Background(), s, opts)
				if err != nil {
					b.Fatal(err)
				}
				if frontier && i == 0 {
					b.ReportMetric(float64(len(res.Frontier.Points)), "points")
				}
			}
		})
	}
}

// manyPerVector writes a settlement whose frontier has 3 utility vectors
// of 9·10^(n-1) packages each: three parties value only x, and n issues
// of ten options nobody values follow (a red line keeps the first off
// "o0").
func manyPerVector(n int) string {
	var b strings.Builder
	b.WriteString("entente: 1\nid: many\nparties:\n")
	for _, p := range []string{"A", "B", "C"} {
		fmt.Fprintf(&b, "  - {id: %s, name: %s, roles: [belligerent]}\n", p, p)
	}
	b.WriteString("issues:\n  - {id: x, options: [a, b, c]}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {id: u%d, options: [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9]}\n", i)
	}
	b.WriteString(`positions:
  - party: A
    red_lines: [{id: not-o0, rule: 'u0 != "o0"'}]
    utility: {weights: {x: 1}, values: {x: {a: 1, b: 0.5}}}
    reservation: 0.1
  - party: B
    utility: {weights: {x: 1}, values: {x: {b: 0.5, c: 1}}}
    reservation: 0.1
  - party: C
    utility: {weights: {x: 1}, values: {x: {b: 0.5, c: 1}}}
    reservation: 0.1
`)
	return b.String()
}

// BenchmarkFrontierList lists the first 200,000 packages (the most
// entente deals lists) of a frontier of 2.7·10^15 packages on 3 vectors
// (16 issues), lazily from the diagram, next to the analysis that
// computes the frontier.
func BenchmarkFrontierList(b *testing.B) {
	many := load(b, manyPerVector(15))
	res, err := dealspace.Analyze(context.Background(), many, dealspace.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	if got := res.Frontier.Packages.String(); got != "2700000000000000" {
		b.Fatalf("frontier of %s packages, want 2.7e15", got)
	}
	b.Run("analyze", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := dealspace.Analyze(context.Background(), many, dealspace.DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("list-200000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			n := 0
			for _, sol := range res.Frontier.All() {
				if sol.Package["x"] != "c" {
					b.Fatalf("package %d: %v, want the first vector's (x=c)", n, sol.Package)
				}
				if n++; n == 200_000 {
					break
				}
			}
		}
	})
}
