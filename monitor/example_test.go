package monitor_test

import (
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/entente-org/entente/monitor"
	"github.com/entente-org/entente/settlement"
)

// Read events, classify them against a settlement's monitoring terms and
// report violations and triggers.
func Example() {
	s, _, err := settlement.LoadFile("testdata/classify/settlement.yaml", settlement.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	c, err := monitor.NewClassifier(s, monitor.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	events := `{"id": "e1", "date": "2015-02-16", "actor1": "Government of Ukraine", "actor2": "DPR", "lat": 48.6, "lon": 38.5, "fatalities": 1}
{"id": "e2", "date": "2015-02-17", "actor1": "DPR", "lat": 48.0, "lon": 38.0, "fatalities": 6, "precision_place": 1}
{"id": "e3", "date": "2015-02-17", "actor1": "Government of Ukraine", "lat": 48.0, "lon": 38.4, "notes": "BM-21 Grad fire"}
`
	r, err := monitor.NewReader("events.jsonl", strings.NewReader(events))
	if err != nil {
		log.Fatal(err)
	}
	tally := monitor.NewTally()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		cl, err := c.Classify(&rec.Event)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: side %s, zone %q, %.1f km from the line, breaks %v\n", rec.Event.ID, rec.Event.Side, rec.Event.Zone, rec.Event.DistanceKm, cl.Rules)
		tally.Add(&rec, cl)
	}
	rep := tally.Counts("", "").Report(s.Monitoring.Triggers, c.ReportOptions())
	fmt.Println("violations:", rep.Violations.Total, "by side:", rep.Violations.BySide)
	for _, t := range rep.Triggers {
		fmt.Println("trigger", t.ID, "fired:", t.Fired, "first:", t.First)
	}
	// Output:
	// e1: side UA, zone "buffer", 36.8 km from the line, breaks [in-buffer]
	// e2: side DPR, zone "inner", 0.0 km from the line, breaks [deadly near-line]
	// e3: side UA, zone "buffer", 29.8 km from the line, breaks [in-buffer mlrs]
	// violations: 3 by side: map[DPR:1 RU:0 UA:2]
	// trigger collapse fired: false first:
}

// NewReport works from aggregates, as a store computes them with GROUP BY.
func ExampleNewReport() {
	cells := []monitor.Cell{
		{Day: "2015-02-15", Side: "UA", Zone: "buffer", N: 12},
		{Day: "2015-02-17", Side: "UA", Zone: "buffer", N: 9},
		{Day: "2015-02-17", Side: "", Zone: "", N: 1},
	}
	triggers := []*settlement.MonitorTrigger{{ID: "collapse", Side: "UA", Window: 7 * 24 * time.Hour, WindowText: "7d", Threshold: 20}}
	rep := monitor.NewReport(50, cells, map[string]int64{"in-buffer": 21, "deadly": 4}, triggers,
		monitor.ReportOptions{Sides: []string{"UA", "DPR"}, Zones: []string{"buffer"}})
	v := rep.Violations
	fmt.Println(v.Total, v.BySide, v.ByDay, v.ByZone, v.Unattributed, v.OutsideZones)
	t := rep.Triggers[0]
	fmt.Println(t.ID, t.Fired, t.First, t.Peak)
	// Output:
	// 22 map[DPR:0 UA:21] map[2015-02-15:12 2015-02-17:10] map[buffer:21] 1 1
	// collapse true 2015-02-17 21
}

// A bad record names the file, the line and column, the row and the
// column, and says what would be valid.
func ExampleReader_Next_error() {
	csv := "id,date_start,type_of_violence,side_a,side_b,best,latitude,longitude\n" +
		"147997,2014-01-22,1,Government of Ukraine,Maidan,5,50.45,30.52333\n" +
		"149221,2014-01-27,1,Government of Ukraine,Maidan,1,150.45,30.52333\n"
	r, err := monitor.NewReader("ged.csv", strings.NewReader(csv))
	if err != nil {
		log.Fatal(err)
	}
	_, err = monitor.ReadAll(r)
	fmt.Println(err)
	// Output:
	// ged.csv:3:52: row 2, column latitude: 150.45 is out of range; want decimal degrees between -90 and 90
}
