package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/entente-org/entente/store"
)

// tx implements store.Tx over one SQLite transaction.
type tx struct {
	s *Store
	q *sql.Tx
}

// eventCols are the columns of an event, in scanEvent's order, for the
// events table joined with classifiers as c.
const eventCols = `e.source, e.source_id, e.date, e.actor1, e.actor2, e.type, e.subtype,
	e.fatalities, e.lat, e.lon, e.admin1, e.location, e.precision_place, e.precision_date,
	e.notes, e.raw, e.batch_id, e.side, e.other_side, e.zone, e.distance_km, e.violations,
	e.unattributed, c.fingerprint`

// historyCols are the same for event_history, plus op and superseded_by.
const historyCols = `h.source, h.source_id, h.date, h.actor1, h.actor2, h.type, h.subtype,
	h.fatalities, h.lat, h.lon, h.admin1, h.location, h.precision_place, h.precision_date,
	h.notes, h.raw, h.batch_id, h.side, h.other_side, h.zone, h.distance_km, h.violations,
	h.unattributed, h.fingerprint, h.op, h.superseded_by`

type scanner interface{ Scan(dest ...any) error }

// scanEvent scans eventCols (and extra destinations after them).
func scanEvent(r scanner, ev *store.Event, extra ...any) error {
	var date, violations string
	dest := []any{&ev.Source, &ev.ID, &date, &ev.Actor1, &ev.Actor2, &ev.Type, &ev.Subtype,
		&ev.Fatalities, &ev.Lat, &ev.Lon, &ev.Admin1, &ev.Location, &ev.PrecisionPlace, &ev.PrecisionDate,
		&ev.Notes, &ev.Raw, &ev.Batch, &ev.Side, &ev.OtherSide, &ev.Zone, &ev.DistanceKm, &violations,
		&ev.Unattributed, &ev.Fingerprint}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, date)
	if err != nil {
		return fmt.Errorf("event %s/%s: stored date %q: %w", ev.Source, ev.ID, date, err)
	}
	ev.Date = t
	ev.Violations = nil
	if err := json.Unmarshal([]byte(violations), &ev.Violations); err != nil {
		return fmt.Errorf("event %s/%s: stored violations %q: %w", ev.Source, ev.ID, violations, err)
	}
	if len(ev.Violations) == 0 {
		ev.Violations = nil
	}
	return nil
}

func (t *tx) SchemaVersion(ctx context.Context) (int, error) {
	v, err := version(ctx, t.q)
	return v, t.s.wrap("read schema version", err)
}

func (t *tx) Event(ctx context.Context, source, id string) (*store.Event, error) {
	ev := new(store.Event)
	row := t.q.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events e JOIN classifiers c ON c.id = e.classifier
		WHERE e.source = ? AND e.source_id = ?`, source, id)
	if err := scanEvent(row, ev); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("event %s/%s: %w", source, id, store.ErrNotFound)
		}
		return nil, t.s.wrap("read event", err)
	}
	return ev, nil
}

func (t *tx) History(ctx context.Context, source, id string) ([]store.Revision, error) {
	var out []store.Revision
	err := t.each(ctx, "read history", `SELECT `+historyCols+` FROM event_history h
		WHERE h.source = ? AND h.source_id = ? ORDER BY h.id`, []any{source, id}, func(r scanner) error {
		var rev store.Revision
		if err := scanEvent(r, &rev.Event, &rev.Op, &rev.SupersededBy); err != nil {
			return err
		}
		out = append(out, rev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		var n int
		if err := t.q.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE source = ? AND source_id = ?`, source, id).Scan(&n); err != nil {
			return nil, t.s.wrap("read history", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("event %s/%s: %w", source, id, store.ErrNotFound)
		}
	}
	return out, nil
}

const batchCols = `id, hash, source, name, full_release, scope_from, scope_to, columns, fingerprint, created,
	added, updated, deleted, unchanged`

func scanBatch(r scanner) (*store.Batch, error) {
	var b store.Batch
	var created string
	var columns string
	if err := r.Scan(&b.ID, &b.Hash, &b.Source, &b.Name, &b.Full, &b.From, &b.To, &columns, &b.Fingerprint, &created,
		&b.Counts.Added, &b.Counts.Updated, &b.Counts.Deleted, &b.Counts.Unchanged); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(columns), &b.Columns); err != nil {
		return nil, fmt.Errorf("batch %d: stored columns %q: %w", b.ID, columns, err)
	}
	if len(b.Columns) == 0 {
		b.Columns = nil
	}
	t, err := time.Parse(time.RFC3339Nano, created)
	if err != nil {
		return nil, fmt.Errorf("batch %d: stored time %q: %w", b.ID, created, err)
	}
	b.Created = t
	return &b, nil
}

func (t *tx) Batch(ctx context.Context, id int64) (*store.Batch, error) {
	b, err := scanBatch(t.q.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("batch %d: %w", id, store.ErrNotFound)
	}
	return b, t.s.wrap("read batch", err)
}

func (t *tx) BatchByHash(ctx context.Context, hash string) (*store.Batch, error) {
	b, err := scanBatch(t.q.QueryRowContext(ctx, `SELECT `+batchCols+` FROM batches WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("batch with hash %s: %w", hash, store.ErrNotFound)
	}
	return b, t.s.wrap("read batch", err)
}

func (t *tx) Batches(ctx context.Context) ([]store.Batch, error) {
	var out []store.Batch
	err := t.each(ctx, "read batches", `SELECT `+batchCols+` FROM batches ORDER BY id`, nil, func(r scanner) error {
		b, err := scanBatch(r)
		if err == nil {
			out = append(out, *b)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// each runs query with args and calls fn on each row it returns. An error
// of the query or of fn is wrapped with what.
func (t *tx) each(ctx context.Context, what, query string, args []any, fn func(r scanner) error) error {
	rows, err := t.q.QueryContext(ctx, query, args...)
	if err != nil {
		return t.s.wrap(what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return t.s.wrap(what, err)
		}
	}
	return t.s.wrap(what, rows.Err())
}

func (t *tx) Tally(ctx context.Context, f store.Filter) (*store.Tally, error) {
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("tally: %w", err)
	}
	from, to := f.Bounds()
	out := store.Tally{Sources: map[string]int64{}}
	for _, q := range []struct {
		what, query string
		row         func(r scanner) error
	}{
		{"tally events", `SELECT source, sum(events), sum(unattributed) FROM day_totals
			WHERE day BETWEEN ? AND ? GROUP BY source`, func(r scanner) error {
			var src string
			var n, u int64
			if err := r.Scan(&src, &n, &u); err != nil {
				return err
			}
			out.Sources[src] = n
			out.Events += n
			out.Unattributed += u
			return nil
		}},
		{"tally violations", `SELECT day, side, zone, n FROM day_cells
			WHERE day BETWEEN ? AND ? ORDER BY day, side, zone`, func(r scanner) error {
			var c store.Cell
			if err := r.Scan(&c.Day, &c.Side, &c.Zone, &c.N); err != nil {
				return err
			}
			out.Violating += c.N
			out.Cells = append(out.Cells, c)
			return nil
		}},
		{"tally rules", `SELECT rule, sum(n) FROM day_rules
			WHERE day BETWEEN ? AND ? GROUP BY rule ORDER BY rule`, func(r scanner) error {
			var rc store.RuleCount
			if err := r.Scan(&rc.Rule, &rc.N); err != nil {
				return err
			}
			out.Rules = append(out.Rules, rc)
			return nil
		}},
		{"tally unattributed actors", `SELECT actor, sum(n) AS k FROM day_actors
			WHERE day BETWEEN ? AND ? GROUP BY actor ORDER BY k DESC, actor`, func(r scanner) error {
			var a store.ActorCount
			if err := r.Scan(&a.Actor, &a.N); err != nil {
				return err
			}
			out.Actors = append(out.Actors, a)
			return nil
		}},
	} {
		if err := t.each(ctx, q.what, q.query, []any{from, to}, q.row); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

func (t *tx) Unattributed(ctx context.Context, f store.Filter, limit int) ([]store.Event, error) {
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("unattributed events: %w", err)
	}
	from, to := f.Bounds()
	if limit <= 0 {
		limit = -1
	}
	var out []store.Event
	err := t.each(ctx, "read unattributed events", `SELECT `+eventCols+` FROM events e JOIN classifiers c ON c.id = e.classifier
		WHERE e.unattributed = 1 AND e.day BETWEEN ? AND ? ORDER BY e.day, e.date, e.source, e.source_id LIMIT ?`, []any{from, to, limit}, func(r scanner) error {
		var ev store.Event
		if err := scanEvent(r, &ev); err != nil {
			return err
		}
		out = append(out, ev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) Events(ctx context.Context, f store.Filter, limit int) ([]store.Event, error) {
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	from, to := f.Bounds()
	if limit <= 0 {
		limit = -1
	}
	var out []store.Event
	err := t.each(ctx, "read events", `SELECT `+eventCols+` FROM events e JOIN classifiers c ON c.id = e.classifier
		WHERE e.day BETWEEN ? AND ? ORDER BY e.day, e.date, e.source, e.source_id LIMIT ?`, []any{from, to, limit}, func(r scanner) error {
		var ev store.Event
		if err := scanEvent(r, &ev); err != nil {
			return err
		}
		out = append(out, ev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) Stale(ctx context.Context, fingerprint string) (int64, error) {
	var n int64
	var cid int64
	err := t.q.QueryRowContext(ctx, `SELECT id FROM classifiers WHERE fingerprint = ?`, fingerprint).Scan(&cid)
	if errors.Is(err, sql.ErrNoRows) {
		// An unknown classifier: every event is stale.
		err = t.q.QueryRowContext(ctx, `SELECT coalesce(sum(events), 0) FROM day_totals`).Scan(&n)
		return n, t.s.wrap("count stale events", err)
	}
	if err != nil {
		return 0, t.s.wrap("count stale events", err)
	}
	// Two ranges rather than <>, so that the classifier index serves it.
	err = t.q.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE classifier < ? OR classifier > ?`, cid, cid).Scan(&n)
	return n, t.s.wrap("count stale events", err)
}

// classifier returns the id of fingerprint in classifiers, adding it.
func (t *tx) classifier(ctx context.Context, fingerprint string) (int64, error) {
	if _, err := t.q.ExecContext(ctx, `INSERT INTO classifiers (fingerprint) VALUES (?) ON CONFLICT (fingerprint) DO NOTHING`, fingerprint); err != nil {
		return 0, t.s.wrap("add classifier", err)
	}
	var id int64
	err := t.q.QueryRowContext(ctx, `SELECT id FROM classifiers WHERE fingerprint = ?`, fingerprint).Scan(&id)
	return id, t.s.wrap("add classifier", err)
}

func (t *tx) Reclassify(ctx context.Context, fingerprint string, fn func(ev *store.Event) error) (int64, error) {
	cid, err := t.classifier(ctx, fingerprint)
	if err != nil {
		return 0, err
	}
	w, err := t.prepareWriter(ctx, 0, cid)
	if err != nil {
		return 0, err
	}
	defer w.close()
	var n, last int64
	const chunk = 1000
	for {
		var ids []int64
		var evs []store.Event
		err := t.each(ctx, "reclassify", `SELECT `+eventCols+`, e.id FROM events e JOIN classifiers c ON c.id = e.classifier
			WHERE e.id > ? AND e.classifier <> ? ORDER BY e.id LIMIT ?`, []any{last, cid, chunk}, func(r scanner) error {
			var id int64
			var ev store.Event
			if err := scanEvent(r, &ev, &id); err != nil {
				return err
			}
			ids = append(ids, id)
			evs = append(evs, ev)
			return nil
		})
		if err != nil {
			return n, err
		}
		if len(evs) == 0 {
			return n, w.refresh(ctx)
		}
		for i := range evs {
			ev := &evs[i]
			if err := fn(ev); err != nil {
				return n, fmt.Errorf("reclassify event %s: %w", ev.Key(), err)
			}
			if err := store.CheckEvent(ev, ev.Source, 0); err != nil { // sorts violations
				return n, err
			}
			if err := w.classify(ctx, ids[i], ev); err != nil {
				return n, err
			}
			n++
		}
		last = ids[len(ids)-1]
	}
}
