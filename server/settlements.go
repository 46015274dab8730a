package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entente-org/entente/check"
	"github.com/entente-org/entente/dealspace"
	"github.com/entente-org/entente/guarantee"
	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/settlement"
	"github.com/entente-org/entente/store"
)

// SettlementInfo is one entry of GET /api/settlements.
type SettlementInfo struct {
	ID      string      `json:"id"`
	Title   string      `json:"title"`
	Version int64       `json:"version"`
	Updated time.Time   `json:"updated"`
	Parties []PartyInfo `json:"parties"`
}

// PartyInfo names a party.
type PartyInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) *Error {
	writeJSON(w, http.StatusOK, principalOf(r))
	return nil
}

func (s *Server) listSettlements(w http.ResponseWriter, r *http.Request) *Error {
	var docs []store.Document
	if err := s.store.View(r.Context(), func(ctx context.Context, tx store.ReadTx) error {
		var err error
		docs, err = tx.Documents(ctx)
		return err
	}); err != nil {
		return s.internal(r, err)
	}
	out := []SettlementInfo{}
	for _, d := range docs {
		if strings.Contains(d.ID, "/") {
			continue
		}
		info := SettlementInfo{ID: d.ID, Version: d.Version, Updated: d.Updated, Parties: []PartyInfo{}}
		if v, e := s.load(r.Context(), d.ID, nobody); e == nil && v.s != nil {
			info.Title = v.s.Title
			for _, p := range v.s.Parties {
				info.Parties = append(info.Parties, PartyInfo{p.ID, p.Name})
			}
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// viewFor loads the settlement of the request's {id} as its principal
// may see it: in full for the mediator and observers (who see results,
// not sources), with only its own position for a party.
func (s *Server) viewFor(r *http.Request) (*view, *Error) {
	p := principalOf(r)
	only := ""
	if p.Role == store.RoleParty {
		only = p.Party
	}
	return s.load(r.Context(), r.PathValue("id"), only)
}

// SettlementSource is GET /api/settlements/{id}.
type SettlementSource struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	// Source is the settlement as the requester may see it: positions
	// merged (for a party, its own only). Findings' lines refer to it.
	Source string `json:"source"`
}

func (s *Server) getSettlement(w http.ResponseWriter, r *http.Request) *Error {
	v, e := s.viewFor(r)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, SettlementSource{ID: v.doc.ID, Version: v.doc.Version, Source: string(v.source)})
	return nil
}

// PutSettlement is the body of PUT /api/settlements/{id}.
type PutSettlement struct {
	// Source is the settlement's YAML; its id must be the path's.
	Source string `json:"source"`
	// Version is the version the change was made from (0 to create).
	Version int64 `json:"version"`
	// Files are the files the settlement includes (zones, line), by the
	// name it gives them.
	Files map[string]string `json:"files,omitempty"`
}

func (s *Server) putSettlement(w http.ResponseWriter, r *http.Request) *Error {
	body, e := decode[PutSettlement](w, r, s.cfg.MaxUpload)
	if e != nil {
		return e
	}
	id := r.PathValue("id")
	doc, err := s.SaveSettlement(r.Context(), id, []byte(body.Source), body.Version, body.Files)
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return ae
		}
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}{doc.ID, doc.Version})
	return nil
}

// SaveSettlement stores a new version of settlement id (and its files),
// after checking that it loads and names itself id.
func (s *Server) SaveSettlement(ctx context.Context, id string, src []byte, version int64, files map[string]string) (*store.Document, error) {
	if id == "" || strings.ContainsAny(id, "/\\") {
		return nil, errorf(http.StatusBadRequest, "bad-id", "a settlement id holds no '/': %q", id)
	}
	opts := settlement.Options{ReadFile: func(name string) ([]byte, error) {
		if b, ok := files[strings.TrimPrefix(name, id+"/")]; ok {
			return []byte(b), nil
		}
		return nil, fmt.Errorf("%s: not among the files sent (send it in files)", strings.TrimPrefix(name, id+"/"))
	}}
	parsed, _, err := settlement.Parse(id+"/settlement.yaml", src, opts)
	if err != nil {
		var me *settlement.MalformedError
		if errors.As(err, &me) {
			return nil, &Error{Status: http.StatusUnprocessableEntity, Code: "malformed", Message: fmt.Sprintf("%s: %s", me.Pos, me.Msg)}
		}
		return nil, errorf(http.StatusUnprocessableEntity, "malformed", "%v", err)
	}
	if parsed.ID != id {
		return nil, errorf(http.StatusUnprocessableEntity, "id-mismatch", "the settlement's id is %q, but it is sent as %q", parsed.ID, id)
	}
	var doc *store.Document
	err = s.store.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		doc, err = tx.PutDocument(ctx, store.Document{ID: id, Source: src, Version: version, Updated: time.Now().UTC()})
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			fid := id + "/" + name
			cur, err := tx.Document(ctx, fid)
			v := int64(0)
			if err == nil {
				v = cur.Version
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if _, err := tx.PutDocument(ctx, store.Document{ID: fid, Source: []byte(files[name]), Version: v, Updated: time.Now().UTC()}); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, errorf(http.StatusConflict, "version", "settlement %s was revised since version %d: read it again and reapply the change", id, version)
	}
	return doc, err
}

func (s *Server) check(w http.ResponseWriter, r *http.Request) *Error {
	v, e := s.viewFor(r)
	if e != nil {
		return e
	}
	if v.err != nil {
		return errorf(http.StatusUnprocessableEntity, "malformed", "the settlement does not load: %v", v.err)
	}
	writeJSON(w, http.StatusOK, check.NewReport(v.findings, false))
	return nil
}

// filterParam reads ?from=D&to=D, the days an events query covers.
func filterParam(r *http.Request) (store.Filter, *Error) {
	f := store.Filter{From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	if err := f.Check(); err != nil {
		return f, errorf(http.StatusBadRequest, "filter", "%v", err)
	}
	return f, nil
}

// limitParam reads ?limit=N (0 or absent: all).
func limitParam(r *http.Request) (int, *Error) {
	q := r.URL.Query().Get("limit")
	if q == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 0 {
		return 0, errorf(http.StatusBadRequest, "limit", "limit=%q: want a count of 0 or more (0: all)", q)
	}
	return n, nil
}

// deals analyses the joint deal space and redacts it for a party. The
// encoded answer is kept for each stored state, limit and reader.
func (s *Server) deals(w http.ResponseWriter, r *http.Request) *Error {
	d, key, e := s.jointDeals(r)
	if e != nil {
		return e
	}
	p := principalOf(r)
	reader := ""
	if p.Role == store.RoleParty {
		reader = p.Party
	}
	s.writeCached(w, "deals.json", key+"\x00"+reader, !d.TimedOut, func() any {
		if reader != "" {
			return redactDeals(d, reader)
		}
		return d
	})
	return nil
}

// writeCached writes the encoded answer kept under kind and key, or
// encodes what result gives, writes it and (if keep) keeps it: a cached
// analysis is encoded once, not on every request.
func (s *Server) writeCached(w http.ResponseWriter, kind, key string, keep bool, result func() any) {
	if b, ok := s.cached(kind, key); ok {
		writeEncoded(w, http.StatusOK, b.([]byte))
		return
	}
	b := encodeJSON(result())
	if keep {
		s.remember(kind, key, b)
	}
	writeEncoded(w, http.StatusOK, b)
}

// jointDeals is the deal-space result of the whole settlement, every
// position included, unredacted, and the key of the state and limit it
// was computed for.
func (s *Server) jointDeals(r *http.Request) (*dealspace.Deals, string, *Error) {
	limit, e := limitParam(r)
	if e != nil {
		return nil, "", e
	}
	v, e := s.load(r.Context(), r.PathValue("id"), "")
	if e != nil {
		return nil, "", e
	}
	if e := v.usable(principalOf(r)); e != nil {
		return nil, "", e
	}
	key := v.key + "\x00" + strconv.Itoa(limit)
	if d, ok := s.cached("deals", key); ok {
		return d.(*dealspace.Deals), key, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.AnalysisTimeout)
	defer cancel()
	opts := dealspace.DefaultOptions()
	if limit > 0 {
		opts.FrontierWork = 1 << 21
	}
	res, err := dealspace.Analyze(ctx, v.s, opts)
	if r.Context().Err() != nil {
		return nil, "", errorf(http.StatusServiceUnavailable, "cancelled", "the client went away; the analysis was stopped")
	}
	if err != nil && res == nil {
		if principalOf(r).Role != store.RoleMediator {
			// The message may quote any party's rules.
			return nil, "", errorf(http.StatusUnprocessableEntity, "deals", "the deal space cannot be analysed; the mediator can see why")
		}
		return nil, "", errorf(http.StatusUnprocessableEntity, "deals", "%v", err)
	}
	timedOut := err != nil && errors.Is(err, context.DeadlineExceeded)
	d := res.Deals(v.name, res.Frontier.List(limit, dealspace.MaxList), limit, timedOut)
	if err == nil {
		s.remember("deals", key, d)
	}
	return d, key, nil
}

func (s *Server) guarantees(w http.ResponseWriter, r *http.Request) *Error {
	limit, e := limitParam(r)
	if e != nil {
		return e
	}
	res, key, e := s.guaranteeResults(r, limit)
	if e != nil {
		return e
	}
	s.writeCached(w, "guarantees.json", key, true, func() any { return res })
	return nil
}

func (s *Server) guaranteeResults(r *http.Request, limit int) (*guarantee.Results, string, *Error) {
	v, e := s.load(r.Context(), r.PathValue("id"), nobody)
	if e != nil {
		return nil, "", e
	}
	if e := v.usable(principalOf(r)); e != nil {
		return nil, "", e
	}
	key := v.key + "\x00" + strconv.Itoa(limit)
	if g, ok := s.cached("guarantees", key); ok {
		return g.(*guarantee.Results), key, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.AnalysisTimeout)
	defer cancel()
	opts := guarantee.DefaultOptions()
	opts.ListLimit = limit
	out := &guarantee.Results{File: v.name, Guarantees: []guarantee.Result{}}
	for _, g := range v.s.Guarantees {
		rep, err := guarantee.Analyze(ctx, g, opts)
		if err != nil {
			if r.Context().Err() != nil {
				return nil, "", errorf(http.StatusServiceUnavailable, "cancelled", "the client went away; the analysis was stopped")
			}
			return nil, "", errorf(http.StatusServiceUnavailable, "timeout", "the analysis of guarantee %s ran out of time", g.ID)
		}
		out.Guarantees = append(out.Guarantees, rep.Result(opts))
	}
	s.remember("guarantees", key, out)
	return out, key, nil
}

// PositionInfo is one stored revision of a position.
type PositionInfo struct {
	Party    string    `json:"party"`
	Revision int64     `json:"revision"`
	Hash     string    `json:"hash"`
	Time     time.Time `json:"time"`
	LogIndex int64     `json:"log_index"`
	Content  string    `json:"content"`
}

func positionInfo(p store.Position) PositionInfo {
	return PositionInfo{Party: p.Party, Revision: p.Revision, Hash: p.Hash, Time: p.Time, LogIndex: p.LogIndex, Content: string(p.Content)}
}

func (s *Server) positions(w http.ResponseWriter, r *http.Request) *Error {
	p := principalOf(r)
	id := r.PathValue("id")
	if _, e := s.load(r.Context(), id, nobody); e != nil {
		return e
	}
	var ps []store.Position
	if err := s.store.View(r.Context(), func(ctx context.Context, tx store.ReadTx) error {
		var err error
		ps, err = tx.Positions(ctx, id)
		return err
	}); err != nil {
		return s.internal(r, err)
	}
	out := []PositionInfo{}
	for _, x := range ps {
		if p.forParty(x.Party) {
			out = append(out, positionInfo(x))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) positionHistory(w http.ResponseWriter, r *http.Request) *Error {
	id, party := r.PathValue("id"), r.PathValue("party")
	if !principalOf(r).forParty(party) {
		return errorf(http.StatusForbidden, "other-party", "a party token reads its own position only, not %s's", party)
	}
	if _, e := s.load(r.Context(), id, nobody); e != nil {
		return e
	}
	var ps []store.Position
	if err := s.store.View(r.Context(), func(ctx context.Context, tx store.ReadTx) error {
		var err error
		ps, err = tx.PositionHistory(ctx, id, party)
		return err
	}); err != nil && !errors.Is(err, store.ErrNotFound) {
		return s.internal(r, err)
	}
	out := []PositionInfo{}
	for _, x := range ps {
		out = append(out, positionInfo(x))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PutPosition is the body of PUT /api/settlements/{id}/positions/{party}.
type PutPosition struct {
	// Content is the YAML of one entry of the settlement's positions.
	Content string `json:"content"`
}

// PositionRecord is the content of a position revision's log leaf: the
// revision's hash, never its content.
type PositionRecord struct {
	Settlement string `json:"settlement"`
	Party      string `json:"party"`
	Revision   int64  `json:"revision"`
	SHA256     string `json:"sha256"`
}

func (s *Server) putPosition(w http.ResponseWriter, r *http.Request) *Error {
	id, party := r.PathValue("id"), r.PathValue("party")
	p := principalOf(r)
	if !p.forParty(party) {
		return errorf(http.StatusForbidden, "other-party", "a party token revises its own position only, not %s's", party)
	}
	body, e := decode[PutPosition](w, r, s.cfg.MaxBody)
	if e != nil {
		return e
	}
	content := []byte(body.Content)
	if err := checkPosition(content, party); err != nil {
		return errorf(http.StatusUnprocessableEntity, "position", "%v", err)
	}
	base, e := s.load(r.Context(), id, party)
	if e != nil {
		return e
	}
	known := false
	if base.s != nil {
		for _, x := range base.s.Parties {
			known = known || x.ID == party
		}
	}
	if !known {
		return errorf(http.StatusNotFound, "no-party", "settlement %s has no party %q", id, party)
	}
	// The party's view with the new position must load without errors in
	// that position.
	if src, err := compose(base.doc.Source, map[string][]byte{party: content}, party); err != nil {
		return errorf(http.StatusUnprocessableEntity, "position", "%v", err)
	} else if _, fs, err := parseView(base.name, src, base.files); err != nil {
		return errorf(http.StatusUnprocessableEntity, "position", "%v", err)
	} else {
		// The errors the position brings: those of the party's view that
		// the settlement without positions does not have.
		public, e := s.load(r.Context(), id, nobody)
		if e != nil {
			return e
		}
		before := map[string]int{}
		for _, f := range public.findings {
			if f.Severity == settlement.Error {
				before[f.Code+"\x00"+f.Message]++
			}
		}
		var errs settlement.Findings
		for _, f := range fs {
			if f.Severity != settlement.Error {
				continue
			}
			if k := f.Code + "\x00" + f.Message; before[k] > 0 {
				before[k]--
				continue
			}
			errs = append(errs, f)
		}
		if len(errs) > 0 {
			e := errorf(http.StatusUnprocessableEntity, "position-errors", "the position has %d errors (details list them, with lines in the settlement as you see it)", len(errs))
			e.Details = check.NewReport(errs, false)
			return e
		}
	}
	sum := sha256.Sum256(content)
	pos := store.Position{Settlement: id, Party: party, Content: content, Hash: hex.EncodeToString(sum[:]), Time: time.Now().UTC()}
	var stored *store.Position
	err := s.store.Update(r.Context(), func(ctx context.Context, tx store.Tx) error {
		hist, err := tx.PositionHistory(ctx, id, party)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		rec, _ := json.Marshal(PositionRecord{Settlement: id, Party: party, Revision: int64(len(hist)) + 1, SHA256: pos.Hash})
		leaf, err := ledger.NewLeaf(ledger.KindPosition, pos.Time, rec)
		if err != nil {
			return err
		}
		if pos.LogIndex, err = ledger.AppendTx(ctx, tx.LogTx(), leaf); err != nil {
			return err
		}
		stored, err = tx.PutPosition(ctx, pos)
		if err == nil && stored.Revision != int64(len(hist))+1 {
			return fmt.Errorf("position revision %d, logged as %d", stored.Revision, len(hist)+1)
		}
		return err
	})
	if err != nil {
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, positionInfo(*stored))
	return nil
}
