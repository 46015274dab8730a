package storetest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/ledger/ledgertest"
	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/store"
)

// Synthetic returns an EventSource of n events of source "ucdp" shaped
// like UCDP GED's Ukraine events of 2014–2019: dates spread over six years,
// four sides and three zones, about a third violating one or two of three
// rules, one in twenty unattributed, and a raw record of about 600 bytes,
// the file's mean. The same seed gives the same events.
func Synthetic(n int, seed uint64) store.EventSource {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sides := []string{"UA", "RU", "DPR", "LPR"}
	zones := []string{"", "security-zone-50km", "buffer"}
	ruleIDs := []string{"fatal-near-line", "fighting-in-security-zone", "debaltseve"}
	base := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	raw := make([]byte, 0, 640)
	var ev store.Event
	i := 0
	return func() (*store.Event, error) {
		if i >= n {
			return nil, io.EOF
		}
		i++
		side := sides[rng.IntN(len(sides))]
		ev = store.Event{
			Event: rules.Event{
				ID: strconv.Itoa(100000 + i), Source: "ucdp",
				Date:   base.AddDate(0, 0, rng.IntN(6*365)),
				Actor1: "Government of Ukraine", Actor2: "DPR", Type: "state-based",
				Fatalities: int64(rng.IntN(20)), Lat: 47 + rng.Float64()*2, Lon: 37 + rng.Float64()*3,
				Admin1: "Donetsk oblast", Location: "Donetsk", Side: side, OtherSide: "UA",
				Zone: zones[rng.IntN(len(zones))], DistanceKm: rng.Float64() * 100,
				PrecisionPlace: int64(1 + rng.IntN(7)), PrecisionDate: int64(1 + rng.IntN(5)),
			},
			Fingerprint: "bench",
		}
		if rng.IntN(20) == 0 {
			ev.Side, ev.Unattributed = "", true
		}
		if rng.IntN(3) == 0 {
			ev.Violations = []string{ruleIDs[rng.IntN(3)]}
			if rng.IntN(4) == 0 {
				ev.Violations = append(ev.Violations, ruleIDs[(rng.IntN(2)+1)%3])
			}
		}
		raw = raw[:0]
		raw = fmt.Appendf(raw, `{"id":%q,"relid":"UKR-2014-1-%d","source_article":"`, ev.ID, i)
		for len(raw) < 560 {
			raw = append(raw, "Kyiv Post;Reuters;UNIAN;OSCE SMM daily report "[rng.IntN(40)])
		}
		raw = append(raw, `"}`...)
		ev.Raw = raw
		return &ev, nil
	}
}

// BenchmarkIngest measures ingesting n synthetic events in one batch into a
// new store from open, and reports events/s.
func BenchmarkIngest(b *testing.B, open func(b *testing.B) store.Store, n int) {
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		s := open(b)
		b.StartTimer()
		err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Ingest(ctx, store.NewBatch{Hash: fmt.Sprint("bench-", i), Source: "ucdp", Name: "synthetic", Fingerprint: "bench"}, Synthetic(n, 1))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkTally measures the aggregation of a report (Tally plus the first
// 100 unattributed events) over n stored synthetic events, over everything
// and over one year.
func BenchmarkTally(b *testing.B, open func(b *testing.B) store.Store, n int) {
	s := open(b)
	defer s.Close()
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Ingest(ctx, store.NewBatch{Hash: "bench", Source: "ucdp", Name: "synthetic", Fingerprint: "bench"}, Synthetic(n, 1))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []store.Filter{{}, {From: "2015-01-01", To: "2015-12-31"}} {
		b.Run(fmt.Sprintf("from=%s,to=%s", f.From, f.To), func(b *testing.B) {
			var events int64
			for b.Loop() {
				err := s.View(context.Background(), func(ctx context.Context, tx store.ReadTx) error {
					tl, err := tx.Tally(ctx, f)
					if err != nil {
						return err
					}
					events = tl.Events
					_, err = tx.Unattributed(ctx, f, 100)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			if f.From == "" && events != int64(n) {
				b.Fatalf("Tally counted %d events, want %d", events, n)
			}
		})
	}
}

// BenchmarkLogAppend measures appending to the store's log in batches of
// 1,000 leaves (one transaction each), and reports leaves per second.
func BenchmarkLogAppend(b *testing.B, open func(b *testing.B) store.Store) {
	ctx := context.Background()
	s := open(b)
	defer s.Close()
	l, err := ledger.New(store.LogStorage(s), ledger.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]ledger.Leaf, 1000)
	for i := range batch {
		batch[i] = ledgertest.Leaf(i)
	}
	for b.Loop() {
		if _, err := l.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "leaves/s")
}

// BenchmarkLogVerify measures verifying a log of n leaves kept in the
// store: every leaf read, decoded and re-hashed, every stored hash
// compared, the checkpoint's signature, root and proofs.
func BenchmarkLogVerify(b *testing.B, open func(b *testing.B) store.Store, n int) {
	ctx := context.Background()
	s := open(b)
	defer s.Close()
	l, err := ledger.New(store.LogStorage(s), ledger.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 10000 {
		batch := make([]ledger.Leaf, 0, 10000)
		for j := i; j < min(i+10000, n); j++ {
			batch = append(batch, ledgertest.Leaf(j))
		}
		if _, err := l.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	signer, v := ledgertest.Key(b, "entente.example/bench")
	if _, err := l.Checkpoint(ctx, signer); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v})
		if err != nil || !rep.OK || rep.Size != int64(n) {
			b.Fatal(err, rep.Problems)
		}
	}
}
