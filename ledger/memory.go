package ledger

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Memory is a [Storage] in memory, for tests and tools that build a log for
// a moment (an export, a benchmark). It keeps Storage's contract within one
// process: one writer at a time, all-or-nothing updates, views that do not
// see a transaction in progress. The zero value is an empty log.
type Memory struct {
	writer sync.Mutex   // held for a whole Update
	mu     sync.RWMutex // guards the fields below
	leaves [][]byte
	hashes []tlog.Hash
	notes  [][]byte
}

var _ Storage = (*Memory)(nil)

// View implements [Storage].
func (m *Memory) View(ctx context.Context, f func(context.Context, Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return f(ctx, memReader{m.leaves, m.hashes, m.notes})
}

// Update implements [Storage].
func (m *Memory) Update(ctx context.Context, f func(context.Context, Tx) error) error {
	m.writer.Lock()
	defer m.writer.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	tx := &memTx{memReader: memReader{m.leaves, m.hashes, append([][]byte(nil), m.notes...)}}
	m.mu.RUnlock()
	if err := f(ctx, tx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	// Appending to the committed slices is safe: views hold slices whose
	// length excludes the new elements.
	m.leaves, m.hashes, m.notes = tx.leaves, tx.hashes, tx.notes
	m.mu.Unlock()
	return nil
}

type memReader struct {
	leaves [][]byte
	hashes []tlog.Hash
	notes  [][]byte
}

func (r memReader) Size(context.Context) (int64, error) { return int64(len(r.leaves)), nil }

func (r memReader) ReadHashes(_ context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(r.hashes)) {
			return nil, fmt.Errorf("read hash %d: log has %d stored hashes", x, len(r.hashes))
		}
		out[i] = r.hashes[x]
	}
	return out, nil
}

func (r memReader) ReadLeaves(_ context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end < start {
		return nil, fmt.Errorf("read leaves %d-%d: bad range", start, end)
	}
	if end > int64(len(r.leaves)) {
		return nil, &MissingLeafError{Index: max(start, int64(len(r.leaves)))}
	}
	for i, l := range r.leaves[start:end] {
		if l == nil {
			return nil, &MissingLeafError{Index: start + int64(i)}
		}
	}
	return r.leaves[start:end:end], nil
}

func (r memReader) Checkpoints(context.Context) ([][]byte, error) {
	return r.notes[:len(r.notes):len(r.notes)], nil
}

type memTx struct {
	memReader
}

func (tx *memTx) WriteLeaves(_ context.Context, start int64, leaves [][]byte, hashes []tlog.Hash) error {
	if start != int64(len(tx.leaves)) {
		return fmt.Errorf("write leaves at %d: log size is %d: %w", start, len(tx.leaves), ErrConflict)
	}
	if want := tlog.StoredHashCount(start+int64(len(leaves))) - tlog.StoredHashCount(start); int64(len(hashes)) != want {
		return fmt.Errorf("write leaves at %d: %d hashes for %d leaves, want %d", start, len(hashes), len(leaves), want)
	}
	for _, l := range leaves {
		tx.leaves = append(tx.leaves, append([]byte(nil), l...))
	}
	tx.hashes = append(tx.hashes, hashes...)
	return nil
}

func (tx *memTx) WriteCheckpoint(_ context.Context, seq int64, note []byte) error {
	switch {
	case seq == int64(len(tx.notes))+1:
		tx.notes = append(tx.notes, append([]byte(nil), note...))
	case seq >= 1 && seq <= int64(len(tx.notes)):
		tx.notes[seq-1] = append([]byte(nil), note...)
	default:
		return fmt.Errorf("write checkpoint %d: log has %d checkpoints", seq, len(tx.notes))
	}
	return nil
}
