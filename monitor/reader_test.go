package monitor

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/rules"
)

// Event is rules.Event, short for the tables.
type Event = rules.Event

// sharedData returns the directory of the project's shared data: the
// ENTENTE_SHARED_DATA variable, or ../../shared/data from this package
// (the shared/ folder beside the repository). The tests need it.
func sharedData(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ENTENTE_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "ucdp-ged-ukraine-2014-2019.csv")); err != nil {
		t.Fatalf("shared data not found (set ENTENTE_SHARED_DATA): %v", err)
	}
	return dir
}

func openReader(t testing.TB, path string) *Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := NewReader(filepath.Base(path), f)
	if err != nil {
		t.Fatalf("NewReader(%s): %v", path, err)
	}
	return r
}

func readAll(t testing.TB, path string) ([]Record, Format) {
	recs, r := readAllReader(t, path)
	return recs, r.Format()
}

// readAllReader reads every record of a file and returns them with the
// reader (for its format and columns).
func readAllReader(t testing.TB, path string) ([]Record, *Reader) {
	t.Helper()
	r := openReader(t, path)
	recs, err := ReadAll(r)
	if err != nil {
		t.Fatalf("ReadAll(%s): %v", path, err)
	}
	return recs, r
}

// rawFields decodes a CSV record's Raw, a JSON array of strings, into a
// map from the reader's column names to the values.
func rawFields(t testing.TB, columns []string, raw []byte) map[string]string {
	t.Helper()
	var vals []string
	if err := json.Unmarshal(raw, &vals); err != nil {
		t.Fatalf("Raw %q is not a JSON array of strings: %v", raw, err)
	}
	if len(vals) != len(columns) {
		t.Fatalf("Raw %q has %d values for %d columns %q", raw, len(vals), len(columns), columns)
	}
	m := make(map[string]string, len(vals))
	for i, v := range vals {
		m[columns[i]] = v
	}
	return m
}

// csvRows reads a CSV with encoding/csv into maps, independently of the
// readers.
func csvRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestUCDPRealFiles(t *testing.T) {
	dir := sharedData(t)
	for _, tc := range []struct {
		file    string
		n       int
		full    bool
		spot    map[int]Record // by Row
		types   map[string]int
		minDate string
		maxDate string
	}{
		{
			file: "ucdp-ged-ukraine-2014-2019.csv", n: 2677, full: true,
			types:   map[string]int{"state-based": 2676, "non-state": 1},
			minDate: "2014-01-22", maxDate: "2019-12-25",
			spot: map[int]Record{
				1: {Row: 1, Line: 2, DateEnd: day("2014-01-22"), Event: eventOf("147997", "2014-01-22", "state-based", "Government of Ukraine", "Maidan", 5, 50.45, 30.52333,
					"Kiev Special Republican city", "Kiev/Kyiv city (Maidan Nezalezhnosti protest camp)", 1, 1)},
				1001: {Row: 1001, DateEnd: day("2014-09-28"), Event: eventOf("417652", "2014-09-28", "state-based", "Government of Ukraine", "United Armed Forces of Novorossiya", 1, 48.075, 37.725556,
					"Donetsk oblast", "Donetsk aiport", 1, 1)},
				2677: {Row: 2677, DateEnd: day("2019-12-09"), Event: eventOf("324457", "2019-12-09", "state-based", "Government of Ukraine", "LPR", 3, 48.683333, 38.516667,
					"Luhansk oblast", "near Zolote, Luhansk Obl", 2, 1)},
			},
		},
		{
			file: "ucdp-ged251-ukraine-sample-2022-2023.csv", n: 1262,
			types:   map[string]int{"state-based": 1252, "one-sided": 10},
			minDate: "2022-02-24", maxDate: "2023-12-31",
			spot: map[int]Record{
				1: {Row: 1, Line: 2, Event: eventOf("429465", "2022-02-24", "state-based", "Government of Russia (Soviet Union)", "Government of Ukraine", 4, 47.78031, 37.25064,
					"Donetsk oblast", "city of Vuhledar, Donetsk region", 0, 0)},
				601: {Row: 601, Event: eventOf("504340", "2023-02-20", "state-based", "Government of Russia (Soviet Union)", "Government of Ukraine", 1, 48.57218, 37.91742,
					"Donetsk oblast", "near the village of Ivanovske near Bakhmut in Donetsk region.", 0, 0)},
				1262: {Row: 1262, Event: eventOf("535860", "2023-12-31", "state-based", "Government of Russia (Soviet Union)", "Government of Ukraine", 2, 48.61776, 37.89675,
					"Donetsk oblast", "Bakhmut District\tChasovoiarska urban community\tBohdanivka", 0, 0)},
			},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			recs, rd := readAllReader(t, path)
			if format := rd.Format(); format != UCDP {
				t.Errorf("format = %q, want ucdp", format)
			}
			if len(recs) != tc.n {
				t.Fatalf("read %d records, want %d", len(recs), tc.n)
			}
			rows := csvRows(t, path)
			types := map[string]int{}
			minDate, maxDate := "9999", ""
			for i, r := range recs {
				if r.Row != i+1 {
					t.Fatalf("record %d has Row %d", i+1, r.Row)
				}
				types[r.Event.Type]++
				d := Day(&r.Event)
				minDate, maxDate = min(minDate, d), max(maxDate, d)
				// Raw holds every column as written.
				raw := rawFields(t, rd.Columns(), r.Raw)
				for k, v := range rows[i] {
					if raw[k] != v {
						t.Fatalf("row %d: Raw[%q] = %q, want %q", r.Row, k, raw[k], v)
					}
				}
				if r.Event.ID != rows[i]["id"] || r.Event.Actor1 != rows[i]["side_a"] || r.Event.Admin1 != rows[i]["adm_1"] {
					t.Fatalf("row %d: id/actor1/admin1 = %q/%q/%q, want %q/%q/%q", r.Row, r.Event.ID, r.Event.Actor1, r.Event.Admin1, rows[i]["id"], rows[i]["side_a"], rows[i]["adm_1"])
				}
				if tc.full && r.Event.Notes != rows[i]["source_headline"] {
					t.Fatalf("row %d: notes = %q, want source_headline %q", r.Row, r.Event.Notes, rows[i]["source_headline"])
				}
				if want, ok := tc.spot[r.Row]; ok {
					checkRecord(t, r, want)
				}
			}
			for k, v := range tc.types {
				if types[k] != v {
					t.Errorf("%d events of type %q, want %d", types[k], k, v)
				}
			}
			if minDate != tc.minDate || maxDate != tc.maxDate {
				t.Errorf("dates %s … %s, want %s … %s", minDate, maxDate, tc.minDate, tc.maxDate)
			}
		})
	}
}

func eventOf(id, date, typ, a1, a2 string, fatalities int64, lat, lon float64, admin1, location string, pp, pd int64) Event {
	return Event{ID: id, Source: "ucdp", Date: day(date), Type: typ, Actor1: a1, Actor2: a2, Fatalities: fatalities,
		Lat: lat, Lon: lon, Admin1: admin1, Location: location, PrecisionPlace: pp, PrecisionDate: pd}
}

// checkRecord compares the fields of want that are set (Notes only when
// want has it; Line when non-zero).
func checkRecord(t *testing.T, got, want Record) {
	t.Helper()
	g, w := got.Event, want.Event
	if w.Notes == "" {
		g.Notes = ""
	}
	if g != w {
		t.Errorf("row %d: Event = %+v\nwant %+v", got.Row, g, w)
	}
	if !got.DateEnd.Equal(want.DateEnd) {
		t.Errorf("row %d: DateEnd = %v, want %v", got.Row, got.DateEnd, want.DateEnd)
	}
	if want.Line != 0 && got.Line != want.Line {
		t.Errorf("row %d: Line = %d, want %d", got.Row, got.Line, want.Line)
	}
	if got.Deleted != want.Deleted || !got.DeletedAt.Equal(want.DeletedAt) {
		t.Errorf("row %d: Deleted = %v %v, want %v %v", got.Row, got.Deleted, got.DeletedAt, want.Deleted, want.DeletedAt)
	}
}

func TestACLED(t *testing.T) {
	recs, format := readAll(t, "testdata/acled-synthetic.csv")
	if format != ACLED || len(recs) != 5 {
		t.Fatalf("format %q, %d records; want acled, 5", format, len(recs))
	}
	checkRecord(t, recs[0], Record{Row: 1, Line: 2, Event: Event{ID: "XUK0001", Source: "acled", Date: day("2025-09-03"),
		Type: "Explosions/Remote violence", Subtype: "Shelling/artillery/missile attack",
		Actor1: "Military Forces of Russia (2000-)", Actor2: "Military Forces of Ukraine (2019-)",
		Lat: 48.3502, Lon: 37.2006, Admin1: "Donetsk", Location: "Rodynske", PrecisionPlace: 1, PrecisionDate: 1,
		Notes: "On 3 September 2025, Russian forces shelled Ukrainian positions near Rodynske with BM-21 Grad rockets. No casualties reported."}})
	checkRecord(t, recs[4], Record{Row: 5, Line: 6, Event: Event{ID: "XUK0005", Source: "acled", Date: day("2025-09-07"),
		Type: "Explosions/Remote violence", Subtype: "Shelling/artillery/missile attack",
		Actor1: "Unidentified Armed Group (Ukraine)", Lat: 49.7107, Lon: 37.6156, Admin1: "Kharkiv", Location: "Kupiansk",
		PrecisionPlace: 3, PrecisionDate: 3}})

	recs, format = readAll(t, "testdata/acled-export-tool-synthetic.csv")
	if format != ACLED || len(recs) != 2 {
		t.Fatalf("format %q, %d records; want acled, 2", format, len(recs))
	}
	checkRecord(t, recs[1], Record{Row: 2, Line: 3, Event: Event{ID: "XUK1002", Source: "acled", Date: day("2015-03-02"),
		Type: "Explosions/Remote violence", Subtype: "Shelling/artillery/missile attack",
		Actor1: "Novorossiya Armed Forces", Actor2: "Military Forces of Ukraine (2014-2019)",
		Lat: 47.9428, Lon: 37.5027, Admin1: "Donetsk", Location: "Marinka", PrecisionPlace: 1, PrecisionDate: 1}})

	recs, format = readAll(t, "testdata/acled-deleted-synthetic.csv")
	if format != ACLEDDeleted || len(recs) != 2 {
		t.Fatalf("format %q, %d records; want acled-deleted, 2", format, len(recs))
	}
	checkRecord(t, recs[0], Record{Row: 1, Line: 2, Deleted: true, DeletedAt: time.Unix(1757600000, 0), Event: Event{ID: "XUK0002", Source: "acled"}})
	if recs[1].Key() != "acled:XUK0004" {
		t.Errorf("Key() = %q, want acled:XUK0004", recs[1].Key())
	}
}

func TestJSONL(t *testing.T) {
	recs, format := readAll(t, "testdata/events.jsonl")
	if format != JSONL || len(recs) != 3 {
		t.Fatalf("format %q, %d records; want jsonl, 3", format, len(recs))
	}
	kyiv := time.FixedZone("", 2*3600)
	checkRecord(t, recs[0], Record{Row: 1, Line: 1, Event: Event{ID: "osce-2015-001", Source: "jsonl", Date: day("2015-02-16"),
		Actor1: "Government of Ukraine", Actor2: "DPR", Type: "ceasefire violation", Subtype: "shelling", Lat: 48.0758, Lon: 37.7381,
		Admin1: "Donetsk oblast", Location: "Donetsk airport", PrecisionPlace: 1, PrecisionDate: 1,
		Notes: "SMM heard 40 explosions consistent with 122mm artillery and Grad rounds"}})
	checkRecord(t, recs[1], Record{Row: 2, Line: 3, DateEnd: day("2015-02-18"), Event: Event{ID: "osce-2015-002", Source: "jsonl",
		Date: time.Date(2015, 2, 17, 14, 30, 0, 0, kyiv), Actor1: "DPR", Actor2: "Government of Ukraine", Type: "ceasefire violation",
		Lat: 48.3394, Lon: 38.4031, Location: "Debaltseve"}})
	checkRecord(t, recs[2], Record{Row: 3, Line: 4, Deleted: true, Event: Event{ID: "osce-2015-001", Source: "jsonl"}})
	if string(recs[2].Raw) != `{"id": "osce-2015-001", "deleted": true}` {
		t.Errorf("Raw = %q", recs[2].Raw)
	}
	if got := Day(&recs[1].Event); got != "2015-02-17" {
		t.Errorf("Day = %s, want 2015-02-17", got)
	}
}

// TestJSONLRoundTrip writes every record of the real UCDP files as JSON
// lines and reads them back.
func TestJSONLRoundTrip(t *testing.T) {
	dir := sharedData(t)
	for _, file := range []string{"ucdp-ged-ukraine-2014-2019.csv", "ucdp-ged251-ukraine-sample-2022-2023.csv", "testdata/acled-synthetic.csv", "testdata/events.jsonl"} {
		path := filepath.Join(dir, file)
		if strings.HasPrefix(file, "testdata/") {
			path = file
		}
		recs, _ := readAll(t, path)
		var buf bytes.Buffer
		for i := range recs {
			if err := FormatJSONL(&buf, &recs[i]); err != nil {
				t.Fatal(err)
			}
		}
		back, err := ReadAll(mustReader(t, "round.jsonl", buf.Bytes()))
		if err != nil {
			t.Fatalf("%s: reading back: %v", file, err)
		}
		if len(back) != len(recs) {
			t.Fatalf("%s: %d records back, want %d", file, len(back), len(recs))
		}
		for i := range recs {
			want := recs[i]
			want.Event.Source = "jsonl"
			want.Line, want.Row = i+1, i+1
			checkRecord(t, back[i], want)
		}
	}
}

func mustReader(t testing.TB, name string, src []byte) *Reader {
	t.Helper()
	r, err := NewReader(name, bytes.NewReader(src))
	if err != nil {
		t.Fatalf("NewReader(%s): %v", name, err)
	}
	return r
}

func TestHDXHashtagRow(t *testing.T) {
	src := "id,year,iso3,type_of_violence,side_a,side_b,best,latitude,longitude,date_start\n" +
		",#date+year,#country+code,,#group+name+first,#group+name+second,#affected+killed,#geo+lat,#geo+lon,#date+start\n" +
		"1,2014,UKR,1,A,B,2,48.1,37.9,2014-05-01 00:00:00.000\n" +
		"2,2014,UKR,2,C,D,0,48.2,38.0,2014-05-02\n"
	recs, err := ReadAll(mustReader(t, "hdx.csv", []byte(src)))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Row != 1 || recs[0].Line != 3 || recs[1].Event.Type != "non-state" {
		t.Fatalf("records = %+v", recs)
	}
}

// TestReaderErrors checks that each kind of bad input gives an *Error
// that names the file, row, line, column and what would be valid.
func TestReaderErrors(t *testing.T) {
	const ucdpHead = "id,date_start,type_of_violence,side_a,side_b,best,latitude,longitude,where_prec,date_prec,date_end\n"
	const ucdpRow = "1,2015-02-16,1,A,B,3,48.0,37.8,1,1,2015-02-16\n"
	const acledHead = "event_id_cnty,event_date,event_type,actor1,latitude,longitude,fatalities,geo_precision\n"
	for _, tc := range []struct {
		name, src string
		header    bool // the error comes from NewReader
		row, line int
		col       int
		column    string
		msg       string
		format    bool // wraps ErrFormat
	}{
		{name: "semicolons", src: "id;date_start;type_of_violence\n1;2;3\n", header: true, line: 1, col: 1, msg: "separated by semicolons, not commas", format: true},
		{name: "tabs", src: "event_id_cnty\tevent_date\n", header: true, line: 1, msg: "separated by tabs", format: true},
		{name: "unknown header", src: "a,b,c\n1,2,3\n", header: true, line: 1, msg: "matches no event format", format: true},
		{name: "empty", src: "", header: true, line: 1, msg: "the file is empty", format: true},
		{name: "json array", src: `[{"id": "1"}]`, header: true, line: 1, col: 1, msg: "want JSON lines", format: true},
		{name: "missing columns", src: "id,date_start,type_of_violence,side_a,best,latitude\n", header: true, line: 1, column: "side_b, longitude", msg: "missing required columns side_b, longitude; a UCDP GED file needs id, date_start"},
		{name: "duplicate column", src: "id,date_start,id\n", header: true, line: 1, col: 15, column: "id", msg: `column "id" appears twice`},
		{name: "acled missing column", src: "event_id_cnty,event_date,event_type,actor1,latitude,longitude\n", header: true, line: 1, column: "fatalities", msg: "missing required column fatalities"},
		{name: "bad date", src: ucdpHead + ucdpRow + "2,16/02/2015,1,A,B,3,48.0,37.8,1,1,\n", row: 2, line: 3, col: 3, column: "date_start", msg: `"16/02/2015" is not a date; want YYYY-MM-DD`},
		{name: "date end before start", src: ucdpHead + "2,2015-02-16,1,A,B,3,48.0,37.8,1,1,2015-02-15\n", row: 1, line: 2, column: "date_end", msg: "before date_start 2015-02-16"},
		{name: "bad latitude", src: ucdpHead + "2,2015-02-16,1,A,B,3,north,37.8,1,1,\n", row: 1, line: 2, col: 22, column: "latitude", msg: `"north" is not a number; want decimal degrees between -90 and 90`},
		{name: "latitude out of range", src: ucdpHead + "2,2015-02-16,1,A,B,3,91.5,37.8,1,1,\n", row: 1, line: 2, column: "latitude", msg: "91.5 is out of range"},
		{name: "longitude out of range", src: acledHead + "X1,2015-02-16,Battles,A,48,-180.01,0,1\n", row: 1, line: 2, column: "longitude", msg: "-180.01 is out of range; want decimal degrees between -180 and 180"},
		{name: "decimal comma", src: ucdpHead + "2,2015-02-16,1,A,B,3,\"48,5\",37.8,1,1,\n", row: 1, column: "latitude", msg: "a decimal comma?"},
		{name: "nan", src: ucdpHead + "2,2015-02-16,1,A,B,3,NaN,37.8,1,1,\n", row: 1, column: "latitude", msg: `"NaN" is not a number`},
		{name: "type of violence", src: ucdpHead + "2,2015-02-16,4,A,B,3,48,37.8,1,1,\n", row: 1, column: "type_of_violence", msg: `"4" is not a type of violence; want 1 (state-based), 2 (non-state) or 3 (one-sided)`},
		{name: "where_prec", src: ucdpHead + "2,2015-02-16,1,A,B,3,48,37.8,9,1,\n", row: 1, column: "where_prec", msg: `"9" is not a code; want 1 to 7`},
		{name: "fatalities", src: ucdpHead + "2,2015-02-16,1,A,B,-3,48,37.8,1,1,\n", row: 1, column: "best", msg: "-3 is negative"},
		{name: "empty id", src: ucdpHead + " ,2015-02-16,1,A,B,3,48,37.8,1,1,\n", row: 1, column: "id", msg: "empty"},
		{name: "field count", src: ucdpHead + ucdpRow + "3,2015-02-16,1,A,B\n", row: 2, line: 3, col: 1, msg: "5 fields, but the header has 11 columns"},
		{name: "bare quote", src: ucdpHead + "3,2015-02-16,1,A \"x\",B,3,48,37.8,1,1,\n", row: 1, line: 2, msg: `a bare " inside an unquoted field`},
		{name: "acled date", src: acledHead + "X1,Feb 16 2015,Battles,A,48,37,0,1\n", row: 1, column: "event_date", msg: "is not a date"},
		{name: "acled geo precision", src: acledHead + "X1,2015-02-16,Battles,A,48,37,0,4\n", row: 1, column: "geo_precision", msg: "want 1 to 3 (ACLED geo_precision"},
		{name: "acled deleted timestamp", src: "event_id_cnty,deleted_timestamp\nX1,yesterday\n", row: 1, column: "deleted_timestamp", msg: "want Unix seconds"},
		{name: "jsonl syntax", src: "{\"id\": \"a\", \"date\": \"2015-02-16\", \"lat\": 48, \"lon\": 37}\n{\"id\": \"b\",,}\n", row: 2, line: 2, col: 12, msg: "not valid JSON"},
		{name: "jsonl unknown key", src: `{"id": "a", "date": "2015-02-16", "lat": 48, "lon": 37, "colour": "red"}`, row: 1, line: 1, col: 57, column: "colour", msg: `unknown key "colour"; keys: actor1, actor2, admin1, date`},
		{name: "jsonl computed key", src: `{"id": "a", "date": "2015-02-16", "lat": 48, "lon": 37, "zone": "buffer"}`, row: 1, column: "zone", msg: "classification computes it"},
		{name: "jsonl duplicate key", src: `{"id": "a", "date": "2015-02-16", "lat": 48, "lon": 37, "lat": 49}`, row: 1, column: "lat", msg: `key "lat" appears twice`},
		{name: "jsonl missing lat", src: `{"id": "a", "date": "2015-02-16", "lon": 37}`, row: 1, column: "lat", msg: "missing; want decimal degrees"},
		{name: "jsonl lat range", src: `{"id": "a", "date": "2015-02-16", "lat": 100, "lon": 37}`, row: 1, col: 35, column: "lat", msg: "100 is out of range"},
		{name: "jsonl fatalities", src: `{"id": "a", "date": "2015-02-16", "lat": 48, "lon": 37, "fatalities": 1.5}`, row: 1, column: "fatalities", msg: "a JSON number 1.5; want a whole number"},
		{name: "jsonl lat string", src: `{"id": "a", "date": "2015-02-16", "lat": "48", "lon": 37}`, row: 1, column: "lat", msg: "a JSON string; want a number of decimal degrees"},
		{name: "jsonl two values", src: `{"id": "a", "date": "2015-02-16", "lat": 48, "lon": 37} {}`, row: 1, col: 57, msg: "more than one JSON value"},
		{name: "jsonl not an object", src: "{\"id\": \"a\", \"date\": \"2015-02-16\", \"lat\": 48, \"lon\": 37}\n[1]\n", row: 2, line: 2, msg: "a JSON array; want a JSON object"},
		{name: "jsonl deletion with fields", src: `{"id": "a", "deleted": true, "lat": 48}`, row: 1, column: "lat", msg: `a deletion holds only "id"`},
		{name: "jsonl unterminated", src: `{"id": "a", "date": "2015-02-16"`, row: 1, msg: "does not end on its line"},
		{name: "latin-1", src: ucdpHead + "2,2015-02-16,1,Gouvernement d'Ukra\xefne,B,3,48,37.8,1,1,\n", row: 1, line: 2, col: 16, column: "side_a", msg: "byte 20 (0xef) is not valid UTF-8; save the file as UTF-8"},
		{name: "nul", src: ucdpHead + "2,2015-02-16,1,A\x00,B,3,48,37.8,1,1,\n", row: 1, column: "side_a", msg: "a NUL byte"},
		{name: "jsonl latin-1", src: "{\"id\": \"a\xe8\", \"date\": \"2015-02-16\", \"lat\": 48, \"lon\": 37}", row: 1, msg: "is not valid UTF-8"},
		{name: "jsonl bad date", src: `{"id": "a", "date": "yesterday", "lat": 48, "lon": 37}`, row: 1, column: "date", msg: `"yesterday" is not a date`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "in/" + strings.ReplaceAll(tc.name, " ", "-") + ".csv"
			r, err := NewReader(name, strings.NewReader(tc.src))
			if !tc.header {
				if err != nil {
					t.Fatalf("NewReader: %v", err)
				}
				for {
					_, err = r.Next()
					if err != nil {
						break
					}
				}
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v (%T), want *Error", err, err)
			}
			if e.File != name || e.Row != tc.row || (tc.line != 0 && e.Line != tc.line) || (tc.col != 0 && e.Col != tc.col) || (tc.column != "" && e.Column != tc.column) {
				t.Errorf("error at file %s row %d line %d col %d column %q, want %s row %d line %d col %d column %q\n%v",
					e.File, e.Row, e.Line, e.Col, e.Column, name, tc.row, tc.line, tc.col, tc.column, e)
			}
			if !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Msg, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Errorf("Error() = %q does not start with the file name", err)
			}
			if errors.Is(err, ErrFormat) != tc.format {
				t.Errorf("errors.Is(err, ErrFormat) = %v, want %v", !tc.format, tc.format)
			}
		})
	}
}

// TestReaderGoesOn: after a bad row, Next reads the next one; after a CSV
// that cannot be split, it repeats the error.
func TestReaderGoesOn(t *testing.T) {
	src := "id,date_start,type_of_violence,side_a,side_b,best,latitude,longitude\n" +
		"1,2015-02-16,1,A,B,3,48.0,37.8\n" +
		"2,2015-02-16,1,A,B,3,95,37.8\n" +
		"3,2015-02-17,1,A,B,3,48.0,37.8\n"
	r := mustReader(t, "x.csv", []byte(src))
	var ids []string
	var errs int
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs++
			continue
		}
		ids = append(ids, rec.Event.ID)
	}
	if strings.Join(ids, ",") != "1,3" || errs != 1 {
		t.Errorf("read %v with %d errors, want [1 3] with 1", ids, errs)
	}
	r = mustReader(t, "y.csv", []byte("id,date_start,type_of_violence,side_a,side_b,best,latitude,longitude\n\"1,2\n"))
	_, err1 := r.Next()
	_, err2 := r.Next()
	if err1 == nil || err1 != err2 {
		t.Errorf("after an unterminated quote: %v then %v, want the same error twice", err1, err2)
	}
	if _, err := ReadAll(mustReader(t, "z.csv", []byte(src))); err == nil || !strings.Contains(err.Error(), "z.csv:3:") {
		t.Errorf("ReadAll = %v, want the row 2 error at line 3", err)
	}
}

func TestBOMAndCRLF(t *testing.T) {
	src := "\xef\xbb\xbfEvent_ID_Cnty , event_date,event_type,actor1,latitude,longitude,fatalities\r\nX1,2015-02-16,Battles,A,48,37,2\r\n"
	rd := mustReader(t, "bom.csv", []byte(src))
	recs, err := ReadAll(rd)
	if err != nil || len(recs) != 1 || recs[0].Event.ID != "X1" || recs[0].Event.Fatalities != 2 {
		t.Fatalf("records %+v, error %v", recs, err)
	}
	if raw := rawFields(t, rd.Columns(), recs[0].Raw); raw["Event_ID_Cnty"] != "X1" {
		t.Errorf("Raw = %s with columns %q: want the header's own names", recs[0].Raw, rd.Columns())
	}
}

// TestParseDate checks the fast path against time.Parse.
func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339, or "" for an error
	}{
		{"2015-02-15", "2015-02-15T00:00:00Z"},
		{"2014-01-22 00:00:00.000", "2014-01-22T00:00:00Z"},
		{"2014-01-22 13:45:00", "2014-01-22T13:45:00Z"},
		{"2016-02-29", "2016-02-29T00:00:00Z"},
		{"2015-02-29", ""},
		{"2015-04-31", ""},
		{"2015-13-01", ""},
		{"0000-01-01", ""},
		{"2015-2-15", ""},
		{"15 February 2015", "2015-02-15T00:00:00Z"},
		{"2-March-2015", "2015-03-02T00:00:00Z"},
		{"2015-02-17T14:30:00+02:00", "2015-02-17T14:30:00+02:00"},
		{"2015/02/15", ""},
	} {
		got, msg := parseDate(tc.in)
		switch {
		case tc.want == "" && msg == "":
			t.Errorf("parseDate(%q) = %v, want an error", tc.in, got)
		case tc.want != "" && (msg != "" || got.Format(time.RFC3339) != tc.want):
			t.Errorf("parseDate(%q) = %v (%s), want %s", tc.in, got.Format(time.RFC3339), msg, tc.want)
		}
	}
}
