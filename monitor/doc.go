// Package monitor is the ceasefire-monitoring engine: it reads conflict
// events (UCDP GED CSV, ACLED CSV and its deletions, the project's JSON
// lines), classifies each against a settlement's monitoring terms (sides,
// zones, line of contact, violation rules, withdrawal terms), and makes
// reports of violations by side, day, zone and rule, with the days
// monitoring triggers fire. It holds no database: a store persists
// records and computes the same aggregates ([Cell]) with SQL.
//
// The pieces, in the order data flows:
//
//	r, err := monitor.NewReader(name, file)       // format from the header
//	rec, err := r.Next()                          // Record; io.EOF at the end
//	c, err := monitor.NewClassifier(s, monitor.DefaultOptions())
//	cl, err := c.Classify(&rec.Event)             // fills side, zone, distance_km
//	rep := monitor.NewReport(events, cells, byRule, s.Monitoring.Triggers, c.ReportOptions())
//
// See docs/monitoring.md for the formats, the derivation of each field,
// classification, tallies and triggers.
package monitor
