package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestOpenAPI: every route is documented, and every documented route
// answers (as the mediator) with JSON from its own handler, not the
// mux's "404 page not found".
func TestOpenAPI(t *testing.T) {
	f := newFixture(t, "sqlite")
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(f.ok("GET", "/openapi.json", "", nil).body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := 0
	for _, rt := range f.srv.routes {
		op, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("%s %s is not documented", rt.method, rt.path)
			continue
		}
		if op["summary"] == "" || op["operationId"] == "" {
			t.Errorf("%s %s: no summary or operationId", rt.method, rt.path)
		}
		for _, name := range regexp.MustCompile(`\{([a-z]+)\}`).FindAllStringSubmatch(rt.path, -1) {
			found := false
			ps, _ := op["parameters"].([]any)
			for _, p := range ps {
				found = found || p.(map[string]any)["name"] == name[1]
			}
			if !found {
				t.Errorf("%s %s: path parameter %s undocumented", rt.method, rt.path, name[1])
			}
		}
	}
	f.ok("POST", "/api/rulings", "monitor", map[string]string{"ruling": "first"})
	f.ok("POST", "/api/log/checkpoint", "mediator", nil)
	for path, ops := range doc.Paths {
		for method := range ops {
			documented++
			rt := route{method: strings.ToUpper(method), path: path}
			p, body := f.requestFor(rt, "mediator")
			r := f.do(rt.method, p, "mediator", body)
			if r.status == http.StatusNotFound && !bytes.HasPrefix(bytes.TrimSpace(r.body), []byte("{")) || r.status == http.StatusMethodNotAllowed {
				t.Errorf("documented %s %s does not answer: %d %s", rt.method, path, r.status, r.body)
				continue
			}
			if r.status != http.StatusOK {
				t.Errorf("documented %s %s: status %d: %.300s", rt.method, path, r.status, r.body)
			}
		}
	}
	if documented != len(f.srv.routes) {
		t.Errorf("%d documented operations, %d routes", documented, len(f.srv.routes))
	}
	// Undocumented paths are the mux's 404.
	if r := f.do("GET", "/api/nothing", "mediator", nil); r.status != http.StatusNotFound {
		t.Errorf("GET /api/nothing: %d", r.status)
	}
}

// TestBadInput: malformed JSON, unknown fields, oversized bodies, wrong
// tokens and content types each get a JSON error with a 4xx status.
func TestBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		pos := "/api/settlements/ukraine-2025/positions/UA"
		cases := []struct {
			name, method, path, who string
			body                    any
			status                  int
			code                    string
		}{
			{"no token", "GET", "/api/settlements", "", nil, 401, "no-token"},
			{"unknown token", "GET", "/api/settlements", "raw:Bearer ent_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, 401, "bad-token"},
			{"basic auth", "GET", "/api/settlements", "raw:Basic dXNlcjpwYXNz", nil, 401, "bad-token"},
			{"not our token", "GET", "/api/settlements", "raw:Bearer abc", nil, 401, "bad-token"},
			{"huge token", "GET", "/api/settlements", "raw:Bearer ent_" + strings.Repeat("A", 5000), nil, 401, "bad-token"},
			{"malformed JSON", "PUT", pos, "party:UA", `{"content": `, 400, "json"},
			{"not an object", "PUT", pos, "party:UA", `[1,2]`, 400, "json"},
			{"wrong type", "PUT", pos, "party:UA", `{"content": 5}`, 400, "json"},
			{"unknown field", "PUT", pos, "party:UA", `{"content": "party: UA", "red_lines": []}`, 400, "unknown-field"},
			{"trailing data", "PUT", pos, "party:UA", `{"content": "party: UA"} {}`, 400, "json"},
			{"empty body", "PUT", pos, "party:UA", "", 400, "json"},
			{"oversized", "PUT", pos, "party:UA", `{"content": "` + strings.Repeat("x", 70<<10) + `"}`, 413, "too-large"},
			{"malformed settlement", "PUT", "/api/settlements/other", "mediator", PutSettlement{Source: "id: [x"}, 422, "malformed"},
			{"not YAML", "PUT", pos, "party:UA", `{"content": "party: [UA"}`, 422, "position"},
			{"other party's data", "GET", "/api/settlements/ukraine-2025/positions/RU", "party:UA", nil, 403, "other-party"},
			{"role", "PUT", "/api/settlements/ukraine-2025", "party:UA", `{}`, 403, "forbidden"},
			{"no settlement", "GET", "/api/settlements/nowhere/deals", "mediator", nil, 404, "no-settlement"},
			{"bad limit", "GET", "/api/settlements/ukraine-2025/deals?limit=-1", "mediator", nil, 400, "limit"},
			{"bad limit word", "GET", "/api/settlements/ukraine-2025/guarantees?limit=all", "mediator", nil, 400, "limit"},
			{"bad date", "GET", "/api/settlements/ukraine-2025/report?from=2025-13-01", "monitor", nil, 400, "filter"},
			{"inverted dates", "GET", "/api/settlements/ukraine-2025/report?from=2025-10-01&to=2025-09-01", "monitor", nil, 400, "filter"},
			{"bad events", "POST", "/api/settlements/ukraine-2025/events?name=x.csv", "monitor", []byte("a,b\n1,2\n"), 422, "bad-events"},
			{"empty events", "POST", "/api/settlements/ukraine-2025/events", "monitor", []byte{}, 400, "empty"},
			{"settlement id mismatch", "PUT", "/api/settlements/other", "mediator", PutSettlement{Source: "id: x\ntitle: y\n"}, 422, "id-mismatch"},
			{"settlement stale version", "PUT", "/api/settlements/ukraine-2025", "mediator", func() any {
				src, files := exampleFiles(t)
				return PutSettlement{Source: string(src), Version: 0, Files: files}
			}(), 409, "version"},
			{"leaf out of range", "GET", "/api/log/leaves/99999", "observer", nil, 404, ""},
			{"leaf not a number", "GET", "/api/log/leaves/x", "observer", nil, 400, ""},
			{"ruling not JSON", "POST", "/api/rulings", "monitor", `{"a":`, 400, "json"},
			{"publish unknown kind", "POST", "/api/settlements/ukraine-2025/publish", "mediator", `{"kind": "everything"}`, 400, "kind"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := f.do(c.method, c.path, c.who, c.body)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %.300s", r.status, c.status, r.body)
				}
				code := r.errorCode(t)
				if c.code != "" && code != c.code {
					t.Fatalf("code %q, want %q: %s", code, c.code, r.body)
				}
			})
		}
		// Content-Type must be JSON when given.
		req := httptest.NewRequest("PUT", pos, strings.NewReader(`{"content": "party: UA"}`))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "Bearer "+f.tokens["party:UA"])
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnsupportedMediaType {
			t.Fatalf("text/plain body: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestRevokedToken: a revoked token is refused within the token cache's
// time to live.
func TestRevokedToken(t *testing.T) {
	f := newFixture(t, "sqlite")
	var who Principal
	if err := json.Unmarshal(f.ok("GET", "/api/whoami", "party:RU", nil).body, &who); err != nil || who.Role != "party" || who.Party != "RU" {
		t.Fatalf("whoami: %+v %v", who, err)
	}
	if err := f.st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error { return tx.RevokeToken(ctx, who.TokenID) }); err != nil {
		t.Fatal(err)
	}
	// Servers trust a token they have checked for tokenCacheTTL.
	deadline := time.Now().Add(tokenCacheTTL + 2*time.Second)
	for {
		r := f.do("GET", "/api/whoami", "party:RU", nil)
		if r.status == http.StatusUnauthorized {
			if code := r.errorCode(t); code != "revoked-token" {
				t.Fatalf("revoked: code %s", code)
			}
			break
		}
		if r.status != http.StatusOK || time.Now().After(deadline) {
			t.Fatalf("a revoked token still answers %d after %v: %s", r.status, tokenCacheTTL+2*time.Second, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOperations: health, readiness, metrics, and a cancelled analysis.
func TestOperations(t *testing.T) {
	f := newFixture(t, "sqlite")
	f.ok("GET", "/healthz", "", nil)
	f.ok("GET", "/readyz", "", nil)
	f.ok("GET", "/api/settlements", "observer", nil)
	r := f.do("GET", "/metrics", "", nil)
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`entente_http_requests_total{method="GET",route="/api/settlements",status="200"} 1`)) ||
		!bytes.Contains(r.body, []byte("entente_http_request_duration_seconds_bucket")) {
		t.Fatalf("metrics: %d %.2000s", r.status, r.body)
	}
	// A client that has gone away stops the analysis.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/api/settlements/ukraine-2025/deals", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+f.tokens["mediator"])
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("cancelled deals: %d %s", rec.Code, rec.Body)
	}
	// Readiness follows the store.
	f.st.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := f.do("GET", "/readyz", "", nil)
		if r.status == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz with the store closed: %d", r.status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
