package main

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/store"
)

// buildEntente builds the entente command into a temporary directory.
func buildEntente(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "entente")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// manyEvents writes n events: the real file's rows over and over, each
// with a new id.
func manyEvents(t *testing.T, n int) string {
	t.Helper()
	f, err := os.Open(realFile(t, "ucdp-ged-ukraine-2014-2019.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "many.csv")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.Write(recs[0])
	for i := range n {
		rec := append([]string(nil), recs[1+i%(len(recs)-1)]...)
		rec[0] = strconv.Itoa(50_000_000 + i)
		w.Write(rec)
	}
	w.Flush()
	if err := errors.Join(w.Error(), out.Close()); err != nil {
		t.Fatal(err)
	}
	return path
}

// storeCounts returns the events and batches a store holds.
func storeCounts(t *testing.T, db string) (events int64, batches int) {
	t.Helper()
	opts := store.DefaultOptions()
	opts.LockTimeout = time.Minute // the killed writer's lock may take a moment to go
	s, err := openStore(context.Background(), db, opts, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
		tl, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		bs, err := tx.Batches(ctx)
		events, batches = tl.Events, len(bs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return events, batches
}

// writing reports whether a writer holds the store: for SQLite, a write
// transaction that another BEGIN IMMEDIATE cannot join at once; for
// PostgreSQL, the writer lock granted to a session.
func writing(t *testing.T, db string) bool {
	t.Helper()
	ctx := context.Background()
	if isPostgres(db) {
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE c.relname = 'writer_lock' AND l.granted AND l.mode = 'ExclusiveLock'
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	opts := store.DefaultOptions()
	opts.LockTimeout = time.Millisecond
	s, err := openStore(ctx, db, opts, false)
	if errors.Is(err, store.ErrLocked) {
		return true
	}
	if err != nil {
		return false // the file is still being made
	}
	defer s.Close()
	err = s.Update(ctx, func(context.Context, store.Tx) error { return nil })
	return errors.Is(err, store.ErrLocked)
}

// midWrite reports whether an ingest has rows on their way to disk: more
// than 1 MiB in the SQLite WAL, or more than 1,000 rows through a COPY.
func midWrite(t *testing.T, db string) bool {
	t.Helper()
	if !isPostgres(db) {
		fi, err := os.Stat(db + "-wal")
		return err == nil && fi.Size() > 1<<20
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	err = conn.QueryRow(ctx, `SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy
		WHERE datname = current_database()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n > 1000
}

// TestMonitorKill kills entente with SIGKILL in the middle of an ingest,
// on both stores: the store must hold what it held before, and the same
// ingest run again must then store everything, once.
func TestMonitorKill(t *testing.T) {
	bin := buildEntente(t)
	ged := realFile(t, "ucdp-ged-ukraine-2014-2019.csv")
	const n = 60000
	many := manyEvents(t, n)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			set := copyExample(t, "minsk-2015")
			db := defaultDB(set)
			if backend == "postgres" {
				db = pgtest.NewDatabase(t)
			}
			ingest := func(files ...string) *exec.Cmd {
				return exec.Command(bin, append([]string{"monitor", "ingest", "--settlement", set, "--db", db}, files...)...)
			}
			if out, err := ingest(ged).CombinedOutput(); err != nil {
				t.Fatalf("first ingest: %v\n%s", err, out)
			}
			baseEvents, baseBatches := storeCounts(t, db)

			cmd := ingest(many)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			deadline := time.Now().Add(2 * time.Minute)
			for !writing(t, db) {
				select {
				case err := <-exited:
					t.Fatalf("the ingest ended (%v) before it was seen writing", err)
				case <-time.After(20 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatal("the ingest never began writing")
				}
			}
			// Wait until rows are on their way to disk: pages in the SQLite
			// WAL, rows through PostgreSQL's COPY.
			for !midWrite(t, db) {
				select {
				case err := <-exited:
					t.Fatalf("the ingest of %d events ended (%v) before it was seen mid-write; make the file bigger", n, err)
				case <-time.After(10 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					t.Fatal("the ingest never wrote rows")
				}
			}
			select {
			case err := <-exited:
				t.Fatalf("the ingest of %d events ended (%v) before it could be killed; make the file bigger", n, err)
			default:
			}
			if fi, err := os.Stat(db + "-wal"); err == nil {
				t.Logf("killing the ingest with %d bytes in the SQLite WAL", fi.Size())
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-exited

			if ev, b := storeCounts(t, db); ev != baseEvents || b != baseBatches {
				t.Errorf("after the kill the store holds %d events in %d batches, want the %d in %d from before", ev, b, baseEvents, baseBatches)
			}
			if out, err := ingest(many).CombinedOutput(); err != nil {
				t.Fatalf("ingest after the kill: %v\n%s", err, out)
			}
			if ev, b := storeCounts(t, db); ev != baseEvents+n || b != baseBatches+1 {
				t.Errorf("after the re-run the store holds %d events in %d batches, want %d in %d", ev, b, baseEvents+n, baseBatches+1)
			}
			if out, err := ingest(many).CombinedOutput(); err != nil {
				t.Fatalf("third ingest: %v\n%s", err, out)
			}
			if ev, b := storeCounts(t, db); ev != baseEvents+n || b != baseBatches+1 {
				t.Errorf("a repeated ingest changed the store: %d events in %d batches, want %d in %d", ev, b, baseEvents+n, baseBatches+1)
			}
		})
	}
}
