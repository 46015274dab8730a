package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/entente-org/entente/check"
	"github.com/entente-org/entente/settlement"
	"github.com/entente-org/entente/store"
)

// A settlement's included files (its zones and line GeoJSON, say) are
// stored as documents named "ID/FILE" beside the settlement's document
// "ID"; settlement ids hold no "/".

// view is a settlement as one principal may see it: the composed source,
// the loaded settlement and its check findings.
type view struct {
	doc       *store.Document
	positions []store.Position
	// name is the settlement's file name in positions: "ID/settlement.yaml".
	name   string
	source []byte
	s      *settlement.Settlement
	// findings are check's findings on source (nil when source is
	// malformed: err says why).
	findings settlement.Findings
	err      error
	// key identifies the stored state the view was composed from.
	key string
	// files are the settlement's included files, by "ID/FILE".
	files map[string][]byte
}

// load reads settlement id and composes it: in full for the mediator
// (and for joint results, only), or with only party's position.
func (s *Server) load(ctx context.Context, id, only string) (*view, *Error) {
	if id == "" || strings.ContainsAny(id, "/\\") {
		return nil, errorf(http.StatusNotFound, "no-settlement", "no settlement %q", id)
	}
	v := &view{name: id + "/settlement.yaml"}
	files := map[string][]byte{}
	var cached *view
	// The stamp of the stored state comes first, in the same transaction
	// as the reads it spares: a cached view is one composed from exactly
	// that state.
	err := s.store.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		stamp, err := tx.Stamp(ctx, id)
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(id + "\x00" + stamp + "\x00" + only))
		v.key = hex.EncodeToString(sum[:])
		if c, ok := s.cached("view", v.key); ok {
			cached = c.(*view)
			return nil
		}
		if v.doc, err = tx.Document(ctx, id); err != nil {
			return err
		}
		if v.positions, err = tx.Positions(ctx, id); err != nil {
			return err
		}
		docs, err := tx.Documents(ctx)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if strings.HasPrefix(d.ID, id+"/") {
				files[d.ID] = d.Source
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "no-settlement", "no settlement %q (GET /api/settlements lists them)", id)
	}
	if err != nil {
		return nil, errorf(http.StatusServiceUnavailable, "store", "the store cannot be read: %v", err)
	}
	if cached != nil {
		return cached, nil
	}
	pos := map[string][]byte{}
	for _, p := range v.positions {
		pos[p.Party] = p.Content
	}
	v.files = files
	v.source, v.err = compose(v.doc.Source, pos, only)
	if v.err == nil {
		v.s, v.findings, v.err = parseView(v.name, v.source, files)
	}
	s.remember("view", v.key, v)
	return v, nil
}

// parseView loads a composed source whose included files are among
// files, and checks it.
func parseView(name string, source []byte, files map[string][]byte) (*settlement.Settlement, settlement.Findings, error) {
	opts := settlement.Options{ReadFile: func(name string) ([]byte, error) {
		if b, ok := files[path.Clean(name)]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("%s: no such file stored with the settlement", name)
	}}
	st, loaded, err := settlement.Parse(name, source, opts)
	if err != nil {
		return nil, nil, err
	}
	return st, check.Settlement(st, loaded), nil
}

// usable returns an error unless the view loads without errors (a red
// line nobody can satisfy is not one: deals analyses it).
func (v *view) usable(p *Principal) *Error {
	if v.err != nil {
		return errorf(http.StatusUnprocessableEntity, "malformed", "the settlement does not load: %v", v.err)
	}
	n := 0
	for _, f := range v.findings {
		if f.Severity == settlement.Error && f.Code != "red-line-unsatisfiable" {
			n++
		}
	}
	if n > 0 {
		e := errorf(http.StatusUnprocessableEntity, "settlement-errors", "the settlement has %d errors; GET .../check lists them", n)
		if p.Role == store.RoleMediator {
			e.Details = check.NewReport(v.findings, false)
		}
		return e
	}
	return nil
}

// cached returns a remembered result.
func (s *Server) cached(kind, key string) (any, bool) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	v, ok := s.cache[kind+"\x00"+key]
	return v, ok
}

// remember keeps a result for the stored state key: results depend on
// nothing else, so they never go stale, only unused (the cache is
// emptied when it grows past 256 entries).
func (s *Server) remember(kind, key string, v any) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if len(s.cache) >= 256 {
		clear(s.cache)
	}
	s.cache[kind+"\x00"+key] = v
}
