package monitor

import (
	"strings"
)

// ucdpTypes maps UCDP's type_of_violence codes to rules.Event.Type.
var ucdpTypes = map[string]string{"1": "state-based", "2": "non-state", "3": "one-sided"}

// ucdpRequired are the columns a UCDP GED file must have.
var ucdpRequired = []string{"id", "date_start", "type_of_violence", "side_a", "side_b", "best", "latitude", "longitude"}

// ucdpDecoder reads UCDP GED CSV.
type ucdpDecoder struct {
	t                                                *csvTable
	id, dateStart, tov, sideA, sideB, best, lat, lon int
	// optional columns, -1 when absent
	dateEnd, adm1, where, wherePrec, datePrec, headline int
}

func newUCDPDecoder(t *csvTable) (*ucdpDecoder, error) {
	pos, err := t.require("UCDP GED", ucdpRequired...)
	if err != nil {
		return nil, err
	}
	d := &ucdpDecoder{t: t, id: pos[0], dateStart: pos[1], tov: pos[2], sideA: pos[3], sideB: pos[4],
		best: pos[5], lat: pos[6], lon: pos[7],
		dateEnd: t.col("date_end"), adm1: t.col("adm_1"), where: t.col("where_description"),
		wherePrec: t.col("where_prec"), datePrec: t.col("date_prec"), headline: t.col("source_headline")}
	return d, nil
}

func (d *ucdpDecoder) fatal() bool { return d.t.lastErr }

func (d *ucdpDecoder) next() (Record, error) {
	t := d.t
	rec, err := t.read()
	if err != nil {
		return Record{}, err
	}
	r := Record{Row: t.row, Line: t.line}
	ev := &r.Event
	ev.Source = string(UCDP)
	ev.ID = strings.TrimSpace(rec[d.id])
	if ev.ID == "" {
		return Record{}, t.fieldErr(d.id, "empty; every event needs its UCDP id")
	}
	var msg string
	if ev.Date, msg = parseDate(rec[d.dateStart]); msg != "" {
		return Record{}, t.fieldErr(d.dateStart, "%s", msg)
	}
	if d.dateEnd >= 0 && strings.TrimSpace(rec[d.dateEnd]) != "" {
		if r.DateEnd, msg = parseDate(rec[d.dateEnd]); msg != "" {
			return Record{}, t.fieldErr(d.dateEnd, "%s", msg)
		}
		if r.DateEnd.Before(ev.Date) {
			return Record{}, t.fieldErr(d.dateEnd, "%s is before date_start %s; want a date on or after it", r.DateEnd.Format("2006-01-02"), ev.Date.Format("2006-01-02"))
		}
	}
	tov := strings.TrimSpace(rec[d.tov])
	if ev.Type = ucdpTypes[tov]; ev.Type == "" {
		return Record{}, t.fieldErr(d.tov, "%q is not a type of violence; want 1 (state-based), 2 (non-state) or 3 (one-sided)", clip(tov, 40))
	}
	ev.Actor1 = strings.TrimSpace(rec[d.sideA])
	ev.Actor2 = strings.TrimSpace(rec[d.sideB])
	if ev.Fatalities, msg = parseCount(rec[d.best], false); msg != "" {
		return Record{}, t.fieldErr(d.best, "%s", msg)
	}
	if ev.Lat, msg = parseCoord(rec[d.lat], 90); msg != "" {
		return Record{}, t.fieldErr(d.lat, "%s", msg)
	}
	if ev.Lon, msg = parseCoord(rec[d.lon], 180); msg != "" {
		return Record{}, t.fieldErr(d.lon, "%s", msg)
	}
	ev.Admin1 = optional(rec, d.adm1)
	ev.Location = optional(rec, d.where)
	ev.Notes = optional(rec, d.headline)
	var ferr *Error
	if ev.PrecisionPlace, ferr = t.code(d.wherePrec, 1, 7, "UCDP where_prec: 1 exact place … 4 first-order region, 6 country, 7 waters or airspace"); ferr != nil {
		return Record{}, ferr
	}
	if ev.PrecisionDate, ferr = t.code(d.datePrec, 1, 5, "UCDP date_prec: 1 exact day … 5 more than a month"); ferr != nil {
		return Record{}, ferr
	}
	r.Raw = t.raw()
	return r, nil
}
