package monitor

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/entente-org/entente/settlement"
)

// ReportOptions complete the counts NewReport is given.
type ReportOptions struct {
	// From and To are the ISO dates that bound the period the counts
	// cover ("" for an open end). They are echoed in the report. No
	// trigger day is reported after To, or, without To, after the last
	// day with a violation. Windows that reach back before From see only
	// the counted days.
	From, To string
	// Rules, Sides and Zones list the ids a report shows even with no
	// violation (Classifier.ReportOptions fills them), in settlement
	// order.
	Rules, Sides, Zones []string
	// Sources counts the events by source; a report counted from UCDP
	// data says that UCDP names no attacker.
	Sources map[string]int64
	// Unattributed summarises the events that count for no side; nil
	// when unknown.
	Unattributed *Unattributed
}

// Report is the result of `entente monitor report`: DESIGN.md's report
// JSON, with more keys.
type Report struct {
	// Events counts every event of the period, violating or not.
	Events int64 `json:"events"`
	// From and To echo the period ("" when open).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Sources counts the events by source.
	Sources    map[string]int64 `json:"sources,omitempty"`
	Violations Violations       `json:"violations"`
	// Triggers holds one result per monitoring trigger, in settlement
	// order.
	Triggers []TriggerResult `json:"triggers"`
	// Unattributed summarises the events that count for no side.
	Unattributed Unattributed `json:"unattributed"`
	// Cells count violating events by day, side and zone, sorted: the
	// per-day, per-side series a plot draws.
	Cells []Cell `json:"cells"`
	// Notes say what the counts mean and do not mean, in words.
	Notes []string `json:"notes"`
}

// Violations counts violating events: events that break at least one
// violation rule or withdrawal term, each counted once however many it
// breaks (except in ByRule).
type Violations struct {
	Total int64 `json:"total"`
	// BySide counts violations by Event.Side: every side of the
	// settlement, zero included. Unattributed violations are not in it.
	BySide map[string]int64 `json:"by_side"`
	// ByDay counts violations by Day(event); days without any are left out.
	ByDay map[string]int64 `json:"by_day"`
	// ByZone counts violations by Event.Zone: every zone, zero included;
	// violations outside every zone are in OutsideZones.
	ByZone map[string]int64 `json:"by_zone"`
	// ByRule counts, per rule or withdrawal term, the events that break
	// it: every rule, zero included.
	ByRule map[string]int64 `json:"by_rule"`
	// Unattributed counts violations that count for no side.
	Unattributed int64 `json:"unattributed"`
	// OutsideZones counts violations in no zone.
	OutsideZones int64 `json:"outside_zones"`
	// BySideDay counts violations by side, then day.
	BySideDay map[string]map[string]int64 `json:"by_side_day"`
}

// Date is an ISO date that marshals to JSON null when empty.
type Date string

// MarshalJSON writes the date as a JSON string, or null when empty.
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// TriggerResult says whether and when a monitoring trigger fired.
type TriggerResult struct {
	ID string `json:"id"`
	// Fired is true when, on some day d, the trigger's side had more
	// violations dated within the window ending on d than its threshold.
	Fired bool `json:"fired"`
	// First is the first such day (null when it never fired).
	First Date `json:"first"`
	// Last is the last such day (null when it never fired).
	Last Date `json:"last"`
	// DaysOver counts the days on which the window's count exceeded the
	// threshold.
	DaysOver int `json:"days_over"`
	// Peak is the largest count in any window, and PeakDay the first day
	// whose window reached it.
	Peak    int64  `json:"peak"`
	PeakDay Date   `json:"peak_day"`
	Side    string `json:"side"`
	// Threshold is the count a window must exceed.
	Threshold int64 `json:"threshold"`
	// Window is the window as the settlement writes it ("7d"); WindowDays
	// is its length in whole days, rounded up.
	Window     string `json:"window"`
	WindowDays int    `json:"window_days"`
	Guarantee  string `json:"guarantee,omitempty"`
}

// NewReport makes a report from aggregates: events is the number of
// events in the period, cells count violating events by day, side and
// zone (cells with the same key are added), byRule counts per rule the
// events that break it, and triggers are the settlement's monitoring
// triggers.
//
// A trigger fires on the first day d on which its side's violations
// dated within the window ending on d exceed its threshold: for a window
// of 7d, the days d−6 … d. A window is counted in whole days, rounded up
// (36h counts 2 days). Cells whose day is not an ISO date count in the
// totals but in no trigger window.
func NewReport(events int64, cells []Cell, byRule map[string]int64, triggers []*settlement.MonitorTrigger, opts ReportOptions) *Report {
	r := &Report{Events: events, From: opts.From, To: opts.To, Sources: opts.Sources,
		Triggers: []TriggerResult{}, Cells: []Cell{}, Notes: []string{}}
	v := &r.Violations
	v.BySide, v.ByDay, v.ByZone, v.ByRule = map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	v.BySideDay = map[string]map[string]int64{}
	for _, s := range opts.Sides {
		v.BySide[s] = 0
		v.BySideDay[s] = map[string]int64{}
	}
	for _, z := range opts.Zones {
		v.ByZone[z] = 0
	}
	for _, id := range opts.Rules {
		v.ByRule[id] = 0
	}
	for id, n := range byRule {
		v.ByRule[id] += n
	}
	merged := map[Cell]int64{}
	for _, c := range cells {
		if c.N == 0 {
			continue
		}
		n := c.N
		c.N = 0
		merged[c] += n
	}
	for c, n := range merged {
		c.N = n
		r.Cells = append(r.Cells, c)
		v.Total += n
		v.ByDay[c.Day] += n
		if c.Side == "" {
			v.Unattributed += n
		} else {
			v.BySide[c.Side] += n
			if v.BySideDay[c.Side] == nil {
				v.BySideDay[c.Side] = map[string]int64{}
			}
			v.BySideDay[c.Side][c.Day] += n
		}
		if c.Zone == "" {
			v.OutsideZones += n
		} else {
			v.ByZone[c.Zone] += n
		}
	}
	SortCells(r.Cells)
	if opts.Unattributed != nil {
		r.Unattributed = *opts.Unattributed
	}
	if r.Unattributed.Actors == nil {
		r.Unattributed.Actors = []ActorCount{}
	}

	// Windows are followed up to To, or without one up to the last day
	// with a violation: the data says nothing of the days after it.
	toDay, toOK := dayNumber(opts.To)
	if !toOK {
		toDay = math.MinInt64
		for _, c := range r.Cells {
			if d, ok := dayNumber(c.Day); ok && d > toDay {
				toDay = d
			}
		}
	}
	for _, t := range triggers {
		r.Triggers = append(r.Triggers, evalTrigger(t, v.BySideDay[t.Side], toDay))
	}
	r.Notes = reportNotes(r)
	return r
}

// windowDays returns a trigger window in whole days, rounded up, at
// least 1.
func windowDays(w time.Duration) int {
	const day = 24 * time.Hour
	n := int((w + day - 1) / day)
	if n < 1 {
		n = 1
	}
	return n
}

// dayNumber returns the days since 1970-01-01 of an ISO date.
func dayNumber(s string) (int64, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, false
	}
	return t.Unix() / 86400, true
}

func dayString(n int64) string {
	return time.Unix(n*86400, 0).UTC().Format("2006-01-02")
}

// evalTrigger sweeps a side's daily violations with the trigger's
// window.
func evalTrigger(t *settlement.MonitorTrigger, perDay map[string]int64, toDay int64) TriggerResult {
	res := TriggerResult{ID: t.ID, Side: t.Side, Threshold: t.Threshold, Window: t.WindowText,
		WindowDays: windowDays(t.Window), Guarantee: t.Guarantee}
	if res.Window == "" {
		res.Window = fmt.Sprintf("%dd", res.WindowDays)
	}
	counts := map[int64]int64{}
	var days []int64
	for d, n := range perDay {
		k, ok := dayNumber(d)
		if !ok || n == 0 {
			continue
		}
		if counts[k] == 0 {
			days = append(days, k)
		}
		counts[k] += n
	}
	if len(days) == 0 {
		return res
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	w := int64(res.WindowDays)
	end := days[len(days)-1] + w - 1
	if end > toDay {
		end = toDay
	}
	var sum int64
	for d := days[0]; d <= end; d++ {
		sum += counts[d] - counts[d-w]
		if sum > res.Peak {
			res.Peak, res.PeakDay = sum, Date(dayString(d))
		}
		if sum > t.Threshold {
			if !res.Fired {
				res.Fired, res.First = true, Date(dayString(d))
			}
			res.Last = Date(dayString(d))
			res.DaysOver++
		}
	}
	return res
}

// reportNotes says in words what the report's counts mean.
func reportNotes(r *Report) []string {
	notes := []string{
		"a violation is an event that breaks at least one violation rule or withdrawal term; total, by_side, by_day and by_zone count each such event once, by_rule counts per rule",
		"by_side counts an event for its side: the party of its first actor (UCDP side_a, ACLED actor1) through monitoring.sides",
	}
	if r.Sources["ucdp"] > 0 {
		notes = append(notes, "UCDP names no attacker: its events are dyadic, and an event counts for the side of its side_a, whoever attacked; read by_side and the triggers as fighting involving that side, not as its violations alone")
	}
	if r.Violations.Unattributed > 0 || r.Unattributed.Events > 0 {
		notes = append(notes, fmt.Sprintf("%d events (%d of them violations) have a first actor that maps to no side; they are listed under unattributed.actors and counted in no side", r.Unattributed.Events, r.Violations.Unattributed))
	}
	return notes
}
