package sqlite_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/sqlite"
	"github.com/entente-org/entente/store/storetest"
)

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, name string, opts store.Options) (store.Store, error) {
			path := filepath.Join(dir, fmt.Sprintf("%x.db", sha256.Sum256([]byte(name))))
			return sqlite.Open(context.Background(), sqlite.Options{Path: path, Options: opts})
		},
		OpenDown: func(t *testing.T, opts store.Options) (store.Store, error) {
			path := filepath.Join(dir, "no-such-directory", "entente.db")
			return sqlite.Open(context.Background(), sqlite.Options{Path: path, Options: opts})
		},
	})
}
