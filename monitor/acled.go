package monitor

import (
	"strconv"
	"strings"
	"time"
)

// acledRequired are the columns an ACLED export must have.
var acledRequired = []string{"event_id_cnty", "event_date", "event_type", "actor1", "latitude", "longitude", "fatalities"}

// acledDecoder reads ACLED's CSV export.
type acledDecoder struct {
	t                                           *csvTable
	id, date, typ, actor1, lat, lon, fatalities int
	// optional columns, -1 when absent
	subtype, actor2, admin1, location, geoPrec, timePrec, notes int
}

func newACLEDDecoder(t *csvTable) (*acledDecoder, error) {
	pos, err := t.require("ACLED", acledRequired...)
	if err != nil {
		return nil, err
	}
	return &acledDecoder{t: t, id: pos[0], date: pos[1], typ: pos[2], actor1: pos[3], lat: pos[4], lon: pos[5], fatalities: pos[6],
		subtype: t.col("sub_event_type"), actor2: t.col("actor2"), admin1: t.col("admin1"), location: t.col("location"),
		geoPrec: t.col("geo_precision"), timePrec: t.col("time_precision"), notes: t.col("notes")}, nil
}

func (d *acledDecoder) fatal() bool { return d.t.lastErr }

func (d *acledDecoder) next() (Record, error) {
	t := d.t
	rec, err := t.read()
	if err != nil {
		return Record{}, err
	}
	r := Record{Row: t.row, Line: t.line}
	ev := &r.Event
	ev.Source = string(ACLED)
	if ev.ID = strings.TrimSpace(rec[d.id]); ev.ID == "" {
		return Record{}, t.fieldErr(d.id, "empty; every event needs its ACLED id, such as UKR12345")
	}
	var msg string
	if ev.Date, msg = parseDate(rec[d.date]); msg != "" {
		return Record{}, t.fieldErr(d.date, "%s", msg)
	}
	if ev.Type = strings.TrimSpace(rec[d.typ]); ev.Type == "" {
		return Record{}, t.fieldErr(d.typ, "empty; want an ACLED event type such as Battles or Explosions/Remote violence")
	}
	ev.Actor1 = strings.TrimSpace(rec[d.actor1])
	if ev.Lat, msg = parseCoord(rec[d.lat], 90); msg != "" {
		return Record{}, t.fieldErr(d.lat, "%s", msg)
	}
	if ev.Lon, msg = parseCoord(rec[d.lon], 180); msg != "" {
		return Record{}, t.fieldErr(d.lon, "%s", msg)
	}
	if ev.Fatalities, msg = parseCount(rec[d.fatalities], false); msg != "" {
		return Record{}, t.fieldErr(d.fatalities, "%s", msg)
	}
	ev.Subtype = optional(rec, d.subtype)
	ev.Actor2 = optional(rec, d.actor2)
	ev.Admin1 = optional(rec, d.admin1)
	ev.Location = optional(rec, d.location)
	ev.Notes = optional(rec, d.notes)
	var ferr *Error
	if ev.PrecisionPlace, ferr = t.code(d.geoPrec, 1, 3, "ACLED geo_precision: 1 the place, 2 near it, 3 the region"); ferr != nil {
		return Record{}, ferr
	}
	if ev.PrecisionDate, ferr = t.code(d.timePrec, 1, 3, "ACLED time_precision: 1 the day, 2 the week, 3 the month"); ferr != nil {
		return Record{}, ferr
	}
	r.Raw = t.raw()
	return r, nil
}

// acledDeletedDecoder reads the CSV of ACLED's deleted endpoint.
type acledDeletedDecoder struct {
	t           *csvTable
	id, deleted int
}

func newACLEDDeletedDecoder(t *csvTable) (*acledDeletedDecoder, error) {
	pos, err := t.require("ACLED deletions", "event_id_cnty", "deleted_timestamp")
	if err != nil {
		return nil, err
	}
	return &acledDeletedDecoder{t: t, id: pos[0], deleted: pos[1]}, nil
}

func (d *acledDeletedDecoder) fatal() bool { return d.t.lastErr }

func (d *acledDeletedDecoder) next() (Record, error) {
	t := d.t
	rec, err := t.read()
	if err != nil {
		return Record{}, err
	}
	r := Record{Row: t.row, Line: t.line, Deleted: true}
	r.Event.Source = string(ACLED)
	if r.Event.ID = strings.TrimSpace(rec[d.id]); r.Event.ID == "" {
		return Record{}, t.fieldErr(d.id, "empty; every deletion names the ACLED id of the deleted event")
	}
	s := strings.TrimSpace(rec[d.deleted])
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n < 1<<37 {
		r.DeletedAt = time.Unix(n, 0).UTC()
	} else if at, msg := parseDate(s); msg == "" {
		r.DeletedAt = at
	} else {
		return Record{}, t.fieldErr(d.deleted, "%q is not a time; want Unix seconds such as 1658707200, or a date", clip(s, 40))
	}
	r.Raw = t.raw()
	return r, nil
}
