package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/entente-org/entente/ledger"
)

func intParam(r *http.Request, name string, def int64) (int64, *Error) {
	q := r.URL.Query().Get(name)
	if q == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(q, 10, 64)
	if err != nil || n < 0 {
		return 0, errorf(http.StatusBadRequest, name, "%s=%q: want a whole number of 0 or more", name, q)
	}
	return n, nil
}

// ledgerError maps the ledger's bad-input errors to 400s and 404s.
func (s *Server) ledgerError(r *http.Request, err error) *Error {
	if errors.Is(err, ledger.ErrIndex) {
		return errorf(http.StatusNotFound, "index", "%v", err)
	}
	return s.internal(r, err)
}

func (s *Server) logStatus(w http.ResponseWriter, r *http.Request) *Error {
	limit, e := limitParam(r)
	if e != nil {
		return e
	}
	st, err := s.log.Status(r.Context(), limit)
	if err != nil {
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) logLeaf(w http.ResponseWriter, r *http.Request) *Error {
	n, err := strconv.ParseInt(r.PathValue("n"), 10, 64)
	if err != nil || n < 0 {
		return errorf(http.StatusBadRequest, "index", "leaf %q: want a leaf index, 0 or more", r.PathValue("n"))
	}
	es, err := s.log.Leaves(r.Context(), n, n+1)
	if err != nil {
		return s.ledgerError(r, err)
	}
	writeJSON(w, http.StatusOK, es[0].Info(true))
	return nil
}

func (s *Server) logCheckpoints(w http.ResponseWriter, r *http.Request) *Error {
	cps, err := s.log.Checkpoints(r.Context())
	if err != nil {
		return s.internal(r, err)
	}
	out := []ledger.Note{}
	for _, c := range cps {
		out = append(out, ledger.Note{Origin: c.Checkpoint.Origin, Size: c.Checkpoint.Size, Root: c.Checkpoint.Hash, Note: string(c.Note)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) *Error {
	c, err := s.log.Checkpoint(r.Context(), s.signer)
	if err != nil {
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, c.Result())
	return nil
}

func (s *Server) logProve(w http.ResponseWriter, r *http.Request) *Error {
	size, e := intParam(r, "size", 0)
	if e != nil {
		return e
	}
	if size == 0 {
		var err error
		if size, err = s.log.ProofSize(r.Context()); err != nil {
			return s.internal(r, err)
		}
	}
	q := r.URL.Query()
	switch {
	case q.Has("old") == q.Has("index"):
		return errorf(http.StatusBadRequest, "prove", "give index=N (inclusion) or old=M (consistency), one of them")
	case q.Has("old"):
		old, e := intParam(r, "old", 0)
		if e != nil {
			return e
		}
		p, err := s.log.ProveConsistency(r.Context(), old, size)
		if err != nil {
			return s.ledgerError(r, err)
		}
		writeJSON(w, http.StatusOK, p)
	default:
		index, e := intParam(r, "index", 0)
		if e != nil {
			return e
		}
		p, err := s.log.ProveInclusion(r.Context(), index, size)
		if err != nil {
			return s.ledgerError(r, err)
		}
		writeJSON(w, http.StatusOK, p)
	}
	return nil
}

func (s *Server) logVerify(w http.ResponseWriter, r *http.Request) *Error {
	rep, err := s.log.Verify(r.Context(), ledger.VerifyOptions{LogKey: s.signer.Verifier()})
	if err != nil {
		return s.internal(r, err)
	}
	writeJSON(w, http.StatusOK, struct {
		*ledger.Report
		Source string `json:"source"`
	}{rep, "entente serve"})
	return nil
}

func (s *Server) logKey(w http.ResponseWriter, r *http.Request) *Error {
	writeJSON(w, http.StatusOK, struct {
		Origin      string `json:"origin"`
		VerifierKey string `json:"verifier_key"`
	}{s.signer.Name(), s.signer.VerifierKey()})
	return nil
}
