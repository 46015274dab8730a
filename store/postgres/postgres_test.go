package postgres_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/postgres"
	"github.com/entente-org/entente/store/storetest"
)

func TestConformance(t *testing.T) {
	db := pgtest.NewDatabase(t) // one fresh database for the run, one schema per test
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, name string, opts store.Options) (store.Store, error) {
			url := pgtest.Schema(t, db, fmt.Sprintf("t_%x", sha256.Sum256([]byte(name)))[:40])
			return postgres.Open(context.Background(), postgres.Options{URL: url, Options: opts})
		},
		OpenDown: func(t *testing.T, opts store.Options) (store.Store, error) {
			url := "postgres://postgres@127.0.0.1:1/entente?sslmode=disable" // nothing listens on port 1
			return postgres.Open(context.Background(), postgres.Options{URL: url, Options: opts})
		},
	})
}
