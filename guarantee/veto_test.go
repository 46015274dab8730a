package guarantee

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/entente-org/entente/settlement"
)

func TestVetoPlayers(t *testing.T) {
	u := func(m ...string) *settlement.Decision {
		return &settlement.Decision{Kind: settlement.Unanimity, Members: m}
	}
	a := func(m ...string) *settlement.Decision { return &settlement.Decision{Kind: settlement.Any, Members: m} }
	q := func(quota float64, w map[string]float64, order ...string) *settlement.Decision {
		return &settlement.Decision{Kind: settlement.Quota, Quota: quota, Weights: w, WeightOrder: order}
	}
	tests := []struct {
		name string
		d    *settlement.Decision
		want []string
	}{
		{"unanimity", u("GB", "RU", "US"), []string{"GB", "RU", "US"}},
		{"any", a("US", "FR"), nil},
		{"single any", a("US"), []string{"US"}},
		{"quota reachable without", q(3, map[string]float64{"A": 2, "B": 1, "C": 1}, "A", "B", "C"), []string{"A"}},
		{"quota needs all", q(4, map[string]float64{"A": 2, "B": 1, "C": 1}, "A", "B", "C"), []string{"A", "B", "C"}},
		{"UN Security Council", unsc(), []string{"CN", "FR", "GB", "RU", "US"}},
		{"US plus any two", &settlement.Decision{Kind: settlement.AllOf, Rules: []*settlement.Decision{
			u("US"), q(2, map[string]float64{"FR": 1, "GB": 1, "DE": 1}, "FR", "GB", "DE")}}, []string{"US"}},
		{"any of two unanimities", &settlement.Decision{Kind: settlement.AnyOf, Rules: []*settlement.Decision{
			u("US", "GB"), u("US", "FR")}}, []string{"US"}},
	}
	for _, tt := range tests {
		if got := VetoPlayers(tt.d); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: VetoPlayers = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// unsc is the UN Security Council: 9 of 15 votes with no veto cast, as a
// composition: unanimity of the five permanent members and a quota of 9.
func unsc() *settlement.Decision {
	p5 := []string{"CN", "FR", "GB", "RU", "US"}
	w := map[string]float64{}
	var order []string
	for _, p := range p5 {
		w[p] = 1
		order = append(order, p)
	}
	for i := 1; i <= 10; i++ {
		id := fmt.Sprintf("E%d", i)
		w[id] = 1
		order = append(order, id)
	}
	return &settlement.Decision{Kind: settlement.AllOf, Rules: []*settlement.Decision{
		{Kind: settlement.Unanimity, Members: p5},
		{Kind: settlement.Quota, Quota: 9, Weights: w, WeightOrder: order},
	}}
}

// TestVetoAgainstBruteForce compares VetoPlayers with the definition (a
// member of every winning coalition) by enumerating every coalition of
// random composed games.
func TestVetoAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	players := []string{"A", "B", "C", "D", "E", "F", "G"}
	for trial := 0; trial < 2000; trial++ {
		d := randomRule(rng, players, 0)
		voters := d.Voters()
		winning := 0
		member := map[string]int{}
		for mask := 0; mask < 1<<len(voters); mask++ {
			c := map[string]bool{}
			for i, v := range voters {
				if mask&(1<<i) != 0 {
					c[v] = true
				}
			}
			if d.Wins(c) {
				winning++
				for v := range c {
					member[v]++
				}
			}
		}
		var want []string
		if winning > 0 {
			for _, v := range voters {
				if member[v] == winning {
					want = append(want, v)
				}
			}
		}
		got := VetoPlayers(d)
		if winning == 0 {
			if CanActivate(d) {
				t.Fatalf("trial %d: CanActivate true with no winning coalition", trial)
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: VetoPlayers = %v, brute force %v", trial, got, want)
		}
		for _, v := range voters {
			if IsVeto(d, v) != contains(want, v) {
				t.Fatalf("trial %d: IsVeto(%s) = %v", trial, v, IsVeto(d, v))
			}
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func randomRule(rng *rand.Rand, players []string, depth int) *settlement.Decision {
	pick := func() []string {
		var m []string
		for _, p := range players {
			if rng.Intn(3) == 0 {
				m = append(m, p)
			}
		}
		if len(m) == 0 {
			m = []string{players[rng.Intn(len(players))]}
		}
		return m
	}
	k := rng.Intn(5)
	if depth >= 2 {
		k = rng.Intn(3)
	}
	switch k {
	case 0:
		return &settlement.Decision{Kind: settlement.Unanimity, Members: pick()}
	case 1:
		return &settlement.Decision{Kind: settlement.Any, Members: pick()}
	case 2:
		m := pick()
		w := map[string]float64{}
		total := 0.0
		for _, p := range m {
			w[p] = float64(rng.Intn(5))
			total += w[p]
		}
		return &settlement.Decision{Kind: settlement.Quota, Quota: float64(1 + rng.Intn(int(total)+1)), Weights: w, WeightOrder: m}
	default:
		d := &settlement.Decision{Kind: settlement.AllOf}
		if k == 4 {
			d.Kind = settlement.AnyOf
		}
		for i := 0; i < 2+rng.Intn(2); i++ {
			d.Rules = append(d.Rules, randomRule(rng, players, depth+1))
		}
		return d
	}
}
