package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/sqlite"
)

// A database whose schema is newer than this program, and a file that is
// not a database, are refused with clear errors.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	s, err := sqlite.Open(ctx, sqlite.DefaultOptions(newer))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_version (version, applied) VALUES (99, 'later')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := sqlite.Open(ctx, sqlite.DefaultOptions(newer)); !errors.Is(err, store.ErrSchema) || !strings.Contains(err.Error(), "99") {
		t.Errorf("Open of a version-99 database = %v, want ErrSchema naming version 99", err)
	}
	text := filepath.Join(dir, "settlement.yaml")
	if err := os.WriteFile(text, []byte("entente: 1\nid: not-a-database\n"+strings.Repeat("# padding\n", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(ctx, sqlite.DefaultOptions(text)); !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), text) {
		t.Errorf("Open of a YAML file = %v, want ErrUnavailable naming the file", err)
	}
}
