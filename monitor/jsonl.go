package monitor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// jsonKeys are the keys of a JSON line, as docs/monitoring.md lists them.
var jsonKeys = []string{"id", "date", "date_end", "actor1", "actor2", "type", "subtype", "fatalities",
	"lat", "lon", "admin1", "location", "notes", "precision_place", "precision_date", "deleted"}

// jsonComputed are event fields that classification computes: a JSON line
// may not set them.
var jsonComputed = map[string]bool{"side": true, "other_side": true, "zone": true, "distance_km": true, "source": true}

// jsonlDecoder reads the project's JSON lines.
type jsonlDecoder struct {
	file string
	br   *bufio.Reader
	line int
	row  int
	err  error // sticky I/O error
}

func newJSONLDecoder(file string, br *bufio.Reader) *jsonlDecoder {
	return &jsonlDecoder{file: file, br: br}
}

func (d *jsonlDecoder) fatal() bool { return d.err != nil }

// readLine returns the next line without its end, or io.EOF.
func (d *jsonlDecoder) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := d.br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLineBytes {
			d.line++
			d.err = &Error{File: d.file, Row: d.row + 1, Line: d.line, Msg: fmt.Sprintf("line longer than %d bytes; one event per line", MaxLineBytes)}
			return nil, d.err
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			d.line++
			return bytes.TrimRight(buf, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			if len(buf) == 0 {
				return nil, io.EOF
			}
			d.line++
			return bytes.TrimRight(buf, "\r"), nil
		default:
			d.err = &Error{File: d.file, Row: d.row + 1, Line: d.line + 1, Msg: "cannot read: " + err.Error(), Err: err}
			return nil, d.err
		}
	}
}

// jsonEvent is one JSON line; pointers tell absent keys from zero values.
type jsonEvent struct {
	ID             *string  `json:"id"`
	Date           *string  `json:"date"`
	DateEnd        *string  `json:"date_end"`
	Actor1         *string  `json:"actor1"`
	Actor2         *string  `json:"actor2"`
	Type           *string  `json:"type"`
	Subtype        *string  `json:"subtype"`
	Fatalities     *int64   `json:"fatalities"`
	Lat            *float64 `json:"lat"`
	Lon            *float64 `json:"lon"`
	Admin1         *string  `json:"admin1"`
	Location       *string  `json:"location"`
	Notes          *string  `json:"notes"`
	PrecisionPlace *int64   `json:"precision_place"`
	PrecisionDate  *int64   `json:"precision_date"`
	Deleted        *bool    `json:"deleted"`
}

func (d *jsonlDecoder) next() (Record, error) {
	if d.err != nil {
		return Record{}, d.err
	}
	var line []byte
	for {
		l, err := d.readLine()
		if err != nil {
			return Record{}, err
		}
		if len(bytes.TrimSpace(l)) > 0 {
			line = l
			break
		}
	}
	d.row++
	if msg := badText(string(line)); msg != "" {
		return Record{}, &Error{File: d.file, Row: d.row, Line: d.line, Msg: msg}
	}
	r := Record{Row: d.row, Line: d.line, Raw: append([]byte(nil), line...)}
	r.Event.Source = string(JSONL)
	if err := d.decode(line, &r); err != nil {
		return Record{}, err
	}
	return r, nil
}

// errAt returns an *Error about key in the current line.
func (d *jsonlDecoder) errAt(line []byte, key string, format string, args ...any) *Error {
	col := 0
	if key != "" {
		if i := bytes.Index(line, []byte(`"`+key+`"`)); i >= 0 {
			col = i + 1
		}
	}
	return &Error{File: d.file, Row: d.row, Line: d.line, Col: col, Column: key, Msg: fmt.Sprintf(format, args...)}
}

func (d *jsonlDecoder) decode(line []byte, r *Record) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var je jsonEvent
	if err := dec.Decode(&je); err != nil {
		return d.jsonError(line, err)
	}
	if dec.More() {
		off := int(dec.InputOffset())
		for off < len(line) && (line[off] == ' ' || line[off] == '\t') {
			off++
		}
		return &Error{File: d.file, Row: d.row, Line: d.line, Col: off + 1, Msg: "more than one JSON value on the line; want one event object per line"}
	}
	keys, err := d.topKeys(line)
	if err != nil {
		return err
	}
	ev := &r.Event
	if je.ID == nil || strings.TrimSpace(*je.ID) == "" {
		return d.errAt(line, "id", "missing or empty; every event needs an id, unique in its file")
	}
	ev.ID = strings.TrimSpace(*je.ID)
	if je.Deleted != nil && *je.Deleted {
		r.Deleted = true
		for _, k := range keys {
			if k != "id" && k != "deleted" {
				return d.errAt(line, k, `a deletion holds only "id" and "deleted": true`)
			}
		}
		return nil
	}
	var msg string
	if je.Date == nil {
		return d.errAt(line, "date", `missing; want a date such as "2015-02-15" or an RFC 3339 time`)
	}
	if ev.Date, msg = parseDate(*je.Date); msg != "" {
		return d.errAt(line, "date", "%s", msg)
	}
	if je.DateEnd != nil && *je.DateEnd != "" {
		if r.DateEnd, msg = parseDate(*je.DateEnd); msg != "" {
			return d.errAt(line, "date_end", "%s", msg)
		}
		if r.DateEnd.Before(ev.Date) {
			return d.errAt(line, "date_end", "before date; want a date on or after it")
		}
	}
	if je.Lat == nil {
		return d.errAt(line, "lat", "missing; want decimal degrees between -90 and 90")
	}
	if je.Lon == nil {
		return d.errAt(line, "lon", "missing; want decimal degrees between -180 and 180")
	}
	if v := *je.Lat; math.IsNaN(v) || v < -90 || v > 90 {
		return d.errAt(line, "lat", "%g is out of range; want decimal degrees between -90 and 90", v)
	}
	if v := *je.Lon; math.IsNaN(v) || v < -180 || v > 180 {
		return d.errAt(line, "lon", "%g is out of range; want decimal degrees between -180 and 180", v)
	}
	ev.Lat, ev.Lon = *je.Lat, *je.Lon
	if je.Fatalities != nil {
		if *je.Fatalities < 0 {
			return d.errAt(line, "fatalities", "%d is negative; want a whole number, 0 or more", *je.Fatalities)
		}
		ev.Fatalities = *je.Fatalities
	}
	for _, p := range []struct {
		v   *int64
		dst *int64
		key string
	}{{je.PrecisionPlace, &ev.PrecisionPlace, "precision_place"}, {je.PrecisionDate, &ev.PrecisionDate, "precision_date"}} {
		if p.v == nil {
			continue
		}
		if *p.v < 0 || *p.v > 99 {
			return d.errAt(line, p.key, "%d is not a precision code; want 0 (unknown) to 99, the source's own code", *p.v)
		}
		*p.dst = *p.v
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(*p)
	}
	ev.Actor1, ev.Actor2 = str(je.Actor1), str(je.Actor2)
	ev.Type, ev.Subtype = str(je.Type), str(je.Subtype)
	ev.Admin1, ev.Location, ev.Notes = str(je.Admin1), str(je.Location), str(je.Notes)
	for _, f := range []struct{ key, v string }{{"id", ev.ID}, {"actor1", ev.Actor1}, {"actor2", ev.Actor2}, {"type", ev.Type},
		{"subtype", ev.Subtype}, {"admin1", ev.Admin1}, {"location", ev.Location}, {"notes", ev.Notes}} {
		if msg := badText(f.v); msg != "" {
			return d.errAt(line, f.key, "%s", msg)
		}
	}
	return nil
}

// jsonError turns an encoding/json error into an *Error.
func (d *jsonlDecoder) jsonError(line []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &Error{File: d.file, Row: d.row, Line: d.line, Col: int(se.Offset),
			Msg: "not valid JSON: " + se.Error() + "; want one JSON object per line"}
	case errors.As(err, &te):
		key := te.Field
		want := "a string"
		switch key {
		case "fatalities", "precision_place", "precision_date":
			want = "a whole number"
		case "lat", "lon":
			want = "a number of decimal degrees"
		case "deleted":
			want = "true or false"
		case "":
			want = "a JSON object"
		}
		return d.errAt(line, key, "a JSON %s; want %s", te.Value, want)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: d.file, Row: d.row, Line: d.line, Col: len(line) + 1, Msg: "the JSON object does not end on its line; want one JSON object per line"}
	}
	msg := err.Error()
	if k, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		k = strings.Trim(k, `"`)
		if jsonComputed[k] {
			return d.errAt(line, k, "%q is not read from the data: classification computes it from the settlement; remove it", k)
		}
		keys := append([]string(nil), jsonKeys...)
		sort.Strings(keys)
		return d.errAt(line, k, "unknown key %q; keys: %s", k, strings.Join(keys, ", "))
	}
	return &Error{File: d.file, Row: d.row, Line: d.line, Msg: "not a valid event: " + strings.TrimPrefix(msg, "json: ")}
}

// topKeys returns the keys of the line's object in order, or an error for
// a key that appears twice (which encoding/json would silently resolve to
// its last value).
func (d *jsonlDecoder) topKeys(line []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil { // {
		return nil, nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys, nil
		}
		k, _ := tok.(string)
		for _, seen := range keys {
			if seen == k {
				return nil, d.errAt(line, k, "key %q appears twice; give each key once", k)
			}
		}
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys, nil
		}
	}
	return keys, nil
}

// FormatJSONL writes rec as one JSON line of the project's format (with
// its newline), the inverse of the JSON lines reader: reading the output
// back gives the same Event (less Source, which becomes "jsonl", and the
// fields classification fills), DateEnd and Deleted.
func FormatJSONL(w io.Writer, rec *Record) error {
	var m map[string]any
	if rec.Deleted {
		m = map[string]any{"id": rec.Event.ID, "deleted": true}
	} else {
		ev := &rec.Event
		m = map[string]any{"id": ev.ID, "date": formatDate(ev.Date), "lat": ev.Lat, "lon": ev.Lon}
		if !rec.DateEnd.IsZero() {
			m["date_end"] = formatDate(rec.DateEnd)
		}
		for k, v := range map[string]string{"actor1": ev.Actor1, "actor2": ev.Actor2, "type": ev.Type, "subtype": ev.Subtype,
			"admin1": ev.Admin1, "location": ev.Location, "notes": ev.Notes} {
			if v != "" {
				m[k] = v
			}
		}
		for k, v := range map[string]int64{"fatalities": ev.Fatalities, "precision_place": ev.PrecisionPlace, "precision_date": ev.PrecisionDate} {
			if v != 0 {
				m[k] = v
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("format event %s: %w", rec.Event.ID, err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// formatDate writes a date as YYYY-MM-DD when it is midnight UTC, as RFC
// 3339 otherwise.
func formatDate(t time.Time) string {
	if _, off := t.Zone(); off == 0 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339Nano)
}
