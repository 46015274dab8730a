// Package storetest is the conformance suite every [store.Store] backend
// passes. A backend's test file holds one call:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Harness{Open: ..., OpenDown: ...})
//	}
//
// The suite covers migrations on an empty database, round-trips, not-found,
// rollback on error (nothing half-written), double ingest, revisions and
// deletions with their history, full releases, aggregation checked against
// a brute-force count, reclassification, concurrent writers and readers, a
// database locked by another writer and one that cannot be reached.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/store"
)

// Harness tells the suite how to open a backend.
type Harness struct {
	// Open opens the database called name, creating it empty if need be,
	// with opts. Within one Run, the same name opens the same database
	// (so a test may open it twice, as two processes would), and different
	// names open different databases. The suite closes what Open returns.
	Open func(t *testing.T, name string, opts store.Options) (store.Store, error)

	// OpenDown tries to open a store whose database cannot be reached (a
	// server that is down, a directory that does not exist). The suite
	// expects an error wrapping store.ErrUnavailable.
	OpenDown func(t *testing.T, opts store.Options) (store.Store, error)

	// Exec runs one SQL statement directly on the database called name,
	// bypassing the store, with "?" placeholders: the log's tamper tests
	// use it to change stored rows the way an intruder with database access
	// would.
	Exec func(t *testing.T, name, query string, args ...any)
}

// Run runs every conformance test against the backend h opens.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"Migrate", testMigrate},
		{"RoundTrip", testRoundTrip},
		{"NotFound", testNotFound},
		{"Rollback", testRollback},
		{"BadRecords", testBadRecords},
		{"DoubleIngest", testDoubleIngest},
		{"Revisions", testRevisions},
		{"FullRelease", testFullRelease},
		{"Tally", testTally},
		{"Reclassify", testReclassify},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Locked", testLocked},
		{"Down", testDown},
		{"Cancel", testCancel},
		{"Log", testLog},
		{"LogWriters", testLogWriters},
		{"LogTamper", testLogTamper},
		{"LogWithIngest", testLogWithIngest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

// open opens the test's own database (named after the test) and closes it
// when the test ends.
func open(t *testing.T, h Harness, opts store.Options) store.Store {
	t.Helper()
	s, err := h.Open(t, t.Name(), opts)
	if err != nil {
		t.Fatalf("open %s: %v", t.Name(), err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ev builds an event of source "ucdp" with the given id and day.
func ev(id, day string) store.Event {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return store.Event{
		Event: rules.Event{
			ID: id, Source: "ucdp", Date: d, Actor1: "Government of Ukraine", Actor2: "DPR",
			Type: "state-based", Fatalities: 1, Lat: 48.0, Lon: 37.8, Admin1: "Donetsk oblast",
			Location: "Donetsk", Side: "UA", OtherSide: "DPR", Zone: "buffer", DistanceKm: 3.5,
			PrecisionPlace: 1, PrecisionDate: 1,
		},
		Raw:         []byte(`{"id":"` + id + `"}`),
		Fingerprint: "fp1",
	}
}

func batch(hash string) store.NewBatch {
	return store.NewBatch{Hash: hash, Source: "ucdp", Name: hash + ".csv", Fingerprint: "fp1"}
}

// ingest stores one batch in its own transaction.
func ingest(t *testing.T, s store.Store, nb store.NewBatch, evs ...store.Event) *store.IngestResult {
	t.Helper()
	var res *store.IngestResult
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		res, err = tx.Ingest(ctx, nb, store.Events(evs...))
		return err
	})
	if err != nil {
		t.Fatalf("Ingest(%s) = %v, want no error", nb.Name, err)
	}
	return res
}

func view(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.ReadTx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// diffEvent describes how got differs from want ("" if it does not). Dates
// compare as instants with the same UTC offset.
func diffEvent(got, want *store.Event) string {
	if got == nil || want == nil {
		return fmt.Sprintf("got %v, want %v", got, want)
	}
	g, w := *got, *want
	var d []string
	if !g.Date.Equal(w.Date) {
		d = append(d, fmt.Sprintf("date %v, want %v", g.Date, w.Date))
	}
	_, go1 := g.Date.Zone()
	_, wo := w.Date.Zone()
	if go1 != wo {
		d = append(d, fmt.Sprintf("date offset %d, want %d", go1, wo))
	}
	g.Date, w.Date = time.Time{}, time.Time{}
	if len(g.Violations) == 0 {
		g.Violations = nil
	}
	if len(w.Violations) == 0 {
		w.Violations = nil
	}
	if len(g.Raw) == 0 {
		g.Raw = nil
	}
	if len(w.Raw) == 0 {
		w.Raw = nil
	}
	if !reflect.DeepEqual(g, w) {
		d = append(d, fmt.Sprintf("\n got %+v\nwant %+v", g, w))
	}
	return strings.Join(d, "; ")
}

func testMigrate(t *testing.T, h Harness) {
	opts := store.DefaultOptions()
	s := open(t, h, opts)
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		v, err := tx.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		if v != store.SchemaVersion {
			t.Errorf("SchemaVersion() on a new database = %d, want %d", v, store.SchemaVersion)
		}
		bs, err := tx.Batches(ctx)
		if err != nil || len(bs) != 0 {
			t.Errorf("Batches() on a new database = %v, %v; want none", bs, err)
		}
		tl, err := tx.Tally(ctx, store.Filter{})
		if err != nil || tl.Events != 0 || len(tl.Cells) != 0 {
			t.Errorf("Tally() on a new database = %+v, %v; want zero", tl, err)
		}
		return nil
	})
	ingest(t, s, batch("b1"), ev("1", "2015-02-15"))
	// A second open of a migrated database applies nothing and keeps the data.
	s2, err := h.Open(t, t.Name(), opts)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	view(t, s2, func(ctx context.Context, tx store.ReadTx) error {
		v, err := tx.SchemaVersion(ctx)
		if err != nil || v != store.SchemaVersion {
			t.Errorf("SchemaVersion() after reopen = %d, %v; want %d", v, err, store.SchemaVersion)
		}
		if _, err := tx.Event(ctx, "ucdp", "1"); err != nil {
			t.Errorf("Event after reopen: %v", err)
		}
		return nil
	})
	// Opening a new database from several goroutines at once migrates it once.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := h.Open(t, t.Name()+"/race", opts)
			if err == nil {
				err = s.View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
					v, err := tx.SchemaVersion(ctx)
					if err == nil && v != store.SchemaVersion {
						err = fmt.Errorf("version %d, want %d", v, store.SchemaVersion)
					}
					return err
				})
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent open %d: %v", i, err)
		}
	}
}

func testRoundTrip(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	kyiv := time.FixedZone("EET", 2*3600)
	a := ev("101", "2015-02-15")
	a.Date = time.Date(2015, 2, 15, 23, 30, 0, 123456789, kyiv) // day in its own zone: the 15th
	a.Subtype = "shelling"
	a.Fatalities = 12
	a.Lat, a.Lon = -89.999999, 179.123456789
	a.Location = "Дебальцеве, \"quoted\"\nline"
	a.Raw = []byte{0, 1, 2, 0xff, '\n', 0}
	a.Violations = []string{"zeta", "alpha", "zeta"}
	a.Unattributed = false
	b := ev("102", "2014-07-01")
	b.Side, b.OtherSide, b.Zone, b.DistanceKm = "", "", "", -1
	b.Unattributed = true
	b.Raw = nil
	c := ev("103", "2016-06-06")
	fillEvent(t, &c.Event)
	c.Raw = []byte(`["103","2016-06-06 00:00:00.000"]`)
	nb := batch("rt")
	nb.Columns = []string{"id", "date_start"}
	res := ingest(t, s, nb, a, b, c)
	if res.Duplicate || res.Batch.Counts != (store.Counts{Added: 3}) {
		t.Errorf("Ingest = %+v, want 3 added, not duplicate", res)
	}
	want := a
	want.Violations = []string{"alpha", "zeta"}
	want.Batch = res.Batch.ID
	wantB := b
	wantB.Batch = res.Batch.ID
	wantC := c
	wantC.Batch = res.Batch.ID
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for _, w := range []*store.Event{&want, &wantB, &wantC} {
			got, err := tx.Event(ctx, w.Source, w.ID)
			if err != nil {
				t.Fatalf("Event(%s) = %v", w.Key(), err)
			}
			if d := diffEvent(got, w); d != "" {
				t.Errorf("Event(%s): %s", w.Key(), d)
			}
			if got.Day() != w.Day() {
				t.Errorf("Event(%s).Day() = %s, want %s", w.Key(), got.Day(), w.Day())
			}
		}
		bt, err := tx.Batch(ctx, res.Batch.ID)
		if err != nil {
			return err
		}
		if bt.Hash != "rt" || bt.Source != "ucdp" || bt.Name != "rt.csv" || bt.Fingerprint != "fp1" || bt.Full ||
			!slices.Equal(bt.Columns, []string{"id", "date_start"}) ||
			bt.Counts != (store.Counts{Added: 3}) || time.Since(bt.Created) > time.Hour || time.Since(bt.Created) < 0 {
			t.Errorf("Batch(%d) = %+v", res.Batch.ID, bt)
		}
		bh, err := tx.BatchByHash(ctx, "rt")
		if err != nil || !reflect.DeepEqual(bh, bt) {
			t.Errorf("BatchByHash(rt) = %+v, %v; want %+v", bh, err, bt)
		}
		bs, err := tx.Batches(ctx)
		if err != nil || len(bs) != 1 || !reflect.DeepEqual(&bs[0], bt) {
			t.Errorf("Batches() = %+v, %v; want [%+v]", bs, err, bt)
		}
		hist, err := tx.History(ctx, "ucdp", "101")
		if err != nil || len(hist) != 0 {
			t.Errorf("History(ucdp/101) = %v, %v; want empty", hist, err)
		}
		return nil
	})
}

// fillEvent sets every field of ev but Source, ID and Date to a distinct
// value, so that a field the store does not keep fails the round trip. A
// field of a type it does not know fails the test: teach it, and the
// backends, the new field.
func fillEvent(t *testing.T, ev *rules.Event) {
	v := reflect.ValueOf(ev).Elem()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch name {
		case "Source", "ID", "Date":
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("v-" + name)
		case reflect.Int64, reflect.Int:
			f.SetInt(int64(1000 + i))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.25)
		case reflect.Bool:
			f.SetBool(true)
		default:
			t.Fatalf("rules.Event.%s is a %s, which the conformance suite cannot fill: does the store keep it?", name, f.Type())
		}
	}
}

func testNotFound(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ingest(t, s, batch("nf"), ev("1", "2015-01-01"))
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		checks := []struct {
			name string
			err  error
		}{
			{"Event(ucdp/2)", second(tx.Event(ctx, "ucdp", "2"))},
			{"Event(acled/1)", second(tx.Event(ctx, "acled", "1"))},
			{"History(ucdp/2)", second(tx.History(ctx, "ucdp", "2"))},
			{"Batch(999)", second(tx.Batch(ctx, 999))},
			{"BatchByHash(nope)", second(tx.BatchByHash(ctx, "nope"))},
		}
		for _, c := range checks {
			if !errors.Is(c.err, store.ErrNotFound) {
				t.Errorf("%s = %v, want ErrNotFound", c.name, c.err)
			}
		}
		return nil
	})
}

func second[T any](_ T, err error) error { return err }

// count returns the number of stored events and batches.
func count(t *testing.T, s store.Store) (events int64, batches int) {
	t.Helper()
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		tl, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		bs, err := tx.Batches(ctx)
		events, batches = tl.Events, len(bs)
		return err
	})
	return events, batches
}

func testRollback(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ingest(t, s, batch("keep"), ev("1", "2015-01-01"))
	boom := errors.New("boom")
	// An error after a successful ingest in the same transaction undoes it.
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		r := ev("1", "2015-01-01")
		r.Fatalities = 99
		d := ev("9", "2015-01-01")
		d.Deleted = true
		if _, err := tx.Ingest(ctx, batch("b2"), store.Events(ev("2", "2015-01-02"), r)); err != nil {
			return err
		}
		if _, err := tx.Reclassify(ctx, "fp2", func(ev *store.Event) error { ev.Zone = "x"; return nil }); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	// A panic rolls back too, and propagates.
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Update did not propagate the panic")
			}
		}()
		s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.Ingest(ctx, batch("b3"), store.Events(ev("3", "2015-01-03"))); err != nil {
				return err
			}
			panic("half way")
		})
	}()
	if n, b := count(t, s); n != 1 || b != 1 {
		t.Errorf("after rolled-back updates: %d events, %d batches; want 1, 1", n, b)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Event(ctx, "ucdp", "1")
		if err != nil {
			return err
		}
		if got.Fatalities != 1 || got.Zone != "buffer" || got.Fingerprint != "fp1" {
			t.Errorf("event 1 after rollback = %+v, want it as first stored", got)
		}
		if h, err := tx.History(ctx, "ucdp", "1"); err != nil || len(h) != 0 {
			t.Errorf("History after rollback = %v, %v; want empty", h, err)
		}
		if n, err := tx.Stale(ctx, "fp1"); err != nil || n != 0 {
			t.Errorf("Stale(fp1) after rollback = %d, %v; want 0", n, err)
		}
		return nil
	})
	// The same batch goes in afterwards: the rolled-back hash was not kept.
	if res := ingest(t, s, batch("b2"), ev("2", "2015-01-02")); res.Duplicate {
		t.Errorf("re-ingest of a rolled-back batch was taken as a duplicate")
	}
}

func testBadRecords(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ingest(t, s, batch("keep"), ev("1", "2015-01-01"))
	readErr := errors.New("data.csv:4:7: latitude \"abc\" is not a number")
	noID := ev("", "2015-01-01")
	noDate := ev("5", "2015-01-01")
	noDate.Date = time.Time{}
	other := ev("6", "2015-01-01")
	other.Source = "acled"
	cases := []struct {
		name  string
		nb    store.NewBatch
		src   store.EventSource
		want  error
		words []string
	}{
		{"source error", batch("x1"), failAfter(readErr, ev("2", "2015-01-02"), ev("3", "2015-01-03")), readErr, []string{"data.csv:4:7", "x1.csv"}},
		{"no id", batch("x2"), store.Events(ev("2", "2015-01-02"), noID), store.ErrInvalid, []string{"record 2", "no id"}},
		{"no date", batch("x3"), store.Events(noDate), store.ErrInvalid, []string{"record 1", "ucdp/5", "no date"}},
		{"other source", batch("x4"), store.Events(ev("2", "2015-01-02"), ev("3", "2015-01-02"), other), store.ErrInvalid, []string{"record 3", "acled"}},
		{"repeated key", batch("x5"), store.Events(ev("2", "2015-01-02"), ev("3", "2015-01-02"), ev("2", "2015-01-02")), store.ErrInvalid, []string{"record 3", "ucdp/2", "record 1"}},
		{"no hash", store.NewBatch{Source: "ucdp", Name: "nohash"}, store.Events(), store.ErrInvalid, []string{"nohash", "hash"}},
		{"bad scope", store.NewBatch{Hash: "x6", Source: "ucdp", Name: "x6", Full: true, From: "2015-13-01"}, store.Events(), store.ErrInvalid, []string{"2015-13-01", "YYYY-MM-DD"}},
		{"scope not full", store.NewBatch{Hash: "x7", Source: "ucdp", Name: "x7", From: "2015-01-01"}, store.Events(), store.ErrInvalid, []string{"full release"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				_, err := tx.Ingest(ctx, c.nb, c.src)
				return err
			})
			if !errors.Is(err, c.want) {
				t.Fatalf("Ingest = %v, want %v", err, c.want)
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Ingest error %q does not say %q", err, w)
				}
			}
			if n, b := count(t, s); n != 1 || b != 1 {
				t.Errorf("after a failed ingest: %d events, %d batches; want 1, 1", n, b)
			}
		})
	}
	// A batch hash claimed by another source is a conflict.
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		nb := batch("keep")
		nb.Source = "acled"
		_, err := tx.Ingest(ctx, nb, store.Events())
		return err
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Ingest of a known hash under another source = %v, want ErrConflict", err)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if _, err := tx.Tally(ctx, store.Filter{From: "2015-02-30"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Tally(from 2015-02-30) = %v, want ErrInvalid", err)
		}
		if _, err := tx.Unattributed(ctx, store.Filter{From: "2016-01-01", To: "2015-01-01"}, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Unattributed(from after to) = %v, want ErrInvalid", err)
		}
		return nil
	})
}

// failAfter yields evs, then fails with err.
func failAfter(err error, evs ...store.Event) store.EventSource {
	next := store.Events(evs...)
	return func() (*store.Event, error) {
		e, nerr := next()
		if nerr == io.EOF {
			return nil, err
		}
		return e, nerr
	}
}

func testDoubleIngest(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	evs := []store.Event{ev("1", "2015-01-01"), ev("2", "2015-01-02"), ev("3", "2015-01-03")}
	first := ingest(t, s, batch("same"), evs...)
	calls := 0
	var again *store.IngestResult
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		again, err = tx.Ingest(ctx, batch("same"), func() (*store.Event, error) { calls++; return nil, io.EOF })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Batch.ID != first.Batch.ID || again.Batch.Counts != first.Batch.Counts || calls != 0 {
		t.Errorf("second Ingest of the same hash = %+v (source read %d times), want duplicate of batch %d, unread", again, calls, first.Batch.ID)
	}
	// The same events under another hash: a new batch that changes nothing.
	other := ingest(t, s, batch("same-content-new-hash"), evs...)
	if other.Duplicate || other.Batch.Counts != (store.Counts{Unchanged: 3}) || other.Reclassified != 0 {
		t.Errorf("Ingest of the same events under a new hash = %+v, want 3 unchanged", other)
	}
	if n, b := count(t, s); n != 3 || b != 2 {
		t.Errorf("after double ingest: %d events, %d batches; want 3, 2", n, b)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Event(ctx, "ucdp", "2")
		if err != nil || got.Batch != first.Batch.ID {
			t.Errorf("Event(ucdp/2) batch = %v, %v; want %d (the unchanged repeat does not rewrite it)", got, err, first.Batch.ID)
		}
		return nil
	})
}

func testRevisions(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	a, b, c := ev("a", "2015-01-01"), ev("b", "2015-01-02"), ev("c", "2015-01-03")
	a.Violations = []string{"r1"}
	b1 := ingest(t, s, batch("v1"), a, b, c)
	a2 := a
	a2.Fatalities = 7
	a2.Date = a.Date.AddDate(0, 0, 1)
	a2.Raw = []byte(`{"id":"a","best":"7"}`)
	a2.Violations = []string{"r2"}
	delB := store.Event{Event: rules.Event{ID: "b", Source: "ucdp"}, Deleted: true}
	delX := store.Event{Event: rules.Event{ID: "x", Source: "ucdp"}, Deleted: true}
	d := ev("d", "2015-01-04")
	b2 := ingest(t, s, batch("v2"), a2, delB, d, delX)
	if want := (store.Counts{Added: 1, Updated: 1, Deleted: 1, Unchanged: 1}); b2.Batch.Counts != want {
		t.Errorf("revision batch counts = %+v, want %+v", b2.Batch.Counts, want)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Event(ctx, "ucdp", "a")
		if err != nil {
			return err
		}
		want := a2
		want.Batch = b2.Batch.ID
		if diff := diffEvent(got, &want); diff != "" {
			t.Errorf("revised event: %s", diff)
		}
		hist, err := tx.History(ctx, "ucdp", "a")
		if err != nil {
			return err
		}
		old := a
		old.Batch = b1.Batch.ID
		if len(hist) != 1 || hist[0].Op != "update" || hist[0].SupersededBy != b2.Batch.ID {
			t.Fatalf("History(a) = %+v, want one update superseded by %d", hist, b2.Batch.ID)
		}
		if diff := diffEvent(&hist[0].Event, &old); diff != "" {
			t.Errorf("History(a)[0]: %s", diff)
		}
		if _, err := tx.Event(ctx, "ucdp", "b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event(b) after deletion = %v, want ErrNotFound", err)
		}
		hist, err = tx.History(ctx, "ucdp", "b")
		oldB := b
		oldB.Batch = b1.Batch.ID
		if err != nil || len(hist) != 1 || hist[0].Op != "delete" || hist[0].SupersededBy != b2.Batch.ID {
			t.Fatalf("History(b) = %+v, %v; want one delete by %d", hist, err, b2.Batch.ID)
		}
		if diff := diffEvent(&hist[0].Event, &oldB); diff != "" {
			t.Errorf("History(b)[0]: %s", diff)
		}
		gotC, err := tx.Event(ctx, "ucdp", "c")
		if err != nil || gotC.Batch != b1.Batch.ID {
			t.Errorf("Event(c), untouched by an incremental batch = %+v, %v; want batch %d", gotC, err, b1.Batch.ID)
		}
		tl, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		if tl.Events != 3 || !reflect.DeepEqual(tl.Rules, []store.RuleCount{{Rule: "r2", N: 1}}) {
			t.Errorf("Tally after revision = %+v, want 3 events and rule r2 once", tl)
		}
		if len(tl.Cells) != 1 || tl.Cells[0].Day != "2015-01-02" {
			t.Errorf("Tally cells after revision = %+v, want one violation on the revised day 2015-01-02", tl.Cells)
		}
		return nil
	})
	checkTally(t, s, a2, c, d)
	// A second revision stacks in the history, oldest first; re-adding a
	// deleted event is an add with its history kept.
	a3 := a2
	a3.Fatalities = 8
	b3 := ingest(t, s, batch("v3"), a3, b)
	if want := (store.Counts{Added: 1, Updated: 1}); b3.Batch.Counts != want {
		t.Errorf("third batch counts = %+v, want %+v", b3.Batch.Counts, want)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		hist, err := tx.History(ctx, "ucdp", "a")
		if err != nil || len(hist) != 2 || hist[0].Fatalities != 1 || hist[1].Fatalities != 7 || hist[1].SupersededBy != b3.Batch.ID {
			t.Errorf("History(a) after two revisions = %+v, %v; want fatalities 1 then 7", hist, err)
		}
		hist, err = tx.History(ctx, "ucdp", "b")
		if err != nil || len(hist) != 1 {
			t.Errorf("History(b) after re-adding = %+v, %v; want the one deletion", hist, err)
		}
		return nil
	})
	checkTally(t, s, a3, b, c, d)
}

func testFullRelease(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	other := ev("x", "2020-01-10")
	other.Source = "acled"
	ingest(t, s, batch("r1"), ev("a", "2020-01-01"), ev("b", "2020-01-05"), ev("c", "2020-02-01"), ev("e", "2019-12-31"))
	ob := batch("acled1")
	ob.Source = "acled"
	ingest(t, s, ob, other)
	full := batch("r2")
	full.Full, full.From, full.To = true, "2020-01-01", "2020-01-31"
	res := ingest(t, s, full, ev("a", "2020-01-01"))
	if want := (store.Counts{Deleted: 1, Unchanged: 1}); res.Batch.Counts != want {
		t.Errorf("full release in scope: counts %+v, want %+v", res.Batch.Counts, want)
	}
	if !res.Batch.Full || res.Batch.From != "2020-01-01" || res.Batch.To != "2020-01-31" {
		t.Errorf("full release batch = %+v, want full with its scope", res.Batch)
	}
	keys := func() []string {
		var out []string
		view(t, s, func(ctx context.Context, tx store.ReadTx) error {
			for _, k := range [][2]string{{"ucdp", "a"}, {"ucdp", "b"}, {"ucdp", "c"}, {"ucdp", "e"}, {"acled", "x"}} {
				if _, err := tx.Event(ctx, k[0], k[1]); err == nil {
					out = append(out, k[0]+"/"+k[1])
				}
			}
			return nil
		})
		return out
	}
	if got, want := keys(), []string{"ucdp/a", "ucdp/c", "ucdp/e", "acled/x"}; !slices.Equal(got, want) {
		t.Errorf("after a full release of January: events %v, want %v", got, want)
	}
	checkTally(t, s, ev("a", "2020-01-01"), ev("c", "2020-02-01"), ev("e", "2019-12-31"), other)
	// An open scope replaces everything of the source.
	all := batch("r3")
	all.Full = true
	res = ingest(t, s, all, ev("c", "2020-02-01"), ev("f", "2020-03-01"))
	if want := (store.Counts{Added: 1, Deleted: 2, Unchanged: 1}); res.Batch.Counts != want {
		t.Errorf("full release, open scope: counts %+v, want %+v", res.Batch.Counts, want)
	}
	if got, want := keys(), []string{"ucdp/c", "acled/x"}; !slices.Equal(got, want) {
		t.Errorf("after a full release of everything: events %v (of those asked), want %v", got, want)
	}
	checkTally(t, s, ev("c", "2020-02-01"), ev("f", "2020-03-01"), other)
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		hist, err := tx.History(ctx, "ucdp", "e")
		if err != nil || len(hist) != 1 || hist[0].Op != "delete" || hist[0].SupersededBy != res.Batch.ID {
			t.Errorf("History(e) = %+v, %v; want its deletion by the full release", hist, err)
		}
		return nil
	})
}

// randomEvents makes n events with random days, sides, zones, violations
// and attribution, spread over a few batches' worth of ids.
func randomEvents(rng *rand.Rand, n int, prefix string) []store.Event {
	sides := []string{"", "UA", "RU", "DPR"}
	zones := []string{"", "buffer", "security-zone"}
	rulesIDs := []string{"r-a", "r-b", "r-c"}
	out := make([]store.Event, n)
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		e := ev(fmt.Sprintf("%s%d", prefix, i), "2015-01-01")
		e.Date = base.Add(time.Duration(rng.IntN(60*24)) * time.Hour)
		e.Side = sides[rng.IntN(len(sides))]
		e.Unattributed = e.Side == ""
		if e.Unattributed {
			e.Actor1 = []string{"Wagner", "Unknown", "Azov"}[rng.IntN(3)]
		}
		e.Zone = zones[rng.IntN(len(zones))]
		e.Violations = nil
		for _, r := range rulesIDs {
			if rng.IntN(3) == 0 {
				e.Violations = append(e.Violations, r)
			}
		}
		out[i] = e
	}
	return out
}

// bruteTally computes a Tally the slow, obvious way.
func bruteTally(evs []store.Event, f store.Filter) store.Tally {
	out := store.Tally{Sources: map[string]int64{}}
	cells := map[store.Cell]int64{}
	rules := map[string]int64{}
	actors := map[string]int64{}
	for i := range evs {
		e := &evs[i]
		d := e.Day()
		if (f.From != "" && d < f.From) || (f.To != "" && d > f.To) {
			continue
		}
		out.Events++
		out.Sources[e.Source]++
		if e.Unattributed {
			out.Unattributed++
			actors[e.Actor1]++
		}
		if len(e.Violations) > 0 {
			out.Violating++
			cells[store.Cell{Day: d, Side: e.Side, Zone: e.Zone}]++
		}
		for _, r := range e.Violations {
			rules[r]++
		}
	}
	for c, n := range cells {
		c.N = n
		out.Cells = append(out.Cells, c)
	}
	slices.SortFunc(out.Cells, func(a, b store.Cell) int {
		return strings.Compare(a.Day+"\x00"+a.Side+"\x00"+a.Zone, b.Day+"\x00"+b.Side+"\x00"+b.Zone)
	})
	for r, n := range rules {
		out.Rules = append(out.Rules, store.RuleCount{Rule: r, N: n})
	}
	slices.SortFunc(out.Rules, func(a, b store.RuleCount) int { return strings.Compare(a.Rule, b.Rule) })
	for a, n := range actors {
		out.Actors = append(out.Actors, store.ActorCount{Actor: a, N: n})
	}
	slices.SortFunc(out.Actors, func(a, b store.ActorCount) int {
		if a.N != b.N {
			return int(b.N - a.N)
		}
		return strings.Compare(a.Actor, b.Actor)
	})
	return out
}

// sameTally reports how got differs from want ("" if not).
func sameTally(got *store.Tally, want store.Tally) string {
	if got.Events != want.Events || got.Violating != want.Violating || got.Unattributed != want.Unattributed ||
		!slices.Equal(got.Cells, want.Cells) || !slices.Equal(got.Rules, want.Rules) ||
		!slices.Equal(got.Actors, want.Actors) || !reflect.DeepEqual(got.Sources, want.Sources) {
		return fmt.Sprintf("\n got %+v\nwant %+v", *got, want)
	}
	return ""
}

// checkTally compares the store's Tally over everything with a brute-force
// count of the events it should hold.
func checkTally(t *testing.T, s store.Store, evs ...store.Event) {
	t.Helper()
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		if d := sameTally(got, bruteTally(evs, store.Filter{})); d != "" {
			t.Errorf("Tally(all): %s", d)
		}
		return nil
	})
}

func testTally(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	rng := rand.New(rand.NewPCG(1, 2))
	evs := randomEvents(rng, 600, "e")
	ingest(t, s, batch("t1"), evs[:400]...)
	ingest(t, s, batch("t2"), evs[400:]...)
	filters := []store.Filter{{}, {From: "2015-01-20"}, {To: "2015-02-03"}, {From: "2015-01-10", To: "2015-01-10"}, {From: "2016-01-01"}}
	for _, f := range filters {
		want := bruteTally(evs, f)
		view(t, s, func(ctx context.Context, tx store.ReadTx) error {
			got, err := tx.Tally(ctx, f)
			if err != nil {
				return err
			}
			if d := sameTally(got, want); d != "" {
				t.Errorf("Tally(%+v): %s", f, d)
			}
			un, err := tx.Unattributed(ctx, f, 0)
			if err != nil {
				return err
			}
			if int64(len(un)) != want.Unattributed {
				t.Errorf("Unattributed(%+v) lists %d events, want %d", f, len(un), want.Unattributed)
			}
			for i := 1; i < len(un); i++ {
				if un[i].Date.Before(un[i-1].Date) {
					t.Errorf("Unattributed(%+v) not in date order at %d", f, i)
					break
				}
			}
			for _, e := range un {
				if !e.Unattributed || e.Side != "" {
					t.Errorf("Unattributed(%+v) lists %s, side %q", f, e.Key(), e.Side)
				}
			}
			if want.Unattributed > 5 {
				if un5, err := tx.Unattributed(ctx, f, 5); err != nil || len(un5) != 5 || un5[4].ID != un[4].ID {
					t.Errorf("Unattributed(%+v, 5) = %d events, %v; want the first 5", f, len(un5), err)
				}
			}
			return nil
		})
	}
}

func testReclassify(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	rng := rand.New(rand.NewPCG(3, 4))
	evs := randomEvents(rng, 2500, "r") // more than one of the backends' chunks
	ingest(t, s, batch("c1"), evs...)
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for fp, want := range map[string]int64{"fp1": 0, "fp2": 2500} {
			if n, err := tx.Stale(ctx, fp); err != nil || n != want {
				t.Errorf("Stale(%s) = %d, %v; want %d", fp, n, err, want)
			}
		}
		return nil
	})
	// Under fp2, an event violates "near" when its zone is "buffer", and is
	// attributed to RU whatever it was.
	reclass := func(e *store.Event) {
		e.Violations = nil
		if e.Zone == "buffer" {
			e.Violations = []string{"near"}
		}
		e.Side, e.Unattributed, e.DistanceKm = "RU", false, 42
	}
	var n int64
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.Reclassify(ctx, "fp2", func(e *store.Event) error { reclass(e); return nil })
		return err
	})
	if err != nil || n != 2500 {
		t.Fatalf("Reclassify(fp2) = %d, %v; want 2500", n, err)
	}
	want := slices.Clone(evs)
	for i := range want {
		reclass(&want[i])
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if n, err := tx.Stale(ctx, "fp2"); err != nil || n != 0 {
			t.Errorf("Stale(fp2) after Reclassify = %d, %v; want 0", n, err)
		}
		got, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		if d := sameTally(got, bruteTally(want, store.Filter{})); d != "" {
			t.Errorf("Tally after Reclassify: %s", d)
		}
		e, err := tx.Event(ctx, "ucdp", "r7")
		if err != nil {
			return err
		}
		if e.Fingerprint != "fp2" || e.DistanceKm != 42 || e.Fatalities != 1 || e.Batch == 0 {
			t.Errorf("Event(r7) after Reclassify = %+v, want fp2, distance 42, data kept", e)
		}
		if h, err := tx.History(ctx, "ucdp", "r7"); err != nil || len(h) != 0 {
			t.Errorf("History(r7) after Reclassify = %v, %v; want empty: reclassifying is no revision", h, err)
		}
		return nil
	})
	// A second Reclassify under the same fingerprint finds nothing to do.
	err = s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.Reclassify(ctx, "fp2", func(*store.Event) error { return errors.New("called") })
		return err
	})
	if err != nil || n != 0 {
		t.Errorf("second Reclassify(fp2) = %d, %v; want 0", n, err)
	}
	// Re-ingesting the same data under a third classifier updates the
	// classification of unchanged events.
	nb := batch("c2")
	nb.Fingerprint = "fp3"
	three := slices.Clone(evs[:10])
	for i := range three {
		three[i].Fingerprint = "fp3"
		three[i].Zone = "z3"
	}
	res := ingest(t, s, nb, three...)
	if res.Batch.Counts != (store.Counts{Unchanged: 10}) || res.Reclassified != 10 {
		t.Errorf("ingest of unchanged data under fp3 = %+v, want 10 unchanged, 10 reclassified", res)
	}
	checkTally(t, s, append(slices.Clone(three), want[10:]...)...)
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if n, err := tx.Stale(ctx, "fp3"); err != nil || n != 2490 {
			t.Errorf("Stale(fp3) = %d, %v; want 2490", n, err)
		}
		e, err := tx.Event(ctx, "ucdp", "r3")
		if err != nil || e.Zone != "z3" || e.Fingerprint != "fp3" {
			t.Errorf("Event(r3) = %+v, %v; want zone z3 under fp3", e, err)
		}
		return nil
	})
	// An error from the classifier stops Reclassify and names the event.
	err = s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Reclassify(ctx, "fp4", func(e *store.Event) error { return errors.New("bad zone") })
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "bad zone") || !strings.Contains(err.Error(), "ucdp/") {
		t.Errorf("Reclassify with a failing classifier = %v, want the error and the event", err)
	}
}

func testConcurrentWriters(t *testing.T, h Harness) {
	opts := store.DefaultOptions()
	opts.LockTimeout = time.Minute
	const writers, batches, size = 4, 3, 40
	stores := make([]store.Store, writers)
	for i := range stores {
		s, err := h.Open(t, t.Name(), opts) // one handle each, as separate processes would have
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches+writers)
	stop := make(chan struct{})
	// Readers see whole batches or nothing.
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := stores[r].View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
					tl, err := tx.Tally(ctx, store.Filter{})
					if err != nil {
						return err
					}
					// A batch adds size/2 or size events.
					if tl.Events%(size/2) != 0 {
						return fmt.Errorf("a reader saw %d events, part of a batch (batches add %d or %d)", tl.Events, size/2, size)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var ww sync.WaitGroup
	for w := range writers {
		ww.Add(1)
		go func() {
			defer ww.Done()
			for b := range batches {
				evs := make([]store.Event, size)
				for i := range evs {
					// Half the keys are shared by every writer's batch b.
					id := fmt.Sprintf("w%d-b%d-%d", w, b, i)
					if i%2 == 0 {
						id = fmt.Sprintf("shared-b%d-%d", b, i)
					}
					evs[i] = ev(id, "2015-03-01")
					evs[i].Fatalities = int64(w)
				}
				err := stores[w].Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
					_, err := tx.Ingest(ctx, batch(fmt.Sprintf("w%d-b%d", w, b)), store.Events(evs...))
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d batch %d: %w", w, b, err)
				}
			}
		}()
	}
	ww.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every batch is stored; each shared key was added once and updated by
	// every later writer that changed it.
	s := stores[0]
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		bs, err := tx.Batches(ctx)
		if err != nil {
			return err
		}
		if len(bs) != writers*batches {
			t.Errorf("%d batches stored, want %d", len(bs), writers*batches)
		}
		var added int64
		for _, b := range bs {
			added += b.Counts.Added
			if b.Counts.Total() != size {
				t.Errorf("batch %s counts %+v, want a total of %d", b.Hash, b.Counts, size)
			}
		}
		distinct := int64(batches * (size/2 + writers*size/2))
		if added != distinct {
			t.Errorf("batches added %d events in all, want %d distinct keys", added, distinct)
		}
		tl, err := tx.Tally(ctx, store.Filter{})
		if err != nil || tl.Events != distinct {
			t.Errorf("Tally = %d events, %v; want %d", tl.Events, err, distinct)
		}
		return nil
	})
}

func testLocked(t *testing.T, h Harness) {
	a := open(t, h, store.DefaultOptions())
	short := store.DefaultOptions()
	short.LockTimeout = 300 * time.Millisecond
	b, err := h.Open(t, t.Name(), short)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ingest(t, a, batch("before"), ev("1", "2015-01-01"))

	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- a.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.Ingest(ctx, batch("held"), store.Events(ev("2", "2015-01-02"))); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	start := time.Now()
	err = b.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Ingest(ctx, batch("blocked"), store.Events(ev("3", "2015-01-03")))
		return err
	})
	if !errors.Is(err, store.ErrLocked) {
		t.Errorf("Update while another writer holds the database = %v, want ErrLocked", err)
	} else if !strings.Contains(err.Error(), "locked") {
		t.Errorf("ErrLocked error %q does not say the database is locked", err)
	}
	if waited := time.Since(start); waited < short.LockTimeout/2 {
		t.Errorf("Update gave up after %v, before the lock timeout %v", waited, short.LockTimeout)
	}
	// Readers do not wait for the writer, and see only committed data;
	// opening the database does not wait either.
	if n, _ := count(t, b); n != 1 {
		t.Errorf("a reader during another's write saw %d events, want the 1 committed", n)
	}
	if c, err := h.Open(t, t.Name(), short); err != nil {
		t.Errorf("Open while another writer holds the database = %v, want it open", err)
	} else {
		if n, _ := count(t, c); n != 1 {
			t.Errorf("a store opened during another's write saw %d events, want the 1 committed", n)
		}
		c.Close()
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ingest(t, b, batch("after"), ev("3", "2015-01-03"))
	if n, bs := count(t, b); n != 3 || bs != 3 {
		t.Errorf("after the lock was released: %d events, %d batches; want 3, 3", n, bs)
	}
}

func testDown(t *testing.T, h Harness) {
	opts := store.DefaultOptions()
	opts.ConnectTimeout = 2 * time.Second
	start := time.Now()
	s, err := h.OpenDown(t, opts)
	if err == nil {
		s.Close()
		t.Fatalf("OpenDown = a store, want ErrUnavailable")
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("OpenDown = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "unavailable") {
		t.Errorf("OpenDown error %q does not say the database is unavailable", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("OpenDown took %v; the connect timeout is %v", d, opts.ConnectTimeout)
	}
}

func testCancel(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Ingest(ctx, batch("cancelled"), func() (*store.Event, error) {
			n++
			if n == 5000 {
				cancel()
			}
			if n > 20000 {
				return nil, io.EOF
			}
			e := ev(fmt.Sprint(n), "2015-01-01")
			return &e, nil
		})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update cancelled mid-ingest = %v, want context.Canceled", err)
	}
	if ev, b := count(t, s); ev != 0 || b != 0 {
		t.Errorf("after a cancelled ingest: %d events, %d batches; want none", ev, b)
	}
}
