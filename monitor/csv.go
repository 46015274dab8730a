package monitor

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// csvTable is a CSV file with a header row, read one record at a time.
type csvTable struct {
	file       string
	cr         *csv.Reader
	header     []string       // as written, trimmed
	index      map[string]int // lower-case name → position
	row        int            // records read after the header
	line       int            // line of the last record
	rec        []string       // last record
	pending    []string       // a record read ahead (the one after an HDX hashtag row check)
	pendingErr error          // the error reading it
	lastErr    bool           // a read failed in a way that stops the table
}

func newCSVTable(file string, r io.Reader) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	t := &csvTable{file: file, cr: cr, index: map[string]int{}}
	h, err := cr.Read()
	if err != nil {
		return nil, t.readError(err, 0)
	}
	t.header = make([]string, len(h))
	for i, name := range h {
		if msg := badText(name); msg != "" {
			line, col := cr.FieldPos(i)
			return nil, &Error{File: file, Line: line, Col: col, Msg: "column name: " + msg}
		}
		name = strings.TrimSpace(name)
		t.header[i] = name
		key := strings.ToLower(name)
		if key == "" {
			continue
		}
		if j, dup := t.index[key]; dup {
			line, col := cr.FieldPos(i)
			return nil, &Error{File: file, Line: line, Col: col, Column: name,
				Msg: fmt.Sprintf("column %q appears twice (columns %d and %d); each column name must be unique", name, j+1, i+1)}
		}
		t.index[key] = i
	}
	if len(h) == 1 {
		msg := fmt.Sprintf("the header holds one column, %q", clip(h[0], 60))
		for _, d := range []struct{ sep, name string }{{";", "semicolons"}, {"\t", "tabs"}, {"|", "vertical bars"}} {
			if strings.Contains(h[0], d.sep) {
				msg = fmt.Sprintf("the header is separated by %s, not commas; UCDP and ACLED CSV files are comma-separated (RFC 4180)", d.name)
				break
			}
		}
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: msg, Err: ErrFormat}
	}
	// HDX copies of UCDP and ACLED data carry a row of HXL hashtags
	// (#date+year, ...) under the header: skip it.
	rec, err := cr.Read()
	if err == nil {
		if isHXL(rec) {
			t.line, _ = cr.FieldPos(0)
		} else {
			t.pending = append([]string(nil), rec...)
			t.line, _ = cr.FieldPos(0)
		}
	} else if err != io.EOF {
		t.pendingErr = err
	}
	return t, nil
}

// isHXL reports whether a record is a row of HXL hashtags.
func isHXL(rec []string) bool {
	tags := 0
	for _, f := range rec {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f[0] != '#' {
			return false
		}
		tags++
	}
	return tags > 0
}

// has reports whether the header holds the column.
func (t *csvTable) has(name string) bool {
	_, ok := t.index[name]
	return ok
}

// col returns the position of a column, or -1.
func (t *csvTable) col(name string) int {
	if i, ok := t.index[name]; ok {
		return i
	}
	return -1
}

// require returns the positions of the named columns, or an error listing
// every missing one and what the format needs.
func (t *csvTable) require(format string, names ...string) ([]int, error) {
	pos := make([]int, len(names))
	var missing []string
	for i, n := range names {
		pos[i] = t.col(n)
		if pos[i] < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		what := "column"
		if len(missing) > 1 {
			what = "columns"
		}
		return nil, &Error{File: t.file, Line: 1, Column: strings.Join(missing, ", "),
			Msg: fmt.Sprintf("missing required %s %s; a %s file needs %s", what, strings.Join(missing, ", "), format, strings.Join(names, ", "))}
	}
	return pos, nil
}

// read returns the next record. Errors are *Error.
func (t *csvTable) read() ([]string, error) {
	var rec []string
	if err := t.pendingErr; err != nil {
		t.pendingErr = nil
		t.row++
		return nil, t.readError(err, t.row)
	}
	if t.pending != nil {
		rec, t.pending = t.pending, nil
	} else {
		var err error
		rec, err = t.cr.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			t.row++
			return nil, t.readError(err, t.row)
		}
		t.line, _ = t.cr.FieldPos(0)
	}
	t.row++
	t.rec = rec
	if len(rec) != len(t.header) {
		return nil, &Error{File: t.file, Row: t.row, Line: t.line, Col: 1,
			Msg: fmt.Sprintf("%d fields, but the header has %d columns; quote fields that hold commas (RFC 4180)", len(rec), len(t.header))}
	}
	for i, f := range rec {
		if msg := badText(f); msg != "" {
			return nil, t.fieldErr(i, "%s", msg)
		}
	}
	return rec, nil
}

// readError turns an encoding/csv error into an *Error.
func (t *csvTable) readError(err error, row int) error {
	var pe *csv.ParseError
	t.lastErr = true
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			msg = `a bare " inside an unquoted field; quote the field and double the " inside it (RFC 4180)`
		case errors.Is(pe.Err, csv.ErrQuote):
			msg = `a quoted field does not end, or a " follows a closing quote; double each " inside a quoted field (RFC 4180)`
		}
		return &Error{File: t.file, Row: row, Line: pe.Line, Col: pe.Column, Msg: msg, Err: pe.Err}
	}
	if row == 0 {
		if err == io.EOF {
			return &Error{File: t.file, Line: 1, Msg: "the file is empty; want a CSV header row", Err: ErrFormat}
		}
	}
	return &Error{File: t.file, Row: row, Line: t.line, Msg: "cannot read: " + err.Error(), Err: err}
}

// fieldErr returns an *Error about field i of the last record.
func (t *csvTable) fieldErr(i int, format string, args ...any) *Error {
	line, col := t.line, 0
	if i >= 0 && i < len(t.rec) {
		line, col = t.cr.FieldPos(i)
	}
	name := ""
	if i >= 0 && i < len(t.header) {
		name = t.header[i]
	}
	return &Error{File: t.file, Row: t.row, Line: line, Col: col, Column: name, Msg: fmt.Sprintf(format, args...)}
}

// columns returns the names of the header's columns, in file order, as
// Raw's values follow them: an empty name is "column" and its 1-based
// position.
func (t *csvTable) columns() []string {
	out := make([]string, len(t.header))
	for i, name := range t.header {
		if name == "" {
			name = "column" + strconv.Itoa(i+1)
		}
		out[i] = name
	}
	return out
}

// raw encodes the last record as a JSON array of its fields, in file
// order (the names are the table's columns).
func (t *csvTable) raw() []byte {
	n := 2
	for _, f := range t.rec {
		n += len(f) + 3
	}
	n += n / 16 // room for escapes
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, f := range t.rec {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f)
	}
	return append(b, ']')
}

// badText says what is wrong with a text field that is not valid UTF-8
// or holds a NUL byte, or returns "".
func badText(s string) string {
	if !utf8.ValidString(s) {
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return fmt.Sprintf("byte %d (0x%02x) is not valid UTF-8; save the file as UTF-8", i+1, s[i])
				}
			}
		}
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Sprintf("a NUL byte at byte %d; text cannot hold one", i+1)
	}
	return ""
}

// jsonSafe marks the bytes a JSON string holds as they are: printable
// ASCII but " and \, and every byte of a multi-byte UTF-8 sequence (the
// readers have checked the text is valid UTF-8).
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\' && c != 0x7f
	}
	return t
}()

// appendJSONString appends s, which must be valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if jsonSafe[c] {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// detectCSV decides the format from the header.
func detectCSV(t *csvTable) (Format, error) {
	switch {
	case t.has("event_id_cnty") && t.has("deleted_timestamp") && !t.has("event_date"):
		return ACLEDDeleted, nil
	case t.has("event_id_cnty") || (t.has("event_date") && t.has("event_type")):
		return ACLED, nil
	case t.has("type_of_violence") || (t.has("date_start") && t.has("side_a")):
		return UCDP, nil
	}
	cols := append([]string(nil), t.header...)
	sort.Strings(cols)
	return "", &Error{File: t.file, Line: 1, Err: ErrFormat,
		Msg: fmt.Sprintf("the header (%s) matches no event format; want UCDP GED CSV (with id, date_start, type_of_violence, side_a, side_b, best, latitude, longitude), ACLED CSV (with event_id_cnty, event_date, event_type, actor1, latitude, longitude, fatalities), ACLED deletions (event_id_cnty, deleted_timestamp), or JSON lines",
			clip(strings.Join(cols, ", "), 200))}
}

// clip shortens s to at most n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// parseCoord parses a latitude (max 90) or longitude (max 180).
func parseCoord(s string, max float64) (float64, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Sprintf("empty; want decimal degrees between %g and %g", -max, max)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		hint := ""
		if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
			hint = " (a decimal comma? write a point)"
		}
		return 0, fmt.Sprintf("%q is not a number%s; want decimal degrees between %g and %g", clip(s, 40), hint, -max, max)
	}
	if v < -max || v > max {
		return 0, fmt.Sprintf("%s is out of range; want decimal degrees between %g and %g", s, -max, max)
	}
	return v, ""
}

// parseCount parses a non-negative whole number, such as a fatality count;
// "12.0" is accepted. An empty field is an error unless emptyOK.
func parseCount(s string, emptyOK bool) (int64, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		if emptyOK {
			return 0, ""
		}
		return 0, "empty; want a whole number, 0 or more"
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Sprintf("%d is negative; want a whole number, 0 or more", n)
		}
		return n, ""
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && f >= 0 && f < 1<<53 {
		return int64(f), ""
	}
	return 0, fmt.Sprintf("%q is not a whole number; want 0 or more", clip(s, 40))
}

// optional returns a trimmed optional field, "" when the column is absent.
func optional(rec []string, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// code parses the optional precision code in column i of the current
// record (0 when the column is absent or empty), or returns the field's
// error; meaning says what the valid codes are.
func (t *csvTable) code(i int, lo, hi int64, meaning string) (int64, *Error) {
	if i < 0 {
		return 0, nil
	}
	n, msg := parseCode(t.rec[i], lo, hi, meaning)
	if msg != "" {
		return 0, t.fieldErr(i, "%s", msg)
	}
	return n, nil
}

// parseCode parses a precision or category code in [lo, hi]; an empty
// field is 0 (unknown).
func parseCode(s string, lo, hi int64, meaning string) (int64, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == math.Trunc(f) {
			n, err = int64(f), nil
		}
	}
	if err != nil || n < lo || n > hi {
		return 0, fmt.Sprintf("%q is not a code; want %d to %d (%s)", clip(s, 40), lo, hi, meaning)
	}
	return n, ""
}

// quickDate parses the common forms YYYY-MM-DD and UCDP's
// "YYYY-MM-DD 00:00:00.000" without time.Parse; ok is false for anything
// else, which parseDate then tries with the layouts.
func quickDate(s string) (time.Time, bool) {
	if len(s) != 10 && !(len(s) > 10 && s[10] == ' ' && strings.Trim(s[11:], "0:.") == "") {
		return time.Time{}, false
	}
	num := func(i, j int) int {
		n := 0
		for k := i; k < j; k++ {
			c := s[k]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	if s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, m, d := num(0, 4), num(5, 7), num(8, 10)
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 April, 29 February of a common year
		return time.Time{}, false
	}
	return t, true
}

// dateLayouts are the date forms the readers accept, date-only first.
var dateLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04:05.000",
	"2006-01-02 15:04:05",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2 January 2006",
	"2-January-2006",
	"2 Jan 2006",
}

// parseDate parses a date in any of dateLayouts; a date without offset is
// taken as UTC.
func parseDate(s string) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "empty; want a date such as 2015-02-15"
	}
	if t, ok := quickDate(s); ok {
		return t, ""
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1 || t.Year() > 9999 {
				break
			}
			return t, ""
		}
	}
	return time.Time{}, fmt.Sprintf("%q is not a date; want YYYY-MM-DD such as 2015-02-15 (also accepted: 2015-02-15 00:00:00.000, RFC 3339, 15 February 2015)", clip(s, 40))
}
