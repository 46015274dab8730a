package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entente-org/entente/examples"
	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/postgres"
	"github.com/entente-org/entente/store/sqlite"
)

// backends are the stores every server test runs on.
var backends = []string{"sqlite", "postgres"}

// fixture is a server over a real store, seeded with ukraine-2025, with a
// token for each role.
type fixture struct {
	t      testing.TB
	srv    *Server
	h      http.Handler
	st     store.Store
	tokens map[string]string // "mediator", "party:UA", "party:RU", "monitor", "observer"
}

func openBackend(t testing.TB, backend string) store.Store {
	t.Helper()
	ctx := context.Background()
	var st store.Store
	var err error
	switch backend {
	case "sqlite":
		st, err = sqlite.Open(ctx, sqlite.Options{Path: filepath.Join(t.TempDir(), "entente.db"), Options: store.DefaultOptions()})
	case "postgres":
		st, err = postgres.Open(ctx, postgres.Options{URL: pgtest.NewDatabase(t), Options: store.DefaultOptions()})
	}
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newFixture(t testing.TB, backend string) *fixture {
	t.Helper()
	st := openBackend(t, backend)
	skey, _, err := ledger.GenerateKey("entente.test/server")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ledger.ParseSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Store: st, Signer: signer, MaxBody: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, srv: srv, h: srv.Handler(), st: st, tokens: map[string]string{}}
	src, files := exampleFiles(t)
	if _, err := srv.SaveSettlement(context.Background(), "ukraine-2025", src, 0, files); err != nil {
		t.Fatalf("seed: %v", err)
	}
	for _, k := range []struct{ key, role, party string }{
		{"mediator", store.RoleMediator, ""}, {"party:UA", store.RoleParty, "UA"}, {"party:RU", store.RoleParty, "RU"},
		{"monitor", store.RoleMonitor, ""}, {"observer", store.RoleObserver, ""},
	} {
		secret, _, err := CreateToken(context.Background(), st, k.role, k.party, k.key)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[k.key] = secret
	}
	return f
}

func exampleFiles(t testing.TB) ([]byte, map[string]string) {
	t.Helper()
	src, err := fs.ReadFile(examples.FS, "ukraine-2025/settlement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, name := range []string{"zones.geojson", "line.geojson"} {
		b, err := fs.ReadFile(examples.FS, "ukraine-2025/"+name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	return src, files
}

// response is one answer of the handler.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body, failing the test when it is not JSON.
func (r response) json(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("status %d: the body is not JSON: %v\n%.300s", r.status, err, r.body)
	}
	return v
}

// errorCode returns the body's error code, failing unless it is a JSON
// error with the response's status.
func (r response) errorCode(t testing.TB) string {
	t.Helper()
	var e struct {
		Error *Error `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == nil {
		t.Fatalf("status %d: want a JSON error, got %.300s", r.status, r.body)
	}
	if e.Error.Status != r.status || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("status %d: malformed error %+v", r.status, e.Error)
	}
	return e.Error.Code
}

// do sends a request as who ("" for no token; otherwise a key of
// f.tokens, or "raw:HEADER" for a literal Authorization header).
func (f *fixture) do(method, path, who string, body any) response {
	f.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
		ctype = "application/octet-stream"
	case string:
		rd = strings.NewReader(b)
		ctype = "application/json"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
		ctype = "application/json"
	}
	req := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	switch {
	case who == "":
	case strings.HasPrefix(who, "raw:"):
		req.Header.Set("Authorization", strings.TrimPrefix(who, "raw:"))
	default:
		tok, ok := f.tokens[who]
		if !ok {
			f.t.Fatalf("no token %q", who)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// ok sends a request and fails unless it answers 200 with JSON.
func (f *fixture) ok(method, path, who string, body any) response {
	f.t.Helper()
	r := f.do(method, path, who, body)
	if r.status != http.StatusOK {
		f.t.Fatalf("%s %s as %s: status %d: %.500s", method, path, who, r.status, r.body)
	}
	r.json(f.t)
	return r
}

// eachBackend runs fn on a fresh fixture per store.
func eachBackend(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			fn(t, newFixture(t, b))
		})
	}
}
