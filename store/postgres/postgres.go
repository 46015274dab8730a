// Package postgres stores entente's data in a PostgreSQL database, through
// github.com/jackc/pgx/v5: the store for a shared deployment, where several
// entente processes use one database (`--db postgres://…`).
//
// Writers take turns across processes: Update runs at isolation level
// SERIALIZABLE and first locks the table writer_lock, which only writers
// lock, so its snapshot is taken after the previous writer committed. A
// writer that waits longer than [store.Options].LockTimeout fails with
// [store.ErrLocked]; a transaction aborted as not serialisable (a conflict
// with a program that writes without that lock) is retried. Readers use
// REPEATABLE READ snapshots and never wait. Ingest copies a batch into a
// temporary table with COPY and merges it with set-based statements. The
// schema is in migrations.go and docs/store.md.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/entente-org/entente/store"
)

// Options configure a PostgreSQL store.
type Options struct {
	// URL is a PostgreSQL connection URL or keyword/value string, such as
	// postgres://user@host:5432/db. A search_path parameter selects the
	// schema entente's tables live in.
	URL string
	store.Options
}

// DefaultOptions returns the default options for the database at url.
func DefaultOptions(url string) Options {
	return Options{URL: url, Options: store.DefaultOptions()}
}

// Store is a PostgreSQL store. It implements [store.Store].
type Store struct {
	name string // host:port/database, for errors (no password)
	opts store.Options
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at opts.URL and applies the migrations it
// lacks, each in its own transaction. A server that cannot be reached
// within the connect timeout, or a database that does not exist, gives an
// error wrapping [store.ErrUnavailable].
func Open(ctx context.Context, opts Options) (*Store, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad connection URL: %w", redact(err))
	}
	cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	cfg.MaxConns = 8
	s := &Store{
		name: fmt.Sprintf("%s/%s", net.JoinHostPort(cfg.ConnConfig.Host, fmt.Sprint(cfg.ConnConfig.Port)), cfg.ConnConfig.Database),
		opts: opts.Options,
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, s.wrap("connect", err)
	}
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	err = s.pool.Ping(pctx)
	cancel()
	if err != nil {
		s.pool.Close()
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("postgres %s: %w: no answer within %v", s.name, store.ErrUnavailable, opts.ConnectTimeout)
		}
		return nil, s.wrap("connect", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// redact drops the connection string from a parse error, which may hold a
// password.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("cannot parse the connection string")
	}
	return err
}

// Name returns host:port/database.
func (s *Store) Name() string { return s.name }

// Close closes the connection pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Update implements [store.Store.Update].
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.try(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt >= s.opts.Retries {
			return fmt.Errorf("postgres %s: %w: not serialisable after %d attempts: %v", s.name, store.ErrConflict, attempt+1, err)
		}
		// Back off a little, with jitter, before trying again.
		d := time.Duration(1<<min(attempt, 6)) * time.Millisecond * time.Duration(1+rand.IntN(4))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
}

// retryable reports a serialisation failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (s *Store) try(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return s.wrap("begin", err)
	}
	committed := false
	defer func() {
		if !committed { // an error or a panic
			ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := s.lockWriters(ctx, ptx); err != nil {
		return err
	}
	if err := fn(ctx, &tx{s: s, q: ptx}); err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			// pgx closed the connection when ctx was done, so err may
			// only say that a write failed.
			return fmt.Errorf("postgres %s: %w (%v)", s.name, cerr, err)
		}
		return err
	}
	committed = true
	if err := ptx.Commit(ctx); err != nil {
		if retryable(err) {
			return err
		}
		return s.wrap("commit", err)
	}
	return nil
}

// lockWriters waits up to the lock timeout for the other writers. Neither
// statement takes a snapshot, so a SERIALIZABLE transaction's snapshot
// comes after the lock.
func (s *Store) lockWriters(ctx context.Context, q pgx.Tx) error {
	if _, err := q.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", s.opts.LockTimeout.Milliseconds())); err != nil {
		return s.wrap("set lock timeout", err)
	}
	if _, err := q.Exec(ctx, "LOCK TABLE writer_lock IN EXCLUSIVE MODE"); err != nil {
		return s.wrap("wait for other writers", err)
	}
	return nil
}

// View implements [store.Store.View].
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx store.ReadTx) error) error {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.wrap("begin", err)
	}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	return fn(ctx, &tx{s: s, q: ptx})
}

// wrap adds the database's name to err and maps PostgreSQL's errors to the
// store's.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &pe) && pe.Code == "55P03":
		return fmt.Errorf("postgres %s: %s: %w (waited %v): %v", s.name, op, store.ErrLocked, s.opts.LockTimeout, err)
	case errors.As(err, &pe) && (pe.Code == "3D000" || pe.Code == "28000" || pe.Code == "28P01" || pe.Code[:2] == "08" || pe.Code == "57P01" || pe.Code == "57P03"):
		return fmt.Errorf("postgres %s: %s: %w: %v", s.name, op, store.ErrUnavailable, err)
	case errors.As(err, &ce), errors.As(err, &ne):
		return fmt.Errorf("postgres %s: %s: %w: %v", s.name, op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("postgres %s: %s: %w", s.name, op, err)
}
