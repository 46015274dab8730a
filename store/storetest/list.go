package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/store"
)

// testEvents checks ReadTx.Events: every stored event within the filter,
// ordered by date then source and id, with its classification; a limit;
// deletions gone; a malformed filter refused.
func testEvents(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	a, b, c, d := ev("b", "2015-02-16"), ev("a", "2015-02-16"), ev("c", "2015-02-14"), ev("d", "2015-03-01")
	b.Zone, b.Violations, b.Fatalities = "line", []string{"heavy-weapons", "ceasefire"}, 4
	c.Side, c.OtherSide, c.Unattributed = "", "", true
	// A later hour on the same day sorts after an earlier one.
	a.Date = a.Date.Add(3 * time.Hour)
	r1 := ingest(t, s, batch("e1"), a, b, c, d)
	// A second batch deletes d and adds e.
	e := ev("e", "2015-02-20")
	r2 := ingest(t, s, batch("e2"), store.Event{Event: d.Event, Deleted: true}, e)
	for _, x := range []*store.Event{&a, &b, &c} {
		x.Batch = r1.Batch.ID
	}
	e.Batch = r2.Batch.ID
	b.Violations = []string{"ceasefire", "heavy-weapons"}
	tests := []struct {
		f     store.Filter
		limit int
		want  []store.Event
	}{
		{store.Filter{}, 0, []store.Event{c, b, a, e}},
		{store.Filter{}, 2, []store.Event{c, b}},
		{store.Filter{}, -1, []store.Event{c, b, a, e}},
		{store.Filter{From: "2015-02-15"}, 0, []store.Event{b, a, e}},
		{store.Filter{From: "2015-02-15", To: "2015-02-16"}, 0, []store.Event{b, a}},
		{store.Filter{To: "2015-02-14"}, 0, []store.Event{c}},
		{store.Filter{From: "2015-03-01"}, 0, nil},
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for _, tc := range tests {
			got, err := tx.Events(ctx, tc.f, tc.limit)
			if err != nil {
				t.Errorf("Events(%+v, %d) = %v, want no error", tc.f, tc.limit, err)
				continue
			}
			if len(got) != len(tc.want) {
				t.Errorf("Events(%+v, %d) = %s, want %s", tc.f, tc.limit, keys(got), keys(tc.want))
				continue
			}
			for i := range got {
				if diff := diffEvent(&got[i], &tc.want[i]); diff != "" {
					t.Errorf("Events(%+v, %d)[%d] (%s): %s", tc.f, tc.limit, i, tc.want[i].Key(), diff)
				}
			}
		}
		if _, err := tx.Events(ctx, store.Filter{From: "2015-13-01"}, 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Events(from 2015-13-01) = %v, want ErrInvalid", err)
		}
		return nil
	})
}

func keys(evs []store.Event) string {
	var k []string
	for i := range evs {
		k = append(k, evs[i].Key())
	}
	return fmt.Sprintf("[%s]", strings.Join(k, " "))
}
