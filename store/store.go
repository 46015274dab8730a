package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/entente-org/entente/ledger"
)

// Store is what entente persists: conflict events, the ingest batches that
// wrote them, their history and their classification. A Store is safe for
// concurrent use by many goroutines, and several processes may open the same
// database at once.
//
// Writers take turns: at most one Update runs at a time on a database,
// across processes. An Update that waits longer than [Options.LockTimeout]
// for another writer fails with an error wrapping [ErrLocked]. Readers
// ([Store.View]) never wait for writers and see the last committed state.
type Store interface {
	// Update runs fn in one read-write transaction. If fn returns nil the
	// transaction commits; if it returns an error (or panics) nothing fn did
	// is kept and Update returns the error. A transaction the database
	// aborts as not serialisable is retried up to [Options.Retries] times,
	// so fn may be called more than once: it must not have effects outside
	// tx that a second call would repeat (open files inside fn, not before).
	// Update is atomic and durable: a process killed at any moment leaves
	// the database as it was before Update or as fn left it, never between.
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error

	// View runs fn in one read-only transaction that sees a consistent
	// snapshot. The error fn returns is returned unchanged.
	View(ctx context.Context, fn func(ctx context.Context, tx ReadTx) error) error

	// Close releases the database. It does not wait for running
	// transactions' callers; calling any method after Close is an error.
	Close() error
}

// ReadTx reads within a transaction. Its methods must not be called after
// the function given the transaction has returned, nor from two goroutines
// at once.
type ReadTx interface {
	// SchemaVersion returns the number of migrations applied to the
	// database, which is [SchemaVersion] once Open has returned.
	SchemaVersion(ctx context.Context) (int, error)

	// Event returns the stored event with the given source and id, or an
	// error wrapping [ErrNotFound].
	Event(ctx context.Context, source, id string) (*Event, error)

	// History returns the earlier values of one event, oldest first: each
	// revision holds the values a later batch replaced or deleted. It is
	// empty for an event never revised, and an error wrapping [ErrNotFound]
	// when the store has never held the event.
	History(ctx context.Context, source, id string) ([]Revision, error)

	// Batch returns the batch with the given id, or an error wrapping
	// [ErrNotFound].
	Batch(ctx context.Context, id int64) (*Batch, error)

	// BatchByHash returns the batch whose content hash is hash, or an
	// error wrapping [ErrNotFound].
	BatchByHash(ctx context.Context, hash string) (*Batch, error)

	// Batches returns every batch, in the order they were written.
	Batches(ctx context.Context) ([]Batch, error)

	// Tally aggregates the stored events dated within f (see [Tally]).
	Tally(ctx context.Context, f Filter) (*Tally, error)

	// Unattributed returns up to limit events dated within f that the
	// classifier attributed to no side, ordered by date then source and
	// id. A limit of zero or less means no limit.
	Unattributed(ctx context.Context, f Filter, limit int) ([]Event, error)

	// Events returns up to limit stored events dated within f, ordered by
	// date then source and id, with their classification. A limit of zero
	// or less means no limit; a malformed filter is an error wrapping
	// [ErrInvalid].
	Events(ctx context.Context, f Filter, limit int) ([]Event, error)

	// Stale returns how many events were classified under a fingerprint
	// other than fingerprint, that is, need [Tx.Reclassify] before a report
	// under that classifier is exact.
	Stale(ctx context.Context, fingerprint string) (int64, error)

	// Log reads the tamper-evident log (package ledger) in this
	// transaction: its size, leaves, stored hashes and checkpoints, as
	// [ledger.Reader] says.
	Log() ledger.Reader

	// WorkspaceReader reads what entente serve keeps: tokens,
	// settlements, positions and publications.
	WorkspaceReader
}

// Tx reads and writes within a transaction.
type Tx interface {
	ReadTx

	// Ingest stores one batch: every event next yields, added when new,
	// replaced when its digest differs from the stored one (the old values
	// go to the history), left alone when unchanged, and deleted when the
	// event is a deletion record ([Event.Deleted]) or, for a full release
	// ([NewBatch.Full]), when the batch's scope holds it but the batch does
	// not. If a batch with the same hash is already stored, Ingest changes
	// nothing, does not call next, and returns that batch with Duplicate
	// set.
	//
	// next is called until it returns io.EOF; any other error stops the
	// ingest and is returned wrapped. The event next returns is not kept
	// after the following call, so next may reuse it. An event whose
	// source, id or date is missing, whose source differs from the batch's,
	// or whose key appeared earlier in the batch, is an error wrapping
	// [ErrInvalid] that names the record (1 for the first) and the event.
	// Any error leaves the transaction to be rolled back by Update.
	Ingest(ctx context.Context, b NewBatch, next EventSource) (*IngestResult, error)

	// Reclassify calls fn on every stored event classified under a
	// fingerprint other than fingerprint, and stores what fn leaves in the
	// event's classification fields (Side, OtherSide, Zone, DistanceKm,
	// Violations, Unattributed) under fingerprint. The events' data and
	// history are untouched. It returns how many events it reclassified;
	// an error from fn stops it and is returned wrapped.
	Reclassify(ctx context.Context, fingerprint string, fn func(ev *Event) error) (int64, error)

	// LogTx writes the tamper-evident log in this transaction, as
	// [ledger.Tx] says: leaves are appended with their stored hashes at the
	// log's size only (else an error wrapping [ledger.ErrConflict]), and
	// checkpoints are appended or replaced. Since writers take turns, the
	// log stays linear with any number of processes.
	LogTx() ledger.Tx

	// WorkspaceWriter writes what entente serve keeps.
	WorkspaceWriter
}

// EventSource yields the events of a batch one at a time, and io.EOF after
// the last.
type EventSource func() (*Event, error)

// Events returns an EventSource over a slice: handy for tests and small
// batches.
func Events(evs ...Event) EventSource {
	i := 0
	return func() (*Event, error) {
		if i >= len(evs) {
			return nil, io.EOF
		}
		i++
		return &evs[i-1], nil
	}
}

// The domain errors. Backends wrap them with context; test for them with
// errors.Is.
var (
	// ErrNotFound says the thing asked for is not stored.
	ErrNotFound = errors.New("not found")

	// ErrConflict says a write contradicts what is stored, such as a batch
	// hash stored with a different source.
	ErrConflict = errors.New("conflict")

	// ErrInvalid says a value given to the store cannot be stored as it
	// is: an event without an id, a malformed date filter.
	ErrInvalid = errors.New("invalid")

	// ErrLocked says another writer held the database for longer than
	// Options.LockTimeout (a SQLite file busy in another process, a
	// PostgreSQL lock not granted in time). Nothing was written; try again
	// later.
	ErrLocked = errors.New("database is locked by another writer")

	// ErrUnavailable says the database cannot be reached or opened: a
	// PostgreSQL server that is down or refuses the connection, a SQLite
	// path in a directory that does not exist or a file that is not a
	// database.
	ErrUnavailable = errors.New("database unavailable")

	// ErrSchema says the database's schema is newer than this program
	// knows, or not entente's.
	ErrSchema = errors.New("database schema not supported")
)

// Options configure a backend; every backend takes them. Start from
// DefaultOptions.
type Options struct {
	// LockTimeout is how long a writer waits for another writer before
	// failing with ErrLocked. It must be positive.
	LockTimeout time.Duration

	// Retries is how many times Update reruns a transaction that the
	// database aborted as not serialisable. It must not be negative.
	Retries int

	// ConnectTimeout bounds how long Open waits to reach a database server.
	// It must be positive.
	ConnectTimeout time.Duration
}

// DefaultOptions returns the options entente uses: writers wait up to 10 s
// for each other, a serialisation failure is retried 10 times, and a
// server must answer within 5 s.
func DefaultOptions() Options {
	return Options{LockTimeout: 10 * time.Second, Retries: 10, ConnectTimeout: 5 * time.Second}
}

// Validate reports the first option out of range.
func (o Options) Validate() error {
	switch {
	case o.LockTimeout <= 0:
		return fmt.Errorf("store options: lock timeout %v must be positive", o.LockTimeout)
	case o.Retries < 0:
		return fmt.Errorf("store options: retries %d must not be negative", o.Retries)
	case o.ConnectTimeout <= 0:
		return fmt.Errorf("store options: connect timeout %v must be positive", o.ConnectTimeout)
	}
	return nil
}

// SchemaVersion is the number of schema migrations this version of entente
// knows; Open applies those a database lacks. Both backends have the same
// migrations, numbered alike.
const SchemaVersion = 3
