package mission_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/mission"
	"github.com/entente-org/entente/monitor"
	"github.com/entente-org/entente/settlement"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden records in testdata/")

// sharedData is where the real data lives: $ENTENTE_SHARED_DATA, or
// ../shared/data beside the repository.
func sharedData(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("ENTENTE_SHARED_DATA")
	if dir == "" {
		dir = "../../shared/data"
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("real data %s: %v (shared/ must sit beside the repository)", name, err)
	}
	return p
}

func minsk(t *testing.T) (*settlement.Settlement, *monitor.Classifier) {
	t.Helper()
	s, fs, err := settlement.LoadFile("../examples/minsk-2015/settlement.yaml", settlement.DefaultOptions())
	if err != nil || fs.Errors() > 0 {
		t.Fatalf("load minsk-2015: %v %v", err, fs)
	}
	cl, err := monitor.NewClassifier(s, monitor.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return s, cl
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Options{Path: filepath.Join(t.TempDir(), "m.db"), Options: store.DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func logLeaves(t *testing.T, st store.Store) []ledger.Entry {
	t.Helper()
	l, err := ledger.New(store.LogStorage(st), ledger.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	n, err := l.Size(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	es, err := l.Leaves(context.Background(), 0, n)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestIngestAndTally ingests the real 2014–2019 UCDP file against
// minsk-2015, checks the report against an in-memory tally of the same
// file (monitor.Tally, which shares no code with the store's SQL
// aggregates), and that a second ingest adds nothing.
func TestIngestAndTally(t *testing.T) {
	ctx := context.Background()
	s, cl := minsk(t)
	st := openStore(t)
	path := sharedData(t, "ucdp-ged-ukraine-2014-2019.csv")
	in, err := mission.FileInput(path)
	if err != nil {
		t.Fatal(err)
	}
	var progressed int64
	res, err := mission.Ingest(ctx, st, cl, []mission.Input{in}, mission.IngestOptions{Settlement: "minsk-2015",
		Progress: func(p mission.Progress) { progressed = p.Records }})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files[0]
	if f.Records != 2677 || f.Added != 2677 || f.Duplicate || f.LogIndex == nil || *f.LogIndex != 0 || progressed == 0 {
		t.Fatalf("first ingest = %+v (progress %d), want 2,677 added, leaf 0", f, progressed)
	}
	// The independent count.
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rd, err := monitor.NewReader(path, fh)
	if err != nil {
		t.Fatal(err)
	}
	mem := monitor.NewTally()
	if _, err := mem.Read(cl, rd); err != nil {
		t.Fatal(err)
	}
	want := mem.Counts("", "").Report(s.Monitoring.Triggers, cl.ReportOptions())
	rep, err := mission.Tally(ctx, st, s, cl, mission.ReportOptions{Settlement: "minsk-2015", Unattributed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != want.Events || !reflect.DeepEqual(rep.Violations, want.Violations) || !reflect.DeepEqual(rep.Triggers, want.Triggers) {
		t.Errorf("store report: %d events, violations %+v, triggers %+v\nin memory: %d, %+v, %+v", rep.Events, rep.Violations.BySide, rep.Triggers, want.Events, want.Violations.BySide, want.Triggers)
	}
	if int64(len(rep.UnattributedEvents)) != min(5, rep.Unattributed.Events) || rep.LogIndex == nil || *rep.LogIndex != 1 {
		t.Errorf("listed %d unattributed of %d, log index %v", len(rep.UnattributedEvents), rep.Unattributed.Events, rep.LogIndex)
	}
	again, err := mission.Ingest(ctx, st, cl, []mission.Input{in}, mission.IngestOptions{Settlement: "minsk-2015"})
	if err != nil {
		t.Fatal(err)
	}
	if g := again.Files[0]; !g.Duplicate || g.Batch != f.Batch || g.LogIndex != nil || g.Added != 2677 {
		t.Errorf("second ingest = %+v, want the stored batch %d as a duplicate", g, f.Batch)
	}
	// The log holds the batch and the report, and nothing for the
	// duplicate; the batch leaf decodes to the record of the result.
	leaves := logLeaves(t, st)
	if len(leaves) != 2 || leaves[0].Leaf.Kind != ledger.KindBatch || leaves[1].Leaf.Kind != ledger.KindReport {
		t.Fatalf("log = %d leaves, want a batch and a report", len(leaves))
	}
	var br mission.BatchRecord
	if err := json.Unmarshal(leaves[0].Leaf.Content, &br); err != nil {
		t.Fatal(err)
	}
	f.LogIndex = nil
	if wantRec := mission.NewBatchRecord("minsk-2015", cl.Fingerprint(), &f); !reflect.DeepEqual(&br, wantRec) {
		t.Errorf("batch leaf = %+v, want %+v", br, wantRec)
	}
}

// TestIngestAllOrNothing ingests a good file and a file whose third row
// is bad in one call: nothing is stored, not even the good file, and
// the log stays empty; the error names the file and row.
func TestIngestAllOrNothing(t *testing.T) {
	ctx := context.Background()
	_, cl := minsk(t)
	st := openStore(t)
	good := mission.BytesInput("good.jsonl", []byte(`{"id":"a","date":"2015-03-01","actor1":"Government of Ukraine","lat":48.0,"lon":37.8}`+"\n"))
	bad := mission.BytesInput("bad.jsonl", []byte(`{"id":"b","date":"2015-03-01","lat":48.0,"lon":37.8}`+"\n"+
		`{"id":"c","date":"2015-03-02","lat":48.0,"lon":37.8}`+"\n"+`{"id":"d","date":"2015-13-45","lat":48.0,"lon":37.8}`+"\n"))
	_, err := mission.Ingest(ctx, st, cl, []mission.Input{good, bad}, mission.IngestOptions{Settlement: "minsk-2015"})
	var me *monitor.Error
	if !errors.As(err, &me) || me.File != "bad.jsonl" || me.Row != 3 {
		t.Fatalf("Ingest error = %v, want a *monitor.Error at bad.jsonl row 3", err)
	}
	if err := st.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		bs, err := tx.Batches(ctx)
		if len(bs) != 0 {
			t.Errorf("%d batches stored after a failed ingest", len(bs))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(logLeaves(t, st)); n != 0 {
		t.Errorf("the log has %d leaves after a failed ingest", n)
	}
	// A full release of ACLED deletions is refused as bad input.
	del := mission.BytesInput("del.csv", []byte("event_id_cnty,deleted_timestamp\nUKR1,1700000000\n"))
	_, err = mission.Ingest(ctx, st, cl, []mission.Input{del}, mission.IngestOptions{Full: true})
	var ie *mission.InputError
	if !errors.As(err, &ie) {
		t.Errorf("full release of deletions: error %v, want an *InputError", err)
	}
}

// TestRecordsGolden pins the bytes of the log's records: the format of
// the tamper-evident log must not change when an output does.
func TestRecordsGolden(t *testing.T) {
	f := &mission.FileResult{File: "data/ucdp.csv", Format: "ucdp", Hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Batch: 3, Records: 10, Added: 7, Updated: 1, Deleted: 1, Unchanged: 1, Reclassified: 2, Violations: 4, Unattributed: 1}
	rep := &mission.Report{Report: &monitor.Report{Events: 10, From: "2015-02-15", Sources: map[string]int64{"ucdp": 10},
		Violations: monitor.Violations{Total: 4, BySide: map[string]int64{"RU": 3, "UA": 0}, ByDay: map[string]int64{"2015-02-16": 4},
			ByZone: map[string]int64{"buffer": 4}, ByRule: map[string]int64{"fire-in-buffer": 4}, Unattributed: 1,
			BySideDay: map[string]map[string]int64{"RU": {"2015-02-16": 3}}},
		Triggers:     []monitor.TriggerResult{{ID: "sustained", Fired: true, First: "2015-02-16", Last: "2015-02-16", DaysOver: 1, Peak: 4, PeakDay: "2015-02-16"}},
		Unattributed: monitor.Unattributed{Events: 1, Actors: []monitor.ActorCount{{Actor: "unknown", Events: 1}}},
		Cells:        []monitor.Cell{{Day: "2015-02-16", Side: "RU", Zone: "buffer", N: 3}}, Notes: []string{"a note"}},
		UnattributedEvents: []mission.UnattributedEvent{{Source: "ucdp", ID: "1", Date: "2015-02-16", Actor1: "unknown", Lat: 48, Lon: 38, Violations: []string{"fire-in-buffer"}}},
		Reclassified:       2, Store: "m.db"}
	at := time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC)
	big := *rep
	for i := 0; i < 800; i++ {
		big.UnattributedEvents = append(big.UnattributedEvents, rep.UnattributedEvents[0])
	}
	for _, tc := range []struct {
		name string
		leaf func() (ledger.Leaf, error)
		kind ledger.Kind
	}{
		{"batch-record.json", func() (ledger.Leaf, error) { return mission.NewBatchRecord("minsk.yaml", "fp1", f).Leaf(at) }, ledger.KindBatch},
		{"report-record.json", func() (ledger.Leaf, error) { return mission.NewReportRecord("minsk.yaml", rep).Leaf(at) }, ledger.KindReport},
		{"report-summary.json", func() (ledger.Leaf, error) { return mission.NewReportRecord("minsk.yaml", &big).Leaf(at) }, ledger.KindReport},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf, err := tc.leaf()
			if err != nil {
				t.Fatal(err)
			}
			if leaf.Kind != tc.kind || !leaf.Time.Equal(at) {
				t.Errorf("leaf kind %v time %v, want %v %v", leaf.Kind, leaf.Time, tc.kind, at)
			}
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, append(leaf.Content, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./mission -run TestRecordsGolden -update writes it)", err)
			}
			if !bytes.Equal(append(leaf.Content, '\n'), want) {
				t.Errorf("record differs from %s:\n%s\nwant\n%s\n(if the change is meant, go test ./mission -run TestRecordsGolden -update, and say so in docs/log-format.md)", path, leaf.Content, want)
			}
		})
	}
}
