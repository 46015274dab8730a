package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/mission"
	"github.com/entente-org/entente/monitor"
	"github.com/entente-org/entente/settlement"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/sqlite"
)

// sharedData is where the real data lives: $ENTENTE_SHARED_DATA, or
// ../shared/data beside the repository (CI lays shared/ beside its clone).
func sharedData() string {
	if d := os.Getenv("ENTENTE_SHARED_DATA"); d != "" {
		return d
	}
	return "../../../shared/data"
}

func realFile(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(sharedData(), name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("real data %s: %v (shared/ must sit beside the repository)", name, err)
	}
	return p
}

// copyExample copies an example's directory to a temporary one, so that
// its default store is made there, and returns the settlement's path.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("../../examples", name)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.Contains(e.Name(), ".entente.db") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "settlement.yaml")
}

// reportOut is the part of the report JSON the tests read.
type reportOut struct {
	Events     int64            `json:"events"`
	Sources    map[string]int64 `json:"sources"`
	Violations struct {
		Total  int64            `json:"total"`
		BySide map[string]int64 `json:"by_side"`
		ByDay  map[string]int64 `json:"by_day"`
		ByZone map[string]int64 `json:"by_zone"`
		ByRule map[string]int64 `json:"by_rule"`
	} `json:"violations"`
	Triggers []struct {
		ID    string  `json:"id"`
		Fired bool    `json:"fired"`
		First *string `json:"first"`
	} `json:"triggers"`
	Unattributed struct {
		Events int64 `json:"events"`
	} `json:"unattributed"`
	UnattributedEvents []struct {
		Source string `json:"source"`
		ID     string `json:"id"`
	} `json:"unattributed_events"`
	Reclassified int64 `json:"reclassified"`
}

func report(t *testing.T, args ...string) reportOut {
	t.Helper()
	out, errs, code := run(t, append([]string{"monitor", "report", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("monitor report %v: exit %d\n%s", args, code, errs)
	}
	var r reportOut
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("monitor report --json: %v\n%s", err, out)
	}
	return r
}

// memoryReport classifies a file in memory with monitor's own Tally, an
// independent path to the same report.
func memoryReport(t *testing.T, settlementPath, dataPath, from, to string) *monitor.Report {
	t.Helper()
	s, _, err := settlement.LoadFile(settlementPath, settlement.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	cl, err := monitor.NewClassifier(s, monitor.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(dataPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := monitor.NewReader(dataPath, f)
	if err != nil {
		t.Fatal(err)
	}
	tl := monitor.NewTally()
	if _, err := tl.Read(cl, rd); err != nil {
		t.Fatal(err)
	}
	opts := cl.ReportOptions()
	opts.From, opts.To = from, to
	return tl.Counts(from, to).Report(s.Monitoring.Triggers, opts)
}

// csvRows counts a CSV file's records with encoding/csv.
func csvRows(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(recs) - 1)
}

// sqlite3 runs a query with the sqlite3 command line and returns its
// rows, as "|"-separated lines.
func sqlite3(t *testing.T, db, query string) []string {
	t.Helper()
	out, err := exec.Command("sqlite3", "-readonly", db, query).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s %q: %v\n%s (install it with apt-get install sqlite3)", db, query, err, out)
	}
	return strings.Fields(strings.TrimSpace(string(out)))
}

func sqliteCounts(t *testing.T, db, query string) map[string]int64 {
	t.Helper()
	m := map[string]int64{}
	for _, line := range sqlite3(t, db, query) {
		k, v, _ := strings.Cut(line, "|")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("sqlite3 %q: line %q", query, line)
		}
		m[k] = n
	}
	return m
}

func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func checkAgainstMemory(t *testing.T, got reportOut, want *monitor.Report) {
	t.Helper()
	if got.Events != want.Events || got.Violations.Total != want.Violations.Total {
		t.Errorf("report: %d events, %d violations; in memory %d, %d", got.Events, got.Violations.Total, want.Events, want.Violations.Total)
	}
	for name, pair := range map[string][2]map[string]int64{
		"by_side": {got.Violations.BySide, want.Violations.BySide},
		"by_day":  {got.Violations.ByDay, want.Violations.ByDay},
		"by_zone": {got.Violations.ByZone, want.Violations.ByZone},
		"by_rule": {got.Violations.ByRule, want.Violations.ByRule},
	} {
		if !maps.Equal(nonZero(pair[0]), nonZero(pair[1])) {
			t.Errorf("report %s = %v\nin memory %v", name, pair[0], pair[1])
		}
	}
	if len(got.Triggers) != len(want.Triggers) {
		t.Fatalf("report has %d triggers, in memory %d", len(got.Triggers), len(want.Triggers))
	}
	for i, tr := range got.Triggers {
		w := want.Triggers[i]
		first := ""
		if tr.First != nil {
			first = *tr.First
		}
		if tr.ID != w.ID || tr.Fired != w.Fired || first != string(w.First) {
			t.Errorf("trigger %s: fired %v first %q; in memory %v %q", tr.ID, tr.Fired, first, w.Fired, w.First)
		}
	}
}

// TestMonitorRealData ingests the real UCDP GED events against minsk-2015
// on both stores, and checks the report against the sqlite3 command line,
// a CSV row count, and monitor's in-memory tally.
func TestMonitorRealData(t *testing.T) {
	ged := realFile(t, "ucdp-ged-ukraine-2014-2019.csv")
	rows := csvRows(t, ged)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			set := copyExample(t, "minsk-2015")
			var db []string
			if backend == "postgres" {
				db = []string{"--db", pgtest.NewDatabase(t)}
			}
			out, errs, code := run(t, append([]string{"monitor", "ingest", "--settlement", set, ged}, db...)...)
			if code != 0 {
				t.Fatalf("monitor ingest: exit %d\n%s%s", code, out, errs)
			}
			if !strings.Contains(out, strconv.FormatInt(rows, 10)) {
				t.Errorf("monitor ingest output does not say %d records:\n%s", rows, out)
			}
			got := report(t, append([]string{"--settlement", set}, db...)...)
			if got.Events != rows {
				t.Errorf("report counts %d events; the CSV has %d rows", got.Events, rows)
			}
			checkAgainstMemory(t, got, memoryReport(t, set, ged, "", ""))
			if got.Violations.Total == 0 {
				t.Errorf("no violations of minsk-2015 in 2014–2019: the check would prove nothing")
			}
			// The one event whose first actor maps to no side is counted
			// and listed, not dropped.
			if got.Unattributed.Events != 1 || len(got.UnattributedEvents) != 1 {
				t.Errorf("report: %d unattributed events, %d listed; want the 1 of the file, listed", got.Unattributed.Events, len(got.UnattributedEvents))
			}
			// A period: 15 Feb to 31 Mar 2015, the first weeks of the
			// Minsk II ceasefire.
			period := report(t, append([]string{"--settlement", set, "--from", "2015-02-15", "--to", "2015-03-31"}, db...)...)
			checkAgainstMemory(t, period, memoryReport(t, set, ged, "2015-02-15", "2015-03-31"))
			if backend != "sqlite" {
				return
			}
			// The sqlite3 command line counts the events table itself.
			file := defaultDB(set)
			n := sqlite3(t, file, `SELECT count(*) FROM events`)
			if len(n) != 1 || n[0] != strconv.FormatInt(rows, 10) {
				t.Errorf("sqlite3 counts %v events, want %d", n, rows)
			}
			bySide := sqliteCounts(t, file, `SELECT side, count(*) FROM events WHERE violations <> '[]' GROUP BY side`)
			if !maps.Equal(bySide, nonZero(got.Violations.BySide)) {
				t.Errorf("sqlite3 violations by side = %v, report %v", bySide, got.Violations.BySide)
			}
			byRule := sqliteCounts(t, file, `SELECT j.value, count(*) FROM events, json_each(events.violations) j GROUP BY j.value`)
			if !maps.Equal(byRule, nonZero(got.Violations.ByRule)) {
				t.Errorf("sqlite3 violations by rule = %v, report %v", byRule, got.Violations.ByRule)
			}
			inPeriod := sqlite3(t, file, `SELECT count(*) FROM events WHERE violations <> '[]' AND substr(date, 1, 10) BETWEEN '2015-02-15' AND '2015-03-31'`)
			if len(inPeriod) != 1 || inPeriod[0] != strconv.FormatInt(period.Violations.Total, 10) {
				t.Errorf("sqlite3 counts %v violations from 15 Feb to 31 Mar 2015, report %d", inPeriod, period.Violations.Total)
			}
		})
	}
}

// TestMonitorUkraine2025 runs the ukraine-2025 example on the 2022–2023
// sample, with its unattributed events listed.
func TestMonitorUkraine2025(t *testing.T) {
	ged := realFile(t, "ucdp-ged251-ukraine-sample-2022-2023.csv")
	set := copyExample(t, "ukraine-2025")
	if _, errs, code := run(t, "monitor", "ingest", "--settlement", set, ged); code != 0 {
		t.Fatalf("monitor ingest: exit %d\n%s", code, errs)
	}
	got := report(t, "--settlement", set, "--unattributed", "0")
	checkAgainstMemory(t, got, memoryReport(t, set, ged, "", ""))
	if got.Events != csvRows(t, ged) {
		t.Errorf("report counts %d events, want %d", got.Events, csvRows(t, ged))
	}
	if int64(len(got.UnattributedEvents)) != got.Unattributed.Events {
		t.Errorf("report lists %d unattributed events of %d", len(got.UnattributedEvents), got.Unattributed.Events)
	}
	want := sqlite3(t, defaultDB(set), `SELECT count(*) FROM events WHERE unattributed`)
	if len(want) != 1 || want[0] != strconv.FormatInt(got.Unattributed.Events, 10) {
		t.Errorf("sqlite3 counts %v unattributed events, report %d", want, got.Unattributed.Events)
	}
	// The table form names the same counts.
	out, _, code := run(t, "monitor", "report", "--settlement", set)
	if code != 0 || !strings.Contains(out, "triggers") || !strings.Contains(out, fmt.Sprintf("%d events", got.Events)) {
		t.Errorf("monitor report (tables): exit %d\n%s", code, out)
	}
	svg := filepath.Join(t.TempDir(), "plot.svg")
	if _, errs, code := run(t, "monitor", "report", "--settlement", set, "--svg", svg); code != 0 {
		t.Fatalf("monitor report --svg: exit %d\n%s", code, errs)
	}
	if b, err := os.ReadFile(svg); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("--svg wrote %d bytes, %v; want an SVG image", len(b), err)
	}
}

func TestMonitorIngestTwice(t *testing.T) {
	ged := realFile(t, "ucdp-ged-ukraine-2014-2019.csv")
	set := copyExample(t, "minsk-2015")
	run(t, "monitor", "ingest", "--settlement", set, ged)
	before := report(t, "--settlement", set)
	out, errs, code := run(t, "monitor", "ingest", "--settlement", set, ged, "--json")
	if code != 0 {
		t.Fatalf("second ingest: exit %d\n%s", code, errs)
	}
	var res mission.IngestResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || !res.Files[0].Duplicate || res.Files[0].Added != int64(before.Events) {
		t.Errorf("second ingest of the same file = %+v, want the first batch, marked duplicate", res.Files)
	}
	if after := report(t, "--settlement", set); !reflect.DeepEqual(before, after) {
		t.Errorf("report changed after a repeated ingest:\n%+v\n%+v", before, after)
	}
}

// writeFile writes a data file for a test and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// ucdpRows returns the real file's header and first n rows as CSV text,
// with edit applied to the record of row i (1-based) when i > 0.
func ucdpRows(t *testing.T, n, row int, edit func(rec []string, col map[string]int)) string {
	t.Helper()
	f, err := os.Open(realFile(t, "ucdp-ged-ukraine-2014-2019.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if row > 0 {
		edit(recs[row], col)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(recs[:n+1])
	return b.String()
}

func TestMonitorBadInput(t *testing.T) {
	set := copyExample(t, "minsk-2015")
	good := writeFile(t, "good.csv", ucdpRows(t, 20, 0, nil))
	if _, errs, code := run(t, "monitor", "ingest", "--settlement", set, good); code != 0 {
		t.Fatalf("ingest of good rows: exit %d\n%s", code, errs)
	}
	newer := writeFile(t, "newer.csv", ucdpRows(t, 40, 0, nil)) // 20 more events, stored with a bad file or not at all
	semicolons := strings.ReplaceAll(ucdpRows(t, 3, 0, nil), ",", ";")
	missing := ucdpRows(t, 3, 0, nil)
	missing = strings.Replace(missing, "latitude,", "lat_,", 1)
	cases := []struct {
		name, content string
		words         []string
	}{
		{"wrong delimiter", semicolons, []string{"bad-delim.csv"}},
		{"missing column", missing, []string{"missing-col.csv", "latitude"}},
		{"bad date", ucdpRows(t, 10, 7, func(r []string, c map[string]int) { r[c["date_start"]] = "15/02/2015" }), []string{"bad-date.csv", "row 7", "date_start"}},
		{"bad coordinate", ucdpRows(t, 10, 4, func(r []string, c map[string]int) { r[c["latitude"]] = "48,1" }), []string{"bad-coord.csv", "row 4", "latitude"}},
		{"coordinate out of range", ucdpRows(t, 10, 9, func(r []string, c map[string]int) { r[c["longitude"]] = "237.8" }), []string{"out-of-range.csv", "row 9", "longitude"}},
	}
	names := []string{"bad-delim.csv", "missing-col.csv", "bad-date.csv", "bad-coord.csv", "out-of-range.csv"}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := writeFile(t, names[i], c.content)
			_, errs, code := run(t, "monitor", "ingest", "--settlement", set, newer, bad)
			if code != 2 {
				t.Errorf("ingest with %s: exit %d, want 2\n%s", c.name, code, errs)
			}
			for _, w := range c.words {
				if !strings.Contains(errs, w) {
					t.Errorf("error does not say %q:\n%s", w, errs)
				}
			}
			if got := report(t, "--settlement", set); got.Events != 20 {
				t.Errorf("after a failed ingest the store holds %d events, want the 20 stored before", got.Events)
			}
		})
	}
}

func TestMonitorStoreErrors(t *testing.T) {
	ged := realFile(t, "ucdp-ged-ukraine-2014-2019.csv")
	set := copyExample(t, "minsk-2015")
	t.Run("down", func(t *testing.T) {
		_, errs, code := run(t, "monitor", "ingest", "--settlement", set, ged, "--db", "postgres://postgres@127.0.0.1:1/entente?connect_timeout=2")
		if code != 2 || !strings.Contains(errs, "unavailable") || !strings.Contains(errs, "127.0.0.1:1") {
			t.Errorf("ingest into a server that is down: exit %d\n%s", code, errs)
		}
	})
	t.Run("no store yet", func(t *testing.T) {
		_, errs, code := run(t, "monitor", "report", "--settlement", set)
		if code != 2 || !strings.Contains(errs, "monitor ingest") {
			t.Errorf("report before any ingest: exit %d\n%s", code, errs)
		}
	})
	t.Run("locked", func(t *testing.T) {
		ctx := context.Background()
		s, err := sqlite.Open(ctx, sqlite.DefaultOptions(defaultDB(set)))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
		go func() {
			done <- s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		_, errs, code := run(t, "monitor", "ingest", "--settlement", set, ged, "--lock-timeout", "300ms")
		close(release)
		<-done
		if code != 2 || !strings.Contains(errs, "locked") {
			t.Errorf("ingest while another writer holds the store: exit %d\n%s", code, errs)
		}
		if got := report(t, "--settlement", set); got.Events != 0 {
			t.Errorf("the locked-out ingest stored %d events", got.Events)
		}
	})
}

// TestMonitorReclassify changes the settlement after ingesting: the report
// classifies the stored events again and matches a fresh in-memory tally.
func TestMonitorReclassify(t *testing.T) {
	ged := realFile(t, "ucdp-ged-ukraine-2014-2019.csv")
	set := copyExample(t, "minsk-2015")
	run(t, "monitor", "ingest", "--settlement", set, ged)
	first := report(t, "--settlement", set)
	src, err := os.ReadFile(set)
	if err != nil {
		t.Fatal(err)
	}
	narrower := strings.Replace(string(src), "event.distance_km <= 25.0", "event.distance_km <= 5.0", 1)
	if narrower == string(src) {
		t.Fatal("the minsk-2015 rule fatal-near-line no longer reads 'event.distance_km <= 25.0'")
	}
	if err := os.WriteFile(set, []byte(narrower), 0o644); err != nil {
		t.Fatal(err)
	}
	second := report(t, "--settlement", set)
	if second.Reclassified != first.Events {
		t.Errorf("report after the settlement changed reclassified %d events, want all %d", second.Reclassified, first.Events)
	}
	checkAgainstMemory(t, second, memoryReport(t, set, ged, "", ""))
	if second.Violations.ByRule["fatal-near-line"] >= first.Violations.ByRule["fatal-near-line"] {
		t.Errorf("fatal-near-line: %d within 5 km, %d within 25 km; want fewer", second.Violations.ByRule["fatal-near-line"], first.Violations.ByRule["fatal-near-line"])
	}
	if third := report(t, "--settlement", set); third.Reclassified != 0 {
		t.Errorf("a second report reclassified %d events, want 0", third.Reclassified)
	}
}

// TestMonitorGoldens: the report the CLI builds from the store's SQL
// aggregates equals, key for key, the report monitor's own in-memory
// tally gives for the examples (monitor/testdata/examples, also quoted in
// the examples' READMEs), on both stores.
func TestMonitorGoldens(t *testing.T) {
	cases := []struct {
		example, settlement, data, from, to, golden string
	}{
		{"minsk-2015", "settlement.yaml", "ucdp-ged-ukraine-2014-2019.csv", "", "", "minsk-2015.json"},
		{"minsk-2015", "settlement.yaml", "ucdp-ged-ukraine-2014-2019.csv", "2015-01-01", "2015-06-30", "minsk-2015-h1.json"},
		{"ukraine-2025", "settlement.yaml", "ucdp-ged251-ukraine-sample-2022-2023.csv", "", "", "ukraine-2025.json"},
		{"ukraine-2025", "replay-2022-2023.yaml", "ucdp-ged251-ukraine-sample-2022-2023.csv", "", "", "ukraine-2025-replay.json"},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, c := range cases {
			t.Run(backend+"/"+c.golden, func(t *testing.T) {
				set := filepath.Join(filepath.Dir(copyExample(t, c.example)), c.settlement)
				var db []string
				if backend == "postgres" {
					db = []string{"--db", pgtest.NewDatabase(t)}
				}
				if _, errs, code := run(t, append([]string{"monitor", "ingest", "--settlement", set, realFile(t, c.data)}, db...)...); code != 0 {
					t.Fatalf("ingest: exit %d\n%s", code, errs)
				}
				args := append([]string{"monitor", "report", "--json", "--settlement", set}, db...)
				if c.from != "" {
					args = append(args, "--from", c.from, "--to", c.to)
				}
				out, errs, code := run(t, args...)
				if code != 0 {
					t.Fatalf("report: exit %d\n%s", code, errs)
				}
				var got, want map[string]any
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"unattributed_events", "unattributed_complete", "reclassified", "store"} {
					delete(got, k) // the CLI's own keys
				}
				golden, err := os.ReadFile(filepath.Join("../../monitor/testdata/examples", c.golden))
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(golden, &want); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					for k := range want {
						if !reflect.DeepEqual(got[k], want[k]) {
							t.Errorf("report[%q] = %v\n golden %v", k, got[k], want[k])
						}
					}
				}
			})
		}
	}
}

// ingestJSONOf runs monitor ingest --json and decodes its result.
func ingestJSONOf(t *testing.T, args ...string) mission.IngestResult {
	t.Helper()
	out, errs, code := run(t, append([]string{"monitor", "ingest", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("monitor ingest %v: exit %d\n%s", args, code, errs)
	}
	var res mission.IngestResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("monitor ingest --json: %v\n%s", err, out)
	}
	return res
}

// TestMonitorReleases: a newer full release revises and drops events, and
// ACLED's deletions remove events, each keeping the old values in the
// history.
func TestMonitorReleases(t *testing.T) {
	set := copyExample(t, "minsk-2015")
	v1 := writeFile(t, "ged-v1.csv", ucdpRows(t, 100, 0, nil))
	first := ingestJSONOf(t, "--settlement", set, v1)
	if f := first.Files[0]; f.Added != 100 || f.Records != 100 {
		t.Fatalf("first release: %+v, want 100 added", f)
	}
	// The next release revises row 5's fatalities and no longer has rows
	// 91–100.
	var revisedID string
	v2 := writeFile(t, "ged-v2.csv", ucdpRows(t, 90, 5, func(r []string, c map[string]int) {
		r[c["best"]] = "999"
		revisedID = r[c["id"]]
	}))
	second := ingestJSONOf(t, "--settlement", set, "--full", v2)
	if f := second.Files[0]; f.Added != 0 || f.Updated != 1 || f.Deleted != 10 || f.Unchanged != 89 {
		t.Errorf("full release: %+v, want 1 updated, 10 deleted, 89 unchanged", f)
	}
	if got := report(t, "--settlement", set); got.Events != 90 {
		t.Errorf("after the full release the report counts %d events, want 90", got.Events)
	}
	// ACLED: five events, then the deletions of two of them.
	acled := "../../monitor/testdata/acled-synthetic.csv"
	deleted := "../../monitor/testdata/acled-deleted-synthetic.csv"
	if f := ingestJSONOf(t, "--settlement", set, acled).Files[0]; f.Added != 5 || f.Format != "acled" {
		t.Errorf("ACLED export: %+v, want 5 added", f)
	}
	if f := ingestJSONOf(t, "--settlement", set, deleted).Files[0]; f.Deleted != 2 || f.Format != "acled-deleted" {
		t.Errorf("ACLED deletions: %+v, want 2 deleted", f)
	}
	got := report(t, "--settlement", set)
	if got.Events != 93 || got.Sources["acled"] != 3 || got.Sources["ucdp"] != 90 {
		t.Errorf("report after the deletions: %d events by source %v, want 93: 90 ucdp, 3 acled", got.Events, got.Sources)
	}
	// --full refuses what would delete by mistake, and stores nothing.
	for _, args := range [][]string{
		{"--full", deleted},
		{"--full", v1, v2},
	} {
		_, errs, code := run(t, append([]string{"monitor", "ingest", "--settlement", set}, args...)...)
		if code != 2 || !strings.Contains(errs, "--full") && !strings.Contains(errs, "full release") {
			t.Errorf("monitor ingest %v: exit %d, want 2 and why\n%s", args, code, errs)
		}
	}
	if again := report(t, "--settlement", set); again.Events != 93 {
		t.Errorf("refused ingests changed the store: %d events, want 93", again.Events)
	}
	// The history holds the values each release replaced.
	s, err := sqlite.Open(context.Background(), sqlite.DefaultOptions(defaultDB(set)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
		h, err := tx.History(ctx, "ucdp", revisedID)
		if err != nil || len(h) != 1 || h[0].Op != "update" || h[0].Fatalities == 999 {
			t.Errorf("History(ucdp/%s) = %+v, %v; want the value before the revision", revisedID, h, err)
		}
		cur, err := tx.Event(ctx, "ucdp", revisedID)
		if err != nil || cur.Fatalities != 999 {
			t.Errorf("Event(ucdp/%s) = %+v, %v; want fatalities 999", revisedID, cur, err)
		}
		h, err = tx.History(ctx, "acled", "XUK0002")
		if err != nil || len(h) != 1 || h[0].Op != "delete" {
			t.Errorf("History(acled/XUK0002) = %+v, %v; want its deletion", h, err)
		}
		b, err := tx.Batch(ctx, first.Files[0].Batch)
		if err != nil || len(b.Columns) != 49 || b.Columns[0] != "id" {
			t.Errorf("batch %d columns = %v, %v; want the 49 UCDP columns", first.Files[0].Batch, b, err)
		}
		return nil
	})
}
