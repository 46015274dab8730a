package monitor

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The examples' monitoring on the real data in shared/data: the reports
// their READMEs quote, kept as golden files (go test ./monitor -run
// TestExamples -update rewrites them), with the plots the READMEs show.
// The minsk-2015 figures are also checked against those its README gave
// before this engine existed, from a separate script of the example's
// author.
func TestExamples(t *testing.T) {
	data := sharedData(t)
	for _, tc := range []struct {
		name, settlement, data string
		from, to               string
		golden, svg, title     string
		check                  func(t *testing.T, r *Report, recs []Record)
	}{
		{
			name: "minsk-2015, 2014–2019", settlement: "../examples/minsk-2015/settlement.yaml", data: "ucdp-ged-ukraine-2014-2019.csv",
			golden: "testdata/examples/minsk-2015.json",
			check: func(t *testing.T, r *Report, _ []Record) {
				v := r.Violations
				if r.Events != 2677 || v.Total != 553 || v.BySide["UA"] != 553 || r.Unattributed.Events != 1 {
					t.Errorf("events %d, violations %d (UA %d), unattributed %d; want 2677, 553 (553), 1", r.Events, v.Total, v.BySide["UA"], r.Unattributed.Events)
				}
			},
		},
		{
			name: "minsk-2015, first half of 2015", settlement: "../examples/minsk-2015/settlement.yaml", data: "ucdp-ged-ukraine-2014-2019.csv",
			from: "2015-01-01", to: "2015-06-30",
			golden: "testdata/examples/minsk-2015-h1.json", svg: "../examples/minsk-2015/monitor-2015-h1.svg",
			title: "minsk-2015 on UCDP GED: violations per day, January–June 2015",
			check: func(t *testing.T, r *Report, recs []Record) {
				// The README's independent figures: 580 events in the half
				// year, 510 in the security zone, 537 within 25 km of the
				// line; the trigger first over 20 on 18 February, last on 23.
				var inZone, near int
				for _, rec := range recs {
					if d := Day(&rec.Event); d >= "2015-01-01" && d <= "2015-06-30" {
						if rec.Event.Zone != "" {
							inZone++
						}
						if rec.Event.DistanceKm >= 0 && rec.Event.DistanceKm <= 25 {
							near++
						}
					}
				}
				tr := r.Triggers[0]
				if r.Events != 580 || inZone != 510 || near != 537 || tr.First != "2015-02-18" || tr.Last != "2015-02-23" {
					t.Errorf("events %d, in zone %d, within 25 km %d, trigger %s … %s; want 580, 510, 537, 2015-02-18 … 2015-02-23",
						r.Events, inZone, near, tr.First, tr.Last)
				}
			},
		},
		{
			name: "ukraine-2025", settlement: "../examples/ukraine-2025/settlement.yaml", data: "ucdp-ged251-ukraine-sample-2022-2023.csv",
			golden: "testdata/examples/ukraine-2025.json",
			check: func(t *testing.T, r *Report, _ []Record) {
				if r.Events != 1262 || r.Violations.Total != 0 || r.Triggers[0].Fired || r.Triggers[1].Fired {
					t.Errorf("events %d, violations %d: want 1262 events and no violation before the ceasefire", r.Events, r.Violations.Total)
				}
			},
		},
		{
			name: "ukraine-2025 replay", settlement: "../examples/ukraine-2025/replay-2022-2023.yaml", data: "ucdp-ged251-ukraine-sample-2022-2023.csv",
			golden: "testdata/examples/ukraine-2025-replay.json", svg: "../examples/ukraine-2025/replay-2022-2023.svg",
			title: "ukraine-2025 terms replayed over UCDP GED 25.1, 2022–2023 (1-in-14 sample)",
			check: func(t *testing.T, r *Report, _ []Record) {
				if r.Violations.ByRule["deep-strike"] != 0 {
					t.Errorf("deep-strike matched %d events of a file without where_prec", r.Violations.ByRule["deep-strike"])
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := loadSettlement(t, tc.settlement)
			c, err := NewClassifier(s, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := readAll(t, filepath.Join(data, tc.data))
			tally := NewTally()
			for i := range recs {
				cl, err := c.Classify(&recs[i].Event)
				if err != nil {
					t.Fatal(err)
				}
				tally.Add(&recs[i], cl)
			}
			rep := tally.Counts(tc.from, tc.to).Report(s.Monitoring.Triggers, c.ReportOptions())
			tc.check(t, rep, recs)
			got, _ := json.MarshalIndent(rep, "", "  ")
			compareGolden(t, tc.golden, append(got, '\n'))
			if tc.svg != "" {
				var buf bytes.Buffer
				if err := PlotSVG(&buf, rep, PlotOptions{Title: tc.title}); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, tc.svg, buf.Bytes())
			}
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./monitor -run TestExamples -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		line := 1 + strings.Count(string(commonPrefix(got, want)), "\n")
		t.Errorf("%s differs from the output at line %d; if the change is intended: go test ./monitor -run TestExamples -update", path, line)
	}
}

func commonPrefix(a, b []byte) []byte {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}
