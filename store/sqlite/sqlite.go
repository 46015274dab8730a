// Package sqlite stores entente's data in one SQLite file, through the pure
// Go driver modernc.org/sqlite (no C toolchain needed). It is the embedded
// default: `entente monitor` keeps FILE.entente.db beside the settlement.
//
// The file is in WAL mode: readers never wait for the writer, and a
// process killed at any moment leaves the last committed state. Writers
// take turns: Update begins with BEGIN IMMEDIATE, and one waiting longer
// than [store.Options].LockTimeout for another process fails with
// [store.ErrLocked]. The schema is in migrations.go and docs/store.md.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/entente-org/entente/store"
)

// Options configure a SQLite store.
type Options struct {
	// Path is the database file; it is created if it does not exist, but
	// its directory must exist.
	Path string
	store.Options
}

// DefaultOptions returns the default options for the file at path.
func DefaultOptions(path string) Options {
	return Options{Path: path, Options: store.DefaultOptions()}
}

// Store is a SQLite store. It implements [store.Store].
type Store struct {
	path   string
	opts   store.Options
	writer *sql.DB // one connection, BEGIN IMMEDIATE
	reader *sql.DB // read-only connections, BEGIN DEFERRED
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if need be) the database at opts.Path and applies
// the migrations it lacks, each in its own transaction. A path whose
// directory does not exist, or a file that is not a SQLite database, gives
// an error wrapping [store.ErrUnavailable]; a database another process
// keeps locked beyond the lock timeout, [store.ErrLocked].
func Open(ctx context.Context, opts Options) (*Store, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Path == "" {
		return nil, errors.New("sqlite: no database path")
	}
	if dir := filepath.Dir(opts.Path); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("sqlite %s: %w: directory %s does not exist", opts.Path, store.ErrUnavailable, dir)
		}
	}
	s := &Store{path: opts.Path, opts: opts.Options}
	ms := opts.LockTimeout.Milliseconds()
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", ms))
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_pragma", "synchronous(FULL)")
	w := cloneValues(common)
	w.Set("_txlock", "immediate")
	w.Add("_pragma", "cache_size(-65536)")           // 64 MiB: more of a big ingest stays in memory
	w.Add("_pragma", "journal_size_limit(67108864)") // truncate the WAL to 64 MiB after a checkpoint
	r := cloneValues(common)
	r.Set("_txlock", "deferred")
	r.Add("_pragma", "query_only(1)")
	var err error
	if s.writer, err = sql.Open("sqlite", "file:"+escapePath(opts.Path)+"?"+w.Encode()); err != nil {
		return nil, s.wrap("open", err)
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetConnMaxIdleTime(0)
	if s.reader, err = sql.Open("sqlite", "file:"+escapePath(opts.Path)+"?"+r.Encode()); err != nil {
		s.writer.Close()
		return nil, s.wrap("open", err)
	}
	s.reader.SetMaxOpenConns(4)
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// escapePath escapes what a SQLite URI filename cannot hold literally.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.writer.Close(), s.reader.Close())
}

// Update implements [store.Store.Update]. SQLite writers hold the whole
// database, so a transaction is never aborted as not serialisable and fn
// runs once.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	wait, cancel := context.WithTimeout(ctx, s.opts.LockTimeout)
	conn, err := s.writer.Conn(wait)
	cancel()
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("sqlite %s: %w (waited %v for another writer in this process)", s.path, store.ErrLocked, s.opts.LockTimeout)
		}
		return s.wrap("begin", err)
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	done := false
	defer func() {
		if !done {
			sqlTx.Rollback()
		}
	}()
	if err := fn(ctx, &tx{s: s, q: sqlTx}); err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			// database/sql ended the transaction when ctx was done, so
			// err may only say that a statement was closed.
			return fmt.Errorf("sqlite %s: %w (%v)", s.path, cerr, err)
		}
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return s.wrap("commit", err)
	}
	return nil
}

// View implements [store.Store.View].
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.ReadTx) error) error {
	sqlTx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer sqlTx.Rollback()
	return fn(ctx, &tx{s: s, q: sqlTx})
}

// wrap adds the database path to err and maps SQLite's result codes to the
// store's errors.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("sqlite %s: %s: %w (waited %v): %v", s.path, op, store.ErrLocked, s.opts.LockTimeout, err)
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY:
			return fmt.Errorf("sqlite %s: %s: %w: %v", s.path, op, store.ErrUnavailable, err)
		}
	}
	return fmt.Errorf("sqlite %s: %s: %w", s.path, op, err)
}

// now returns the time batches are stamped with.
func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
