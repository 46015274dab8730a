package store

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/entente-org/entente/rules"
)

// Event is one stored conflict event: the normalised fields violation rules
// see, the record as its source published it, and its classification under
// one settlement. It is keyed by (Source, ID).
type Event struct {
	// Event holds the normalised fields. Side, OtherSide, Zone and
	// DistanceKm belong to the classification: they depend on the
	// settlement, not on the data.
	rules.Event

	// Raw is the record as its source published it, encoded by the caller
	// (entente stores a CSV record as the JSON array of its values, named by
	// the batch's Columns, and a JSON line as it is). The store keeps it
	// byte for byte and never reads it.
	Raw []byte

	// Violations lists the ids of the violation rules the event breaks.
	// The store keeps them sorted and without repeats.
	Violations []string

	// Unattributed is true when the classifier mapped the event to no side.
	Unattributed bool

	// Fingerprint identifies the classifier the classification was made
	// with; a report under another classifier must reclassify first.
	Fingerprint string

	// Batch is the id of the batch that last wrote the event's data. The
	// store sets it; Ingest ignores it.
	Batch int64

	// Deleted marks a deletion record on input: Ingest removes the stored
	// event with this key. Only Source and ID need be set. Stored events
	// are never Deleted.
	Deleted bool
}

// Key returns the event's key, "source/id".
func (e *Event) Key() string { return e.Source + "/" + e.ID }

// Day returns the ISO date (YYYY-MM-DD) of the event's date in its own time
// zone: the day reports count it on.
func (e *Event) Day() string { return e.Date.Format(time.DateOnly) }

// Digest returns a SHA-256 over the event's data: its normalised data fields
// and Raw, but not its classification. Two records of the same event with
// the same digest are the same revision.
func Digest(e *Event) []byte {
	h := sha256.New()
	var buf [8]byte
	str := func(s string) {
		binary.BigEndian.PutUint64(buf[:], uint64(len(s)))
		h.Write(buf[:])
		h.Write([]byte(s))
	}
	num := func(u uint64) {
		binary.BigEndian.PutUint64(buf[:], u)
		h.Write(buf[:])
	}
	str(e.Source)
	str(e.ID)
	str(e.Date.Format(time.RFC3339Nano))
	str(e.Actor1)
	str(e.Actor2)
	str(e.Type)
	str(e.Subtype)
	num(uint64(e.Fatalities))
	num(math.Float64bits(e.Lat))
	num(math.Float64bits(e.Lon))
	str(e.Admin1)
	str(e.Location)
	num(uint64(e.PrecisionPlace))
	num(uint64(e.PrecisionDate))
	str(e.Notes)
	num(uint64(len(e.Raw)))
	h.Write(e.Raw)
	return h.Sum(nil)
}

// CheckEvent checks what the store needs of an event in a batch of source:
// an id, the batch's source and (unless it is a deletion) a date. It
// sorts and deduplicates the event's violations in place. n is the record's
// number in the batch, for the error.
func CheckEvent(ev *Event, source string, n int64) error {
	switch {
	case ev == nil:
		return fmt.Errorf("record %d: %w: no event", n, ErrInvalid)
	case ev.ID == "":
		return fmt.Errorf("record %d: %w: event has no id", n, ErrInvalid)
	case ev.Source != source:
		return fmt.Errorf("record %d: %w: event %s is from source %q, but the batch is of %q", n, ErrInvalid, ev.Key(), ev.Source, source)
	case !ev.Deleted && ev.Date.IsZero():
		return fmt.Errorf("record %d: %w: event %s has no date", n, ErrInvalid, ev.Key())
	case !ev.Deleted && (ev.Date.Year() < 1 || ev.Date.Year() > 9999):
		return fmt.Errorf("record %d: %w: event %s has date %s; want a year from 1 to 9999", n, ErrInvalid, ev.Key(), ev.Date)
	}
	if len(ev.Violations) > 1 {
		slices.Sort(ev.Violations)
		ev.Violations = slices.Compact(ev.Violations)
	}
	return nil
}

// Revision is an earlier state of an event: the values that batch
// SupersededBy replaced (Op "update") or deleted (Op "delete").
type Revision struct {
	Event
	Op           string
	SupersededBy int64
}

// NewBatch describes a batch to ingest.
type NewBatch struct {
	// Hash identifies the batch's content (entente uses the hex SHA-256 of
	// the file). Ingesting a hash already stored changes nothing.
	Hash string
	// Source is the source of every event in the batch: "ucdp", "acled" or
	// "jsonl".
	Source string
	// Name says where the batch came from, such as the file's name.
	Name string
	// Full says the batch is a full release of Source for the days From to
	// To (ISO dates, inclusive; "" leaves that end open): a stored event of
	// Source dated in that scope that the batch does not hold is deleted.
	// An incremental batch (Full false) deletes only through deletion
	// records.
	Full     bool
	From, To string
	// Columns names the fields of each event's Raw when the caller stores
	// a record as a JSON array of its values (entente's CLI does so for
	// CSV files: the file's header, once, rather than in every record);
	// nil when Raw describes itself.
	Columns []string
	// Fingerprint identifies the classifier of the batch's events.
	Fingerprint string
}

// Check reports the first problem with b.
func (b *NewBatch) Check() error {
	switch {
	case b.Hash == "":
		return fmt.Errorf("batch %s: %w: no content hash", b.Name, ErrInvalid)
	case b.Source == "":
		return fmt.Errorf("batch %s: %w: no source", b.Name, ErrInvalid)
	case !b.Full && (b.From != "" || b.To != ""):
		return fmt.Errorf("batch %s: %w: a scope (from %q to %q) is only for a full release", b.Name, ErrInvalid, b.From, b.To)
	}
	f := Filter{From: b.From, To: b.To}
	if err := f.Check(); err != nil {
		return fmt.Errorf("batch %s: scope: %w", b.Name, err)
	}
	return nil
}

// Batch is a stored batch.
type Batch struct {
	ID          int64
	Hash        string
	Source      string
	Name        string
	Full        bool
	From, To    string
	Columns     []string
	Fingerprint string
	Created     time.Time
	Counts      Counts
}

// Counts says what a batch did, relative to the store before it.
type Counts struct {
	Added     int64 // events new to the store
	Updated   int64 // stored events whose data the batch revised
	Deleted   int64 // stored events the batch removed
	Unchanged int64 // stored events the batch repeated as they were, and deletions of events not stored
}

// Total returns the number of events the counts describe.
func (c Counts) Total() int64 { return c.Added + c.Updated + c.Deleted + c.Unchanged }

// IngestResult is what Ingest did.
type IngestResult struct {
	Batch Batch
	// Duplicate is true when the batch's hash was already stored: nothing
	// was written and Batch is the stored batch.
	Duplicate bool
	// Reclassified counts unchanged events whose classification the batch
	// updated (same data, another classifier fingerprint).
	Reclassified int64
}

// Filter selects events by day: From and To are ISO dates (YYYY-MM-DD),
// inclusive; "" leaves that end open.
type Filter struct {
	From, To string
}

// Check reports a malformed or inverted filter.
func (f Filter) Check() error {
	for _, d := range []string{f.From, f.To} {
		if d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("%w: date %q: want YYYY-MM-DD", ErrInvalid, d)
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return fmt.Errorf("%w: from %s is after to %s", ErrInvalid, f.From, f.To)
	}
	return nil
}

// Bounds returns the filter's days with open ends filled in by the smallest
// and largest ISO dates, for a query's BETWEEN.
func (f Filter) Bounds() (from, to string) {
	from, to = f.From, f.To
	if from == "" {
		from = "0001-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	return from, to
}

// Tally is the aggregate a report is built from.
type Tally struct {
	// Events counts the events dated within the filter.
	Events int64
	// Violating counts those that break at least one violation rule.
	Violating int64
	// Unattributed counts those attributed to no side.
	Unattributed int64
	// Sources counts the events by source.
	Sources map[string]int64
	// Actors counts the unattributed events by first actor (Actor1), most
	// events first, ties by name.
	Actors []ActorCount
	// Cells count violating events by day, side and zone, sorted by day,
	// side, zone. Side and Zone are "" for none.
	Cells []Cell
	// Rules count, per violation rule, the events that break it, sorted by
	// rule id. An event that breaks two rules counts once for each.
	Rules []RuleCount
}

// Cell counts violating events of one day, side and zone.
type Cell struct {
	Day, Side, Zone string
	N               int64
}

// ActorCount counts the unattributed events of one first actor.
type ActorCount struct {
	Actor string
	N     int64
}

// RuleCount counts the events that break one violation rule.
type RuleCount struct {
	Rule string
	N    int64
}
