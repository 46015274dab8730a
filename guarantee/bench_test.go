package guarantee

import (
	"context"
	"fmt"
	"math/big"
	"math/rand"
	"testing"

	"github.com/entente-org/entente/settlement"
)

// Benchmarks of the power indices (figures in bench/README.md):
//
//	go test ./guarantee -run '^$' -bench . -benchtime 3x

func randomBody(seed int64, n, maxWeight int, share float64) *settlement.Decision {
	rng := rand.New(rand.NewSource(seed))
	var names []string
	var ws []float64
	total := 0
	for i := 0; i < n; i++ {
		w := 1 + rng.Intn(maxWeight)
		names, ws = append(names, fmt.Sprintf("V%d", i)), append(ws, float64(w))
		total += w
	}
	return weighted(float64(int(share*float64(total))+1), names, ws...)
}

// BenchmarkWeighted100 is exact Banzhaf and Shapley–Shubik (one Power
// call computes both) for 100 voters with weights from 1 to 100 and a
// quota of half the total weight plus one.
func BenchmarkWeighted100(b *testing.B) {
	g, err := Compile(randomBody(1, 100, 100, 0.5))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := g.Power(context.Background(), 1<<26); err != nil {
			b.Fatal(err)
		}
	}
}

// composition returns a double majority over n voters: a weighted game
// with weights up to maxA and a 65% quota, and a second weighted game
// with weights up to maxB and a 55% quota (maxB = 1 is a count of
// members, the EU Council's form).
func composition(n, maxA, maxB int) *settlement.Decision {
	a := randomBody(2, n, maxA, 0.65)
	c := randomBody(3, n, maxB, 0.55)
	return &settlement.Decision{Kind: settlement.AllOf, Rules: []*settlement.Decision{a, c}}
}

// BenchmarkComposition30 is exact Banzhaf and Shapley–Shubik for two
// weighted games over the same 30 voters, combined with all_of.
func BenchmarkComposition30(b *testing.B) {
	for _, maxB := range []int{1, 10, 30} {
		b.Run(fmt.Sprintf("weights_100_and_%d", maxB), func(b *testing.B) {
			g, err := Compile(composition(30, 100, maxB))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(g.States()), "states")
			for b.Loop() {
				if _, err := g.Power(context.Background(), 1<<27); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// naivePower computes swings and Shapley–Shubik by enumerating all 2^n
// coalitions, evaluating the rule on each (the textbook method: each
// swing of voter i in a coalition S of k others is weighted
// k!(n−1−k)!/n! for Shapley–Shubik).
func naivePower(d *settlement.Decision, voters []string) ([]int64, []*big.Rat) {
	n := len(voters)
	win := make([]bool, 1<<n)
	c := map[string]bool{}
	for mask := range win {
		for i, v := range voters {
			c[v] = mask&(1<<i) != 0
		}
		win[mask] = d.Wins(c)
	}
	sw := make([]int64, n)
	bySize := make([][]int64, n)
	for i := range bySize {
		bySize[i] = make([]int64, n)
	}
	for mask := range win {
		if win[mask] {
			continue
		}
		k := 0
		for m := mask; m != 0; m &= m - 1 {
			k++
		}
		for i := 0; i < n; i++ {
			if mask&(1<<i) == 0 && win[mask|1<<i] {
				sw[i]++
				bySize[i][k]++
			}
		}
	}
	fact := factorials(n)
	ss := make([]*big.Rat, n)
	for i := range ss {
		num := new(big.Int)
		for k, c := range bySize[i] {
			x := new(big.Int).Mul(big.NewInt(c), fact[k])
			num.Add(num, x.Mul(x, fact[n-1-k]))
		}
		ss[i] = new(big.Rat).SetFrac(num, fact[n])
	}
	return sw, ss
}

// BenchmarkVersusNaive20 measures, in one run, the engine and the naive
// enumeration of all 2^20 coalitions on the same body of 20 voters
// (weights up to 100, quota half plus one); the test below checks that
// they agree.
func BenchmarkVersusNaive20(b *testing.B) {
	d := randomBody(4, 20, 100, 0.5)
	g, err := Compile(d)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			if _, err := g.Power(context.Background(), 1<<26); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("naive", func(b *testing.B) {
		for b.Loop() {
			naivePower(d, g.Voters)
		}
	})
}

// TestNaiveAgrees checks the benchmark's naive method against the engine
// on a small body, so that the ratio compares equal results.
func TestNaiveAgrees(t *testing.T) {
	d := randomBody(4, 12, 100, 0.5)
	g, p := power(t, d)
	sw, ss := naivePower(d, g.Voters)
	for i := range sw {
		if p.Swings[i].Int64() != sw[i] || p.ShapleyShubik[i].Cmp(ss[i]) != 0 {
			t.Errorf("voter %d: engine %v %v, naive %d %v", i, p.Swings[i], p.ShapleyShubik[i], sw[i], ss[i])
		}
	}
}
