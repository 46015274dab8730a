package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/store"
)

func testRevisions(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	a, b, c := ev("a", "2015-01-01"), ev("b", "2015-01-02"), ev("c", "2015-01-03")
	a.Violations = []string{"r1"}
	b1 := ingest(t, s, batch("v1"), a, b, c)
	a2 := a
	a2.Fatalities = 7
	a2.Date = a.Date.AddDate(0, 0, 1)
	a2.Raw = []byte(`{"id":"a","best":"7"}`)
	a2.Violations = []string{"r2"}
	delB := store.Event{Event: rules.Event{ID: "b", Source: "ucdp"}, Deleted: true}
	delX := store.Event{Event: rules.Event{ID: "x", Source: "ucdp"}, Deleted: true}
	d := ev("d", "2015-01-04")
	b2 := ingest(t, s, batch("v2"), a2, delB, d, delX)
	if want := (store.Counts{Added: 1, Updated: 1, Deleted: 1, Unchanged: 1}); b2.Batch.Counts != want {
		t.Errorf("revision batch counts = %+v, want %+v", b2.Batch.Counts, want)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Event(ctx, "ucdp", "a")
		if err != nil {
			return err
		}
		want := a2
		want.Batch = b2.Batch.ID
		if diff := diffEvent(got, &want); diff != "" {
			t.Errorf("revised event: %s", diff)
		}
		hist, err := tx.History(ctx, "ucdp", "a")
		if err != nil {
			return err
		}
		old := a
		old.Batch = b1.Batch.ID
		if len(hist) != 1 || hist[0].Op != "update" || hist[0].SupersededBy != b2.Batch.ID {
			t.Fatalf("History(a) = %+v, want one update superseded by %d", hist, b2.Batch.ID)
		}
		if diff := diffEvent(&hist[0].Event, &old); diff != "" {
			t.Errorf("History(a)[0]: %s", diff)
		}
		if _, err := tx.Event(ctx, "ucdp", "b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Event(b) after deletion = %v, want ErrNotFound", err)
		}
		hist, err = tx.History(ctx, "ucdp", "b")
		oldB := b
		oldB.Batch = b1.Batch.ID
		if err != nil || len(hist) != 1 || hist[0].Op != "delete" || hist[0].SupersededBy != b2.Batch.ID {
			t.Fatalf("History(b) = %+v, %v; want one delete by %d", hist, err, b2.Batch.ID)
		}
		if diff := diffEvent(&hist[0].Event, &oldB); diff != "" {
			t.Errorf("History(b)[0]: %s", diff)
		}
		gotC, err := tx.Event(ctx, "ucdp", "c")
		if err != nil || gotC.Batch != b1.Batch.ID {
			t.Errorf("Event(c), untouched by an incremental batch = %+v, %v; want batch %d", gotC, err, b1.Batch.ID)
		}
		tl, err := tx.Tally(ctx, store.Filter{})
		if err != nil {
			return err
		}
		if tl.Events != 3 || !reflect.DeepEqual(tl.Rules, []store.RuleCount{{Rule: "r2", N: 1}}) {
			t.Errorf("Tally after revision = %+v, want 3 events and rule r2 once", tl)
		}
		if len(tl.Cells) != 1 || tl.Cells[0].Day != "2015-01-02" {
			t.Errorf("Tally cells after revision = %+v, want one violation on the revised day 2015-01-02", tl.Cells)
		}
		return nil
	})
	checkTally(t, s, a2, c, d)
	// A second revision stacks in the history, oldest first; re-adding a
	// deleted event is an add with its history kept.
	a3 := a2
	a3.Fatalities = 8
	b3 := ingest(t, s, batch("v3"), a3, b)
	if want := (store.Counts{Added: 1, Updated: 1}); b3.Batch.Counts != want {
		t.Errorf("third batch counts = %+v, want %+v", b3.Batch.Counts, want)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		hist, err := tx.History(ctx, "ucdp", "a")
		if err != nil || len(hist) != 2 || hist[0].Fatalities != 1 || hist[1].Fatalities != 7 || hist[1].SupersededBy != b3.Batch.ID {
			t.Errorf("History(a) after two revisions = %+v, %v; want fatalities 1 then 7", hist, err)
		}
		hist, err = tx.History(ctx, "ucdp", "b")
		if err != nil || len(hist) != 1 {
			t.Errorf("History(b) after re-adding = %+v, %v; want the one deletion", hist, err)
		}
		return nil
	})
	checkTally(t, s, a3, b, c, d)
}

func testFullRelease(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	other := ev("x", "2020-01-10")
	other.Source = "acled"
	ingest(t, s, batch("r1"), ev("a", "2020-01-01"), ev("b", "2020-01-05"), ev("c", "2020-02-01"), ev("e", "2019-12-31"))
	ob := batch("acled1")
	ob.Source = "acled"
	ingest(t, s, ob, other)
	full := batch("r2")
	full.Full, full.From, full.To = true, "2020-01-01", "2020-01-31"
	res := ingest(t, s, full, ev("a", "2020-01-01"))
	if want := (store.Counts{Deleted: 1, Unchanged: 1}); res.Batch.Counts != want {
		t.Errorf("full release in scope: counts %+v, want %+v", res.Batch.Counts, want)
	}
	if !res.Batch.Full || res.Batch.From != "2020-01-01" || res.Batch.To != "2020-01-31" {
		t.Errorf("full release batch = %+v, want full with its scope", res.Batch)
	}
	keys := func() []string {
		var out []string
		view(t, s, func(ctx context.Context, tx store.ReadTx) error {
			for _, k := range [][2]string{{"ucdp", "a"}, {"ucdp", "b"}, {"ucdp", "c"}, {"ucdp", "e"}, {"acled", "x"}} {
				if _, err := tx.Event(ctx, k[0], k[1]); err == nil {
					out = append(out, k[0]+"/"+k[1])
				}
			}
			return nil
		})
		return out
	}
	if got, want := keys(), []string{"ucdp/a", "ucdp/c", "ucdp/e", "acled/x"}; !slices.Equal(got, want) {
		t.Errorf("after a full release of January: events %v, want %v", got, want)
	}
	checkTally(t, s, ev("a", "2020-01-01"), ev("c", "2020-02-01"), ev("e", "2019-12-31"), other)
	// An open scope replaces everything of the source.
	all := batch("r3")
	all.Full = true
	res = ingest(t, s, all, ev("c", "2020-02-01"), ev("f", "2020-03-01"))
	if want := (store.Counts{Added: 1, Deleted: 2, Unchanged: 1}); res.Batch.Counts != want {
		t.Errorf("full release, open scope: counts %+v, want %+v", res.Batch.Counts, want)
	}
	if got, want := keys(), []string{"ucdp/c", "acled/x"}; !slices.Equal(got, want) {
		t.Errorf("after a full release of everything: events %v (of those asked), want %v", got, want)
	}
	checkTally(t, s, ev("c", "2020-02-01"), ev("f", "2020-03-01"), other)
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		hist, err := tx.History(ctx, "ucdp", "e")
		if err != nil || len(hist) != 1 || hist[0].Op != "delete" || hist[0].SupersededBy != res.Batch.ID {
			t.Errorf("History(e) = %+v, %v; want its deletion by the full release", hist, err)
		}
		return nil
	})
}
