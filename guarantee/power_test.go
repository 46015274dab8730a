package guarantee

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/entente-org/entente/settlement"
)

// TestPowerAgainstBruteForce compares the exact swings, Banzhaf and
// Shapley–Shubik indices, the number of winning coalitions and the
// minimal winning coalitions of random weighted and composed rules of up
// to 10 voters with enumeration of every coalition and every ordering.
func TestPowerAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	players := []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"}
	checked, big10 := 0, 0
	for trial := 0; checked < 250; trial++ {
		// Mostly small games; every sixth uses all ten players.
		ps := players[:3+rng.Intn(6)]
		if trial%6 == 0 {
			ps = players
		}
		d := randomRule(rng, ps, 0)
		if trial%3 == 0 {
			d = randomWeighted(rng, ps)
		}
		g, err := Compile(d)
		if err != nil {
			if !errors.Is(err, ErrInvalidRule) {
				t.Fatalf("Compile: %v", err)
			}
			continue
		}
		checked++
		n := g.N()
		if n == 10 {
			big10++
		}
		win := bruteWins(d, g.Voters)
		p, err := g.Power(context.Background(), 1<<24)
		if err != nil {
			t.Fatal(err)
		}
		sw := bruteSwings(win, n)
		var total int64
		for _, s := range sw {
			total += s
		}
		ss := bruteShapley(win, n)
		var winning int64
		for _, w := range win {
			if w {
				winning++
			}
		}
		name := Describe(d)
		if p.Winning.Int64() != winning {
			t.Errorf("%s: Winning = %v, brute force %d", name, p.Winning, winning)
		}
		for i, v := range g.Voters {
			if p.Swings[i].Int64() != sw[i] {
				t.Errorf("%s: Swings[%s] = %v, brute force %d", name, v, p.Swings[i], sw[i])
			}
			if want := big.NewRat(sw[i], total); p.Banzhaf[i].Cmp(want) != 0 {
				t.Errorf("%s: Banzhaf[%s] = %v, brute force %v", name, v, p.Banzhaf[i], want)
			}
			if p.ShapleyShubik[i].Cmp(ss[i]) != 0 {
				t.Errorf("%s: ShapleyShubik[%s] = %v, brute force %v", name, v, p.ShapleyShubik[i], ss[i])
			}
		}
		m, err := g.MinimalWinning(context.Background(), 1<<10, 1<<22, 1<<24)
		if err != nil {
			t.Fatal(err)
		}
		mwc := bruteMinimal(win, n)
		if m.Count == nil || m.Count.Int64() != int64(len(mwc)) {
			t.Errorf("%s: MinimalWinning count = %v, brute force %d", name, m.Count, len(mwc))
			continue
		}
		var got, want []string
		for _, c := range m.List {
			got = append(got, strings.Join(c, " "))
		}
		for _, mask := range mwc {
			var c []string
			for i, v := range g.Voters {
				if mask&(1<<i) != 0 {
					c = append(c, v)
				}
			}
			want = append(want, strings.Join(c, " "))
		}
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) || !m.Complete {
			t.Errorf("%s: MinimalWinning list = %v (complete %v), brute force %v", name, got, m.Complete, want)
		}
	}
	if big10 < 20 {
		t.Errorf("only %d games of 10 voters checked", big10)
	}
}

func randomWeighted(rng *rand.Rand, players []string) *settlement.Decision {
	w := map[string]float64{}
	total := 0
	for _, p := range players {
		x := rng.Intn(12)
		w[p] = float64(x)
		total += x
	}
	if total == 0 {
		w[players[0]] = 1
		total = 1
	}
	return &settlement.Decision{Kind: settlement.Quota, Quota: float64(1 + rng.Intn(total)), Weights: w, WeightOrder: players}
}

func TestCompileRejects(t *testing.T) {
	w := func(q float64, ws ...float64) *settlement.Decision {
		d := &settlement.Decision{Kind: settlement.Quota, Quota: q, Weights: map[string]float64{}}
		for i, x := range ws {
			p := fmt.Sprintf("P%d", i)
			d.Weights[p] = x
			d.WeightOrder = append(d.WeightOrder, p)
		}
		return d
	}
	tests := []struct {
		name string
		d    *settlement.Decision
		want string
	}{
		{"quota above total", w(10, 3, 4), "quota 10 is above the total weight 7"},
		{"negative weight", w(1, 3, -1), "weight -1 of P1"},
		{"fractional weight", w(1, 3, 0.5), "weight 0.5 of P1"},
		{"fractional quota", w(1.5, 3, 1), "quota 1.5"},
		{"zero quota", w(0, 3, 1), "quota 0"},
		{"huge weight", w(1, 1e300), "weight 1e+300"},
		{"empty unanimity", &settlement.Decision{Kind: settlement.Unanimity}, "an empty unanimity set"},
		{"empty any", &settlement.Decision{Kind: settlement.Any}, "an empty any set"},
		{"empty all_of", &settlement.Decision{Kind: settlement.AllOf}, "an empty all_of"},
		{"nil", nil, "no decision rule"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.d)
		if err == nil || !errors.Is(err, ErrInvalidRule) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Compile = %v, want an ErrInvalidRule containing %q", tt.name, err, tt.want)
		}
	}
	// A state space beyond MaxStates is refused, not allocated.
	d := &settlement.Decision{Kind: settlement.AllOf, Rules: []*settlement.Decision{w(1<<20, 1<<20), w(1<<20, 1<<20)}}
	if _, err := Compile(d); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Compile of two quotas of 2^20 = %v, want ErrTooLarge", err)
	}
}

// TestTenThousandVoters: a unanimity of 10,000 parties compiles, its veto
// players are found, and the power indices refuse clearly rather than
// exhaust memory.
func TestTenThousandVoters(t *testing.T) {
	var m []string
	for i := 0; i < 10000; i++ {
		m = append(m, fmt.Sprintf("P%d", i))
	}
	d := &settlement.Decision{Kind: settlement.Unanimity, Members: m}
	g, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	if v := VetoPlayers(d); len(v) != 10000 {
		t.Errorf("VetoPlayers: %d, want 10000", len(v))
	}
	_, err = g.Power(context.Background(), DefaultOptions().MaxCells)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "exact power indices") {
		t.Errorf("Power of 10,000 voters = %v, want a TooLargeError", err)
	}
	mw, err := g.MinimalWinning(context.Background(), 3, 1<<20, DefaultOptions().MaxCells)
	if err != nil {
		t.Fatal(err)
	}
	if mw.Count == nil || mw.Count.Int64() != 1 || len(mw.List) != 1 || len(mw.List[0]) != 10000 {
		t.Errorf("MinimalWinning of a unanimity of 10,000: count %v, %d listed, error %v; want the one coalition", mw.Count, len(mw.List), err)
	}
}
