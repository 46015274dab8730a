package mission

import (
	"context"
	"fmt"
	"time"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/monitor"
	"github.com/entente-org/entente/settlement"
	"github.com/entente-org/entente/store"
)

// UnattributedEvent is one event attributed to no side, as a report lists
// it.
type UnattributedEvent struct {
	Source   string  `json:"source"`
	ID       string  `json:"id"`
	Date     string  `json:"date"`
	Actor1   string  `json:"actor1"`
	Actor2   string  `json:"actor2"`
	Location string  `json:"location"`
	Admin1   string  `json:"admin1"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	// Violations lists the rules the event breaks, though it counts for
	// no side.
	Violations []string `json:"violations"`
}

// Report is a monitoring report over a store: DESIGN.md's report JSON
// ([monitor.Report]) with the unattributed events listed and where the
// counts came from. It is the JSON of `entente monitor report --json`.
type Report struct {
	*monitor.Report
	UnattributedEvents []UnattributedEvent `json:"unattributed_events"`
	// UnattributedComplete is true when every unattributed event is
	// listed.
	UnattributedComplete bool `json:"unattributed_complete"`
	// Reclassified counts the stored events classified anew because the
	// settlement changed since they were stored.
	Reclassified int64 `json:"reclassified"`
	// Store names the store (set by the caller).
	Store string `json:"store"`
	// LogIndex is the index of the report's leaf in the tamper-evident
	// log; nil when not recorded.
	LogIndex *int64 `json:"log_index,omitempty"`
}

// ReportOptions say what a report covers.
type ReportOptions struct {
	// Settlement names the settlement, as the report's log record gives
	// it (a file path or an id).
	Settlement string
	// Filter bounds the days counted.
	Filter store.Filter
	// Unattributed lists at most that many unattributed events (0: all).
	Unattributed int
	// Store names the store in the report and its record.
	Store string
	// NoRecord leaves the report out of the log (by default it is
	// appended as a [ReportRecord]).
	NoRecord bool
}

// Tally reports on the events stored in st under the settlement s and its
// classifier cl. Events classified under an earlier version of the
// settlement (another fingerprint) are classified anew, in place, first,
// in the same transaction as the counts; Report.Reclassified says how
// many. Unless opts.NoRecord, the report is then appended to the log.
func Tally(ctx context.Context, st store.Store, s *settlement.Settlement, cl *monitor.Classifier, opts ReportOptions) (*Report, error) {
	if s.Monitoring == nil {
		return nil, &InputError{Err: fmt.Errorf("the settlement has no monitoring section; add monitoring terms (docs/settlement.md)")}
	}
	if err := opts.Filter.Check(); err != nil {
		return nil, &InputError{Err: err}
	}
	var tally *store.Tally
	var un []store.Event
	var reclassified int64
	read := func(ctx context.Context, tx store.ReadTx) error {
		var err error
		if tally, err = tx.Tally(ctx, opts.Filter); err != nil {
			return err
		}
		un, err = tx.Unattributed(ctx, opts.Filter, opts.Unattributed)
		return err
	}
	fp := cl.Fingerprint()
	var stale int64
	err := st.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		var err error
		if stale, err = tx.Stale(ctx, fp); err != nil || stale > 0 {
			return err
		}
		return read(ctx, tx)
	})
	if err == nil && stale > 0 {
		// The settlement changed since these events were classified:
		// classify them again, in place, and report in the same
		// transaction.
		err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			n, err := tx.Reclassify(ctx, fp, func(ev *store.Event) error {
				c, err := cl.Classify(&ev.Event)
				if err != nil {
					return err
				}
				ev.Violations, ev.Unattributed = c.Rules, c.Unattributed
				return nil
			})
			if err != nil {
				return err
			}
			reclassified = n
			return read(ctx, tx)
		})
	}
	if err != nil {
		return nil, err
	}
	out := &Report{Report: newReport(s, cl, tally, opts.Filter), UnattributedEvents: []UnattributedEvent{},
		Reclassified: reclassified, Store: opts.Store}
	for _, e := range un {
		v := e.Violations
		if v == nil {
			v = []string{}
		}
		out.UnattributedEvents = append(out.UnattributedEvents, UnattributedEvent{Source: e.Source, ID: e.ID,
			Date: e.Day(), Actor1: e.Actor1, Actor2: e.Actor2, Location: e.Location, Admin1: e.Admin1,
			Lat: e.Lat, Lon: e.Lon, Violations: v})
	}
	out.UnattributedComplete = int64(len(un)) == tally.Unattributed
	if opts.NoRecord {
		return out, nil
	}
	leaf, err := NewReportRecord(opts.Settlement, out).Leaf(time.Now())
	if err != nil {
		return nil, err
	}
	l, err := ledger.New(store.LogStorage(st), ledger.DefaultOptions())
	if err != nil {
		return nil, err
	}
	i, err := l.Append(ctx, leaf)
	if err != nil {
		return nil, fmt.Errorf("record the report in the log: %w", err)
	}
	out.LogIndex = &i
	return out, nil
}

// newReport turns the store's aggregates into monitor's report.
func newReport(s *settlement.Settlement, cl *monitor.Classifier, t *store.Tally, f store.Filter) *monitor.Report {
	cells := make([]monitor.Cell, len(t.Cells))
	for i, c := range t.Cells {
		cells[i] = monitor.Cell{Day: c.Day, Side: c.Side, Zone: c.Zone, N: c.N}
	}
	byRule := map[string]int64{}
	for _, r := range t.Rules {
		byRule[r.Rule] = r.N
	}
	u := monitor.Unattributed{Events: t.Unattributed, Actors: []monitor.ActorCount{}}
	for _, a := range t.Actors {
		u.Actors = append(u.Actors, monitor.ActorCount{Actor: a.Actor, Events: a.N})
	}
	opts := cl.ReportOptions()
	opts.From, opts.To = f.From, f.To
	opts.Sources = t.Sources
	opts.Unattributed = &u
	return monitor.NewReport(t.Events, cells, byRule, s.Monitoring.Triggers, opts)
}
