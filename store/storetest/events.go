package storetest

import (
	"context"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/rules"
	"github.com/entente-org/entente/store"
)

func testRoundTrip(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	kyiv := time.FixedZone("EET", 2*3600)
	a := ev("101", "2015-02-15")
	a.Date = time.Date(2015, 2, 15, 23, 30, 0, 123456789, kyiv) // day in its own zone: the 15th
	a.Subtype = "shelling"
	a.Fatalities = 12
	a.Lat, a.Lon = -89.999999, 179.123456789
	a.Location = "Дебальцеве, \"quoted\"\nline"
	a.Raw = []byte{0, 1, 2, 0xff, '\n', 0}
	a.Violations = []string{"zeta", "alpha", "zeta"}
	a.Unattributed = false
	b := ev("102", "2014-07-01")
	b.Side, b.OtherSide, b.Zone, b.DistanceKm = "", "", "", -1
	b.Unattributed = true
	b.Raw = nil
	c := ev("103", "2016-06-06")
	fillEvent(t, &c.Event)
	c.Raw = []byte(`["103","2016-06-06 00:00:00.000"]`)
	nb := batch("rt")
	nb.Columns = []string{"id", "date_start"}
	res := ingest(t, s, nb, a, b, c)
	if res.Duplicate || res.Batch.Counts != (store.Counts{Added: 3}) {
		t.Errorf("Ingest = %+v, want 3 added, not duplicate", res)
	}
	want := a
	want.Violations = []string{"alpha", "zeta"}
	want.Batch = res.Batch.ID
	wantB := b
	wantB.Batch = res.Batch.ID
	wantC := c
	wantC.Batch = res.Batch.ID
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for _, w := range []*store.Event{&want, &wantB, &wantC} {
			got, err := tx.Event(ctx, w.Source, w.ID)
			if err != nil {
				t.Fatalf("Event(%s) = %v", w.Key(), err)
			}
			if d := diffEvent(got, w); d != "" {
				t.Errorf("Event(%s): %s", w.Key(), d)
			}
			if got.Day() != w.Day() {
				t.Errorf("Event(%s).Day() = %s, want %s", w.Key(), got.Day(), w.Day())
			}
		}
		bt, err := tx.Batch(ctx, res.Batch.ID)
		if err != nil {
			return err
		}
		if bt.Hash != "rt" || bt.Source != "ucdp" || bt.Name != "rt.csv" || bt.Fingerprint != "fp1" || bt.Full ||
			!slices.Equal(bt.Columns, []string{"id", "date_start"}) ||
			bt.Counts != (store.Counts{Added: 3}) || time.Since(bt.Created) > time.Hour || time.Since(bt.Created) < 0 {
			t.Errorf("Batch(%d) = %+v", res.Batch.ID, bt)
		}
		bh, err := tx.BatchByHash(ctx, "rt")
		if err != nil || !reflect.DeepEqual(bh, bt) {
			t.Errorf("BatchByHash(rt) = %+v, %v; want %+v", bh, err, bt)
		}
		bs, err := tx.Batches(ctx)
		if err != nil || len(bs) != 1 || !reflect.DeepEqual(&bs[0], bt) {
			t.Errorf("Batches() = %+v, %v; want [%+v]", bs, err, bt)
		}
		hist, err := tx.History(ctx, "ucdp", "101")
		if err != nil || len(hist) != 0 {
			t.Errorf("History(ucdp/101) = %v, %v; want empty", hist, err)
		}
		return nil
	})
}

// fillEvent sets every field of ev but Source, ID and Date to a distinct
// value, so that a field the store does not keep fails the round trip. A
// field of a type it does not know fails the test: teach it, and the
// backends, the new field.
func fillEvent(t *testing.T, ev *rules.Event) {
	v := reflect.ValueOf(ev).Elem()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch name {
		case "Source", "ID", "Date":
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("v-" + name)
		case reflect.Int64, reflect.Int:
			f.SetInt(int64(1000 + i))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.25)
		case reflect.Bool:
			f.SetBool(true)
		default:
			t.Fatalf("rules.Event.%s is a %s, which the conformance suite cannot fill: does the store keep it?", name, f.Type())
		}
	}
}

func testNotFound(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ingest(t, s, batch("nf"), ev("1", "2015-01-01"))
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		checks := []struct {
			name string
			err  error
		}{
			{"Event(ucdp/2)", second(tx.Event(ctx, "ucdp", "2"))},
			{"Event(acled/1)", second(tx.Event(ctx, "acled", "1"))},
			{"History(ucdp/2)", second(tx.History(ctx, "ucdp", "2"))},
			{"Batch(999)", second(tx.Batch(ctx, 999))},
			{"BatchByHash(nope)", second(tx.BatchByHash(ctx, "nope"))},
		}
		for _, c := range checks {
			if !errors.Is(c.err, store.ErrNotFound) {
				t.Errorf("%s = %v, want ErrNotFound", c.name, c.err)
			}
		}
		return nil
	})
}

func testRollback(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ingest(t, s, batch("keep"), ev("1", "2015-01-01"))
	boom := errors.New("boom")
	// An error after a successful ingest in the same transaction undoes it.
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		r := ev("1", "2015-01-01")
		r.Fatalities = 99
		d := ev("9", "2015-01-01")
		d.Deleted = true
		if _, err := tx.Ingest(ctx, batch("b2"), store.Events(ev("2", "2015-01-02"), r)); err != nil {
			return err
		}
		if _, err := tx.Reclassify(ctx, "fp2", func(ev *store.Event) error { ev.Zone = "x"; return nil }); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	// A panic rolls back too, and propagates.
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Update did not propagate the panic")
			}
		}()
		s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if _, err := tx.Ingest(ctx, batch("b3"), store.Events(ev("3", "2015-01-03"))); err != nil {
				return err
			}
			panic("half way")
		})
	}()
	if n, b := count(t, s); n != 1 || b != 1 {
		t.Errorf("after rolled-back updates: %d events, %d batches; want 1, 1", n, b)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Event(ctx, "ucdp", "1")
		if err != nil {
			return err
		}
		if got.Fatalities != 1 || got.Zone != "buffer" || got.Fingerprint != "fp1" {
			t.Errorf("event 1 after rollback = %+v, want it as first stored", got)
		}
		if h, err := tx.History(ctx, "ucdp", "1"); err != nil || len(h) != 0 {
			t.Errorf("History after rollback = %v, %v; want empty", h, err)
		}
		if n, err := tx.Stale(ctx, "fp1"); err != nil || n != 0 {
			t.Errorf("Stale(fp1) after rollback = %d, %v; want 0", n, err)
		}
		return nil
	})
	// The same batch goes in afterwards: the rolled-back hash was not kept.
	if res := ingest(t, s, batch("b2"), ev("2", "2015-01-02")); res.Duplicate {
		t.Errorf("re-ingest of a rolled-back batch was taken as a duplicate")
	}
}

func testBadRecords(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ingest(t, s, batch("keep"), ev("1", "2015-01-01"))
	readErr := errors.New("data.csv:4:7: latitude \"abc\" is not a number")
	noID := ev("", "2015-01-01")
	noDate := ev("5", "2015-01-01")
	noDate.Date = time.Time{}
	other := ev("6", "2015-01-01")
	other.Source = "acled"
	cases := []struct {
		name  string
		nb    store.NewBatch
		src   store.EventSource
		want  error
		words []string
	}{
		{"source error", batch("x1"), failAfter(readErr, ev("2", "2015-01-02"), ev("3", "2015-01-03")), readErr, []string{"data.csv:4:7", "x1.csv"}},
		{"no id", batch("x2"), store.Events(ev("2", "2015-01-02"), noID), store.ErrInvalid, []string{"record 2", "no id"}},
		{"no date", batch("x3"), store.Events(noDate), store.ErrInvalid, []string{"record 1", "ucdp/5", "no date"}},
		{"other source", batch("x4"), store.Events(ev("2", "2015-01-02"), ev("3", "2015-01-02"), other), store.ErrInvalid, []string{"record 3", "acled"}},
		{"repeated key", batch("x5"), store.Events(ev("2", "2015-01-02"), ev("3", "2015-01-02"), ev("2", "2015-01-02")), store.ErrInvalid, []string{"record 3", "ucdp/2", "record 1"}},
		{"no hash", store.NewBatch{Source: "ucdp", Name: "nohash"}, store.Events(), store.ErrInvalid, []string{"nohash", "hash"}},
		{"bad scope", store.NewBatch{Hash: "x6", Source: "ucdp", Name: "x6", Full: true, From: "2015-13-01"}, store.Events(), store.ErrInvalid, []string{"2015-13-01", "YYYY-MM-DD"}},
		{"scope not full", store.NewBatch{Hash: "x7", Source: "ucdp", Name: "x7", From: "2015-01-01"}, store.Events(), store.ErrInvalid, []string{"full release"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
				_, err := tx.Ingest(ctx, c.nb, c.src)
				return err
			})
			if !errors.Is(err, c.want) {
				t.Fatalf("Ingest = %v, want %v", err, c.want)
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Ingest error %q does not say %q", err, w)
				}
			}
			if n, b := count(t, s); n != 1 || b != 1 {
				t.Errorf("after a failed ingest: %d events, %d batches; want 1, 1", n, b)
			}
		})
	}
	// A batch hash claimed by another source is a conflict.
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		nb := batch("keep")
		nb.Source = "acled"
		_, err := tx.Ingest(ctx, nb, store.Events())
		return err
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Ingest of a known hash under another source = %v, want ErrConflict", err)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if _, err := tx.Tally(ctx, store.Filter{From: "2015-02-30"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Tally(from 2015-02-30) = %v, want ErrInvalid", err)
		}
		if _, err := tx.Unattributed(ctx, store.Filter{From: "2016-01-01", To: "2015-01-01"}, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Unattributed(from after to) = %v, want ErrInvalid", err)
		}
		return nil
	})
}

// failAfter yields evs, then fails with err.
func failAfter(err error, evs ...store.Event) store.EventSource {
	next := store.Events(evs...)
	return func() (*store.Event, error) {
		e, nerr := next()
		if nerr == io.EOF {
			return nil, err
		}
		return e, nerr
	}
}

func testDoubleIngest(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	evs := []store.Event{ev("1", "2015-01-01"), ev("2", "2015-01-02"), ev("3", "2015-01-03")}
	first := ingest(t, s, batch("same"), evs...)
	calls := 0
	var again *store.IngestResult
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		var err error
		again, err = tx.Ingest(ctx, batch("same"), func() (*store.Event, error) { calls++; return nil, io.EOF })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Batch.ID != first.Batch.ID || again.Batch.Counts != first.Batch.Counts || calls != 0 {
		t.Errorf("second Ingest of the same hash = %+v (source read %d times), want duplicate of batch %d, unread", again, calls, first.Batch.ID)
	}
	// The same events under another hash: a new batch that changes nothing.
	other := ingest(t, s, batch("same-content-new-hash"), evs...)
	if other.Duplicate || other.Batch.Counts != (store.Counts{Unchanged: 3}) || other.Reclassified != 0 {
		t.Errorf("Ingest of the same events under a new hash = %+v, want 3 unchanged", other)
	}
	if n, b := count(t, s); n != 3 || b != 2 {
		t.Errorf("after double ingest: %d events, %d batches; want 3, 2", n, b)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Event(ctx, "ucdp", "2")
		if err != nil || got.Batch != first.Batch.ID {
			t.Errorf("Event(ucdp/2) batch = %v, %v; want %d (the unchanged repeat does not rewrite it)", got, err, first.Batch.ID)
		}
		return nil
	})
}
