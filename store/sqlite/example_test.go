package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/sqlite"
)

// Ingest two events, ingest the same batch again, and tally.
func Example() {
	dir, _ := os.MkdirTemp("", "entente-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.DefaultOptions(filepath.Join(dir, "minsk.entente.db")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	day := time.Date(2015, 2, 16, 0, 0, 0, 0, time.UTC)
	events := []store.Event{
		{Event: rules.Event{Source: "ucdp", ID: "1001", Date: day, Side: "UA", Zone: "security-zone-50km"},
			Violations: []string{"fighting-in-security-zone"}, Fingerprint: "fp"},
		{Event: rules.Event{Source: "ucdp", ID: "1002", Date: day}, Unattributed: true, Fingerprint: "fp"},
	}
	batch := store.NewBatch{Hash: "sha256-of-the-file", Source: "ucdp", Name: "ged.csv", Fingerprint: "fp"}
	for range 2 {
		err = s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			res, err := tx.Ingest(ctx, batch, store.Events(events...))
			if err != nil {
				return err
			}
			fmt.Printf("batch %d: %d added, duplicate %v\n", res.Batch.ID, res.Batch.Counts.Added, res.Duplicate)
			return nil
		})
		if err != nil {
			fmt.Println(err)
		}
	}
	s.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		t, err := tx.Tally(ctx, store.Filter{From: "2015-02-15"})
		if err != nil {
			return err
		}
		fmt.Println(t.Events, "events,", t.Violating, "violating,", t.Unattributed, "unattributed")
		fmt.Printf("%+v\n", t.Cells)
		return nil
	})
	// Output:
	// batch 1: 2 added, duplicate false
	// batch 1: 2 added, duplicate true
	// 2 events, 1 violating, 1 unattributed
	// [{Day:2015-02-16 Side:UA Zone:security-zone-50km N:1}]
}

// A record the store cannot take rolls the whole transaction back; the
// error names the record.
func Example_badRecord() {
	dir, _ := os.MkdirTemp("", "entente-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.DefaultOptions(filepath.Join(dir, "x.entente.db")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	good := store.Event{Event: rules.Event{Source: "ucdp", ID: "1", Date: time.Now()}}
	noID := store.Event{Event: rules.Event{Source: "ucdp", Date: time.Now()}}
	err = s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Ingest(ctx, store.NewBatch{Hash: "h", Source: "ucdp", Name: "ged.csv"}, store.Events(good, noID))
		return err
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, store.ErrInvalid))
	s.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		_, err := tx.Event(ctx, "ucdp", "1")
		fmt.Println(errors.Is(err, store.ErrNotFound))
		return nil
	})
	// Output:
	// batch ged.csv: record 2: invalid: event has no id
	// true
	// true
}
