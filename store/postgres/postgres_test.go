package postgres_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/postgres"
	"github.com/entente-org/entente/store/storetest"
)

func TestConformance(t *testing.T) {
	db := pgtest.NewDatabase(t)     // one fresh database for the run, one schema per test
	conns := map[string]*pgx.Conn{} // Exec's connections, one per database
	schema := func(t *testing.T, name string) string {
		return pgtest.Schema(t, db, fmt.Sprintf("t_%x", sha256.Sum256([]byte(name)))[:40])
	}
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, name string, opts store.Options) (store.Store, error) {
			return postgres.Open(context.Background(), postgres.Options{URL: schema(t, name), Options: opts})
		},
		OpenDown: func(t *testing.T, opts store.Options) (store.Store, error) {
			url := "postgres://postgres@127.0.0.1:1/entente?sslmode=disable" // nothing listens on port 1
			return postgres.Open(context.Background(), postgres.Options{URL: url, Options: opts})
		},
		Exec: func(t *testing.T, name, query string, args ...any) {
			ctx := context.Background()
			conn := conns[name]
			if conn == nil {
				var err error
				if conn, err = pgx.Connect(ctx, schema(t, name)); err != nil {
					t.Fatal(err)
				}
				conns[name] = conn
				t.Cleanup(func() { conn.Close(ctx); delete(conns, name) })
			}
			pgtest.Exec(t, conn, query, args...)
		},
	})
}
