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
