package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/entente-org/entente/store"
)

// incoming is the temporary table a batch is copied into before it is
// merged with set-based statements. action is filled in by the merge:
// 'delete', 'update', 'reclassify' or 'same' for a key already stored,
// NULL for a new one.
const incomingTable = `
CREATE TEMPORARY TABLE IF NOT EXISTS incoming (
	seq             bigint NOT NULL,
	source_id       text NOT NULL,
	deleted         boolean NOT NULL,
	date            text NOT NULL,
	day             date NOT NULL,
	actor1          text NOT NULL,
	actor2          text NOT NULL,
	type            text NOT NULL,
	subtype         text NOT NULL,
	fatalities      bigint NOT NULL,
	lat             double precision NOT NULL,
	lon             double precision NOT NULL,
	admin1          text NOT NULL,
	location        text NOT NULL,
	precision_place bigint NOT NULL,
	precision_date  bigint NOT NULL,
	notes           text NOT NULL,
	raw             bytea NOT NULL,
	digest          bytea NOT NULL,
	side            text NOT NULL,
	other_side      text NOT NULL,
	zone            text NOT NULL,
	distance_km     double precision NOT NULL,
	violations      text NOT NULL,
	rules           text[] NOT NULL,
	unattributed    boolean NOT NULL,
	event_id        bigint,
	action          text
) ON COMMIT DROP;
TRUNCATE incoming;`

var incomingCols = []string{"seq", "source_id", "deleted", "date", "day", "actor1", "actor2", "type", "subtype",
	"fatalities", "lat", "lon", "admin1", "location", "precision_place", "precision_date", "notes", "raw", "digest",
	"side", "other_side", "zone", "distance_km", "violations", "rules", "unattributed"}

// copySource adapts a store.EventSource to COPY, checking each event as
// the SQLite backend does.
type copySource struct {
	ctx   context.Context
	nb    *store.NewBatch
	next  store.EventSource
	n     int64
	seen  map[string]int64
	row   []any
	err   error
	epoch time.Time
}

func (c *copySource) Next() bool {
	c.n++
	if c.n%4096 == 0 {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			return false
		}
	}
	ev, err := c.next()
	if err == io.EOF {
		return false
	}
	if err != nil {
		c.err = fmt.Errorf("batch %s: %w", c.nb.Name, err)
		return false
	}
	if err := store.CheckEvent(ev, c.nb.Source, c.n); err != nil {
		c.err = fmt.Errorf("batch %s: %w", c.nb.Name, err)
		return false
	}
	if first, dup := c.seen[ev.ID]; dup {
		c.err = fmt.Errorf("batch %s: record %d: %w: event %s appears again (first at record %d)", c.nb.Name, c.n, store.ErrInvalid, ev.Key(), first)
		return false
	}
	c.seen[strings.Clone(ev.ID)] = c.n // not a substring that keeps the record's memory alive
	date := ev.Date
	if ev.Deleted && date.IsZero() {
		date = c.epoch // a deletion record needs no date; the column does
	}
	rules := ev.Violations
	if rules == nil {
		rules = []string{}
	}
	raw := ev.Raw
	if raw == nil {
		raw = []byte{}
	}
	c.row = []any{c.n, ev.ID, ev.Deleted, date.Format(time.RFC3339Nano), date.Format(time.DateOnly),
		ev.Actor1, ev.Actor2, ev.Type, ev.Subtype, ev.Fatalities, ev.Lat, ev.Lon, ev.Admin1, ev.Location,
		ev.PrecisionPlace, ev.PrecisionDate, ev.Notes, raw, store.Digest(ev),
		ev.Side, ev.OtherSide, ev.Zone, ev.DistanceKm, stringsJSON(ev.Violations), rules, ev.Unattributed}
	return true
}

func (c *copySource) Values() ([]any, error) { return c.row, nil }
func (c *copySource) Err() error             { return c.err }

// historyFrom copies the current values of the events the join selects into
// event_history, as superseded by batch $1.
const historyInsert = `INSERT INTO event_history (op, superseded_by, source, source_id, date, day, actor1, actor2,
	type, subtype, fatalities, lat, lon, admin1, location, precision_place, precision_date, notes, raw, digest,
	batch_id, side, other_side, zone, distance_km, violations, unattributed, fingerprint)
SELECT %s, $1, e.source, e.source_id, e.date, e.day, e.actor1, e.actor2, e.type, e.subtype, e.fatalities,
	e.lat, e.lon, e.admin1, e.location, e.precision_place, e.precision_date, e.notes, e.raw, e.digest, e.batch_id,
	e.side, e.other_side, e.zone, e.distance_km, e.violations, e.unattributed, c.fingerprint
FROM events e JOIN classifiers c ON c.id = e.classifier `

func (t *tx) Ingest(ctx context.Context, nb store.NewBatch, next store.EventSource) (*store.IngestResult, error) {
	if err := nb.Check(); err != nil {
		return nil, err
	}
	old, err := t.BatchByHash(ctx, nb.Hash)
	switch {
	case err == nil && old.Source != nb.Source:
		return nil, fmt.Errorf("batch %s: %w: hash %s is stored as batch %d of source %q, not %q", nb.Name, store.ErrConflict, nb.Hash, old.ID, old.Source, nb.Source)
	case err == nil:
		return &store.IngestResult{Batch: *old, Duplicate: true}, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	cid, err := t.classifier(ctx, nb.Fingerprint)
	if err != nil {
		return nil, err
	}
	var bid int64
	err = t.q.QueryRow(ctx, `INSERT INTO batches (hash, source, name, full_release, scope_from, scope_to, columns, fingerprint, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		nb.Hash, nb.Source, nb.Name, nb.Full, nb.From, nb.To, stringsJSON(nb.Columns), nb.Fingerprint, time.Now().UTC()).Scan(&bid)
	if err != nil {
		return nil, t.s.wrap("add batch "+nb.Name, err)
	}
	if _, err := t.q.Exec(ctx, incomingTable); err != nil {
		return nil, t.s.wrap("stage batch "+nb.Name, err)
	}
	src := &copySource{ctx: ctx, nb: &nb, next: next, seen: map[string]int64{}, epoch: time.Unix(0, 0).UTC()}
	_, err = t.q.CopyFrom(ctx, pgx.Identifier{"incoming"}, incomingCols, src)
	if src.err != nil {
		return nil, src.err
	}
	if err != nil {
		return nil, t.s.wrap("stage batch "+nb.Name, err)
	}
	src.seen = nil
	out := &store.IngestResult{}
	c, err := t.merge(ctx, nb, bid, cid, &out.Reclassified)
	if err != nil {
		return nil, err
	}
	if err := t.analyze(ctx, c.Added+c.Updated+c.Deleted+out.Reclassified); err != nil {
		return nil, err
	}
	if _, err := t.q.Exec(ctx, `UPDATE batches SET added = $1, updated = $2, deleted = $3, unchanged = $4 WHERE id = $5`,
		c.Added, c.Updated, c.Deleted, c.Unchanged, bid); err != nil {
		return nil, t.s.wrap("count batch "+nb.Name, err)
	}
	b, err := t.Batch(ctx, bid)
	if err != nil {
		return nil, err
	}
	out.Batch = *b
	return out, nil
}

// merge applies the staged batch to events, event_history and the daily
// aggregates.
func (t *tx) merge(ctx context.Context, nb store.NewBatch, bid, cid int64, reclassified *int64) (store.Counts, error) {
	var c store.Counts
	steps := []struct {
		what string
		sql  string
		args []any
		n    *int64
	}{
		{"plan", `ANALYZE incoming`, nil, nil},
		{"plan", `UPDATE incoming i SET event_id = e.id, action = CASE
				WHEN i.deleted THEN 'delete'
				WHEN e.digest <> i.digest THEN 'update'
				WHEN e.classifier <> $2 THEN 'reclassify'
				ELSE 'same' END
			FROM events e WHERE e.source = $1 AND e.source_id = i.source_id`, []any{nb.Source, cid}, nil},
		{"keep history", fmt.Sprintf(historyInsert, "i.action") + `JOIN incoming i ON i.event_id = e.id WHERE i.action IN ('update', 'delete')`, []any{bid}, nil},
		{"plan", touchedTable, nil, nil},
		{"plan", `INSERT INTO touched_days (day) SELECT DISTINCT day FROM incoming
			WHERE NOT deleted AND action IS DISTINCT FROM 'same' ON CONFLICT DO NOTHING`, nil, nil},
		{"plan", `INSERT INTO touched_days (day) SELECT DISTINCT e.day FROM events e JOIN incoming i ON i.event_id = e.id
			WHERE i.action IN ('update', 'delete') ON CONFLICT DO NOTHING`, nil, nil},
		{"delete events", `DELETE FROM events e USING incoming i WHERE e.id = i.event_id AND i.action = 'delete'`, nil, &c.Deleted},
		{"update events", `UPDATE events e SET date = i.date, day = i.day, actor1 = i.actor1, actor2 = i.actor2,
				type = i.type, subtype = i.subtype, fatalities = i.fatalities, lat = i.lat, lon = i.lon,
				admin1 = i.admin1, location = i.location, precision_place = i.precision_place,
				precision_date = i.precision_date, notes = i.notes, raw = i.raw, digest = i.digest, batch_id = $1,
				side = i.side, other_side = i.other_side, zone = i.zone, distance_km = i.distance_km,
				violations = i.violations, violating = cardinality(i.rules) > 0, unattributed = i.unattributed,
				classifier = $2
			FROM incoming i WHERE e.id = i.event_id AND i.action = 'update'`, []any{bid, cid}, &c.Updated},
		{"reclassify events", `UPDATE events e SET side = i.side, other_side = i.other_side, zone = i.zone,
				distance_km = i.distance_km, violations = i.violations, violating = cardinality(i.rules) > 0,
				unattributed = i.unattributed, classifier = $1
			FROM incoming i WHERE e.id = i.event_id AND i.action = 'reclassify'`, []any{cid}, reclassified},
		{"add events", `INSERT INTO events (source, source_id, date, day, actor1, actor2, type, subtype, fatalities,
				lat, lon, admin1, location, precision_place, precision_date, notes, raw, digest, batch_id, side,
				other_side, zone, distance_km, violations, violating, unattributed, classifier)
			SELECT $1, source_id, date, day, actor1, actor2, type, subtype, fatalities, lat, lon, admin1,
				location, precision_place, precision_date, notes, raw, digest, $2, side, other_side, zone,
				distance_km, violations, cardinality(rules) > 0, unattributed, $3
			FROM incoming WHERE action IS NULL AND NOT deleted ORDER BY seq`, []any{nb.Source, bid, cid}, &c.Added},
	}
	for _, st := range steps {
		tag, err := t.q.Exec(ctx, st.sql, st.args...)
		if err != nil {
			return c, t.s.wrap(st.what+" of batch "+nb.Name, err)
		}
		if st.n != nil {
			*st.n = tag.RowsAffected()
		}
	}
	err := t.q.QueryRow(ctx, `SELECT count(*) FROM incoming WHERE action IN ('same', 'reclassify') OR (action IS NULL AND deleted)`).Scan(&c.Unchanged)
	if err != nil {
		return c, t.s.wrap("count batch "+nb.Name, err)
	}
	if nb.Full {
		from, to := store.Filter{From: nb.From, To: nb.To}.Bounds()
		if _, err := t.q.Exec(ctx, fmt.Sprintf(historyInsert, "'delete'")+`
			WHERE e.source = $2 AND e.day BETWEEN $3::date AND $4::date
			AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.source_id = e.source_id)`,
			bid, nb.Source, from, to); err != nil {
			return c, t.s.wrap("keep history of batch "+nb.Name, err)
		}
		if _, err := t.q.Exec(ctx, `INSERT INTO touched_days (day) SELECT DISTINCT e.day FROM events e
			WHERE e.source = $1 AND e.day BETWEEN $2::date AND $3::date
			AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.source_id = e.source_id)
			ON CONFLICT DO NOTHING`, nb.Source, from, to); err != nil {
			return c, t.s.wrap("plan batch "+nb.Name, err)
		}
		tag, err := t.q.Exec(ctx, `DELETE FROM events e WHERE e.source = $1 AND e.day BETWEEN $2::date AND $3::date
			AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.source_id = e.source_id)`, nb.Source, from, to)
		if err != nil {
			return c, t.s.wrap("delete events missing from batch "+nb.Name, err)
		}
		c.Deleted += tag.RowsAffected()
	}
	return c, t.refresh(ctx)
}

// analyze refreshes the planner's statistics of events after a write that
// changed many of them, rather than waiting for autovacuum: without them
// the first report after a big ingest would scan the table to count stale
// events instead of reading the classifier index.
func (t *tx) analyze(ctx context.Context, changed int64) error {
	if changed < 10000 {
		return nil
	}
	_, err := t.q.Exec(ctx, `ANALYZE events`)
	return t.s.wrap("analyze events", err)
}
