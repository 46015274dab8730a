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
	rows, err := t.q.QueryContext(ctx, `SELECT `+historyCols+` FROM event_history h
		WHERE h.source = ? AND h.source_id = ? ORDER BY h.id`, source, id)
	if err != nil {
		return nil, t.s.wrap("read history", err)
	}
	defer rows.Close()
	var out []store.Revision
	for rows.Next() {
		var r store.Revision
		if err := scanEvent(rows, &r.Event, &r.Op, &r.SupersededBy); err != nil {
			return nil, t.s.wrap("read history", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap("read history", err)
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
	rows, err := t.q.QueryContext(ctx, `SELECT `+batchCols+` FROM batches ORDER BY id`)
	if err != nil {
		return nil, t.s.wrap("read batches", err)
	}
	defer rows.Close()
	var out []store.Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, t.s.wrap("read batches", err)
		}
		out = append(out, *b)
	}
	return out, t.s.wrap("read batches", rows.Err())
}

func (t *tx) Tally(ctx context.Context, f store.Filter) (*store.Tally, error) {
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("tally: %w", err)
	}
	from, to := f.Bounds()
	out := store.Tally{Sources: map[string]int64{}}
	rows, err := t.q.QueryContext(ctx, `SELECT source, sum(events), sum(unattributed) FROM day_totals
		WHERE day BETWEEN ? AND ? GROUP BY source`, from, to)
	if err != nil {
		return nil, t.s.wrap("tally events", err)
	}
	for rows.Next() {
		var src string
		var n, u int64
		if err := rows.Scan(&src, &n, &u); err != nil {
			rows.Close()
			return nil, t.s.wrap("tally events", err)
		}
		out.Sources[src] = n
		out.Events += n
		out.Unattributed += u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap("tally events", err)
	}
	rows, err = t.q.QueryContext(ctx, `SELECT day, side, zone, n FROM day_cells
		WHERE day BETWEEN ? AND ? ORDER BY day, side, zone`, from, to)
	if err != nil {
		return nil, t.s.wrap("tally violations", err)
	}
	for rows.Next() {
		var c store.Cell
		if err := rows.Scan(&c.Day, &c.Side, &c.Zone, &c.N); err != nil {
			rows.Close()
			return nil, t.s.wrap("tally violations", err)
		}
		out.Violating += c.N
		out.Cells = append(out.Cells, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap("tally violations", err)
	}
	rows, err = t.q.QueryContext(ctx, `SELECT rule, sum(n) FROM day_rules
		WHERE day BETWEEN ? AND ? GROUP BY rule ORDER BY rule`, from, to)
	if err != nil {
		return nil, t.s.wrap("tally rules", err)
	}
	for rows.Next() {
		var r store.RuleCount
		if err := rows.Scan(&r.Rule, &r.N); err != nil {
			rows.Close()
			return nil, t.s.wrap("tally rules", err)
		}
		out.Rules = append(out.Rules, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.s.wrap("tally rules", err)
	}
	rows, err = t.q.QueryContext(ctx, `SELECT actor, sum(n) AS k FROM day_actors
		WHERE day BETWEEN ? AND ? GROUP BY actor ORDER BY k DESC, actor`, from, to)
	if err != nil {
		return nil, t.s.wrap("tally unattributed actors", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a store.ActorCount
		if err := rows.Scan(&a.Actor, &a.N); err != nil {
			return nil, t.s.wrap("tally unattributed actors", err)
		}
		out.Actors = append(out.Actors, a)
	}
	return &out, t.s.wrap("tally unattributed actors", rows.Err())
}

func (t *tx) Unattributed(ctx context.Context, f store.Filter, limit int) ([]store.Event, error) {
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("unattributed events: %w", err)
	}
	from, to := f.Bounds()
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.q.QueryContext(ctx, `SELECT `+eventCols+` FROM events e JOIN classifiers c ON c.id = e.classifier
		WHERE e.unattributed = 1 AND e.day BETWEEN ? AND ? ORDER BY e.day, e.date, e.source, e.source_id LIMIT ?`, from, to, limit)
	if err != nil {
		return nil, t.s.wrap("read unattributed events", err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var ev store.Event
		if err := scanEvent(rows, &ev); err != nil {
			return nil, t.s.wrap("read unattributed events", err)
		}
		out = append(out, ev)
	}
	return out, t.s.wrap("read unattributed events", rows.Err())
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
		rows, err := t.q.QueryContext(ctx, `SELECT `+eventCols+`, e.id FROM events e JOIN classifiers c ON c.id = e.classifier
			WHERE e.id > ? AND e.classifier <> ? ORDER BY e.id LIMIT ?`, last, cid, chunk)
		if err != nil {
			return n, t.s.wrap("reclassify", err)
		}
		var ids []int64
		var evs []store.Event
		for rows.Next() {
			var id int64
			var ev store.Event
			if err := scanEvent(rows, &ev, &id); err != nil {
				rows.Close()
				return n, t.s.wrap("reclassify", err)
			}
			ids = append(ids, id)
			evs = append(evs, ev)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, t.s.wrap("reclassify", err)
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
