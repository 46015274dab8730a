package monitor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader feeds arbitrary bytes to NewReader and Next. Invariants:
// nothing panics; every error is an *Error; every record has an id and,
// unless a deletion, finite coordinates in range; rows increase; a CSV
// record's Raw is a JSON array of one string per column; and every record read round-trips
// through FormatJSONL. Seeds: the test files, the head of each real UCDP
// file, and the bad inputs of TestReaderErrors' kind.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.csv")
	jsonl, _ := filepath.Glob("testdata/*.jsonl")
	for _, p := range append(seeds, jsonl...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	dir := os.Getenv("ENTENTE_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	for _, name := range []string{"ucdp-ged-ukraine-2014-2019.csv", "ucdp-ged251-ukraine-sample-2022-2023.csv"} {
		if fh, err := os.Open(filepath.Join(dir, name)); err == nil {
			var buf bytes.Buffer
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for i := 0; i < 4 && sc.Scan(); i++ {
				buf.Write(sc.Bytes())
				buf.WriteByte('\n')
			}
			fh.Close()
			f.Add(buf.Bytes())
		}
	}
	for _, s := range []string{
		"id;date_start\n1;2\n",
		"event_id_cnty,deleted_timestamp\nX,1\n",
		"id,date_start,type_of_violence,side_a,side_b,best,latitude,longitude\n\"1,2\n",
		`{"id": "a", "date": "2015-02-16", "lat": 48, "lon": 37}` + "\n" + `{"id": "a", "deleted": true}`,
		`{"id": "a", "date": "2015-02-16", "lat": 48, "lon": 37, "lat": 1}`,
		"\xef\xbb\xbf\n\n{",
		"[]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r, err := NewReader("fuzz", bytes.NewReader(src))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("NewReader error %v is a %T, not *Error", err, err)
			}
			return
		}
		var recs []Record
		lastRow := 0
		for i := 0; i <= len(src)+2; i++ {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Next error %v is a %T, not *Error", err, err)
				}
				if e.Row < lastRow {
					t.Fatalf("error at row %d after row %d", e.Row, lastRow)
				}
				continue
			}
			if rec.Row <= lastRow || rec.Line < 1 {
				t.Fatalf("record row %d line %d after row %d", rec.Row, rec.Line, lastRow)
			}
			lastRow = rec.Row
			ev := rec.Event
			if ev.ID == "" {
				t.Fatalf("row %d: empty id", rec.Row)
			}
			if !rec.Deleted && (math.IsNaN(ev.Lat) || math.IsNaN(ev.Lon) || ev.Lat < -90 || ev.Lat > 90 || ev.Lon < -180 || ev.Lon > 180 || ev.Fatalities < 0) {
				t.Fatalf("row %d: bad values %+v", rec.Row, ev)
			}
			if r.Format() != JSONL {
				var vals []string
				if err := json.Unmarshal(rec.Raw, &vals); err != nil || len(vals) != len(r.Columns()) {
					t.Fatalf("row %d: Raw %q is not a JSON array of %d strings (%v)", rec.Row, rec.Raw, len(r.Columns()), err)
				}
			}
			recs = append(recs, rec)
		}
		if len(recs) == 0 {
			return
		}
		var buf bytes.Buffer
		for i := range recs {
			if err := FormatJSONL(&buf, &recs[i]); err != nil {
				t.Fatal(err)
			}
		}
		back, err := ReadAll(mustReader(t, "round", buf.Bytes()))
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.Bytes(), err)
		}
		for i := range recs {
			a, b := recs[i], back[i]
			a.Event.Source = "jsonl"
			if a.Event != b.Event && !(a.Event.Date.Equal(b.Event.Date) && sameButDate(a, b)) {
				t.Fatalf("round trip: %+v\nbecame %+v", a.Event, b.Event)
			}
			if a.Deleted != b.Deleted || !a.DateEnd.Equal(b.DateEnd) {
				t.Fatalf("round trip: deleted/date_end %v %v became %v %v", a.Deleted, a.DateEnd, b.Deleted, b.DateEnd)
			}
		}
	})
}

// sameButDate reports whether two records' events are equal but for the
// representation of the same instant.
func sameButDate(a, b Record) bool {
	a.Event.Date = b.Event.Date
	return a.Event == b.Event
}
