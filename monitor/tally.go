package monitor

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

// Cell counts the violating events of one day, side and zone: the unit
// from which a Report is made. A store computes cells with
//
//	SELECT day, side, zone, count(*) FROM events
//	WHERE violation AND day BETWEEN :from AND :to
//	GROUP BY day, side, zone
//
// where day is Day(event), stored at ingest, and violation means that
// Classify listed at least one rule.
type Cell struct {
	Day  string `json:"day"`  // ISO date, Day(event)
	Side string `json:"side"` // Event.Side; "" for unattributed events
	Zone string `json:"zone"` // Event.Zone; "" outside every zone
	N    int64  `json:"n"`    // violating events
}

// Day returns the day an event counts for: the calendar date (YYYY-MM-DD)
// of its start date, in the offset its date was written with. UCDP and
// ACLED dates carry no offset and are read as UTC, so their day is the
// date the data gives. A store should save it at ingest rather than
// recompute it from a timestamp normalised to UTC.
func Day(ev *rules.Event) string { return ev.Date.Format("2006-01-02") }

// ActorCount counts events whose first actor maps to no side.
type ActorCount struct {
	Actor  string `json:"actor"`
	Events int64  `json:"events"`
}

// Unattributed summarises events that count for no side.
type Unattributed struct {
	// Events counts events of the period whose first actor maps to no
	// side, violating or not.
	Events int64 `json:"events"`
	// Actors lists those first actors with their event counts, most
	// frequent first (ties by name).
	Actors []ActorCount `json:"actors"`
}

// Counts are the aggregates a report is made from: what a store computes
// with GROUP BY queries, or Tally in memory.
type Counts struct {
	// From and To are the period counted (ISO dates, "" for an open end).
	From, To string
	// Events counts every event of the period, violating or not.
	Events int64
	// Sources counts the events by source ("ucdp", "acled", "jsonl").
	Sources map[string]int64
	// Cells count violating events by day, side and zone, sorted by day,
	// side and zone.
	Cells []Cell
	// ByRule counts, per rule id, the events that break the rule.
	ByRule map[string]int64
	// Unattributed summarises the events that count for no side.
	Unattributed Unattributed
}

// Report makes the report of these counts: NewReport with opts completed
// by the counts' period, sources and unattributed events.
func (c Counts) Report(triggers []*settlement.MonitorTrigger, opts ReportOptions) *Report {
	if opts.From == "" && opts.To == "" {
		opts.From, opts.To = c.From, c.To
	}
	if opts.Sources == nil {
		opts.Sources = c.Sources
	}
	if opts.Unattributed == nil {
		u := c.Unattributed
		opts.Unattributed = &u
	}
	return NewReport(c.Events, c.Cells, c.ByRule, triggers, opts)
}

// Tally counts classified events in memory, with the semantics of a
// store: an event is keyed by source and id, so adding it again replaces
// the earlier version (a revision), and a deletion record removes it. It
// serves tests and small files; a store computes the same Counts with
// SQL. A Tally is not safe for concurrent use.
type Tally struct {
	entries map[string]*tallyEntry
}

type tallyEntry struct {
	day, side, zone, source, actor1 string
	rules                           []string
}

// NewTally returns an empty tally.
func NewTally() *Tally { return &Tally{entries: map[string]*tallyEntry{}} }

// Len returns the number of events held.
func (t *Tally) Len() int { return len(t.entries) }

// Add records a classified record: a deletion removes the event with
// the record's key; any other record adds the event or replaces the
// version held. The record's Event must have been classified (Side and
// Zone filled) and cl must be its classification.
func (t *Tally) Add(rec *Record, cl Classification) {
	key := rec.Key()
	if rec.Deleted {
		delete(t.entries, key)
		return
	}
	ev := &rec.Event
	t.entries[key] = &tallyEntry{day: Day(ev), side: ev.Side, zone: ev.Zone, source: ev.Source,
		actor1: ev.Actor1, rules: append([]string(nil), cl.Rules...)}
}

// Read classifies every record of r with c and adds it. It stops at the
// first error, which names the file and row, and returns the number of
// records added.
func (t *Tally) Read(c *Classifier, r *Reader) (int, error) {
	n := 0
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		var cl Classification
		if !rec.Deleted {
			if cl, err = c.Classify(&rec.Event); err != nil {
				return n, fmt.Errorf("%s: row %d: %w", r.Name(), rec.Row, err)
			}
		}
		t.Add(&rec, cl)
		n++
	}
}

// Counts returns the counts of the events whose day lies in [from, to]
// (ISO dates; "" leaves that end open).
func (t *Tally) Counts(from, to string) Counts {
	c := Counts{From: from, To: to, Sources: map[string]int64{}, ByRule: map[string]int64{}}
	cells := map[Cell]int64{}
	actors := map[string]int64{}
	for _, e := range t.entries {
		if (from != "" && e.day < from) || (to != "" && e.day > to) {
			continue
		}
		c.Events++
		c.Sources[e.source]++
		if e.side == "" {
			c.Unattributed.Events++
			actors[e.actor1]++
		}
		if len(e.rules) == 0 {
			continue
		}
		cells[Cell{Day: e.day, Side: e.side, Zone: e.zone}]++
		for _, r := range e.rules {
			c.ByRule[r]++
		}
	}
	for k, n := range cells {
		k.N = n
		c.Cells = append(c.Cells, k)
	}
	SortCells(c.Cells)
	c.Unattributed.Actors = sortActors(actors)
	return c
}

// SortCells sorts cells by day, side and zone.
func SortCells(cells []Cell) {
	sort.Slice(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.Side != b.Side {
			return a.Side < b.Side
		}
		return a.Zone < b.Zone
	})
}

func sortActors(m map[string]int64) []ActorCount {
	out := make([]ActorCount, 0, len(m))
	for a, n := range m {
		out = append(out, ActorCount{Actor: a, Events: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Events != out[j].Events {
			return out[i].Events > out[j].Events
		}
		return out[i].Actor < out[j].Actor
	})
	return out
}
