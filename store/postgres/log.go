package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/store"
)

// The log's tables are described in store/log.go and docs/store.md.
// Writers take turns (lockWriters), so appends are linear across
// processes; WriteLeaves also checks the head row's size.

func (t *tx) Log() ledger.Reader { return t }
func (t *tx) LogTx() ledger.Tx   { return t }

var _ ledger.Tx = (*tx)(nil)

// Size implements ledger.Reader.
func (t *tx) Size(ctx context.Context) (int64, error) {
	var n int64
	err := t.q.QueryRow(ctx, `SELECT size FROM log_head WHERE id = 1`).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("postgres %s: the log's head row is missing", t.s.name)
	}
	return n, t.s.wrap("read log size", err)
}

// ReadHashes implements ledger.Reader: each stored hash is read from the
// leaf row that wrote it.
func (t *tx) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	type loc struct {
		leaf int64
		pos  int
	}
	locs := make([]loc, len(indexes))
	var leaves []int64
	for i, x := range indexes {
		if x < 0 {
			return nil, fmt.Errorf("read log hash %d: negative index", x)
		}
		l, p := store.LogHashRow(x)
		locs[i] = loc{l, p}
		leaves = append(leaves, l)
	}
	slices.Sort(leaves)
	leaves = slices.Compact(leaves)
	blobs := make(map[int64][]byte, len(leaves))
	if len(leaves) > 0 {
		q, args := `SELECT idx, hashes FROM log_leaves WHERE idx = ANY($1)`, []any{leaves}
		if lo, hi := leaves[0], leaves[len(leaves)-1]; hi-lo+1 <= int64(4*len(leaves)) {
			q, args = `SELECT idx, hashes FROM log_leaves WHERE idx BETWEEN $1 AND $2`, []any{lo, hi}
		}
		err := t.each(ctx, "read log hashes", q, args, func(r scanner) error {
			var idx int64
			var b []byte
			if err := r.Scan(&idx, &b); err != nil {
				return err
			}
			blobs[idx] = b
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, lc := range locs {
		b, ok := blobs[lc.leaf]
		if !ok {
			return nil, fmt.Errorf("read log hash %d: log leaf %d is not stored", indexes[i], lc.leaf)
		}
		var err error
		if out[i], err = store.LogHashFromRow(lc.leaf, b, lc.pos); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReadLeaves implements ledger.Reader.
func (t *tx) ReadLeaves(ctx context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end < start {
		return nil, fmt.Errorf("read log leaves %d-%d: bad range", start, end)
	}
	rows, err := t.q.Query(ctx, `SELECT idx, leaf FROM log_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
	if err != nil {
		return nil, t.s.wrap("read log leaves", err)
	}
	defer rows.Close()
	out := make([][]byte, 0, end-start)
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, t.s.wrap("read log leaves", err)
		}
		if want := start + int64(len(out)); idx != want {
			return nil, &ledger.MissingLeafError{Index: want}
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap("read log leaves", err)
	}
	if int64(len(out)) < end-start {
		return nil, &ledger.MissingLeafError{Index: start + int64(len(out))}
	}
	return out, nil
}

// Checkpoints implements ledger.Reader.
func (t *tx) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := t.q.Query(ctx, `SELECT seq, note FROM log_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, t.s.wrap("read log checkpoints", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var seq int64
		var b []byte
		if err := rows.Scan(&seq, &b); err != nil {
			return nil, t.s.wrap("read log checkpoints", err)
		}
		if seq != int64(len(out))+1 {
			return nil, fmt.Errorf("postgres %s: log checkpoint %d is missing (the next stored is %d)", t.s.name, len(out)+1, seq)
		}
		out = append(out, b)
	}
	return out, t.s.wrap("read log checkpoints", rows.Err())
}

// WriteLeaves implements ledger.Tx, copying the rows in.
func (t *tx) WriteLeaves(ctx context.Context, start int64, leaves [][]byte, hashes []tlog.Hash) error {
	n, err := t.Size(ctx)
	if err != nil {
		return err
	}
	if start != n {
		return fmt.Errorf("write log leaves at %d: log size is %d: %w", start, n, ledger.ErrConflict)
	}
	blobs, err := store.SplitLogHashes(start, len(leaves), hashes)
	if err != nil {
		return err
	}
	rows := make([][]any, len(leaves))
	for i, leaf := range leaves {
		rows[i] = []any{start + int64(i), leaf, blobs[i]}
	}
	if _, err := t.q.CopyFrom(ctx, pgx.Identifier{"log_leaves"}, []string{"idx", "leaf", "hashes"}, pgx.CopyFromRows(rows)); err != nil {
		return t.s.wrap(fmt.Sprintf("write log leaves %d-%d", start, start+int64(len(leaves))-1), err)
	}
	_, err = t.q.Exec(ctx, `UPDATE log_head SET size = $1 WHERE id = 1`, start+int64(len(leaves)))
	return t.s.wrap("write log size", err)
}

// WriteCheckpoint implements ledger.Tx.
func (t *tx) WriteCheckpoint(ctx context.Context, seq int64, note []byte) error {
	var count int64
	if err := t.q.QueryRow(ctx, `SELECT count(*) FROM log_checkpoints`).Scan(&count); err != nil {
		return t.s.wrap("count log checkpoints", err)
	}
	var err error
	switch {
	case seq == count+1:
		_, err = t.q.Exec(ctx, `INSERT INTO log_checkpoints (seq, note) VALUES ($1, $2)`, seq, note)
	case seq >= 1 && seq <= count:
		_, err = t.q.Exec(ctx, `UPDATE log_checkpoints SET note = $1 WHERE seq = $2`, note, seq)
	default:
		return fmt.Errorf("write log checkpoint %d: the log has %d checkpoints", seq, count)
	}
	return t.s.wrap("write log checkpoint", err)
}
