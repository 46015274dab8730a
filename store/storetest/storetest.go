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
// database locked by another writer and one that cannot be reached, and
// entente serve's workspace: tokens, settlements, positions, publications
// and the settlement stamps a server checks its cache with.
package storetest

import (
	"context"
	"fmt"
	"reflect"
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
		{"Events", testEvents},
		{"Reclassify", testReclassify},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Locked", testLocked},
		{"Down", testDown},
		{"Cancel", testCancel},
		{"Log", testLog},
		{"LogWriters", testLogWriters},
		{"LogTamper", testLogTamper},
		{"LogWithIngest", testLogWithIngest},
		{"Tokens", testTokens},
		{"Documents", testDocuments},
		{"Positions", testPositions},
		{"Publications", testPublications},
		{"WorkspaceRollback", testWorkspaceRollback},
		{"Stamp", testStamp},
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
