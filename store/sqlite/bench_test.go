package sqlite_test

import (
	"context"
	"flag"
	"path/filepath"
	"testing"

	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/sqlite"
	"github.com/entente-org/entente/store/storetest"
)

var benchEvents = flag.Int("events", 1_000_000, "events in the store benchmarks")

func openBench(b *testing.B) store.Store {
	s, err := sqlite.Open(context.Background(), sqlite.DefaultOptions(filepath.Join(b.TempDir(), "bench.db")))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkIngest: go test -run '^$' -bench Ingest -benchtime 1x ./store/sqlite
func BenchmarkIngest(b *testing.B) { storetest.BenchmarkIngest(b, openBench, *benchEvents) }

// BenchmarkTally: go test -run '^$' -bench Tally ./store/sqlite
func BenchmarkTally(b *testing.B) { storetest.BenchmarkTally(b, openBench, *benchEvents) }

// BenchmarkLogAppend: go test -run '^$' -bench LogAppend ./store/sqlite
func BenchmarkLogAppend(b *testing.B) { storetest.BenchmarkLogAppend(b, openBench) }

// BenchmarkLogVerify: go test -run '^$' -bench LogVerify -benchtime 3x ./store/sqlite
func BenchmarkLogVerify(b *testing.B) { storetest.BenchmarkLogVerify(b, openBench, 1<<20) }
