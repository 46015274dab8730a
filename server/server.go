package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/store"
)

// Config configures a Server.
type Config struct {
	// Store holds everything; the Server does not close it.
	Store store.Store
	// Signer signs the log's checkpoints; its verifier checks them.
	Signer *ledger.Signer
	// Logger receives one structured line per request (default: discard).
	Logger *slog.Logger
	// UI is served at / (the embedded web UI); nil serves none.
	UI fs.FS
	// MaxBody bounds JSON request bodies (default 1 MiB); MaxUpload bounds
	// event files (default 256 MiB).
	MaxBody, MaxUpload int64
	// AnalysisTimeout bounds one analysis (default 60 s); it is also
	// cancelled when the client goes away.
	AnalysisTimeout time.Duration
}

// Server is the HTTP face of entente. It is safe for concurrent use.
type Server struct {
	store  store.Store
	log    *ledger.Log
	signer *ledger.Signer
	logger *slog.Logger
	cfg    Config
	routes []route
	mux    *http.ServeMux

	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	cacheMu sync.Mutex
	cache   map[string]any
	tokens  *tokenCache
}

// route is one API route: the single source of the mux, the role checks
// and the OpenAPI document.
type route struct {
	method, path string
	roles        []string // nil: no token needed
	summary      string
	params       []param
	body         string // the request body's schema, "" for none
	handler      func(w http.ResponseWriter, r *http.Request) *Error
}

type param struct {
	name, in, desc string
	required       bool
}

// New returns a Server over cfg.Store.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Signer == nil {
		return nil, fmt.Errorf("server: a store and a log signer are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 256 << 20
	}
	if cfg.AnalysisTimeout <= 0 {
		cfg.AnalysisTimeout = 60 * time.Second
	}
	l, err := ledger.New(store.LogStorage(cfg.Store), ledger.DefaultOptions())
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{store: cfg.Store, log: l, signer: cfg.Signer, logger: cfg.Logger, cfg: cfg, mux: http.NewServeMux(), cache: map[string]any{}, tokens: newTokenCache()}
	s.registry = prometheus.NewRegistry()
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "entente_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "entente_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"route"})
	s.registry.MustRegister(s.requests, s.duration)
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.mux.Handle("GET /metrics", s.instrument("/metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})))
	if cfg.UI != nil {
		s.mux.Handle("GET /", s.instrument("/", http.FileServerFS(cfg.UI)))
	}
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// requestInfo is what the request's log line says beyond the request.
type requestInfo struct{ principal *Principal }

type requestKey struct{}

// instrument counts, times and logs a handler's requests under name.
func (s *Server) instrument(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestKey{}, info))
		defer func() {
			if v := recover(); v != nil {
				s.logger.Error("panic", "route", name, "panic", fmt.Sprint(v))
				if sw.status == 0 {
					writeError(sw, errorf(http.StatusInternalServerError, "internal", "internal error; see the server's log"))
				}
			}
			d := time.Since(start)
			st := sw.status
			if st == 0 {
				st = http.StatusOK
			}
			s.requests.WithLabelValues(name, r.Method, strconv.Itoa(st)).Inc()
			s.duration.WithLabelValues(name).Observe(d.Seconds())
			attrs := []any{"method", r.Method, "route", name, "path", r.URL.Path, "status", st, "duration_ms", float64(d.Microseconds()) / 1000}
			if p := info.principal; p != nil {
				attrs = append(attrs, "role", p.Role, "party", p.Party)
			}
			s.logger.Info("request", attrs...)
		}()
		h.ServeHTTP(sw, r)
	})
}

// wrap turns a route into a handler: authentication, the role check,
// then the route's own handler, whose error is written as JSON.
func (s *Server) wrap(rt route) http.Handler {
	return s.instrument(rt.path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.roles != nil {
			p, e := s.authenticate(r)
			if e != nil {
				writeError(w, e)
				return
			}
			if !p.allowed(rt.roles) {
				writeError(w, errorf(http.StatusForbidden, "forbidden", "a %s token may not %s %s (allowed: %v)", p.Role, rt.method, rt.path, rt.roles))
				return
			}
			if info, ok := r.Context().Value(requestKey{}).(*requestInfo); ok {
				info.principal = p
			}
		}
		if e := rt.handler(w, r); e != nil {
			writeError(w, e)
		}
	}))
}

// internal logs err and returns a 500 that reveals nothing of it; a
// request the client gave up on is a 499-like 503.
func (s *Server) internal(r *http.Request, err error) *Error {
	if r.Context().Err() != nil {
		return errorf(http.StatusServiceUnavailable, "cancelled", "the request was cancelled")
	}
	s.logger.Error("internal error", "path", r.URL.Path, "err", err)
	return errorf(http.StatusInternalServerError, "internal", "internal error; see the server's log")
}
