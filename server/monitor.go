package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/mission"
	"github.com/entente-org/entente/monitor"
	"github.com/entente-org/entente/store"
)

// monitoring loads the settlement of {id} with its classifier.
func (s *Server) monitoring(r *http.Request) (*view, *monitor.Classifier, *Error) {
	v, e := s.load(r.Context(), r.PathValue("id"), nobody)
	if e != nil {
		return nil, nil, e
	}
	if e := v.usable(principalOf(r)); e != nil {
		return nil, nil, e
	}
	if v.s.Monitoring == nil {
		return nil, nil, errorf(http.StatusUnprocessableEntity, "no-monitoring", "settlement %s has no monitoring section", v.doc.ID)
	}
	cl, err := monitor.NewClassifier(v.s, monitor.DefaultOptions())
	if err != nil {
		return nil, nil, errorf(http.StatusUnprocessableEntity, "monitoring", "%v", err)
	}
	return v, cl, nil
}

// ingest stores an uploaded event file (UCDP or ACLED CSV, or JSON lines,
// detected from its header) as one batch, all or nothing.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request) *Error {
	v, cl, e := s.monitoring(r)
	if e != nil {
		return e
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload"
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return errorf(http.StatusRequestEntityTooLarge, "too-large", "the file exceeds %d bytes", s.cfg.MaxUpload)
		}
		return errorf(http.StatusBadRequest, "body", "reading the file: %v", err)
	}
	if len(body) == 0 {
		return errorf(http.StatusBadRequest, "empty", "send the event file as the body (UCDP GED CSV, ACLED CSV or JSON lines)")
	}
	q := r.URL.Query()
	res, err := mission.Ingest(r.Context(), s.store, cl, []mission.Input{mission.BytesInput(name, body)},
		mission.IngestOptions{Settlement: v.doc.ID, Full: q.Get("full") == "true", From: q.Get("scope_from"), To: q.Get("scope_to")})
	if err != nil {
		var ie *mission.InputError
		var me *monitor.Error
		if errors.As(err, &ie) || errors.As(err, &me) || errors.Is(err, store.ErrInvalid) || errors.Is(err, mission.ErrBadRecord) {
			return errorf(http.StatusUnprocessableEntity, "bad-events", "nothing stored: %v", err)
		}
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) *Error {
	v, cl, e := s.monitoring(r)
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
	out, err := mission.Tally(r.Context(), s.store, v.s, cl, mission.ReportOptions{Settlement: v.doc.ID, Filter: f, Unattributed: limit,
		Store: "entente serve", NoRecord: r.Method == http.MethodGet})
	if err != nil {
		var ie *mission.InputError
		if errors.As(err, &ie) {
			return errorf(http.StatusBadRequest, "report", "%v", err)
		}
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// zones returns the settlement's zones and line as one GeoJSON
// FeatureCollection; each feature's properties say which ("kind": "zone"
// or "line").
func (s *Server) zones(w http.ResponseWriter, r *http.Request) *Error {
	v, e := s.load(r.Context(), r.PathValue("id"), nobody)
	if e != nil {
		return e
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   any            `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	out := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	if v.s != nil && v.s.Monitoring != nil {
		m := v.s.Monitoring
		add := func(kind string, fc any) {
			b, err := json.Marshal(fc)
			if err != nil {
				return
			}
			var parsed struct {
				Features []feature `json:"features"`
			}
			if json.Unmarshal(b, &parsed) != nil {
				return
			}
			for _, f := range parsed.Features {
				if f.Properties == nil {
					f.Properties = map[string]any{}
				}
				f.Properties["kind"] = kind
				out.Features = append(out.Features, f)
			}
		}
		if m.ZoneFeatures != nil {
			add("zone", m.ZoneFeatures)
		}
		if m.LineFeatures != nil {
			add("line", m.LineFeatures)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ruling appends a ruling (any JSON document) to the log.
func (s *Server) ruling(w http.ResponseWriter, r *http.Request) *Error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, ledger.MaxContentSize))
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "too-large", "a ruling holds at most %d bytes", ledger.MaxContentSize)
	}
	leaf, err := ledger.NewLeaf(ledger.KindRuling, time.Now().UTC(), body)
	if err != nil {
		return errorf(http.StatusBadRequest, "json", "%v", err)
	}
	out, err := s.log.AppendInfo(r.Context(), leaf)
	if err != nil {
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PublishRequest is the body of POST /api/settlements/{id}/publish.
type PublishRequest struct {
	// Kind is deals, guarantees or report.
	Kind string `json:"kind"`
}

// publish stores and logs a result as every observer may see it.
func (s *Server) publish(w http.ResponseWriter, r *http.Request) *Error {
	body, e := decode[PublishRequest](w, r, s.cfg.MaxBody)
	if e != nil {
		return e
	}
	var result any
	switch body.Kind {
	case "deals":
		d, _, e := s.jointDeals(r)
		if e != nil {
			return e
		}
		result = redactDeals(d, nobody)
	case "guarantees":
		g, _, e := s.guaranteeResults(r, 0)
		if e != nil {
			return e
		}
		result = g
	case "report":
		v, cl, e := s.monitoring(r)
		if e != nil {
			return e
		}
		rep, err := mission.Tally(r.Context(), s.store, v.s, cl, mission.ReportOptions{Settlement: v.doc.ID, Unattributed: 0, Store: "entente serve", NoRecord: true})
		if err != nil {
			return s.internal(r, err)
		}
		result = rep.Report
	default:
		return errorf(http.StatusBadRequest, "kind", "kind %q: publish deals, guarantees or report", body.Kind)
	}
	content, err := json.Marshal(struct {
		Settlement string `json:"settlement"`
		Kind       string `json:"kind"`
		Result     any    `json:"result"`
	}{r.PathValue("id"), body.Kind, result})
	if err != nil {
		return s.internal(r, err)
	}
	pub := store.Publication{Settlement: r.PathValue("id"), Kind: body.Kind, Content: content, Time: time.Now().UTC(), LogIndex: -1}
	err = s.store.Update(r.Context(), func(ctx context.Context, tx store.Tx) error {
		if len(content) <= ledger.MaxContentSize {
			leaf, err := ledger.NewLeaf(ledger.KindPublication, pub.Time, content)
			if err != nil {
				return err
			}
			if pub.LogIndex, err = ledger.AppendTx(ctx, tx.LogTx(), leaf); err != nil {
				return err
			}
		}
		p, err := tx.Publish(ctx, pub)
		if err == nil {
			pub = *p
		}
		return err
	})
	if err != nil {
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, publicationInfo(pub))
	return nil
}

// PublicationInfo is a published result.
type PublicationInfo struct {
	ID       int64           `json:"id"`
	Kind     string          `json:"kind"`
	Time     time.Time       `json:"time"`
	LogIndex int64           `json:"log_index"`
	Content  json.RawMessage `json:"content"`
}

func publicationInfo(p store.Publication) PublicationInfo {
	return PublicationInfo{ID: p.ID, Kind: p.Kind, Time: p.Time, LogIndex: p.LogIndex, Content: p.Content}
}

func (s *Server) published(w http.ResponseWriter, r *http.Request) *Error {
	id := r.PathValue("id")
	if _, e := s.load(r.Context(), id, nobody); e != nil {
		return e
	}
	var ps []store.Publication
	if err := s.store.View(r.Context(), func(ctx context.Context, tx store.ReadTx) error {
		var err error
		ps, err = tx.Publications(ctx, id)
		return err
	}); err != nil {
		return s.internal(r, err)
	}
	out := []PublicationInfo{}
	for _, p := range ps {
		out = append(out, publicationInfo(p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
