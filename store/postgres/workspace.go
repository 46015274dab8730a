package postgres

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/entente-org/entente/store"
)

// The workspace's tables (migration 3) are described in store/workspace.go
// and docs/store.md. Times are timestamptz (UTC, to the microsecond).

// nonNil returns b, or an empty slice for nil: the content columns are NOT
// NULL, and pgx sends a nil slice as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

const tokenCols = `id, hash, role, party, label, created, revoked`

func scanToken(r scanner) (*store.Token, error) {
	var tk store.Token
	if err := r.Scan(&tk.ID, &tk.Hash, &tk.Role, &tk.Party, &tk.Label, &tk.Created, &tk.Revoked); err != nil {
		return nil, err
	}
	tk.Created = tk.Created.UTC()
	return &tk, nil
}

func (t *tx) Token(ctx context.Context, hash string) (*store.Token, error) {
	tk, err := scanToken(t.q.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("token with hash %s: %w", hash, store.ErrNotFound)
	}
	if err != nil {
		return nil, t.s.wrap("read token", err)
	}
	return tk, nil
}

func (t *tx) Tokens(ctx context.Context) ([]store.Token, error) {
	var out []store.Token
	err := t.each(ctx, "read tokens", `SELECT `+tokenCols+` FROM tokens ORDER BY id`, nil, func(r scanner) error {
		tk, err := scanToken(r)
		if err == nil {
			out = append(out, *tk)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) PutToken(ctx context.Context, tk store.Token) (int64, error) {
	if err := tk.Check(); err != nil {
		return 0, err
	}
	var id int64
	err := t.q.QueryRow(ctx, `INSERT INTO tokens (hash, role, party, label, created, revoked) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (hash) DO NOTHING RETURNING id`,
		tk.Hash, tk.Role, tk.Party, tk.Label, store.StoredTime(tk.Created), tk.Revoked).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("token %q: %w: a token with hash %s is already stored", tk.Label, store.ErrConflict, tk.Hash)
	}
	return id, t.s.wrap("write token", err)
}

func (t *tx) RevokeToken(ctx context.Context, id int64) error {
	res, err := t.q.Exec(ctx, `UPDATE tokens SET revoked = true WHERE id = $1`, id)
	if err != nil {
		return t.s.wrap("revoke token", err)
	}
	if res.RowsAffected() == 0 {
		return fmt.Errorf("revoke token %d: %w", id, store.ErrNotFound)
	}
	return nil
}

const documentCols = `id, source, version, updated`

func scanDocument(r scanner) (*store.Document, error) {
	var d store.Document
	if err := r.Scan(&d.ID, &d.Source, &d.Version, &d.Updated); err != nil {
		return nil, err
	}
	d.Updated = d.Updated.UTC()
	return &d, nil
}

func (t *tx) Document(ctx context.Context, id string) (*store.Document, error) {
	d, err := scanDocument(t.q.QueryRow(ctx, `SELECT `+documentCols+` FROM documents WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("settlement %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, t.s.wrap("read settlement", err)
	}
	return d, nil
}

func (t *tx) Documents(ctx context.Context) ([]store.Document, error) {
	var out []store.Document
	err := t.each(ctx, "read settlements", `SELECT `+documentCols+` FROM documents ORDER BY id COLLATE "C"`, nil, func(r scanner) error {
		d, err := scanDocument(r)
		if err == nil {
			out = append(out, *d)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) PutDocument(ctx context.Context, d store.Document) (*store.Document, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	var stored int64
	err := t.q.QueryRow(ctx, `SELECT version FROM documents WHERE id = $1`, d.ID).Scan(&stored)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, t.s.wrap("read settlement version", err)
	}
	if d.Version != stored {
		return nil, fmt.Errorf("settlement %s: %w: revising version %d, but version %d is stored", d.ID, store.ErrConflict, d.Version, stored)
	}
	out := store.Document{ID: d.ID, Source: nonNil(d.Source), Version: stored + 1, Updated: store.StoredTime(d.Updated)}
	_, err = t.q.Exec(ctx, `INSERT INTO documents (id, source, version, updated) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, version = excluded.version, updated = excluded.updated`,
		out.ID, out.Source, out.Version, out.Updated)
	if err != nil {
		return nil, t.s.wrap("write settlement", err)
	}
	return &out, nil
}

const positionCols = `settlement, party, revision, content, hash, time, log_index`

func scanPosition(r scanner) (*store.Position, error) {
	var p store.Position
	if err := r.Scan(&p.Settlement, &p.Party, &p.Revision, &p.Content, &p.Hash, &p.Time, &p.LogIndex); err != nil {
		return nil, err
	}
	p.Time = p.Time.UTC()
	return &p, nil
}

// positions runs a query of positionCols.
func (t *tx) positions(ctx context.Context, what, query string, args ...any) ([]store.Position, error) {
	var out []store.Position
	err := t.each(ctx, what, query, args, func(r scanner) error {
		p, err := scanPosition(r)
		if err == nil {
			out = append(out, *p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) Positions(ctx context.Context, settlement string) ([]store.Position, error) {
	return t.positions(ctx, "read positions", `SELECT `+positionCols+` FROM positions p
		WHERE settlement = $1 AND revision = (SELECT max(revision) FROM positions q
			WHERE q.settlement = p.settlement AND q.party = p.party)
		ORDER BY party COLLATE "C"`, settlement)
}

func (t *tx) PositionHistory(ctx context.Context, settlement, party string) ([]store.Position, error) {
	return t.positions(ctx, "read position history", `SELECT `+positionCols+` FROM positions
		WHERE settlement = $1 AND party = $2 ORDER BY revision`, settlement, party)
}

func (t *tx) PutPosition(ctx context.Context, p store.Position) (*store.Position, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	var last int64
	if err := t.q.QueryRow(ctx, `SELECT coalesce(max(revision), 0) FROM positions WHERE settlement = $1 AND party = $2`,
		p.Settlement, p.Party).Scan(&last); err != nil {
		return nil, t.s.wrap("read position revision", err)
	}
	p.Revision = last + 1
	p.Content = nonNil(p.Content)
	p.Time = store.StoredTime(p.Time)
	_, err := t.q.Exec(ctx, `INSERT INTO positions (`+positionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.Settlement, p.Party, p.Revision, p.Content, p.Hash, p.Time, p.LogIndex)
	if err != nil {
		return nil, t.s.wrap(fmt.Sprintf("write position of %s in %s", p.Party, p.Settlement), err)
	}
	return &p, nil
}

func (t *tx) Publications(ctx context.Context, settlement string) ([]store.Publication, error) {
	var out []store.Publication
	err := t.each(ctx, "read publications", `SELECT id, settlement, kind, content, time, log_index FROM publications
		WHERE settlement = $1 ORDER BY id`, []any{settlement}, func(r scanner) error {
		var p store.Publication
		if err := r.Scan(&p.ID, &p.Settlement, &p.Kind, &p.Content, &p.Time, &p.LogIndex); err != nil {
			return err
		}
		p.Time = p.Time.UTC()
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) Publish(ctx context.Context, p store.Publication) (*store.Publication, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	p.Content = nonNil(p.Content)
	p.Time = store.StoredTime(p.Time)
	err := t.q.QueryRow(ctx, `INSERT INTO publications (settlement, kind, content, time, log_index) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, p.Settlement, p.Kind, p.Content, p.Time, p.LogIndex).Scan(&p.ID)
	if err != nil {
		return nil, t.s.wrap(fmt.Sprintf("write %s publication in %s", p.Kind, p.Settlement), err)
	}
	return &p, nil
}

// Stamp reads, in one query that reads no source, the settlement's version,
// the versions of its files (starts_with compares the id's bytes: no
// wildcards, whatever "_" or "%" it holds) and each party's latest revision,
// and hashes them.
func (t *tx) Stamp(ctx context.Context, id string) (string, error) {
	var parts []stampPart
	err := t.each(ctx, "read settlement stamp", `SELECT 0, id, version FROM documents WHERE id = $1::text
		UNION ALL SELECT 1, id, version FROM documents WHERE starts_with(id, $1::text || '/')
		UNION ALL SELECT 2, party, max(revision) FROM positions WHERE settlement = $1::text GROUP BY party`,
		[]any{id}, func(r scanner) error {
			var p stampPart
			if err := r.Scan(&p.kind, &p.name, &p.version); err != nil {
				return err
			}
			parts = append(parts, p)
			return nil
		})
	if err != nil {
		return "", err
	}
	return stamp(id, parts)
}

// A stampPart is one row of Stamp's query: the settlement's document (kind
// 0), a file's document (1) or a party's latest revision (2).
type stampPart struct {
	kind    int
	name    string
	version int64
}

// stamp hashes the parts of settlement id's stamp, in a fixed order, or
// says the settlement is not stored.
func stamp(id string, parts []stampPart) (string, error) {
	slices.SortFunc(parts, func(a, b stampPart) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), strings.Compare(a.name, b.name))
	})
	if len(parts) == 0 || parts[0].kind != 0 {
		return "", fmt.Errorf("settlement %s: %w", id, store.ErrNotFound)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%q\n", id)
	for _, p := range parts {
		fmt.Fprintf(h, "%d %q %d\n", p.kind, p.name, p.version)
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}
