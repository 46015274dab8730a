package monitor

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/settlement"
)

func trig(id, side string, window time.Duration, threshold int64) *settlement.MonitorTrigger {
	return &settlement.MonitorTrigger{ID: id, Side: side, Window: window, Threshold: threshold}
}

const dayDur = 24 * time.Hour

// TestTriggerByHand checks the trigger rule on a case worked by hand.
func TestTriggerByHand(t *testing.T) {
	cells := []Cell{
		{Day: "2015-02-01", Side: "UA", N: 1},
		{Day: "2015-02-03", Side: "UA", Zone: "buffer", N: 1},
		{Day: "2015-02-07", Side: "UA", N: 1},
		{Day: "2015-02-07", Side: "DPR", N: 5},
		{Day: "2015-02-20", Side: "UA", N: 3},
	}
	r := NewReport(10, cells, map[string]int64{"a": 11}, []*settlement.MonitorTrigger{
		trig("week", "UA", 7*dayDur, 2), // days 1,3,7 → 3 on 7 Feb; 8 Feb sees 3,7 → 2; 3 on 20 Feb, the last day with data
		trig("day", "UA", dayDur, 2),    // only 20 Feb (3 > 2)
		trig("never", "RU", 7*dayDur, 0),
		trig("dpr", "DPR", 36*time.Hour, 4), // 2 days: 7 and 8 Feb
	}, ReportOptions{Sides: []string{"UA", "DPR", "RU"}, Zones: []string{"buffer"}, Rules: []string{"a", "b"}})
	want := []TriggerResult{
		{ID: "week", Fired: true, First: "2015-02-07", Last: "2015-02-20", DaysOver: 2, Peak: 3, PeakDay: "2015-02-07", Side: "UA", Threshold: 2, Window: "7d", WindowDays: 7},
		{ID: "day", Fired: true, First: "2015-02-20", Last: "2015-02-20", DaysOver: 1, Peak: 3, PeakDay: "2015-02-20", Side: "UA", Threshold: 2, Window: "1d", WindowDays: 1},
		{ID: "never", Side: "RU", Window: "7d", WindowDays: 7},
		{ID: "dpr", Fired: true, First: "2015-02-07", Last: "2015-02-08", DaysOver: 2, Peak: 5, PeakDay: "2015-02-07", Side: "DPR", Threshold: 4, Window: "2d", WindowDays: 2},
	}
	if !reflect.DeepEqual(r.Triggers, want) {
		t.Errorf("triggers = %+v\nwant %+v", r.Triggers, want)
	}
	v := r.Violations
	if v.Total != 11 || v.BySide["UA"] != 6 || v.BySide["DPR"] != 5 || v.BySide["RU"] != 0 || v.ByZone["buffer"] != 1 || v.OutsideZones != 10 ||
		v.ByDay["2015-02-07"] != 6 || v.ByRule["a"] != 11 || v.ByRule["b"] != 0 || v.BySideDay["UA"]["2015-02-20"] != 3 {
		t.Errorf("violations = %+v", v)
	}
	// The JSON keys DESIGN.md fixes, and null for a day that never came.
	b, _ := json.Marshal(r)
	for _, k := range []string{`"events":10`, `"violations":{"total":11,"by_side":{`, `"by_day":{`, `"by_zone":{`, `"by_rule":{"a":11,"b":0}`,
		`{"id":"never","fired":false,"first":null`, `"triggers":[{"id":"week","fired":true,"first":"2015-02-07"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("report JSON lacks %s:\n%s", k, b)
		}
	}
	// To cuts the days a window is followed.
	r = NewReport(10, cells, nil, []*settlement.MonitorTrigger{trig("dpr", "DPR", 36*time.Hour, 4)}, ReportOptions{To: "2015-02-07"})
	if tr := r.Triggers[0]; tr.Last != "2015-02-07" || tr.DaysOver != 1 {
		t.Errorf("with To: %+v, want the 7 Feb only", tr)
	}
}

// brute is the reference tally, written separately from Tally and
// NewReport: it keeps the final version of each event and counts by
// looping over events for every question.
type bruteEvent struct {
	day, side, zone, source, actor string
	rules                          []string
}

func bruteFinal(recs []classified) map[string]bruteEvent {
	final := map[string]bruteEvent{}
	for _, r := range recs {
		k := r.rec.Event.Source + ":" + r.rec.Event.ID
		if r.rec.Deleted {
			delete(final, k)
			continue
		}
		e := r.rec.Event
		final[k] = bruteEvent{e.Date.Format("2006-01-02"), e.Side, e.Zone, e.Source, e.Actor1, r.cl.Rules}
	}
	return final
}

type classified struct {
	rec Record
	cl  Classification
}

func TestReportAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	sides := []string{"UA", "DPR", "", "RU"}
	zones := []string{"buffer", "", "inner"}
	ruleIDs := []string{"r1", "r2", "w1"}
	start := day("2015-01-01")
	var recs []classified
	for i := 0; i < 4000; i++ {
		id := fmt.Sprint(rng.Intn(2500)) // repeats are revisions
		src := []string{"ucdp", "acled", "jsonl"}[rng.Intn(3)]
		if rng.Intn(20) == 0 {
			recs = append(recs, classified{rec: Record{Deleted: true, Event: rules.Event{ID: id, Source: src}}})
			continue
		}
		var rs []string
		for _, r := range ruleIDs {
			if rng.Intn(3) == 0 {
				rs = append(rs, r)
			}
		}
		// Clusters of days make triggers fire.
		d := rng.Intn(365)
		if rng.Intn(3) == 0 {
			d = 40 + rng.Intn(10)
		}
		ev := rules.Event{ID: id, Source: src, Date: start.AddDate(0, 0, d), Side: sides[rng.Intn(len(sides))],
			Zone: zones[rng.Intn(len(zones))], Actor1: fmt.Sprint("actor", rng.Intn(4))}
		recs = append(recs, classified{rec: Record{Event: ev}, cl: Classification{Rules: rs, Unattributed: ev.Side == ""}})
	}
	tally := NewTally()
	for i := range recs {
		tally.Add(&recs[i].rec, recs[i].cl)
	}
	final := bruteFinal(recs)
	if tally.Len() != len(final) {
		t.Fatalf("Tally holds %d events, want %d", tally.Len(), len(final))
	}
	var triggers []*settlement.MonitorTrigger
	for _, s := range []string{"UA", "DPR", "RU"} {
		for _, w := range []time.Duration{dayDur, 36 * time.Hour, 7 * dayDur, 30 * dayDur} {
			for _, th := range []int64{0, 3, 10, 40} {
				triggers = append(triggers, trig(fmt.Sprintf("%s-%v-%d", s, w, th), s, w, th))
			}
		}
	}
	for _, period := range [][2]string{{"", ""}, {"2015-02-05", "2015-02-20"}, {"2015-06-01", ""}} {
		t.Run(period[0]+"…"+period[1], func(t *testing.T) {
			from, to := period[0], period[1]
			in := func(d string) bool { return (from == "" || d >= from) && (to == "" || d <= to) }
			counts := tally.Counts(from, to)
			// Split every cell in two, as partitions of a store might: the
			// report adds cells with the same key.
			var cells []Cell
			for _, c := range counts.Cells {
				a := c
				a.N = c.N / 2
				c.N -= a.N
				cells = append(cells, c, a)
			}
			opts := ReportOptions{From: from, To: to, Sides: []string{"UA", "DPR", "RU"}, Zones: []string{"buffer", "inner"}, Rules: ruleIDs,
				Sources: counts.Sources, Unattributed: &counts.Unattributed}
			rep := NewReport(counts.Events, cells, counts.ByRule, triggers, opts)

			var events, total, unattributedEvents, unattributedViol, outside int64
			bySide, byDay, byZone, byRule := map[string]int64{"UA": 0, "DPR": 0, "RU": 0}, map[string]int64{}, map[string]int64{"buffer": 0, "inner": 0}, map[string]int64{"r1": 0, "r2": 0, "w1": 0}
			sources, actors := map[string]int64{}, map[string]int64{}
			for _, e := range final {
				if !in(e.day) {
					continue
				}
				events++
				sources[e.source]++
				if e.side == "" {
					unattributedEvents++
					actors[e.actor]++
				}
				if len(e.rules) == 0 {
					continue
				}
				total++
				byDay[e.day]++
				if e.side == "" {
					unattributedViol++
				} else {
					bySide[e.side]++
				}
				if e.zone == "" {
					outside++
				} else {
					byZone[e.zone]++
				}
				for _, r := range e.rules {
					byRule[r]++
				}
			}
			v := rep.Violations
			if rep.Events != events || v.Total != total || v.Unattributed != unattributedViol || v.OutsideZones != outside || rep.Unattributed.Events != unattributedEvents {
				t.Errorf("events %d total %d unattributed %d/%d outside %d; want %d %d %d/%d %d", rep.Events, v.Total, v.Unattributed, rep.Unattributed.Events, v.OutsideZones,
					events, total, unattributedViol, unattributedEvents, outside)
			}
			for name, pair := range map[string][2]map[string]int64{"by_side": {v.BySide, bySide}, "by_day": {v.ByDay, byDay}, "by_zone": {v.ByZone, byZone},
				"by_rule": {v.ByRule, byRule}, "sources": {rep.Sources, sources}} {
				if !reflect.DeepEqual(pair[0], pair[1]) {
					t.Errorf("%s = %v\nwant %v", name, pair[0], pair[1])
				}
			}
			gotActors := map[string]int64{}
			for _, a := range rep.Unattributed.Actors {
				gotActors[a.Actor] = a.Events
			}
			if !reflect.DeepEqual(gotActors, actors) {
				t.Errorf("unattributed actors %v, want %v", gotActors, actors)
			}
			fired := 0
			for i, tr := range triggers {
				want := bruteTrigger(final, tr, in, to)
				if got := rep.Triggers[i]; got.Fired != want.Fired || got.First != want.First || got.Last != want.Last ||
					got.DaysOver != want.DaysOver || got.Peak != want.Peak || got.PeakDay != want.PeakDay {
					t.Errorf("trigger %s = %+v\nwant %+v", tr.ID, got, want)
				}
				if want.Fired {
					fired++
				}
			}
			if fired == 0 || fired == len(triggers) {
				t.Errorf("%d of %d triggers fired: the case tests too little", fired, len(triggers))
			}
		})
	}
}

// bruteTrigger counts, for every calendar day, the side's violations in
// the window ending on it, by looping over the events.
func bruteTrigger(final map[string]bruteEvent, tr *settlement.MonitorTrigger, in func(string) bool, to string) TriggerResult {
	w := int((tr.Window + dayDur - 1) / dayDur)
	var res TriggerResult
	first, last := "", ""
	for _, e := range final {
		if e.side == tr.Side && len(e.rules) > 0 && in(e.day) {
			if first == "" || e.day < first {
				first = e.day
			}
			if e.day > last {
				last = e.day
			}
		}
	}
	if first == "" {
		return res
	}
	// Followed up to To, or without one to the last violation of any side.
	end := day(last).AddDate(0, 0, w-1)
	limit := to
	if limit == "" {
		for _, e := range final {
			if len(e.rules) > 0 && in(e.day) && e.day > limit {
				limit = e.day
			}
		}
	}
	if day(limit).Before(end) {
		end = day(limit)
	}
	var days []string // the day of each of the side's violations
	for _, e := range final {
		if e.side == tr.Side && len(e.rules) > 0 && in(e.day) {
			days = append(days, e.day)
		}
	}
	for d := day(first); !d.After(end); d = d.AddDate(0, 0, 1) {
		lo := d.AddDate(0, 0, -(w - 1)).Format("2006-01-02")
		hi := d.Format("2006-01-02")
		var n int64
		for _, e := range days {
			if e >= lo && e <= hi {
				n++
			}
		}
		if n > res.Peak {
			res.Peak, res.PeakDay = n, Date(hi)
		}
		if n > tr.Threshold {
			if !res.Fired {
				res.Fired, res.First = true, Date(hi)
			}
			res.Last = Date(hi)
			res.DaysOver++
		}
	}
	return res
}

func TestReportNotes(t *testing.T) {
	r := NewReport(3, []Cell{{Day: "2015-02-16", N: 1}}, nil, nil, ReportOptions{Sources: map[string]int64{"ucdp": 3}, Unattributed: &Unattributed{Events: 2}})
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{"UCDP names no attacker", "counts an event for its side", "2 events (1 of them violations)"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	r = NewReport(3, nil, nil, nil, ReportOptions{Sources: map[string]int64{"acled": 3}})
	if strings.Contains(strings.Join(r.Notes, "\n"), "UCDP names no attacker") {
		t.Errorf("an ACLED report speaks of UCDP: %q", r.Notes)
	}
}
