package sqlite_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/sqlite"
	"github.com/entente-org/entente/store/storetest"
)

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, fmt.Sprintf("%x.db", sha256.Sum256([]byte(name)))) }
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, name string, opts store.Options) (store.Store, error) {
			return sqlite.Open(context.Background(), sqlite.Options{Path: file(name), Options: opts})
		},
		OpenDown: func(t *testing.T, opts store.Options) (store.Store, error) {
			path := filepath.Join(dir, "no-such-directory", "entente.db")
			return sqlite.Open(context.Background(), sqlite.Options{Path: path, Options: opts})
		},
		Exec: func(t *testing.T, name, query string, args ...any) {
			db, err := sql.Open("sqlite", file(name))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
	})
}
