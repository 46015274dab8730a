package guarantee

import (
	"bufio"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
)

// calculatorCase is one weighted game of a published calculator's test
// fixture, with the calculator's own normalised and absolute Banzhaf
// indices, grouped by weight.
type calculatorCase struct {
	name   string
	voters int
	quota  float64
	rows   []calculatorRow
}

// calculatorRow is one weight of a calculatorCase: how many voters carry
// it and the indices the calculator printed for each of them.
type calculatorRow struct {
	weight, count int
	norm, abs     float64
}

// readCalculatorCases reads a tab-separated fixture of
// testdata/calculators: case, voters, quota, weight, count, normalised
// Banzhaf, absolute Banzhaf; lines starting with # are comments.
func readCalculatorCases(t *testing.T, path string) []*calculatorCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []*calculatorCase
	byName := map[string]*calculatorCase{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fs := strings.Split(text, "\t")
		if len(fs) != 7 {
			t.Fatalf("%s:%d: %d fields, want 7 (case, voters, quota, weight, count, exact_norm, exact_abs)", path, line, len(fs))
		}
		var ints [4]int
		for i, s := range []string{fs[1], fs[2], fs[3], fs[4]} {
			if ints[i], err = strconv.Atoi(s); err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
		}
		norm, err1 := strconv.ParseFloat(fs[5], 64)
		abs, err2 := strconv.ParseFloat(fs[6], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s:%d: bad index %q or %q", path, line, fs[5], fs[6])
		}
		c := byName[fs[0]]
		if c == nil {
			c = &calculatorCase{name: fs[0], voters: ints[0], quota: float64(ints[1])}
			byName[fs[0]] = c
			cases = append(cases, c)
		}
		c.rows = append(c.rows, calculatorRow{weight: ints[2], count: ints[3], norm: norm, abs: abs})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// relDiff is |got − want| relative to want (absolute when want is 0).
func relDiff(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// TestGoBanzhafVectors checks the engine against the published output of
// another power-index calculator on two large bodies: the test fixture
// testdata/vectors.json of jbrukh/go-banzhaf (github.com/jbrukh/go-banzhaf,
// commit 6b87672f2d0f4034605a9dceac8d23e029075b34), whose README says the
// indices were computed by the Python reference implementation the Go
// library was ported from, and which the library's own test
// TestExactMatchesPython reproduces. Its convention is ours: a coalition
// wins when its weight reaches the quota (sum ≥ quota), the normalised
// index is swings over total swings and the absolute index is swings over
// 2^(n−1). The cases are "whales_tail" (125 voters: weights 60, 55, 50,
// 45, 40 and a tail of 1s, 2s and 3s; quota 246 of 491) and "zipf_a1.3"
// (200 voters, one of weight 300, quota 515 of 1029). The repository has
// no licence file, so only the facts the test needs are copied into
// testdata/calculators/go-banzhaf.tsv: the weights counted by value (the
// indices depend on the weight alone) and, for each weight, the two
// indices exactly as printed (the shortest decimals of a float64). The
// test asserts that the engine's exact rationals, rounded correctly by
// big.Rat.Float64, are exactly those float64 values, that is, agree to
// every digit printed (they do, for all 325 voters, for both indices).
func TestGoBanzhafVectors(t *testing.T) {
	const path = "testdata/calculators/go-banzhaf.tsv"
	cases := readCalculatorCases(t, path)
	if len(cases) != 2 {
		t.Fatalf("%s: %d cases, want 2", path, len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var names []string
			var weights []float64
			want := map[string]calculatorRow{}
			for _, r := range c.rows {
				for k := 0; k < r.count; k++ {
					v := fmt.Sprintf("w%d_%d", r.weight, k+1)
					names, weights = append(names, v), append(weights, float64(r.weight))
					want[v] = r
				}
			}
			if len(names) != c.voters {
				t.Fatalf("fixture lists %d voters, says %d", len(names), c.voters)
			}
			g, p := power(t, weighted(c.quota, names, weights...))
			// 2^(n−1): the coalitions of the other voters.
			others := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(c.voters-1)))
			for i, v := range g.Voters {
				r := want[v]
				norm, _ := p.Banzhaf[i].Float64()
				abs, _ := new(big.Rat).Quo(new(big.Rat).SetInt(p.Swings[i]), others).Float64()
				if norm != r.norm {
					t.Errorf("normalised Banzhaf of %s (weight %d) = %v ≈ %v, go-banzhaf %v (relative difference %.1e)", v, r.weight, p.Banzhaf[i], norm, r.norm, relDiff(norm, r.norm))
				}
				if abs != r.abs {
					t.Errorf("absolute Banzhaf of %s (weight %d) = %v/2^%d ≈ %v, go-banzhaf %v (relative difference %.1e)", v, r.weight, p.Swings[i], c.voters-1, abs, r.abs, relDiff(abs, r.abs))
				}
			}
		})
	}
}
