package monitor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entente-org/entente/rules"
)

// Format names an event file format that [NewReader] recognises.
type Format string

// The formats NewReader recognises.
const (
	// UCDP is the UCDP Georeferenced Event Dataset (GED) as CSV: the full
	// 49-column layout, HDX's copy of it, or any subset of its columns
	// that holds the required ones.
	UCDP Format = "ucdp"
	// ACLED is ACLED's event export as CSV (the Data Export Tool or the
	// API's read.csv).
	ACLED Format = "acled"
	// ACLEDDeleted is the CSV of ACLED's deleted endpoint: the ids of
	// events ACLED has withdrawn, with the time of deletion.
	ACLEDDeleted Format = "acled-deleted"
	// JSONL is the project's own JSON lines: one JSON object per line
	// (docs/monitoring.md).
	JSONL Format = "jsonl"
)

// Source returns the value of rules.Event.Source for events of the
// format: "ucdp", "acled" (for both ACLED layouts) or "jsonl".
func (f Format) Source() string {
	if f == ACLEDDeleted {
		return string(ACLED)
	}
	return string(f)
}

// Record is one record of an event file.
//
// Event holds the fields the file gives; Side, OtherSide, Zone and
// DistanceKm are left for [Classifier.Classify] to fill. A deletion
// record (ACLED's deleted endpoint, or a JSON line with "deleted": true)
// has Deleted set and only Event.ID and Event.Source filled.
type Record struct {
	Event rules.Event
	// DateEnd is the last day of the event when the data gives one (UCDP
	// date_end, JSON lines date_end); zero otherwise.
	DateEnd time.Time
	// Row is the 1-based number of the record among the file's records:
	// a CSV header (and an HDX hashtag row under it) is not counted, nor
	// is a blank JSON line.
	Row int
	// Line is the 1-based line of the file at which the record starts.
	Line int
	// Raw holds the record as the file gives it, for history: for CSV a
	// JSON array of every field, ["value", ...], in the file's column
	// order, whose names [Reader.Columns] gives; for JSON lines the line
	// itself.
	Raw []byte
	// Deleted marks a deletion record: the source withdrew the event.
	Deleted bool
	// DeletedAt is when the source deleted the event (ACLED's
	// deleted_timestamp); zero when unknown.
	DeletedAt time.Time
}

// Key returns the event's natural key, source and id: "ucdp:147997".
func (r *Record) Key() string { return r.Event.Source + ":" + r.Event.ID }

// ErrFormat is returned (wrapped in an *Error) by NewReader when a file's
// header matches none of the formats.
var ErrFormat = errors.New("unrecognised event file format")

// Error is a problem in an event file, at a record and column. Every error
// NewReader and Reader.Next return for bad input is an *Error (use
// errors.As); I/O errors are wrapped in one too.
type Error struct {
	File string
	// Row is the record number (Record.Row); 0 for the header.
	Row int
	// Line and Col locate the problem in the file, 1-based (Col counts
	// bytes); 0 when unknown.
	Line, Col int
	// Column names the CSV column or the JSON key; "" when the problem is
	// the whole record.
	Column string
	// Msg says what is wrong and what would be valid.
	Msg string
	// Err is the underlying error, if any (ErrFormat, an I/O error).
	Err error
}

// Error formats the error as "file:line:col: row N, column C: msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Row > 0 {
		fmt.Fprintf(&b, "row %d", e.Row)
	} else {
		b.WriteString("header")
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// MaxLineBytes is the longest JSON line, and the longest CSV record, a
// Reader accepts (16 MiB).
const MaxLineBytes = 16 << 20

// Reader reads the records of one event file. It is not safe for
// concurrent use.
type Reader struct {
	name    string
	format  Format
	dec     decoder
	columns []string // CSV only
	fatal   error    // sticky: header and I/O errors
}

// decoder reads the records of one format.
type decoder interface {
	next() (Record, error)
	// fatal reports whether the last error leaves the reader unusable.
	fatal() bool
}

// NewReader returns a reader of the event file r, named name in errors.
// It detects the format from the start of the file: a '{' makes it JSON
// lines; otherwise the CSV header decides (see docs/monitoring.md for the
// columns each format needs). A UTF-8 byte order mark is skipped. It
// reads the header now and fails with an *Error if it is not valid: no
// known format (wrapping ErrFormat), a wrong delimiter, a missing
// required column, a repeated column.
func NewReader(name string, r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	first, err := firstByte(br)
	if err != nil {
		return nil, &Error{File: name, Line: 1, Msg: "cannot read: " + err.Error(), Err: err}
	}
	rd := &Reader{name: name}
	switch first {
	case 0:
		return nil, &Error{File: name, Line: 1, Msg: "the file is empty; want a UCDP GED or ACLED CSV with a header row, or JSON lines", Err: ErrFormat}
	case '{':
		rd.format = JSONL
		rd.dec = newJSONLDecoder(name, br)
		return rd, nil
	case '[':
		return nil, &Error{File: name, Line: 1, Col: 1, Msg: "a JSON array; want JSON lines: one event object per line, no enclosing [ ]", Err: ErrFormat}
	}
	t, err := newCSVTable(name, br)
	if err != nil {
		return nil, err
	}
	rd.columns = t.columns()
	rd.format, err = detectCSV(t)
	if err != nil {
		return nil, err
	}
	switch rd.format {
	case UCDP:
		rd.dec, err = newUCDPDecoder(t)
	case ACLED:
		rd.dec, err = newACLEDDecoder(t)
	case ACLEDDeleted:
		rd.dec, err = newACLEDDeletedDecoder(t)
	}
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// firstByte returns the first byte that is not white space, without
// consuming it, or 0 at the end of the input.
func firstByte(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i {
			if err == io.EOF || err == nil {
				return 0, nil
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				return 0, nil
			}
			return 0, err
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n':
			if i >= 4096 {
				return 0, nil
			}
		default:
			return c, nil
		}
	}
}

// Name returns the file name the reader was given.
func (r *Reader) Name() string { return r.name }

// Columns returns the names of a CSV file's columns, in file order: the
// names of the values of each [Record.Raw] (an empty header name is
// "column" and its 1-based position). It is nil for JSON lines, whose Raw
// is the line itself.
func (r *Reader) Columns() []string { return r.columns }

// Format returns the detected format.
func (r *Reader) Format() Format { return r.format }

// Next returns the next record, or io.EOF after the last one. A bad
// record gives an *Error naming the file, row, line and column; Next may
// then be called again to go on with the following record, so that a
// caller can report every bad row. After an I/O error, or a CSV record
// that cannot be split into fields, Next returns that error again.
func (r *Reader) Next() (Record, error) {
	if r.fatal != nil {
		return Record{}, r.fatal
	}
	rec, err := r.dec.next()
	if err != nil && (err == io.EOF || r.dec.fatal()) {
		r.fatal = err
	}
	return rec, err
}

// ReadAll reads every record of r. It stops at the first error.
func ReadAll(r *Reader) ([]Record, error) {
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}
