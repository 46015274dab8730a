// Package monitor is the ceasefire-monitoring engine. It reads conflict
// events (UCDP GED CSV, ACLED CSV and ACLED's deletions, the project's
// JSON lines), classifies each against a settlement's monitoring terms
// (sides, zones, line of contact, violation rules, withdrawal terms), and
// makes reports of violations by side, day, zone and rule, with the day
// each monitoring trigger first fired, and plots them. It holds no
// database: a store persists records and computes the same aggregates
// ([Cell]) with SQL. docs/monitoring.md is the full reference.
//
// # Reading events
//
// [NewReader] detects the format from the start of the file: a '{' makes
// it JSON lines; otherwise the CSV header decides. Readers are driven by
// the header: columns may come in any order and extra columns are
// ignored, but every required column must be there. [Reader.Next] returns
// one [Record] at a time and io.EOF at the end:
//
//	r, err := monitor.NewReader("ged.csv", f)
//	for {
//		rec, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		...
//	}
//
// A Record holds the normalised event ([rules.Event], the fields violation
// rules see), its 1-based Row and Line, Raw (the record as the file gives
// it, for history), and Deleted for a deletion record. [Record.Key] is the
// event's natural key, "ucdp:147997".
//
// How each event field is derived:
//
//	field            UCDP GED                      ACLED                JSON lines
//	id               id                            event_id_cnty        id
//	source           "ucdp"                        "acled"              "jsonl"
//	date             date_start                    event_date           date
//	actor1, actor2   side_a, side_b                actor1, actor2       actor1, actor2
//	type             type_of_violence 1/2/3 →      event_type           type
//	                 state-based/non-state/one-sided
//	subtype          ""                            sub_event_type       subtype
//	fatalities       best                          fatalities           fatalities
//	lat, lon         latitude, longitude           latitude, longitude  lat, lon
//	admin1           adm_1                         admin1               admin1
//	location         where_description             location             location
//	precision_place  where_prec (1–7)              geo_precision (1–3)  precision_place
//	precision_date   date_prec (1–5)               time_precision (1–3) precision_date
//	notes            source_headline               notes                notes
//
// A code the file does not have is 0: UCDP's 21-column samples lack
// where_prec and date_prec, so their events have precision codes 0.
// Dates without an offset are read as midnight UTC.
//
// Every error is an [*Error] that names the file, the line and column,
// the row and the column, and says what would be valid:
//
//	ged.csv:3:52: row 2, column latitude: 150.45 is out of range; want decimal degrees between -90 and 90
//
// After a bad row, Next goes on with the next one, so that a caller can
// report every bad row; an ingest that must be all-or-nothing stops at the
// first.
//
// # Classifying
//
// [NewClassifier] builds a [Classifier] once from a settlement: actor
// names to parties (monitoring.sides), the zones (Polygon and MultiPolygon
// features, holes respected), an index of the line of contact, the
// violation rules compiled in the rules package's event environment, and
// the withdrawal terms. [Classifier.Classify] fills an event's side,
// other_side, zone and distance_km and returns the ids of the rules it
// breaks:
//
//   - side is the party of actor1 and other_side that of actor2, "" when
//     the name is listed under no party. An event whose side is "" counts
//     for no side: [Classification].Unattributed.
//   - zone is the first zone, in the zones file's order, that contains
//     the event (planar in longitude and latitude, as GeoJSON draws
//     polygons), or "".
//   - distance_km is the great-circle distance on a sphere of radius
//     [EarthRadiusKm] to the nearest point of the line, exact to rounding
//     (the index never skips the nearest segment); −1 without a line.
//   - A withdrawal term (min_km for a class of weapons) is broken by an
//     event after the ceasefire (plus [Options].WithdrawalGrace) that lies
//     less than min_km from the line, is placed better than a first-order
//     region, and whose notes name weapons the term covers, through the
//     [Weapons] lexicon.
//
// A Classifier is immutable and safe for concurrent use.
// [Classifier.Fingerprint] hashes everything classification depends on,
// so a store can tell when its stored classifications are stale.
//
// # Tallies, reports and triggers
//
// A violation is an event that breaks at least one violation rule or
// withdrawal term; totals count events, not rule matches. [Cell] counts
// violating events by day, side and zone; [NewReport] turns cells, the
// number of events and the per-rule counts into a [Report], DESIGN.md's
// report JSON. A trigger fires on the first day d on which its side's
// violations dated within the window ending on d (for 7d: d−6 … d) exceed
// its threshold. [Tally] computes the same aggregates in memory, with a
// store's semantics (a later record with the same key replaces the
// earlier; a deletion removes it). [PlotSVG] draws a report.
//
// UCDP names no attacker: its events are dyadic, and a report by side
// counts an event for the party of its side_a. Every report counted from
// UCDP data says so in its notes.
package monitor
