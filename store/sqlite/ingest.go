package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entente-org/entente/store"
)

// writer holds the prepared statements of an ingest or a reclassification,
// and the days whose aggregates its writes make stale.
type writer struct {
	t     *tx
	batch int64 // the batch being written, 0 when reclassifying
	cid   int64 // the classifier's id
	days  map[string]struct{}
	args  []any // values's buffer

	probe, insert, history, update, classifyStmt, deleteEvent *sql.Stmt
}

const dataCols = `date, day, actor1, actor2, type, subtype, fatalities, lat, lon, admin1, location,
	precision_place, precision_date, notes, raw, digest, batch_id`

const classCols = `side, other_side, zone, distance_km, violations, violating, unattributed, classifier`

func (t *tx) prepareWriter(ctx context.Context, batch, cid int64) (*writer, error) {
	w := &writer{t: t, batch: batch, cid: cid, days: map[string]struct{}{}}
	stmts := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.probe, `SELECT id, digest, classifier, day FROM events WHERE source = ? AND source_id = ?`},
		{&w.insert, `INSERT INTO events (` + dataCols + `, ` + classCols + `, source, source_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (source, source_id) DO NOTHING`},
		{&w.history, `INSERT INTO event_history (op, superseded_by, source, source_id, ` + dataCols + `,
				side, other_side, zone, distance_km, violations, unattributed, fingerprint)
			SELECT ?, ?, e.source, e.source_id, e.date, e.day, e.actor1, e.actor2, e.type, e.subtype,
				e.fatalities, e.lat, e.lon, e.admin1, e.location, e.precision_place, e.precision_date,
				e.notes, e.raw, e.digest, e.batch_id, e.side, e.other_side, e.zone, e.distance_km, e.violations,
				e.unattributed, c.fingerprint
			FROM events e JOIN classifiers c ON c.id = e.classifier WHERE e.id = ?`},
		{&w.update, `UPDATE events SET date = ?, day = ?, actor1 = ?, actor2 = ?, type = ?, subtype = ?,
			fatalities = ?, lat = ?, lon = ?, admin1 = ?, location = ?, precision_place = ?, precision_date = ?,
			notes = ?, raw = ?, digest = ?, batch_id = ?, side = ?, other_side = ?, zone = ?, distance_km = ?,
			violations = ?, violating = ?, unattributed = ?, classifier = ? WHERE id = ?`},
		{&w.classifyStmt, `UPDATE events SET side = ?, other_side = ?, zone = ?, distance_km = ?,
			violations = ?, violating = ?, unattributed = ?, classifier = ? WHERE id = ?`},
		{&w.deleteEvent, `DELETE FROM events WHERE id = ?`},
	}
	for _, st := range stmts {
		p, err := t.q.PrepareContext(ctx, st.sql)
		if err != nil {
			w.close()
			return nil, t.s.wrap("prepare", err)
		}
		*st.dst = p
	}
	return w, nil
}

func (w *writer) close() {
	for _, st := range []*sql.Stmt{w.probe, w.insert, w.history, w.update, w.classifyStmt, w.deleteEvent} {
		if st != nil {
			st.Close()
		}
	}
}

// nonNil returns b, or an empty slice for nil, which the driver would
// store as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// stringsJSON encodes a list of strings (rule ids, column names) as a JSON
// array for a TEXT column.
func stringsJSON(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // []string always encodes
	return string(b)
}

// values returns the arguments for dataCols and classCols of ev, whose
// digest is digest and day is day, followed by extra, in a buffer the
// writer reuses.
func (w *writer) values(ev *store.Event, digest []byte, day string, extra ...any) []any {
	w.args = append(w.args[:0],
		ev.Date.Format(time.RFC3339Nano), day, ev.Actor1, ev.Actor2, ev.Type, ev.Subtype,
		ev.Fatalities, ev.Lat, ev.Lon, ev.Admin1, ev.Location, ev.PrecisionPlace, ev.PrecisionDate,
		ev.Notes, nonNil(ev.Raw), digest, w.batch,
		ev.Side, ev.OtherSide, ev.Zone, ev.DistanceKm, stringsJSON(ev.Violations),
		len(ev.Violations) > 0, ev.Unattributed, w.cid)
	w.args = append(w.args, extra...)
	return w.args
}

// add inserts the event unless its key is stored, and reports whether it
// did.
func (w *writer) add(ctx context.Context, ev *store.Event, digest []byte) (bool, error) {
	day := ev.Day()
	res, err := w.insert.ExecContext(ctx, w.values(ev, digest, day, ev.Source, ev.ID)...)
	if err != nil {
		return false, w.t.s.wrap("insert event "+ev.Key(), err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, w.t.s.wrap("insert event "+ev.Key(), err)
	}
	w.days[day] = struct{}{}
	return true, nil
}

func (w *writer) revise(ctx context.Context, id int64, oldDay string, ev *store.Event, digest []byte) error {
	if _, err := w.history.ExecContext(ctx, "update", w.batch, id); err != nil {
		return w.t.s.wrap("keep history of "+ev.Key(), err)
	}
	day := ev.Day()
	if _, err := w.update.ExecContext(ctx, w.values(ev, digest, day, id)...); err != nil {
		return w.t.s.wrap("update event "+ev.Key(), err)
	}
	w.days[oldDay] = struct{}{}
	w.days[day] = struct{}{}
	return nil
}

// classify stores ev's classification, its violations sorted (by
// store.CheckEvent, which the caller has run).
func (w *writer) classify(ctx context.Context, id int64, ev *store.Event) error {
	if _, err := w.classifyStmt.ExecContext(ctx, ev.Side, ev.OtherSide, ev.Zone, ev.DistanceKm,
		stringsJSON(ev.Violations), len(ev.Violations) > 0, ev.Unattributed, w.cid, id); err != nil {
		return w.t.s.wrap("classify event "+ev.Key(), err)
	}
	w.days[ev.Day()] = struct{}{}
	return nil
}

func (w *writer) remove(ctx context.Context, id int64, day, key string) error {
	if _, err := w.history.ExecContext(ctx, "delete", w.batch, id); err != nil {
		return w.t.s.wrap("keep history of "+key, err)
	}
	if _, err := w.deleteEvent.ExecContext(ctx, id); err != nil {
		return w.t.s.wrap("delete event "+key, err)
	}
	w.days[day] = struct{}{}
	return nil
}

// refresh recomputes the daily aggregates of the days the writer touched,
// with GROUP BY over their events.
func (w *writer) refresh(ctx context.Context) error {
	if len(w.days) == 0 {
		return nil
	}
	q := w.t.q
	if _, err := q.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS touched_days (day TEXT PRIMARY KEY) WITHOUT ROWID`); err != nil {
		return w.t.s.wrap("refresh aggregates", err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM temp.touched_days`); err != nil {
		return w.t.s.wrap("refresh aggregates", err)
	}
	ins, err := q.PrepareContext(ctx, `INSERT INTO temp.touched_days (day) VALUES (?)`)
	if err != nil {
		return w.t.s.wrap("refresh aggregates", err)
	}
	defer ins.Close()
	for d := range w.days {
		if _, err := ins.ExecContext(ctx, d); err != nil {
			return w.t.s.wrap("refresh aggregates", err)
		}
	}
	const in = `day IN (SELECT day FROM temp.touched_days)`
	for _, st := range []string{
		`DELETE FROM day_totals WHERE ` + in,
		`INSERT INTO day_totals (day, source, events, unattributed)
			SELECT day, source, count(*), sum(unattributed) FROM events WHERE ` + in + ` GROUP BY day, source`,
		`DELETE FROM day_cells WHERE ` + in,
		`INSERT INTO day_cells (day, side, zone, n)
			SELECT day, side, zone, count(*) FROM events WHERE violating = 1 AND ` + in + ` GROUP BY day, side, zone`,
		`DELETE FROM day_rules WHERE ` + in,
		`INSERT INTO day_rules (day, rule, n)
			SELECT e.day, j.value, count(*) FROM events e, json_each(e.violations) j
			WHERE e.violating = 1 AND e.` + in + ` GROUP BY e.day, j.value`,
		`DELETE FROM day_actors WHERE ` + in,
		`INSERT INTO day_actors (day, actor, n)
			SELECT day, actor1, count(*) FROM events WHERE unattributed = 1 AND ` + in + ` GROUP BY day, actor1`,
	} {
		if _, err := q.ExecContext(ctx, st); err != nil {
			return w.t.s.wrap("refresh aggregates", err)
		}
	}
	clear(w.days)
	return nil
}

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
	res, err := t.q.ExecContext(ctx, `INSERT INTO batches (hash, source, name, full_release, scope_from, scope_to, columns, fingerprint, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, nb.Hash, nb.Source, nb.Name, nb.Full, nb.From, nb.To, stringsJSON(nb.Columns), nb.Fingerprint, now())
	if err != nil {
		return nil, t.s.wrap("add batch "+nb.Name, err)
	}
	bid, err := res.LastInsertId()
	if err != nil {
		return nil, t.s.wrap("add batch "+nb.Name, err)
	}
	w, err := t.prepareWriter(ctx, bid, cid)
	if err != nil {
		return nil, err
	}
	defer w.close()

	out := &store.IngestResult{}
	var c store.Counts
	// Per-row statements run without ctx's cancellation, which would cost
	// the driver a goroutine each; the loop checks ctx itself.
	cctx := ctx
	ctx = context.WithoutCancel(ctx)
	seen := make(map[string]int64) // source id → record number
	for n := int64(1); ; n++ {
		if n%4096 == 0 {
			if err := cctx.Err(); err != nil {
				return nil, err
			}
		}
		ev, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("batch %s: %w", nb.Name, err)
		}
		if err := store.CheckEvent(ev, nb.Source, n); err != nil {
			return nil, fmt.Errorf("batch %s: %w", nb.Name, err)
		}
		if first, dup := seen[ev.ID]; dup {
			return nil, fmt.Errorf("batch %s: record %d: %w: event %s appears again (first at record %d)", nb.Name, n, store.ErrInvalid, ev.Key(), first)
		}
		seen[strings.Clone(ev.ID)] = n // not a substring that keeps the record's memory alive
		var d []byte
		if !ev.Deleted {
			// Most events of a batch are new: try the insert first.
			d = store.Digest(ev)
			added, err := w.add(ctx, ev, d)
			if err != nil {
				return nil, err
			}
			if added {
				c.Added++
				continue
			}
		}
		var id, oldCid int64
		var oldDigest []byte
		var oldDay string
		err = w.probe.QueryRowContext(ctx, ev.Source, ev.ID).Scan(&id, &oldDigest, &oldCid, &oldDay)
		switch {
		case errors.Is(err, sql.ErrNoRows) && ev.Deleted:
			c.Unchanged++ // a deletion of an event not stored
		case err != nil:
			return nil, t.s.wrap("look up event "+ev.Key(), err)
		case ev.Deleted:
			if err := w.remove(ctx, id, oldDay, ev.Key()); err != nil {
				return nil, err
			}
			c.Deleted++
		case !bytes.Equal(d, oldDigest):
			if err := w.revise(ctx, id, oldDay, ev, d); err != nil {
				return nil, err
			}
			c.Updated++
		case oldCid != cid:
			if err := w.classify(ctx, id, ev); err != nil {
				return nil, err
			}
			out.Reclassified++
			c.Unchanged++
		default:
			c.Unchanged++
		}
	}
	if nb.Full {
		n, err := t.deleteMissing(ctx, w, nb, seen)
		if err != nil {
			return nil, err
		}
		c.Deleted += n
	}
	if err := w.refresh(ctx); err != nil {
		return nil, err
	}
	if _, err := t.q.ExecContext(ctx, `UPDATE batches SET added = ?, updated = ?, deleted = ?, unchanged = ? WHERE id = ?`,
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

// deleteMissing deletes the events of a full release's source and scope
// that the release did not hold.
func (t *tx) deleteMissing(ctx context.Context, w *writer, nb store.NewBatch, seen map[string]int64) (int64, error) {
	from, to := store.Filter{From: nb.From, To: nb.To}.Bounds()
	type gone struct {
		id       int64
		key, day string
	}
	var drop []gone
	err := t.each(ctx, "find events the release drops", `SELECT id, source_id, day FROM events WHERE source = ? AND day BETWEEN ? AND ?`,
		[]any{nb.Source, from, to}, func(r scanner) error {
			var g gone
			if err := r.Scan(&g.id, &g.key, &g.day); err != nil {
				return err
			}
			if _, ok := seen[g.key]; !ok {
				drop = append(drop, g)
			}
			return nil
		})
	if err != nil {
		return 0, err
	}
	for _, g := range drop {
		if err := w.remove(ctx, g.id, g.day, nb.Source+"/"+g.key); err != nil {
			return 0, err
		}
	}
	return int64(len(drop)), nil
}
