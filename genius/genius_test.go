package genius_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entente-org/entente/check"
	"github.com/entente-org/entente/genius"
	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// importCase is a Genius domain and profiles from testdata, converted with
// the default options unless opts changes them.
type importCase struct {
	name     string
	domain   string
	profiles []string
	opts     func(*genius.Options)
	// warnings is how many warnings the import gives.
	warnings int
	// positions is how many parties get a position.
	positions int
}

var cases = []importCase{
	{name: "party", domain: "party/party_domain.xml", profiles: []string{"party/party1_utility.xml", "party/party2_utility.xml"}, positions: 2},
	{name: "england_zimbabwe", domain: "england_zimbabwe/EnglandZimbabwe_domain.xml", profiles: []string{"england_zimbabwe/England10.xml", "england_zimbabwe/Zimbabwe10.xml"}, warnings: 2, positions: 2},
	{name: "itex_vs_cypress", domain: "itex_vs_cypress/ItexvsCypress_domain.xml", profiles: []string{"itex_vs_cypress/ItexvsCypress_Itex50.xml"}, warnings: 1, positions: 1},
	{name: "travel", domain: "travel/travel_domain.xml", profiles: []string{"travel/travel_fanny.xml"}, positions: 1},
	travel, // travel_chox.xml and travel_fanny.xml, the pair of ANAC 2010 (frontier_test.go)
	{name: "nonlinear", domain: "nonlinear/S-1NIKFRT-2-domain.xml", profiles: []string{"nonlinear/profile-1.xml"}, warnings: 1, positions: 0},
	{name: "car", domain: "car/car_domain.xml", profiles: []string{"car/car_buyer_synthetic.xml", "car/car_dealer_synthetic.xml"}, warnings: 2, positions: 2},
	{name: "car_5", domain: "car/car_domain.xml", profiles: []string{"car/car_buyer_synthetic.xml", "car/car_dealer_synthetic.xml"},
		opts: func(o *genius.Options) { o.RealValues = 5; o.Parties = []string{"buyer", "dealer"} }, warnings: 2, positions: 2},
	{name: "integer", domain: "synthetic/integer_domain.xml", profiles: []string{"synthetic/integer_a.xml", "synthetic/integer_b.xml"}, warnings: 2, positions: 2},
}

func (c importCase) run(t *testing.T) (*genius.Import, genius.Options) {
	t.Helper()
	opts := genius.DefaultOptions()
	if c.opts != nil {
		c.opts(&opts)
	}
	domain := parseFile(t, c.domain)
	var profiles []*genius.File
	for _, p := range c.profiles {
		profiles = append(profiles, parseFile(t, p))
	}
	im, err := genius.Convert(domain, profiles, opts)
	if err != nil {
		t.Fatalf("Convert(%s) = %v", c.name, err)
	}
	return im, opts
}

// parseFile parses testdata/name, naming it by its path under testdata so
// that positions and golden files do not depend on the machine.
func parseFile(t *testing.T, name string) *genius.File {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := genius.Parse(name, src)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", name, err)
	}
	return f
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestUtilityEqualsGenius checks, on every package of each domain, that
// each party's utility in the settlement (settlement.Utility.Of: values
// weighted by weights divided by their sum) equals the Genius utility of
// its profile, computed independently by the reference reader from the
// XML; and that the issues, options and reservation values are Genius's.
func TestUtilityEqualsGenius(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, opts := c.run(t)
			s, fs, err := settlement.Parse(c.name+".yaml", im.YAML(), settlement.DefaultOptions())
			if err != nil || fs.Errors() > 0 {
				t.Fatalf("settlement.Parse = %v, %v", err, fs)
			}
			d := readRefDomain(t, readTestdata(t, c.domain))
			if len(s.Issues) != len(d.Issues) {
				t.Fatalf("%d issues, want %d", len(s.Issues), len(d.Issues))
			}
			// The settlement's values of each issue, and Genius's.
			var sv, gv [][]any
			for i, is := range d.Issues {
				got := s.Issues[i]
				if got.Name != is.Name {
					t.Errorf("issue %d is named %q, want %q", i, got.Name, is.Name)
				}
				g := refValues(t, is, opts.RealValues)
				vals := settlementValues(got)
				if len(vals) != len(g) {
					t.Fatalf("issue %s has %d values, want %d (Genius's)", got.ID, len(vals), len(g))
				}
				if kindOf(is) == "discrete" {
					for k := range g {
						if vals[k] != g[k] {
							t.Errorf("issue %s option %d = %q, want %q", got.ID, k, vals[k], g[k])
						}
					}
				}
				if kindOf(is) == "integer" {
					for k := range g {
						if vals[k] != g[k] {
							t.Errorf("issue %s value %d = %v, want %v", got.ID, k, vals[k], g[k])
						}
					}
				}
				sv, gv = append(sv, vals), append(gv, g)
			}
			positions := 0
			for i, pf := range c.profiles {
				party := im.Parties[i]
				var pos *settlement.Position
				for _, p := range s.Positions {
					if p.Party == party.ID {
						pos = p
					}
				}
				if party.Utility == nil {
					if pos != nil {
						t.Errorf("party %s has a position, want none (its profile is not additive)", party.ID)
					}
					continue
				}
				positions++
				if pos == nil || pos.Utility == nil {
					t.Fatalf("party %s has no position or no utility", party.ID)
				}
				ref := readRefProfile(t, readTestdata(t, pf))
				if ref.Reservation != nil && (!pos.HasReservation || pos.Reservation != *ref.Reservation) {
					t.Errorf("party %s reservation = %v (given %v), want %v", party.ID, pos.Reservation, pos.HasReservation, *ref.Reservation)
				}
				n, worst := 0, 0.0
				table := ref.table(t, d, gv)
				eachPackage(s, sv, gv, func(pkg rules.Package, bid []int) {
					n++
					got := pos.Utility.Of(s, pkg)
					want := ref.utility(d, table, bid)
					if diff := math.Abs(got - want); diff > worst {
						worst = diff
					}
					if math.Abs(got-want) > 1e-9 && n < 5 {
						t.Errorf("party %s: utility of %v = %.17g, want %.17g (Genius)", party.ID, pkg, got, want)
					}
				})
				if worst > 1e-9 {
					t.Errorf("party %s: largest difference from Genius %g over %d packages", party.ID, worst, n)
				}
				t.Logf("party %s: %d packages, largest difference from Genius %.3g", party.ID, n, worst)
			}
			if positions != c.positions {
				t.Errorf("%d positions, want %d", positions, c.positions)
			}
			if len(im.Warnings) != c.warnings {
				t.Errorf("%d warnings, want %d:\n%s", len(im.Warnings), c.warnings, warnings(im))
			}
		})
	}
}

func warnings(im *genius.Import) string {
	var b strings.Builder
	for _, w := range im.Warnings {
		fmt.Fprintln(&b, w)
	}
	return b.String()
}

// settlementValues lists an issue's values as the settlement defines them.
func settlementValues(is *settlement.Issue) []any {
	var out []any
	switch is.Kind {
	case rules.Enum:
		for _, o := range is.Options {
			out = append(out, o)
		}
	case rules.Range:
		for v := is.Range.Min; v <= is.Range.Max; v += is.Range.Step {
			out = append(out, v)
		}
	}
	return out
}

// eachPackage calls f with every combination of values: the settlement's
// package and the matching Genius bid.
func eachPackage(s *settlement.Settlement, sv, gv [][]any, f func(rules.Package, []int)) {
	idx := make([]int, len(sv))
	for {
		pkg := rules.Package{}
		for i, k := range idx {
			pkg[s.Issues[i].ID] = sv[i][k]
		}
		f(pkg, idx)
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(sv[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// TestGolden compares the produced settlement files with testdata/golden.
// Regenerate with: go test ./genius -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, _ := c.run(t)
			path := filepath.Join("testdata", "golden", c.name+".yaml")
			if *update {
				if err := os.WriteFile(path, im.YAML(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run: go test ./genius -run TestGolden -update)", err)
			}
			if !bytes.Equal(im.YAML(), want) {
				t.Errorf("Convert(%s) differs from %s; if the change is intended, run: go test ./genius -run TestGolden -update\ngot:\n%s", c.name, path, im.YAML())
			}
		})
	}
}

// TestCheckPasses runs every check of entente check on each imported
// settlement: no errors.
func TestCheckPasses(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, _ := c.run(t)
			s, fs, err := settlement.Parse(c.name+".yaml", im.YAML(), settlement.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			all := check.Settlement(s, fs)
			if all.Errors() > 0 {
				t.Errorf("check found errors:\n%v", all)
			}
			for _, f := range all {
				t.Logf("%s: %s[%s]: %s", f.Pos, f.Severity, f.Code, f.Message)
			}
		})
	}
}

// TestWarningsInOutput checks that every warning is also a comment of the
// settlement file, and that the file names its sources.
func TestWarningsInOutput(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, _ := c.run(t)
			out := string(im.YAML())
			flat := strings.Join(strings.Fields(strings.ReplaceAll(out, "#", " ")), " ")
			for _, w := range im.Warnings {
				msg := strings.Join(strings.Fields(w.Msg), " ")
				if !strings.Contains(flat, msg) {
					t.Errorf("warning %q is not in the settlement's comments", w.Msg)
				}
			}
			for _, f := range append([]string{c.domain}, c.profiles...) {
				if !strings.Contains(out, "#   ") || !strings.Contains(out, f) {
					t.Errorf("the header does not name %s", f)
				}
			}
		})
	}
}

// TestNormaliseWeights converts a profile whose weights sum to 0.8: an
// error by default, a warning with NormaliseWeights, and then the
// settlement's utility is Genius's divided by 0.8.
func TestNormaliseWeights(t *testing.T) {
	domain := parseFile(t, "party/party_domain.xml")
	src := bytes.Replace(readTestdata(t, "party/party1_utility.xml"), []byte(`<weight index="2" value="0.28">`), []byte(`<weight index="2" value="0.08">`), 1)
	profile, err := genius.Parse("p.xml", src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = genius.Convert(domain, []*genius.File{profile}, genius.DefaultOptions())
	var el genius.ErrorList
	if !errors.As(err, &el) || !strings.Contains(err.Error(), "sum to 0.8") {
		t.Fatalf("Convert with weights summing to 0.8 = %v, want an ErrorList saying they sum to 0.8", err)
	}
	opts := genius.DefaultOptions()
	opts.NormaliseWeights = true
	im, err := genius.Convert(domain, []*genius.File{profile}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Warnings) != 1 || !strings.Contains(im.Warnings[0].Msg, "divided by 0.8") {
		t.Fatalf("warnings = %v, want one saying utilities are divided by 0.8", im.Warnings)
	}
	if !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(string(im.YAML()), "#", "")), " "), "except where a warning below says the weights were divided by their sum") {
		t.Errorf("the header does not qualify its claim that utilities equal Genius's:\n%s", im.YAML())
	}
	s, _, err := settlement.Parse("p.yaml", im.YAML(), settlement.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ref := readRefProfile(t, src)
	d := readRefDomain(t, readTestdata(t, "party/party_domain.xml"))
	var sv, gv [][]any
	for i, is := range d.Issues {
		sv, gv = append(sv, settlementValues(s.Issues[i])), append(gv, refValues(t, is, 0))
	}
	table := ref.table(t, d, gv)
	eachPackage(s, sv, gv, func(pkg rules.Package, bid []int) {
		got := s.Positions[0].Utility.Of(s, pkg)
		want := ref.utility(d, table, bid) / 0.8
		if math.Abs(got-want) > 1e-9 {
			t.Fatalf("utility of %v = %g, want %g (Genius's / 0.8)", pkg, got, want)
		}
	})
}
