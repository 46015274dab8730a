package store

import (
	"context"
	"fmt"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/ledger"
)

// LogStorage returns the tamper-evident log kept in s as a
// [ledger.Storage]: View and Update run in s's transactions, so the log
// inherits the store's contract (writers take turns across processes; an
// Update is all or nothing). Events and log leaves written in one
// [Store.Update] commit together.
func LogStorage(s Store) ledger.Storage { return logStorage{s} }

type logStorage struct{ s Store }

func (l logStorage) View(ctx context.Context, f func(ctx context.Context, r ledger.Reader) error) error {
	return l.s.View(ctx, func(ctx context.Context, tx ReadTx) error { return f(ctx, tx.Log()) })
}

func (l logStorage) Update(ctx context.Context, f func(ctx context.Context, tx ledger.Tx) error) error {
	return l.s.Update(ctx, func(ctx context.Context, tx Tx) error { return f(ctx, tx.LogTx()) })
}

// The backends keep the log in three tables (docs/store.md): log_head, one
// row holding the size; log_leaves, one row per leaf with its index, its
// encoded bytes and the stored hashes that appending it produced (the leaf
// hash, then one per subtree it completes, 32 bytes each, concatenated); and
// log_checkpoints, the signed notes by sequence number. The helpers below
// map stored-hash indexes to those rows; both backends use them.

// LogHashRow returns the leaf row that holds the stored hash with index x
// (tlog.StoredHashIndex), and its position in that row's hashes. The hash
// of level L and index k is written by the leaf that completes its
// subtree, ((k+1) << L) - 1, at position L.
func LogHashRow(x int64) (leaf int64, pos int) {
	level, k := tlog.SplitStoredHashIndex(x)
	return (k+1)<<level - 1, level
}

// LogHashCount returns how many stored hashes leaf n writes: its own and
// one per trailing 1 bit of n.
func LogHashCount(n int64) int { return 1 + bits.TrailingZeros64(^uint64(n)) }

// SplitLogHashes cuts the stored hashes of leaves start, start+1, … (as
// [ledger.Tx.WriteLeaves] receives them) into one concatenated blob per
// leaf.
func SplitLogHashes(start int64, leaves int, hashes []tlog.Hash) ([][]byte, error) {
	out := make([][]byte, leaves)
	k := 0
	for i := range out {
		c := LogHashCount(start + int64(i))
		if k+c > len(hashes) {
			return nil, fmt.Errorf("write log leaves at %d: %d hashes for %d leaves, want %d", start, len(hashes), leaves, tlog.StoredHashCount(start+int64(leaves))-tlog.StoredHashCount(start))
		}
		b := make([]byte, 0, c*tlog.HashSize)
		for _, h := range hashes[k : k+c] {
			b = append(b, h[:]...)
		}
		out[i] = b
		k += c
	}
	if k != len(hashes) {
		return nil, fmt.Errorf("write log leaves at %d: %d hashes for %d leaves, want %d", start, len(hashes), leaves, k)
	}
	return out, nil
}

// LogHashFromRow returns the hash at pos in a leaf row's hashes blob.
func LogHashFromRow(leaf int64, blob []byte, pos int) (tlog.Hash, error) {
	var h tlog.Hash
	if len(blob) != LogHashCount(leaf)*tlog.HashSize || (pos+1)*tlog.HashSize > len(blob) {
		return h, fmt.Errorf("log leaf %d: stored hashes are %d bytes, want %d", leaf, len(blob), LogHashCount(leaf)*tlog.HashSize)
	}
	copy(h[:], blob[pos*tlog.HashSize:])
	return h, nil
}
