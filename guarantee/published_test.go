package guarantee

import (
	"context"
	"fmt"
	"math/big"
	"testing"

	"github.com/entente-org/entente/settlement"
)

func weighted(quota float64, names []string, weights ...float64) *settlement.Decision {
	d := &settlement.Decision{Kind: settlement.Quota, Quota: quota, Weights: map[string]float64{}, WeightOrder: names}
	for i, n := range names {
		d.Weights[n] = weights[i]
	}
	return d
}

func power(t *testing.T, d *settlement.Decision) (*Game, *Power) {
	t.Helper()
	g, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.Power(context.Background(), 1<<25)
	if err != nil {
		t.Fatal(err)
	}
	return g, p
}

// TestUNSecurityCouncil reproduces the Shapley–Shubik index of the UN
// Security Council (15 members; 9 votes including the 5 permanent
// members): 421/2145 for each permanent member and 4/2145 for each
// elected one, as published in a worked solution of a 2014 University of
// Cambridge mathematics examination (paper 37, question 5(b): "α =
// 421/2145, β = 4/2145") and in "Is it me, or is 'Veto' starting to sound
// really good", Gonit Sora (gonitsora.com): 4/2145, or 0.19%, for an
// elected member, 19.6% for a permanent one.
// The council is written both as a composition (unanimity of the five and
// a quota of 9) and as the weighted game 39 of 7 × 5 and 1 × 10 that
// frankhuettner/powerindices uses in its README.
func TestUNSecurityCouncil(t *testing.T) {
	var names []string
	var weights []float64
	for _, p := range []string{"CN", "FR", "GB", "RU", "US"} {
		names, weights = append(names, p), append(weights, 7)
	}
	for i := 1; i <= 10; i++ {
		names, weights = append(names, fmt.Sprintf("E%d", i)), append(weights, 1)
	}
	for _, d := range []*settlement.Decision{unsc(), weighted(39, names, weights...)} {
		g, p := power(t, d)
		for i, v := range g.Voters {
			want := big.NewRat(4, 2145)
			if i < 5 {
				want = big.NewRat(421, 2145)
			}
			if p.ShapleyShubik[i].Cmp(want) != 0 {
				t.Errorf("%s: Shapley–Shubik of %s = %v, published %v", Describe(d), v, p.ShapleyShubik[i], want)
			}
		}
		if got := VetoPlayers(d); fmt.Sprint(got) != "[CN FR GB RU US]" {
			t.Errorf("%s: veto players %v", Describe(d), got)
		}
	}
}

// TestNassauCounty reproduces the published dummies of the weighted
// voting of the Nassau County (New York) Board of Supervisors, the case
// of J. F. Banzhaf III, "Weighted Voting Doesn't Work: A Mathematical
// Analysis", Rutgers Law Review 19 (1965). The weights and quotas are the
// table of COMAP, For All Practical Purposes (10th ed., chapter 11,
// exercise 35, and its answer: "In 1958, [three supervisors] were
// dummies. In 1964, [three] were dummies. There were no dummies in 1970
// and after"; the stored copy lost the letters naming them), also given by
// J. Malkevitch, "Voting Games: Part II", AMS Feature Column, who notes
// that in 1958 "North Hempstead had the same power as Hempstead 1 and
// Hempstead 2 because any two of these communities formed a minimal
// winning coalition" and that Oyster Bay, Long Beach and Glen Cove were
// dummies in 1958. In 1964 the three dummies can only be North Hempstead,
// Glen Cove and Long Beach (any two of H1, H2 and Oyster Bay win). So in
// both years the three others each hold exactly 1/3 by either index.
func TestNassauCounty(t *testing.T) {
	names := []string{"H1", "H2", "NH", "OB", "GC", "LB"}
	tests := []struct {
		year    int
		quota   float64
		weights []float64
		dummies string
	}{
		{1958, 16, []float64{9, 9, 7, 3, 1, 1}, "[OB GC LB]"},
		{1964, 58, []float64{31, 31, 21, 28, 2, 2}, "[NH GC LB]"},
		{1970, 63, []float64{31, 31, 21, 28, 2, 2}, "[]"},
		{1976, 71, []float64{35, 35, 23, 32, 2, 3}, "[]"},
	}
	for _, tt := range tests {
		g, p := power(t, weighted(tt.quota, names, tt.weights...))
		var dummies []string
		for i, v := range g.Voters {
			if p.Swings[i].Sign() == 0 {
				dummies = append(dummies, v)
				if p.Banzhaf[i].Sign() != 0 || p.ShapleyShubik[i].Sign() != 0 {
					t.Errorf("%d: dummy %s with power", tt.year, v)
				}
			} else if tt.dummies != "[]" && (p.Banzhaf[i].Cmp(big.NewRat(1, 3)) != 0 || p.ShapleyShubik[i].Cmp(big.NewRat(1, 3)) != 0) {
				t.Errorf("%d: %s has Banzhaf %v, Shapley–Shubik %v; want 1/3", tt.year, v, p.Banzhaf[i], p.ShapleyShubik[i])
			}
		}
		if fmt.Sprint(dummies) != tt.dummies && !(tt.dummies == "[]" && dummies == nil) {
			t.Errorf("%d: dummies %v, published %s", tt.year, dummies, tt.dummies)
		}
	}
}

// TestEEC1958 reproduces the normalised Banzhaf index of the Council of
// Ministers of the European Economic Community, 1958: Germany, France
// and Italy 4 votes, Belgium and the Netherlands 2, Luxembourg 1, quota
// 12. The values are those of the maintained calculator powerindex
// (M. Litvak, github.com/maxlit/powerindex, README "EEC (1958-1982)":
// "px -i b -q 12 -w 4 4 4 2 2 1" gives [0.238…, 0.238…, 0.238…, 0.142…,
// 0.142…, 0.0], and its test test_calc_banzhaf: 5/21, 5/21, 5/21, 3/21,
// 3/21, 0): Luxembourg is a dummy.
func TestEEC1958(t *testing.T) {
	names := []string{"DE", "FR", "IT", "BE", "NL", "LU"}
	g, p := power(t, weighted(12, names, 4, 4, 4, 2, 2, 1))
	want := []*big.Rat{big.NewRat(5, 21), big.NewRat(5, 21), big.NewRat(5, 21), big.NewRat(3, 21), big.NewRat(3, 21), new(big.Rat)}
	for i, v := range g.Voters {
		if p.Banzhaf[i].Cmp(want[i]) != 0 {
			t.Errorf("Banzhaf of %s = %v, published %v", v, p.Banzhaf[i], want[i])
		}
	}
	if p.ShapleyShubik[5].Sign() != 0 {
		t.Errorf("Shapley–Shubik of Luxembourg = %v, want 0 (a dummy)", p.ShapleyShubik[5])
	}
}
