package postgres_test

import (
	"context"
	"flag"
	"testing"

	"github.com/entente-org/entente/internal/pgtest"
	"github.com/entente-org/entente/store"
	"github.com/entente-org/entente/store/postgres"
	"github.com/entente-org/entente/store/storetest"
)

var benchEvents = flag.Int("events", 1_000_000, "events in the store benchmarks")

func openBench(b *testing.B) store.Store {
	s, err := postgres.Open(context.Background(), postgres.DefaultOptions(pgtest.NewDatabase(b)))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkIngest: go test -run '^$' -bench Ingest -benchtime 1x ./store/postgres
func BenchmarkIngest(b *testing.B) { storetest.BenchmarkIngest(b, openBench, *benchEvents) }

// BenchmarkTally: go test -run '^$' -bench Tally ./store/postgres
func BenchmarkTally(b *testing.B) { storetest.BenchmarkTally(b, openBench, *benchEvents) }

// BenchmarkLogAppend: go test -run '^$' -bench LogAppend ./store/postgres
func BenchmarkLogAppend(b *testing.B) { storetest.BenchmarkLogAppend(b, openBench) }

// BenchmarkLogVerify: go test -run '^$' -bench LogVerify -benchtime 3x ./store/postgres
func BenchmarkLogVerify(b *testing.B) { storetest.BenchmarkLogVerify(b, openBench, 1<<20) }
