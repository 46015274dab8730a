package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/entente-org/entente/store"
)

// bootstrap creates the two tables migrations rely on, under an advisory
// lock so that processes opening a new database at once do not collide.
const bootstrap = `
CREATE TABLE IF NOT EXISTS schema_version (
	version integer PRIMARY KEY,
	applied timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS writer_lock (
	id integer PRIMARY KEY
);`

// migrations are the schema's versions: migrations[i] takes a database from
// version i to i+1, like the SQLite backend's. Never edit one that has
// shipped; append a new one. docs/store.md describes the tables.
var migrations = []string{
	// 1: events, batches, history, classification, daily aggregates.
	`
CREATE TABLE batches (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hash         text NOT NULL UNIQUE,
	source       text NOT NULL,
	name         text NOT NULL,
	full_release boolean NOT NULL,
	scope_from   text NOT NULL,
	scope_to     text NOT NULL,
	columns      text NOT NULL,
	fingerprint  text NOT NULL,
	created      timestamptz NOT NULL,
	added        bigint NOT NULL DEFAULT 0,
	updated      bigint NOT NULL DEFAULT 0,
	deleted      bigint NOT NULL DEFAULT 0,
	unchanged    bigint NOT NULL DEFAULT 0
);
CREATE TABLE classifiers (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	fingerprint text NOT NULL UNIQUE
);
CREATE TABLE events (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source          text NOT NULL,
	source_id       text NOT NULL,
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
	batch_id        bigint NOT NULL REFERENCES batches (id),
	side            text NOT NULL,
	other_side      text NOT NULL,
	zone            text NOT NULL,
	distance_km     double precision NOT NULL,
	violations      text NOT NULL,
	violating       boolean NOT NULL,
	unattributed    boolean NOT NULL,
	classifier      bigint NOT NULL REFERENCES classifiers (id),
	UNIQUE (source, source_id)
);
CREATE INDEX events_day ON events (day, source, unattributed);
CREATE INDEX events_violating ON events (day, side, zone, violations) WHERE violating;
CREATE INDEX events_unattributed ON events (day, date, source, source_id, actor1) WHERE unattributed;
CREATE INDEX events_classifier ON events (classifier);
CREATE TABLE day_totals (
	day          date NOT NULL,
	source       text NOT NULL,
	events       bigint NOT NULL,
	unattributed bigint NOT NULL,
	PRIMARY KEY (day, source)
);
CREATE TABLE day_cells (
	day  date NOT NULL,
	side text NOT NULL,
	zone text NOT NULL,
	n    bigint NOT NULL,
	PRIMARY KEY (day, side, zone)
);
CREATE TABLE day_rules (
	day  date NOT NULL,
	rule text NOT NULL,
	n    bigint NOT NULL,
	PRIMARY KEY (day, rule)
);
CREATE TABLE day_actors (
	day   date NOT NULL,
	actor text NOT NULL,
	n     bigint NOT NULL,
	PRIMARY KEY (day, actor)
);
CREATE TABLE event_history (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	op              text NOT NULL CHECK (op IN ('update', 'delete')),
	superseded_by   bigint NOT NULL REFERENCES batches (id),
	source          text NOT NULL,
	source_id       text NOT NULL,
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
	batch_id        bigint NOT NULL REFERENCES batches (id),
	side            text NOT NULL,
	other_side      text NOT NULL,
	zone            text NOT NULL,
	distance_km     double precision NOT NULL,
	violations      text NOT NULL,
	unattributed    boolean NOT NULL,
	fingerprint     text NOT NULL
);
CREATE INDEX event_history_key ON event_history (source, source_id, id);
`,
	// 2: the tamper-evident log (package ledger).
	`
CREATE TABLE log_head (
	id   integer PRIMARY KEY CHECK (id = 1),
	size bigint NOT NULL CHECK (size >= 0)
);
INSERT INTO log_head (id, size) VALUES (1, 0);
CREATE TABLE log_leaves (
	idx    bigint PRIMARY KEY,
	leaf   bytea NOT NULL,
	hashes bytea NOT NULL
);
CREATE TABLE log_checkpoints (
	seq     bigint PRIMARY KEY,
	note    bytea NOT NULL,
	created timestamptz NOT NULL DEFAULT now()
);
`,
	// 3: entente serve's workspace: tokens, settlements, positions,
	// publications.
	`
CREATE TABLE tokens (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hash    text NOT NULL UNIQUE,
	role    text NOT NULL CHECK (role IN ('mediator', 'party', 'monitor', 'observer')),
	party   text NOT NULL,
	label   text NOT NULL,
	created timestamptz NOT NULL,
	revoked boolean NOT NULL DEFAULT false,
	CHECK ((role = 'party') = (party <> ''))
);
CREATE TABLE documents (
	id      text PRIMARY KEY,
	source  bytea NOT NULL,
	version bigint NOT NULL CHECK (version >= 1),
	updated timestamptz NOT NULL
);
CREATE TABLE positions (
	settlement text NOT NULL,
	party      text NOT NULL,
	revision   bigint NOT NULL CHECK (revision >= 1),
	content    bytea NOT NULL,
	hash       text NOT NULL,
	time       timestamptz NOT NULL,
	log_index  bigint NOT NULL CHECK (log_index >= -1),
	PRIMARY KEY (settlement, party, revision)
);
CREATE TABLE publications (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	settlement text NOT NULL,
	kind       text NOT NULL,
	content    bytea NOT NULL,
	time       timestamptz NOT NULL,
	log_index  bigint NOT NULL CHECK (log_index >= -1)
);
CREATE INDEX publications_settlement ON publications (settlement, id);
`,
}

// migrate brings the schema up to date, each migration in its own
// transaction that holds the writer lock and re-reads the version.
func (s *Store) migrate(ctx context.Context) error {
	// A current database needs no lock, so opening one never waits for a
	// writer.
	if v, err := version(ctx, s.pool); err == nil {
		switch {
		case v == len(migrations):
			return nil
		case v > len(migrations):
			return s.newerSchema(v)
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('entente:' || current_schema()))`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, bootstrap)
		return err
	})
	if err != nil {
		return s.wrap("create schema_version", err)
	}
	for {
		done, err := s.migrateOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

func (s *Store) migrateOne(ctx context.Context) (done bool, err error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return false, s.wrap("migrate", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := s.lockWriters(ctx, tx); err != nil {
		return false, err
	}
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
	if _, err := tx.Exec(ctx, migrations[v]); err != nil {
		return false, s.wrap(fmt.Sprintf("migration %d", v+1), err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v+1); err != nil {
		return false, s.wrap(fmt.Sprintf("migration %d", v+1), err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, s.wrap(fmt.Sprintf("migration %d: commit", v+1), err)
	}
	return false, nil
}

// newerSchema is the error for a database at schema version v, beyond the
// migrations this program knows.
func (s *Store) newerSchema(v int) error {
	return fmt.Errorf("postgres %s: %w: schema version %d is newer than this entente knows (%d); use a newer entente", s.name, store.ErrSchema, v, len(migrations))
}

// version returns the number of migrations applied, 0 for none.
func version(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}) (int, error) {
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}
