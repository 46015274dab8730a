package ledger

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Storage keeps one log: its leaves, the tree's stored hashes (see
// tlog.StoredHashIndex) and its signed checkpoints. [Memory] keeps them in
// memory; the store backends keep them in SQLite or PostgreSQL. Storage
// holds bytes and hashes only; [Log] computes and checks them.
//
// The contract, which every implementation keeps:
//
//   - One writer at a time. Update transactions on one log are serialised,
//     across goroutines and across processes sharing the storage (a
//     database lock, not a process mutex), so the log stays linear: no two
//     appends ever write the same index.
//   - All or nothing. If Update's function returns an error, or the
//     context ends, nothing it wrote is kept; if it returns nil, all of it
//     is. Readers never see part of a transaction.
//   - Retries. Update may run its function more than once (for example after
//     a serialisation failure); the function must not have effects outside
//     the transaction.
//   - Views. A View sees one consistent state, concurrently with a writer.
type Storage interface {
	// View runs f with a read-only, consistent view of the log.
	View(ctx context.Context, f func(ctx context.Context, r Reader) error) error
	// Update runs f in a read-write transaction as described above.
	Update(ctx context.Context, f func(ctx context.Context, tx Tx) error) error
}

// Reader reads a log. Its methods are safe only within the View or Update
// call that provided it.
type Reader interface {
	// Size returns the number of leaves.
	Size(ctx context.Context) (int64, error)
	// ReadHashes returns the stored hashes at the given stored-hash indexes
	// (tlog.StoredHashIndex), one per index, in order. An index at or beyond
	// tlog.StoredHashCount(Size) is an error.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// ReadLeaves returns the encoded leaves start … end-1, exactly
	// end-start of them. A leaf missing from storage (a gap) is an error
	// wrapping *[MissingLeafError]. Callers must not modify the slices.
	ReadLeaves(ctx context.Context, start, end int64) ([][]byte, error)
	// Checkpoints returns the signed checkpoints in the order they were
	// written; entry i has sequence number i+1.
	Checkpoints(ctx context.Context) ([][]byte, error)
}

// Tx is a read-write transaction on a log.
type Tx interface {
	Reader
	// WriteLeaves appends leaves at index start, which must equal Size,
	// together with hashes, the stored hashes that tlog.StoredHashes gives
	// for them in order: hashes[k] goes to stored index
	// tlog.StoredHashIndex(0, start)+k, and there are exactly
	// tlog.StoredHashCount(start+len(leaves)) - tlog.StoredHashCount(start)
	// of them. Later reads in the same transaction see them.
	WriteLeaves(ctx context.Context, start int64, leaves [][]byte, hashes []tlog.Hash) error
	// WriteCheckpoint stores a signed checkpoint with sequence number seq
	// (1-based): seq = len(Checkpoints)+1 appends one, a smaller seq
	// replaces that checkpoint's note (to add cosignatures; [Log] checks
	// that the checkpoint itself is unchanged).
	WriteCheckpoint(ctx context.Context, seq int64, note []byte) error
}

// MissingLeafError says that storage has no leaf at Index although the log
// is larger.
type MissingLeafError struct {
	Index int64
}

func (e *MissingLeafError) Error() string {
	return fmt.Sprintf("leaf %d is missing from storage", e.Index)
}

// ErrConflict is returned by WriteLeaves when start is not the log's size:
// another writer got there first, or the caller miscounted.
var ErrConflict = errors.New("append at wrong index")

// hashReader adapts a Reader to tlog.HashReader under ctx.
func hashReader(ctx context.Context, r Reader) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return r.ReadHashes(ctx, indexes)
	})
}
