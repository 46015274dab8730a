package server

import (
	"context"
	"net/http"
	"time"

	"github.com/entente-org/entente/store"
)

// EventInfo is one stored event as GET /api/settlements/{id}/events lists
// it: where and when, and how the settlement classifies it.
type EventInfo struct {
	Source     string   `json:"source"`
	ID         string   `json:"id"`
	Date       string   `json:"date"`
	Side       string   `json:"side"`
	Lat        float64  `json:"lat"`
	Lon        float64  `json:"lon"`
	Zone       string   `json:"zone"`
	Violations []string `json:"violations"`
	Fatalities int64    `json:"fatalities"`
}

// events lists the stored events dated within from and to, at most limit
// (0: all), ordered by date. Events classified under an earlier version
// of the settlement are classified anew for the answer only; the store is
// not written (the next report reclassifies them in place).
func (s *Server) events(w http.ResponseWriter, r *http.Request) *Error {
	_, cl, e := s.monitoring(r)
	if e != nil {
		return e
	}
	limit, e := limitParam(r)
	if e != nil {
		return e
	}
	f, e := filterParam(r)
	if e != nil {
		return e
	}
	var evs []store.Event
	if err := s.store.View(r.Context(), func(ctx context.Context, tx store.ReadTx) error {
		var err error
		evs, err = tx.Events(ctx, f, limit)
		return err
	}); err != nil {
		return s.internal(r, err)
	}
	fp := cl.Fingerprint()
	out := make([]EventInfo, 0, len(evs))
	for i := range evs {
		ev := &evs[i]
		if ev.Fingerprint != fp {
			c, err := cl.Classify(&ev.Event)
			if err != nil {
				return s.internal(r, err)
			}
			ev.Violations = c.Rules
		}
		v := ev.Violations
		if v == nil {
			v = []string{}
		}
		out = append(out, EventInfo{Source: ev.Source, ID: ev.ID, Date: ev.Date.Format(time.DateOnly), Side: ev.Side,
			Lat: ev.Lat, Lon: ev.Lon, Zone: ev.Zone, Violations: v, Fatalities: ev.Fatalities})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
