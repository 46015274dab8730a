package monitor

import (
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func loadSettlement(t testing.TB, path string) *settlement.Settlement {
	t.Helper()
	s, findings, err := settlement.LoadFile(path, settlement.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Severity == settlement.Error {
			t.Fatalf("%s: %v", path, f)
		}
	}
	return s
}

func testClassifier(t testing.TB, opts Options) (*Classifier, *settlement.Settlement) {
	t.Helper()
	s := loadSettlement(t, "testdata/classify/settlement.yaml")
	c, err := NewClassifier(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// lines returns the line of contact's segments as line strings, for the
// reference distance.
func lines(fc *geojson.FeatureCollection) []orb.LineString {
	var out []orb.LineString
	for _, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.LineString:
			out = append(out, g)
		case orb.MultiLineString:
			out = append(out, g...)
		}
	}
	return out
}

func TestClassify(t *testing.T) {
	c, s := testClassifier(t, DefaultOptions())
	ref := lines(s.Monitoring.LineFeatures)
	after, before := day("2015-03-01"), day("2015-02-14")
	ru := "Military Forces of Russia (2000-)"
	for _, tc := range []struct {
		name        string
		ev          rules.Event
		side, other string
		zone        string
		rules       string
		unattr      bool
	}{
		{"in the buffer", rules.Event{Date: day("2015-02-16"), Actor1: "Government of Ukraine", Actor2: "DPR", Lat: 48.6, Lon: 38.5, Fatalities: 1, PrecisionPlace: 1},
			"UA", "DPR", "buffer", "in-buffer", false},
		{"in the hole, inside the inner zone, on the line", rules.Event{Date: before, Actor1: "DPR", Actor2: "Government of Ukraine", Lat: 48, Lon: 38, Fatalities: 5, PrecisionPlace: 2},
			"DPR", "UA", "inner", "deadly,near-line", false},
		{"near the line, placed to an oblast", rules.Event{Date: before, Actor1: "DPR", Lat: 48, Lon: 38.01, PrecisionPlace: 4},
			"DPR", "", "inner", "", false},
		{"in a hole only", rules.Event{Date: after, Actor1: "DPR", Lat: 47.85, Lon: 37.85, PrecisionPlace: 1},
			"DPR", "", "", "", false},
		{"Kyiv, unattributed", rules.Event{Date: after, Actor1: "Unidentified Armed Group (Ukraine)", Actor2: ru, Lat: 50.45, Lon: 30.52},
			"", "RU", "cities", "", true},
		{"Odesa, second polygon", rules.Event{Date: after, Actor1: ru, Lat: 46.45, Lon: 30.7},
			"RU", "", "cities", "", false},
		{"Grad at 30 km", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 38.4, Notes: "Shelling with BM-21 Grad rockets"},
			"RU", "", "buffer", "in-buffer,mlrs", false},
		{"Smerch at 60 km", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 38.8, Notes: "a Smerch salvo"},
			"RU", "", "buffer", "in-buffer,mlrs,heavy", false},
		{"Smerch at 110 km", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 39.5, Notes: "SMERCH"},
			"RU", "", "", "heavy", false},
		{"Smerch at 150 km", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 40.05, Notes: "smerch"},
			"RU", "", "", "", false},
		{"howitzer at 40 km", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 38.54, Notes: "152mm howitzer fire (2S3 Akatsiya)"},
			"RU", "", "buffer", "in-buffer,artillery-100mm", false},
		{"Grad, placed only to an oblast", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 38.4, Notes: "Grad", PrecisionPlace: 4},
			"RU", "", "buffer", "in-buffer", false},
		{"Grad, ACLED region only", rules.Event{Source: "acled", Date: after, Actor1: ru, Lat: 48, Lon: 38.4, Notes: "Grad", PrecisionPlace: 3},
			"RU", "", "buffer", "in-buffer", false},
		{"Grad, ACLED near the town", rules.Event{Source: "acled", Date: after, Actor1: ru, Lat: 48, Lon: 38.4, Notes: "Grad", PrecisionPlace: 2},
			"RU", "", "buffer", "in-buffer,mlrs", false},
		{"Grad before the ceasefire", rules.Event{Date: before, Actor1: ru, Lat: 48, Lon: 38.4, Notes: "Grad"},
			"RU", "", "buffer", "", false},
		{"no whole word", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 38.4, Notes: "an upgrade of positions near Belgrade"},
			"RU", "", "buffer", "in-buffer", false},
		{"drones: a term the lexicon cannot judge", rules.Event{Date: after, Actor1: ru, Lat: 48, Lon: 38.01, Notes: "loitering munitions"},
			"RU", "", "inner", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev
			cl, err := c.Classify(&ev)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Side != tc.side || ev.OtherSide != tc.other || ev.Zone != tc.zone {
				t.Errorf("side, other side, zone = %q, %q, %q; want %q, %q, %q", ev.Side, ev.OtherSide, ev.Zone, tc.side, tc.other, tc.zone)
			}
			if got := strings.Join(cl.Rules, ","); got != tc.rules {
				t.Errorf("rules = %q, want %q (distance %.1f km)", got, tc.rules, ev.DistanceKm)
			}
			if cl.Unattributed != tc.unattr || cl.Violation() != (tc.rules != "") {
				t.Errorf("unattributed %v violation %v, want %v %v", cl.Unattributed, cl.Violation(), tc.unattr, tc.rules != "")
			}
			if want := refDistanceKm(orb.Point{ev.Lon, ev.Lat}, ref); math.Abs(ev.DistanceKm-want) > 1e-6 {
				t.Errorf("distance_km = %f, want %f", ev.DistanceKm, want)
			}
		})
	}
	if got := c.Withdrawals(); len(got["drones"]) != 0 || strings.Join(got["heavy"], ",") != "BM-27 Uragan,BM-30 Smerch,Tornado,OTR-21 Tochka" || len(got["mlrs"]) != 9 {
		t.Errorf("Withdrawals() = %q", got)
	}
	if got := strings.Join(c.RuleIDs(), ","); got != "in-buffer,deadly,near-line,artillery-100mm,mlrs,heavy,drones" {
		t.Errorf("RuleIDs() = %s", got)
	}
	if got := strings.Join(c.Sides(), ","); got != "UA,DPR,RU" {
		t.Errorf("Sides() = %s", got)
	}
	if got := strings.Join(c.Zones(), ","); got != "buffer,cities,inner" {
		t.Errorf("Zones() = %s", got)
	}
	if _, err := c.Classify(&rules.Event{Lat: 91}); err == nil {
		t.Error("Classify(lat 91) succeeded")
	}
	if _, err := c.Classify(&rules.Event{Lat: math.NaN()}); err == nil {
		t.Error("Classify(lat NaN) succeeded")
	}
}

func TestWithdrawalGrace(t *testing.T) {
	c, _ := testClassifier(t, Options{WithdrawalGrace: 30 * 24 * time.Hour})
	for _, tc := range []struct {
		date, want string
	}{{"2015-03-01", "in-buffer"}, {"2015-03-20", "in-buffer,mlrs"}} {
		ev := rules.Event{Date: day(tc.date), Lat: 48, Lon: 38.4, Notes: "Grad"}
		cl, err := c.Classify(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(cl.Rules, ","); got != tc.want {
			t.Errorf("%s: rules %s, want %s", tc.date, got, tc.want)
		}
	}
}

func TestNoLine(t *testing.T) {
	s := loadSettlement(t, "testdata/classify/settlement.yaml")
	s.Monitoring.Line, s.Monitoring.LineFeatures = "", nil
	c, err := NewClassifier(s, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ev := rules.Event{Date: day("2015-03-01"), Lat: 48, Lon: 38.4, Notes: "Grad"}
	cl, err := c.Classify(&ev)
	if err != nil || ev.DistanceKm != -1 || strings.Join(cl.Rules, ",") != "in-buffer" {
		t.Errorf("without a line: distance %v, rules %v, err %v; want -1, [in-buffer]", ev.DistanceKm, cl.Rules, err)
	}
}

func TestClassifierErrors(t *testing.T) {
	base := func() *settlement.Settlement { return loadSettlement(t, "testdata/classify/settlement.yaml") }
	for _, tc := range []struct {
		name   string
		change func(s *settlement.Settlement)
		msg    string
	}{
		{"no monitoring", func(s *settlement.Settlement) { s.Monitoring = nil }, "has no monitoring section"},
		{"actor on two sides", func(s *settlement.Settlement) { s.Monitoring.Sides["RU"] = append(s.Monitoring.Sides["RU"], "DPR") },
			`actor "DPR" is listed under both DPR and RU`},
		{"zones not loaded", func(s *settlement.Settlement) { s.Monitoring.ZoneFeatures = nil }, "zones.geojson was not loaded"},
		{"point in the line file", func(s *settlement.Settlement) {
			s.Monitoring.LineFeatures.Append(geojson.NewFeature(orb.Point{1, 2}))
		}, "feature 2 of line.geojson is a Point; the line of contact is LineString or MultiLineString"},
		{"line in the zones file", func(s *settlement.Settlement) {
			s.Monitoring.ZoneFeatures.Append(geojson.NewFeature(orb.LineString{{1, 2}, {3, 4}}))
		}, "feature 3 of zones.geojson is a LineString; zones are Polygon or MultiPolygon"},
		{"id shared by a rule and a withdrawal", func(s *settlement.Settlement) { s.Monitoring.Withdrawals[0].ID = "deadly" },
			"withdrawal deadly has the id of a violation rule"},
		{"rule that does not compile", func(s *settlement.Settlement) {
			s.Monitoring.Violations[0].Rule = settlement.Rule{Expr: `event.zonee == "x"`}
		}, `violation rule in-buffer: 1:7: rule-type: unknown field "zonee"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			tc.change(s)
			_, err := NewClassifier(s, DefaultOptions())
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("NewClassifier = %v, want an error containing %q", err, tc.msg)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	c0, _ := testClassifier(t, DefaultOptions())
	c1, _ := testClassifier(t, DefaultOptions())
	if c0.Fingerprint() != c1.Fingerprint() || len(c0.Fingerprint()) != 64 {
		t.Fatalf("fingerprints %s, %s: want equal SHA-256 hex", c0.Fingerprint(), c1.Fingerprint())
	}
	for _, tc := range []struct {
		name   string
		change func(s *settlement.Settlement)
		opts   Options
	}{
		{"a rule", func(s *settlement.Settlement) {
			s.Monitoring.Violations[1].Rule = settlement.Rule{Expr: "event.fatalities >= 6"}
		}, Options{}},
		{"rule order", func(s *settlement.Settlement) {
			v := s.Monitoring.Violations
			v[0], v[1] = v[1], v[0]
		}, Options{}},
		{"an actor", func(s *settlement.Settlement) { s.Monitoring.Sides["DPR"] = []string{"DPR", "LPR"} }, Options{}},
		{"a zone vertex", func(s *settlement.Settlement) {
			p := s.Monitoring.ZoneFeatures.Features[0].Geometry.(orb.Polygon)
			p[0][1][0] += 0.001
		}, Options{}},
		{"a line vertex", func(s *settlement.Settlement) {
			l := s.Monitoring.LineFeatures.Features[0].Geometry.(orb.LineString)
			l[0][1] += 0.001
		}, Options{}},
		{"a withdrawal distance", func(s *settlement.Settlement) { s.Monitoring.Withdrawals[0].MinKm = 51 }, Options{}},
		{"the ceasefire", func(s *settlement.Settlement) {
			s.Monitoring.Ceasefire.From = s.Monitoring.Ceasefire.From.Add(time.Hour)
		}, Options{}},
		{"options", func(s *settlement.Settlement) {}, Options{WithdrawalGrace: time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := loadSettlement(t, "testdata/classify/settlement.yaml")
			tc.change(s)
			c, err := NewClassifier(s, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if c.Fingerprint() == c0.Fingerprint() {
				t.Errorf("changing %s left the fingerprint unchanged", tc.name)
			}
		})
	}
	// What classification does not read leaves it alone.
	s := loadSettlement(t, "testdata/classify/settlement.yaml")
	s.Monitoring.Triggers[0].Threshold = 99
	s.Monitoring.Violations[0].Description = "changed"
	c, _ := NewClassifier(s, DefaultOptions())
	if c.Fingerprint() != c0.Fingerprint() {
		t.Error("a trigger threshold or a description changed the fingerprint")
	}
}

// TestClassifyRealEvents classifies the 2,677 real events of 2014–2019
// against the minsk-2015 example and checks each distance against the
// haversine brute force and each zone against the winding number.
func TestClassifyRealEvents(t *testing.T) {
	s := loadSettlement(t, "../examples/minsk-2015/settlement.yaml")
	c, err := NewClassifier(s, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	ref := lines(s.Monitoring.LineFeatures)
	zone := s.Monitoring.ZoneFeatures.Features[0]
	recs, _ := readAll(t, filepath.Join(sharedData(t), "ucdp-ged-ukraine-2014-2019.csv"))
	var wg sync.WaitGroup
	errs := make([]error, len(recs))
	cls := make([]Classification, len(recs))
	for w := 0; w < 4; w++ { // concurrent use
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(recs); i += 4 {
				cls[i], errs[i] = c.Classify(&recs[i].Event)
			}
		}(w)
	}
	wg.Wait()
	inZone := 0
	for i, r := range recs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		ev := r.Event
		p := orb.Point{ev.Lon, ev.Lat}
		if want := refDistanceKm(p, ref); math.Abs(ev.DistanceKm-want) > 1e-6 {
			t.Fatalf("row %d: distance %f, want %f", r.Row, ev.DistanceKm, want)
		}
		if want := refContains(zone.Geometry, p); (ev.Zone == "security-zone-50km") != want {
			t.Fatalf("row %d: zone %q, winding number says inside = %v", r.Row, ev.Zone, want)
		}
		if ev.Zone != "" {
			inZone++
		}
		if (ev.Side == "UA") != (ev.Actor1 == "Government of Ukraine") || cls[i].Unattributed != (ev.Side == "") {
			t.Fatalf("row %d: side %q for actor1 %q", r.Row, ev.Side, ev.Actor1)
		}
	}
	if inZone < 1000 {
		t.Errorf("only %d events in the security zone", inZone)
	}
}
