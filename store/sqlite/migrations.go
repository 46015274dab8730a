package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/entente-org/entente/store"
)

// migrations are the schema's versions: migrations[i] takes a database from
// version i to i+1. Never edit one that has shipped; append a new one.
// docs/store.md describes the tables.
var migrations = []string{
	// 1: events, batches, history, classification, daily aggregates.
	`
CREATE TABLE batches (
	id           INTEGER PRIMARY KEY,
	hash         TEXT NOT NULL UNIQUE,
	source       TEXT NOT NULL,
	name         TEXT NOT NULL,
	full_release INTEGER NOT NULL,
	scope_from   TEXT NOT NULL,
	scope_to     TEXT NOT NULL,
	columns      TEXT NOT NULL,
	fingerprint  TEXT NOT NULL,
	created      TEXT NOT NULL,
	added        INTEGER NOT NULL DEFAULT 0,
	updated      INTEGER NOT NULL DEFAULT 0,
	deleted      INTEGER NOT NULL DEFAULT 0,
	unchanged    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE classifiers (
	id          INTEGER PRIMARY KEY,
	fingerprint TEXT NOT NULL UNIQUE
);
CREATE TABLE events (
	id              INTEGER PRIMARY KEY,
	source          TEXT NOT NULL,
	source_id       TEXT NOT NULL,
	date            TEXT NOT NULL,
	day             TEXT NOT NULL,
	actor1          TEXT NOT NULL,
	actor2          TEXT NOT NULL,
	type            TEXT NOT NULL,
	subtype         TEXT NOT NULL,
	fatalities      INTEGER NOT NULL,
	lat             REAL NOT NULL,
	lon             REAL NOT NULL,
	admin1          TEXT NOT NULL,
	location        TEXT NOT NULL,
	precision_place INTEGER NOT NULL,
	precision_date  INTEGER NOT NULL,
	notes           TEXT NOT NULL,
	raw             BLOB NOT NULL,
	digest          BLOB NOT NULL,
	batch_id        INTEGER NOT NULL REFERENCES batches (id),
	side            TEXT NOT NULL,
	other_side      TEXT NOT NULL,
	zone            TEXT NOT NULL,
	distance_km     REAL NOT NULL,
	violations      TEXT NOT NULL,
	violating       INTEGER NOT NULL,
	unattributed    INTEGER NOT NULL,
	classifier      INTEGER NOT NULL REFERENCES classifiers (id),
	UNIQUE (source, source_id)
);
CREATE INDEX events_day ON events (day, source, unattributed);
CREATE INDEX events_violating ON events (day, side, zone, violations, violating) WHERE violating = 1;
CREATE INDEX events_unattributed ON events (day, date, source, source_id, actor1, unattributed) WHERE unattributed = 1;
CREATE INDEX events_classifier ON events (classifier);
CREATE TABLE day_totals (
	day          TEXT NOT NULL,
	source       TEXT NOT NULL,
	events       INTEGER NOT NULL,
	unattributed INTEGER NOT NULL,
	PRIMARY KEY (day, source)
) WITHOUT ROWID;
CREATE TABLE day_cells (
	day  TEXT NOT NULL,
	side TEXT NOT NULL,
	zone TEXT NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (day, side, zone)
) WITHOUT ROWID;
CREATE TABLE day_rules (
	day  TEXT NOT NULL,
	rule TEXT NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (day, rule)
) WITHOUT ROWID;
CREATE TABLE day_actors (
	day   TEXT NOT NULL,
	actor TEXT NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (day, actor)
) WITHOUT ROWID;
CREATE TABLE event_history (
	id              INTEGER PRIMARY KEY,
	op              TEXT NOT NULL CHECK (op IN ('update', 'delete')),
	superseded_by   INTEGER NOT NULL REFERENCES batches (id),
	source          TEXT NOT NULL,
	source_id       TEXT NOT NULL,
	date            TEXT NOT NULL,
	day             TEXT NOT NULL,
	actor1          TEXT NOT NULL,
	actor2          TEXT NOT NULL,
	type            TEXT NOT NULL,
	subtype         TEXT NOT NULL,
	fatalities      INTEGER NOT NULL,
	lat             REAL NOT NULL,
	lon             REAL NOT NULL,
	admin1          TEXT NOT NULL,
	location        TEXT NOT NULL,
	precision_place INTEGER NOT NULL,
	precision_date  INTEGER NOT NULL,
	notes           TEXT NOT NULL,
	raw             BLOB NOT NULL,
	digest          BLOB NOT NULL,
	batch_id        INTEGER NOT NULL REFERENCES batches (id),
	side            TEXT NOT NULL,
	other_side      TEXT NOT NULL,
	zone            TEXT NOT NULL,
	distance_km     REAL NOT NULL,
	violations      TEXT NOT NULL,
	unattributed    INTEGER NOT NULL,
	fingerprint     TEXT NOT NULL
);
CREATE INDEX event_history_key ON event_history (source, source_id, id);
`,
	// 2: the tamper-evident log (package ledger).
	`
CREATE TABLE log_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size INTEGER NOT NULL CHECK (size >= 0)
);
INSERT INTO log_head (id, size) VALUES (1, 0);
CREATE TABLE log_leaves (
	idx    INTEGER PRIMARY KEY,
	leaf   BLOB NOT NULL,
	hashes BLOB NOT NULL
);
CREATE TABLE log_checkpoints (
	seq     INTEGER PRIMARY KEY,
	note    BLOB NOT NULL,
	created TEXT NOT NULL
);
`,
	// 3: entente serve's workspace: tokens, settlements, positions,
	// publications.
	`
CREATE TABLE tokens (
	id      INTEGER PRIMARY KEY,
	hash    TEXT NOT NULL UNIQUE,
	role    TEXT NOT NULL CHECK (role IN ('mediator', 'party', 'monitor', 'observer')),
	party   TEXT NOT NULL,
	label   TEXT NOT NULL,
	created TEXT NOT NULL,
	revoked INTEGER NOT NULL DEFAULT 0,
	CHECK ((role = 'party') = (party <> ''))
);
CREATE TABLE documents (
	id      TEXT PRIMARY KEY,
	source  BLOB NOT NULL,
	version INTEGER NOT NULL CHECK (version >= 1),
	updated TEXT NOT NULL
);
CREATE TABLE positions (
	settlement TEXT NOT NULL,
	party      TEXT NOT NULL,
	revision   INTEGER NOT NULL CHECK (revision >= 1),
	content    BLOB NOT NULL,
	hash       TEXT NOT NULL,
	time       TEXT NOT NULL,
	log_index  INTEGER NOT NULL CHECK (log_index >= -1),
	PRIMARY KEY (settlement, party, revision)
) WITHOUT ROWID;
CREATE TABLE publications (
	id         INTEGER PRIMARY KEY,
	settlement TEXT NOT NULL,
	kind       TEXT NOT NULL,
	content    BLOB NOT NULL,
	time       TEXT NOT NULL,
	log_index  INTEGER NOT NULL CHECK (log_index >= -1)
);
CREATE INDEX publications_settlement ON publications (settlement, id);
`,
}

// migrate brings the schema up to date. WAL mode is set first (it persists
// in the file). Each migration runs in its own IMMEDIATE transaction that
// re-reads the version, so two processes opening a new file at once apply
// each migration once.
func (s *Store) migrate(ctx context.Context) error {
	// A current database needs no write, so opening one never waits for
	// a writer.
	if v, err := version(ctx, s.reader); err == nil {
		switch {
		case v == len(migrations):
			return nil
		case v > len(migrations):
			return s.newerSchema(v)
		}
	}
	if _, err := s.writer.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		return s.wrap("set WAL mode", err)
	}
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
	version INTEGER PRIMARY KEY,
	applied TEXT NOT NULL
)`); err != nil {
		return s.wrap("create schema_version", err)
	}
	for {
		done, err := s.migrateOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, if any; done is true when the
// schema is current.
func (s *Store) migrateOne(ctx context.Context) (done bool, err error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, s.wrap("migrate", err)
	}
	defer tx.Rollback()
	v, err := version(ctx, tx)
	if err != nil {
		return false, s.wrap("read schema version", err)
	}
	if v > len(migrations) {
		return false, s.newerSchema(v)
	}
	if v == len(migrations) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, s.wrap(fmt.Sprintf("migration %d", v+1), err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied) VALUES (?, ?)`, v+1, now()); err != nil {
		return false, s.wrap(fmt.Sprintf("migration %d", v+1), err)
	}
	if err := tx.Commit(); err != nil {
		return false, s.wrap(fmt.Sprintf("migration %d: commit", v+1), err)
	}
	return false, nil
}

// newerSchema is the error for a database at schema version v, beyond the
// migrations this program knows.
func (s *Store) newerSchema(v int) error {
	return fmt.Errorf("sqlite %s: %w: schema version %d is newer than this entente knows (%d); use a newer entente", s.path, store.ErrSchema, v, len(migrations))
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func version(ctx context.Context, q queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}
