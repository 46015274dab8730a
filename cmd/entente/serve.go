package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/entente-org/entente/examples"
	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/server"
	"github.com/entente-org/entente/server/ui"
	"github.com/entente-org/entente/store"
)

// serveFlags are the flags serve and token share: where the store and
// the log key live.
type serveFlags struct {
	db, data, key *string
}

func addServeFlags(fs interface {
	String(name, value, usage string) *string
}) serveFlags {
	return serveFlags{
		db:   fs.String("db", "", "the store: a SQLite file `PATH` or a postgres:// URL (default: DATA/entente.db)"),
		data: fs.String("data", "entente-data", "the `DIR` for the default SQLite store and the log key"),
		key:  fs.String("key", "", "the log's private key `FILE` (default: DATA/"+keyBase+".key, made on first start); every server on one store needs the same key"),
	}
}

// serveKeyName is the origin of the checkpoints entente serve signs
// unless --key names another key.
const serveKeyName = "entente.local/serve"

var keyBase = strings.ReplaceAll(serveKeyName, "/", "_")

func (f serveFlags) dbValue() string {
	if *f.db != "" {
		return *f.db
	}
	return filepath.Join(*f.data, "entente.db")
}

// open opens the store, making the data directory for a SQLite file.
func (f serveFlags) open(ctx context.Context) (store.Store, string, error) {
	db := f.dbValue()
	if !isPostgres(db) {
		if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
			return nil, "", &inputError{err: fmt.Errorf("--db %s: %w", db, err)}
		}
	}
	st, err := openStore(ctx, db, store.DefaultOptions(), false)
	if err != nil {
		return nil, "", storeError(err)
	}
	return st, db, nil
}

// signer reads the log key, making it on first start when --key is not
// given.
func (f serveFlags) signer() (*ledger.Signer, string, error) {
	path := *f.key
	if path == "" {
		path = filepath.Join(*f.data, keyBase+".key")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if _, _, err := ledger.WriteKeyPair(*f.data, serveKeyName); err != nil {
				return nil, "", inputErr(err)
			}
		}
	}
	s, err := ledger.ReadSigner(path)
	if err != nil {
		return nil, "", inputErr(fmt.Errorf("--key: %w", err))
	}
	return s, path, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "", "Serves the JSON API (GET /openapi.json lists it), the web UI at /, /healthz, /readyz and\n"+
		"/metrics. On first start with an empty store it loads the ukraine-2025 example and prints\n"+
		"a mediator token (and writes it to DATA/mediator.token); make more with entente token create.\n"+
		"Stops gracefully on SIGINT or SIGTERM. docs/server.md describes the roles and routes.", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "the `HOST:PORT` to listen on (port 0: any free port)")
	sf := addServeFlags(fs)
	seed := fs.Bool("seed", true, "load the ukraine-2025 example and make a mediator token when the store is empty")
	timeout := fs.Duration("analysis-timeout", 60*time.Second, "the longest one analysis (deals, guarantees) may run")
	quiet := fs.Bool("quiet", false, "log warnings and errors only (default: one JSON line per request, on stderr)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return usageErrorf("serve takes no arguments")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	signer, keyPath, err := sf.signer()
	if err != nil {
		return err
	}
	st, db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := server.New(server.Config{Store: st, Signer: signer, Logger: logger, UI: ui.Assets(), AnalysisTimeout: *timeout})
	if err != nil {
		return err
	}
	var token string
	if *seed {
		if token, err = seedStore(ctx, srv, st, *sf.data); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return &inputError{err: fmt.Errorf("--addr %s: %w", *addr, err)}
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "entente serve: %s (store %s, log key %s)\n", url, db, keyPath)
	if token != "" {
		fmt.Fprintf(stdout, "a mediator token (shown once; also in %s):\n  %s\nopen %s/#token=%s\n",
			filepath.Join(*sf.data, "mediator.token"), token, url, token)
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", "30s")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	fmt.Fprintln(stdout, "entente serve: stopped")
	return nil
}

// seedStore loads the ukraine-2025 example into an empty store and makes
// a mediator token when there is none; it returns the token's secret ("" when
// none was made).
func seedStore(ctx context.Context, srv *server.Server, st store.Store, data string) (string, error) {
	var docs []store.Document
	var tokens []store.Token
	if err := st.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		var err error
		if docs, err = tx.Documents(ctx); err != nil {
			return err
		}
		tokens, err = tx.Tokens(ctx)
		return err
	}); err != nil {
		return "", storeError(err)
	}
	if len(docs) == 0 {
		src, err := fs.ReadFile(examples.FS, "ukraine-2025/settlement.yaml")
		if err != nil {
			return "", err
		}
		files := map[string]string{}
		for _, name := range []string{"zones.geojson", "line.geojson"} {
			b, err := fs.ReadFile(examples.FS, "ukraine-2025/"+name)
			if err != nil {
				return "", err
			}
			files[name] = string(b)
		}
		// Another server starting on the same store may have seeded it
		// first: a version conflict is that, not an error.
		var ae *server.Error
		if _, err := srv.SaveSettlement(ctx, "ukraine-2025", src, 0, files); err != nil && !(errors.As(err, &ae) && ae.Code == "version") {
			return "", fmt.Errorf("seed ukraine-2025: %w", err)
		}
	}
	if len(tokens) > 0 {
		return "", nil
	}
	// Look again and make the token in one transaction: of servers
	// starting at once on one store, one makes it.
	secret, hash, err := server.NewToken()
	if err != nil {
		return "", err
	}
	made := false
	if err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		made = false
		ts, err := tx.Tokens(ctx)
		if err != nil || len(ts) > 0 {
			return err
		}
		_, err = tx.PutToken(ctx, store.Token{Hash: hash, Role: store.RoleMediator, Label: "first start", Created: time.Now().UTC()})
		made = err == nil
		return err
	}); err != nil {
		return "", storeError(err)
	}
	if !made {
		return "", nil
	}
	if err := os.MkdirAll(data, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(data, "mediator.token"), []byte(secret+"\n"), 0o600)
	}
	return secret, nil
}
