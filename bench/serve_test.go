package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entente-org/entente/examples"
	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/server"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/postgres"
	"github.com/entente-org/entente/store/sqlite"
)

// serveClients is the number of client goroutines, each with its own
// keep-alive connection, that load the server.
const serveClients = 16

// serveEnv is a real HTTP server on loopback over server.New, seeded as
// entente serve seeds an empty store, with a mediator token.
type serveEnv struct {
	// token is a mediator's, partyToken Ukraine's.
	url, token, partyToken string
	client                 *http.Client
	log                    *ledger.Log
	// appended counts the leaves the requests appended.
	appended atomic.Int64
}

// newServeEnv starts the server on a fresh store of the backend
// ("sqlite" or "postgres") whose log holds logLeaves rulings.
func newServeEnv(b *testing.B, backend string, logLeaves int) *serveEnv {
	b.Helper()
	ctx := context.Background()
	var st store.Store
	var err error
	switch backend {
	case "sqlite":
		st, err = sqlite.Open(ctx, sqlite.Options{Path: filepath.Join(b.TempDir(), "entente.db"), Options: store.DefaultOptions()})
	case "postgres":
		st, err = postgres.Open(ctx, postgres.Options{URL: pgtest.NewDatabase(b), Options: store.DefaultOptions()})
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	skey, _, err := ledger.GenerateKey("entente.bench/serve")
	if err != nil {
		b.Fatal(err)
	}
	signer, err := ledger.ParseSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Signer: signer})
	if err != nil {
		b.Fatal(err)
	}
	src, err := fs.ReadFile(examples.FS, "ukraine-2025/settlement.yaml")
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]string{}
	for _, name := range []string{"zones.geojson", "line.geojson"} {
		f, err := fs.ReadFile(examples.FS, "ukraine-2025/"+name)
		if err != nil {
			b.Fatal(err)
		}
		files[name] = string(f)
	}
	if _, err := srv.SaveSettlement(ctx, "ukraine-2025", src, 0, files); err != nil {
		b.Fatal(err)
	}
	token, _, err := server.CreateToken(ctx, st, store.RoleMediator, "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	partyToken, _, err := server.CreateToken(ctx, st, store.RoleParty, "UA", "bench")
	if err != nil {
		b.Fatal(err)
	}
	l, err := ledger.New(store.LogStorage(st), ledger.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	var leaves []ledger.Leaf
	for i := range logLeaves {
		lf, err := ledger.NewLeaf(ledger.KindRuling, time.Now(), fmt.Appendf(nil, `{"ruling": %d, "finding": "a violation of the ceasefire near Pokrovsk"}`, i))
		if err != nil {
			b.Fatal(err)
		}
		leaves = append(leaves, lf)
	}
	if len(leaves) > 0 {
		if _, err := l.Append(ctx, leaves...); err != nil {
			b.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	b.Cleanup(func() { hs.Close() })
	tr := &http.Transport{MaxIdleConns: serveClients, MaxIdleConnsPerHost: serveClients, MaxConnsPerHost: serveClients, IdleConnTimeout: time.Minute}
	b.Cleanup(tr.CloseIdleConnections)
	return &serveEnv{url: "http://" + ln.Addr().String(), token: token, partyToken: partyToken, client: &http.Client{Transport: tr, Timeout: time.Minute}, log: l}
}

// do sends one request and reads the whole response (so that the
// connection is kept alive); anything but 200 is an error.
func (e *serveEnv) do(method, path, token string, body []byte) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, r)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	return err
}

// tokenFor returns the token case c sends.
func (e *serveEnv) tokenFor(c serveCase) string {
	switch c.auth {
	case "mediator":
		return e.token
	case "party":
		return e.partyToken
	}
	return ""
}

// serveCase is one kind of request the load test sends.
type serveCase struct {
	name   string
	method string
	path   string
	auth   string               // "": no token, "mediator" or "party"
	body   func(i int64) []byte // nil: no body
}

var serveCases = []serveCase{
	{name: "healthz", method: "GET", path: "/healthz"},
	{name: "whoami", method: "GET", path: "/api/whoami", auth: "mediator"},
	{name: "guarantees", method: "GET", path: "/api/settlements/ukraine-2025/guarantees", auth: "mediator"},
	{name: "deals", method: "GET", path: "/api/settlements/ukraine-2025/deals", auth: "mediator"},
	{name: "deals-as-party", method: "GET", path: "/api/settlements/ukraine-2025/deals", auth: "party"},
	{name: "log-limit-20", method: "GET", path: "/api/log?limit=20", auth: "mediator"},
	{name: "ruling", method: http.MethodPost, path: "/api/rulings", auth: "mediator", body: func(i int64) []byte {
		return fmt.Appendf(nil, `{"ruling": %d, "finding": "a violation of the ceasefire near Kupiansk"}`, i)
	}},
}

// BenchmarkServe loads a real HTTP server on loopback (server.New over
// SQLite, then over PostgreSQL, each seeded with ukraine-2025 and a log of
// 1,000 rulings) with serveClients goroutines on keep-alive connections,
// b.N requests in all, and reports the throughput and the latency
// percentiles of each kind of request: /healthz (the HTTP stack alone),
// /api/whoami (authentication alone), the cached guarantee and deal-space
// analyses (the deal space also as a party sees it, redacted on every
// request), the log's latest 20 leaves, and rulings (each a log append;
// appends are serialised by the store; afterwards the log must pass Fsck
// with every append in it). The clients run in the same
// process as the server, on the same cores.
func BenchmarkServe(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		env := newServeEnv(b, backend, 1000)
		for _, c := range serveCases {
			if c.body == nil {
				// Warm the analysis caches, as a running server's are.
				if err := env.do(c.method, c.path, env.tokenFor(c), nil); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(backend+"/"+c.name, func(b *testing.B) { serveLoad(b, env, c) })
		}
		// The appends under load made one linear log.
		rep, err := env.log.Fsck(context.Background())
		if err != nil || !rep.OK || rep.Size != 1000+env.appended.Load() {
			b.Fatalf("%s: the log after the load: %+v %v, want %d leaves", backend, rep, err, 1000+env.appended.Load())
		}
	}
}

// serveLoad sends b.N requests of case c from serveClients goroutines and
// reports requests/s and the p50, p99 and maximum latencies.
func serveLoad(b *testing.B, env *serveEnv, c serveCase) {
	var next atomic.Int64
	lat := make([][]time.Duration, serveClients)
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for k := range serveClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) || failed.Load() != nil {
					return
				}
				var body []byte
				if c.body != nil {
					body = c.body(i)
				}
				t0 := time.Now()
				if err := env.do(c.method, c.path, env.tokenFor(c), body); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				lat[k] = append(lat[k], time.Since(t0))
				if c.method == http.MethodPost {
					env.appended.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-ms")
}
