package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/store"
)

// randomEvents makes n events with random days, sides, zones, violations
// and attribution, spread over a few batches' worth of ids.
func randomEvents(rng *rand.Rand, n int, prefix string) []store.Event {
	sides := []string{"", "UA", "RU", "DPR"}
	zones := []string{"", "buffer", "security-zone"}
	rulesIDs := []string{"r-a", "r-b", "r-c"}
	out := make([]store.Event, n)
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		e := ev(fmt.Sprintf("%s%d", prefix, i), "2015-01-01")
		e.Date = base.Add(time.Duration(rng.IntN(60*24)) * time.Hour)
		e.Side = sides[rng.IntN(len(sides))]
		e.Unattributed = e.Side == ""
		if e.Unattributed {
			e.Actor1 = []string{"Wagner", "Unknown", "Azov"}[rng.IntN(3)]
		}
		e.Zone = zones[rng.IntN(len(zones))]
		e.Violations = nil
		for _, r := range rulesIDs {
			if rng.IntN(3) == 0 {
				e.Violations = append(e.Violations, r)
			}
		}
		out[i] = e
	}
	return out
}

// bruteTally computes a Tally the slow, obvious way.
func bruteTally(evs []store.Event, f store.Filter) store.Tally {
	out := store.Tally{Sources: map[string]int64{}}
	cells := map[store.Cell]int64{}
	rules := map[string]int64{}
	actors := map[string]int64{}
	for i := range evs {
		e := &evs[i]
		d := e.Day()
		if (f.From != "" && d < f.From) || (f.To != "" && d > f.To) {
			continue
		}
		out.Events++
		out.Sources[e.Source]++
		if e.Unattributed {
			out.Unattributed++
			actors[e.Actor1]++
		}
		if len(e.Violations) > 0 {
			out.Violating++
			cells[store.Cell{Day: d, Side: e.Side, Zone: e.Zone}]++
		}
		for _, r := range e.Violations {
			rules[r]++
		}
	}
	for c, n := range cells {
		c.N = n
		out.Cells = append(out.Cells, c)
	}
	slices.SortFunc(out.Cells, func(a, b store.Cell) int {
		return strings.Compare(a.Day+"\x00"+a.Side+"\x00"+a.Zone, b.Day+"\x00"+b.Side+"\x00"+b.Zone)
	})
	for r, n := range rules {
		out.Rules = append(out.Rules, store.RuleCount{Rule: r, N: n})
	}
	slices.SortFunc(out.Rules, func(a, b store.RuleCount) int { return strings.Compare(a.Rule, b.Rule) })
	for a, n := range actors {
		out.Actors = append(out.Actors, store.ActorCount{Actor: a, N: n})
	}
	slices.SortFunc(out.Actors, func(a, b store.ActorCount) int {
		if a.N != b.N {
			return int(b.N - a.N)
		}
		return strings.Compare(a.Actor, b.Actor)
	})
	return out
}

// sameTally reports how got differs from want ("" if not).
func sameTally(got *store.Tally, want store.Tally) string {
	if got.Events != want.Events || got.Violating != want.Violating || got.Unattributed != want.Unattributed ||
		!slices.Equal(got.Cells, want.Cells) || !slices.Equal(got.Rules, want.Rules) ||
		!slices.Equal(got.Actors, want.Actors) || !reflect.DeepEqual(got.Sources, want.Sources) {
		return fmt.Sprintf("\n got %+v\nwant %+v", *got, want)
	}
	return ""
}

// checkTally compares the store's Tally over everything with a brute-force
// count of the events it should hold.
func checkTally(t *testing.T, s store.Store, evs ...store.Event) {
	t.Helper()
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		if d := sameTally(got, bruteTally(evs, store.Filter{})); d != "" {
			t.Errorf("Tally(all): %s", d)
		}
		return nil
	})
}

func testTally(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	rng := rand.New(rand.NewPCG(1, 2))
	evs := randomEvents(rng, 600, "e")
	ingest(t, s, batch("t1"), evs[:400]...)
	ingest(t, s, batch("t2"), evs[400:]...)
	filters := []store.Filter{{}, {From: "2015-01-20"}, {To: "2015-02-03"}, {From: "2015-01-10", To: "2015-01-10"}, {From: "2016-01-01"}}
	for _, f := range filters {
		want := bruteTally(evs, f)
		view(t, s, func(ctx context.Context, tx store.ReadTx) error {
			got, err := tx.Tally(ctx, f)
			if err != nil {
				return err
			}
			if d := sameTally(got, want); d != "" {
				t.Errorf("Tally(%+v): %s", f, d)
			}
			un, err := tx.Unattributed(ctx, f, 0)
			if err != nil {
				return err
			}
			if int64(len(un)) != want.Unattributed {
				t.Errorf("Unattributed(%+v) lists %d events, want %d", f, len(un), want.Unattributed)
			}
			for i := 1; i < len(un); i++ {
				if un[i].Date.Before(un[i-1].Date) {
					t.Errorf("Unattributed(%+v) not in date order at %d", f, i)
					break
				}
			}
			for _, e := range un {
				if !e.Unattributed || e.Side != "" {
					t.Errorf("Unattributed(%+v) lists %s, side %q", f, e.Key(), e.Side)
				}
			}
			if want.Unattributed > 5 {
				if un5, err := tx.Unattributed(ctx, f, 5); err != nil || len(un5) != 5 || un5[4].ID != un[4].ID {
					t.Errorf("Unattributed(%+v, 5) = %d events, %v; want the first 5", f, len(un5), err)
				}
			}
			return nil
		})
	}
}

func testReclassify(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	rng := rand.New(rand.NewPCG(3, 4))
	evs := randomEvents(rng, 2500, "r") // more than one of the backends' chunks
	ingest(t, s, batch("c1"), evs...)
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for fp, want := range map[string]int64{"fp1": 0, "fp2": 2500} {
			if n, err := tx.Stale(ctx, fp); err != nil || n != want {
				t.Errorf("Stale(%s) = %d, %v; want %d", fp, n, err, want)
			}
		}
		return nil
	})
	// Under fp2, an event violates "near" when its zone is "buffer", and is
	// attributed to RU whatever it was.
	reclass := func(e *store.Event) {
		e.Violations = nil
		if e.Zone == "buffer" {
			e.Violations = []string{"near"}
		}
		e.Side, e.Unattributed, e.DistanceKm = "RU", false, 42
	}
	var n int64
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.Reclassify(ctx, "fp2", func(e *store.Event) error { reclass(e); return nil })
		return err
	})
	if err != nil || n != 2500 {
		t.Fatalf("Reclassify(fp2) = %d, %v; want 2500", n, err)
	}
	want := slices.Clone(evs)
	for i := range want {
		reclass(&want[i])
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if n, err := tx.Stale(ctx, "fp2"); err != nil || n != 0 {
			t.Errorf("Stale(fp2) after Reclassify = %d, %v; want 0", n, err)
		}
		got, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		if d := sameTally(got, bruteTally(want, store.Filter{})); d != "" {
			t.Errorf("Tally after Reclassify: %s", d)
		}
		e, err := tx.Event(ctx, "ucdp", "r7")
		if err != nil {
			return err
		}
		if e.Fingerprint != "fp2" || e.DistanceKm != 42 || e.Fatalities != 1 || e.Batch == 0 {
			t.Errorf("Event(r7) after Reclassify = %+v, want fp2, distance 42, data kept", e)
		}
		if h, err := tx.History(ctx, "ucdp", "r7"); err != nil || len(h) != 0 {
			t.Errorf("History(r7) after Reclassify = %v, %v; want empty: reclassifying is no revision", h, err)
		}
		return nil
	})
	// A second Reclassify under the same fingerprint finds nothing to do.
	err = s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.Reclassify(ctx, "fp2", func(*store.Event) error { return errors.New("called") })
		return err
	})
	if err != nil || n != 0 {
		t.Errorf("second Reclassify(fp2) = %d, %v; want 0", n, err)
	}
	// Re-ingesting the same data under a third classifier updates the
	// classification of unchanged events.
	nb := batch("c2")
	nb.Fingerprint = "fp3"
	three := slices.Clone(evs[:10])
	for i := range three {
		three[i].Fingerprint = "fp3"
		three[i].Zone = "z3"
	}
	res := ingest(t, s, nb, three...)
	if res.Batch.Counts != (store.Counts{Unchanged: 10}) || res.Reclassified != 10 {
		t.Errorf("ingest of unchanged data under fp3 = %+v, want 10 unchanged, 10 reclassified", res)
	}
	checkTally(t, s, append(slices.Clone(three), want[10:]...)...)
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if n, err := tx.Stale(ctx, "fp3"); err != nil || n != 2490 {
			t.Errorf("Stale(fp3) = %d, %v; want 2490", n, err)
		}
		e, err := tx.Event(ctx, "ucdp", "r3")
		if err != nil || e.Zone != "z3" || e.Fingerprint != "fp3" {
			t.Errorf("Event(r3) = %+v, %v; want zone z3 under fp3", e, err)
		}
		return nil
	})
	// An error from the classifier stops Reclassify and names the event.
	err = s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Reclassify(ctx, "fp4", func(e *store.Event) error { return errors.New("bad zone") })
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "bad zone") || !strings.Contains(err.Error(), "ucdp/") {
		t.Errorf("Reclassify with a failing classifier = %v, want the error and the event", err)
	}
}
