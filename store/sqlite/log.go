package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/store"
)

// The log's tables are described in store/log.go and docs/store.md.

func (t *tx) Log() ledger.Reader { return t }
func (t *tx) LogTx() ledger.Tx   { return t }

var _ ledger.Tx = (*tx)(nil)

// Size implements ledger.Reader.
func (t *tx) Size(ctx context.Context) (int64, error) {
	var n int64
	err := t.q.QueryRowContext(ctx, `SELECT size FROM log_head WHERE id = 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlite %s: the log's head row is missing", t.s.path)
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
	blobs, err := t.hashRows(ctx, leaves)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, lc := range locs {
		b, ok := blobs[lc.leaf]
		if !ok {
			return nil, fmt.Errorf("read log hash %d: log leaf %d is not stored", indexes[i], lc.leaf)
		}
		if out[i], err = store.LogHashFromRow(lc.leaf, b, lc.pos); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hashRows reads the hashes of the given leaves (sorted, distinct): one
// range query when they are dense, else lists of at most 500.
func (t *tx) hashRows(ctx context.Context, leaves []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(leaves))
	if len(leaves) == 0 {
		return out, nil
	}
	row := func(r scanner) error {
		var idx int64
		var b []byte
		if err := r.Scan(&idx, &b); err != nil {
			return err
		}
		out[idx] = b
		return nil
	}
	lo, hi := leaves[0], leaves[len(leaves)-1]
	if hi-lo+1 <= int64(4*len(leaves)) {
		return out, t.each(ctx, "read log hashes", `SELECT idx, hashes FROM log_leaves WHERE idx BETWEEN ? AND ?`, []any{lo, hi}, row)
	}
	for len(leaves) > 0 {
		n := min(len(leaves), 500)
		args := make([]any, n)
		for i, l := range leaves[:n] {
			args[i] = l
		}
		q := `SELECT idx, hashes FROM log_leaves WHERE idx IN (?` + strings.Repeat(",?", n-1) + `)`
		if err := t.each(ctx, "read log hashes", q, args, row); err != nil {
			return nil, err
		}
		leaves = leaves[n:]
	}
	return out, nil
}

// ReadLeaves implements ledger.Reader.
func (t *tx) ReadLeaves(ctx context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end < start {
		return nil, fmt.Errorf("read log leaves %d-%d: bad range", start, end)
	}
	rows, err := t.q.QueryContext(ctx, `SELECT idx, leaf FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
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
	rows, err := t.q.QueryContext(ctx, `SELECT seq, note FROM log_checkpoints ORDER BY seq`)
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
			return nil, fmt.Errorf("sqlite %s: log checkpoint %d is missing (the next stored is %d)", t.s.path, len(out)+1, seq)
		}
		out = append(out, b)
	}
	return out, t.s.wrap("read log checkpoints", rows.Err())
}

// WriteLeaves implements ledger.Tx.
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
	st, err := t.q.PrepareContext(ctx, `INSERT INTO log_leaves (idx, leaf, hashes) VALUES (?, ?, ?)`)
	if err != nil {
		return t.s.wrap("write log leaves", err)
	}
	defer st.Close()
	for i, leaf := range leaves {
		if _, err := st.ExecContext(ctx, start+int64(i), leaf, blobs[i]); err != nil {
			return t.s.wrap(fmt.Sprintf("write log leaf %d", start+int64(i)), err)
		}
	}
	_, err = t.q.ExecContext(ctx, `UPDATE log_head SET size = ? WHERE id = 1`, start+int64(len(leaves)))
	return t.s.wrap("write log size", err)
}

// WriteCheckpoint implements ledger.Tx.
func (t *tx) WriteCheckpoint(ctx context.Context, seq int64, note []byte) error {
	var count int64
	if err := t.q.QueryRowContext(ctx, `SELECT count(*) FROM log_checkpoints`).Scan(&count); err != nil {
		return t.s.wrap("count log checkpoints", err)
	}
	var err error
	switch {
	case seq == count+1:
		_, err = t.q.ExecContext(ctx, `INSERT INTO log_checkpoints (seq, note, created) VALUES (?, ?, ?)`, seq, note, now())
	case seq >= 1 && seq <= count:
		_, err = t.q.ExecContext(ctx, `UPDATE log_checkpoints SET note = ? WHERE seq = ?`, note, seq)
	default:
		return fmt.Errorf("write log checkpoint %d: the log has %d checkpoints", seq, count)
	}
	return t.s.wrap("write log checkpoint", err)
}
