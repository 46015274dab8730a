package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/postgres"
)

// A program that writes without the writer lock makes a transaction fail
// as not serialisable; Update runs it again and the second run commits.
func TestUpdateRetriesSerialisationFailure(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(ctx, postgres.DefaultOptions(url))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ev := store.Event{Event: rules.Event{Source: "ucdp", ID: "1", Date: time.Date(2015, 2, 16, 0, 0, 0, 0, time.UTC), Zone: "z0"}, Fingerprint: "fp1"}
	err = s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Ingest(ctx, store.NewBatch{Hash: "h", Source: "ucdp", Name: "b", Fingerprint: "fp1"}, store.Events(ev))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	attempts := 0
	err = s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		attempts++
		if _, err := tx.Event(ctx, "ucdp", "1"); err != nil { // takes the snapshot
			return err
		}
		if attempts == 1 {
			if _, err := other.Exec(ctx, `UPDATE events SET zone = 'outside' WHERE source_id = '1'`); err != nil {
				return err
			}
		}
		_, err := tx.Reclassify(ctx, "fp2", func(e *store.Event) error { e.Zone = "z2"; return nil })
		return err
	})
	if err != nil || attempts != 2 {
		t.Fatalf("Update = %v after %d attempts, want success on the 2nd", err, attempts)
	}
	s.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Event(ctx, "ucdp", "1")
		if err != nil || got.Zone != "z2" || got.Fingerprint != "fp2" {
			t.Errorf("event after the retried Update = %+v, %v; want zone z2 under fp2", got, err)
		}
		return nil
	})
	// With no retries allowed, the same conflict is reported as ErrConflict.
	opts := postgres.DefaultOptions(url)
	opts.Retries = 0
	s0, err := postgres.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s0.Close()
	err = s0.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Event(ctx, "ucdp", "1"); err != nil {
			return err
		}
		if _, err := other.Exec(ctx, `UPDATE events SET zone = 'outside2' WHERE source_id = '1'`); err != nil {
			return err
		}
		_, err := tx.Reclassify(ctx, "fp3", func(e *store.Event) error { return nil })
		return err
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Update with no retries left = %v, want ErrConflict", err)
	}
}

// A database whose schema is newer than this program is refused.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(ctx, postgres.DefaultOptions(url))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_version (version) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(ctx, postgres.DefaultOptions(url)); !errors.Is(err, store.ErrSchema) {
		t.Errorf("Open of a version-99 database = %v, want ErrSchema", err)
	}
}
