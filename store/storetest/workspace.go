package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/entente-org/entente/store"
)

// sha returns the hex SHA-256 of s, a position's hash.
func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// update runs fn in one transaction of s, failing the test on an error.
func update(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// testWorkspace: tokens, settlements, positions and publications round-trip,
// with the errors the interface promises, and a failed transaction writes
// none of them.
func testWorkspace(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ctx := context.Background()
	created := time.Date(2026, 12, 4, 10, 0, 0, 123456789, time.UTC)

	// Tokens.
	toks := []store.Token{
		{Hash: "h1", Role: store.RoleMediator, Label: "mediator", Created: created},
		{Hash: "h2", Role: store.RoleParty, Party: "UA", Label: "UA", Created: created},
		{Hash: "h3", Role: store.RoleObserver, Created: created},
	}
	var ids []int64
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, tk := range toks {
			id, err := tx.PutToken(ctx, tk)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if !(ids[0] < ids[1] && ids[1] < ids[2]) {
		t.Errorf("token ids %v, want increasing", ids)
	}
	for _, bad := range []store.Token{
		{Hash: "h1", Role: store.RoleMonitor},               // duplicate hash
		{Role: store.RoleMonitor},                           // no hash
		{Hash: "x1", Role: "admin"},                         // unknown role
		{Hash: "x2", Role: store.RoleParty},                 // party token without a party
		{Hash: "x3", Role: store.RoleMediator, Party: "UA"}, // another with one
	} {
		err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error { _, err := tx.PutToken(ctx, bad); return err })
		want := store.ErrInvalid
		if bad.Hash == "h1" {
			want = store.ErrConflict
		}
		if !errors.Is(err, want) {
			t.Errorf("PutToken(%+v) = %v, want %v", bad, err, want)
		}
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.RevokeToken(ctx, ids[1]) })
	if err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error { return tx.RevokeToken(ctx, ids[2]+100) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken(unknown) = %v, want ErrNotFound", err)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		got, err := tx.Token(ctx, "h2")
		if err != nil {
			return err
		}
		want := toks[1]
		want.ID, want.Revoked, want.Created = ids[1], true, store.StoredTime(created)
		if *got != want {
			t.Errorf("Token(h2) = %+v, want %+v", *got, want)
		}
		if _, err := tx.Token(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Token(unknown) = %v, want ErrNotFound", err)
		}
		all, err := tx.Tokens(ctx)
		if err != nil {
			return err
		}
		if len(all) != 3 || all[0].ID != ids[0] || all[2].ID != ids[2] || all[0].Revoked || !all[1].Revoked {
			t.Errorf("Tokens = %+v", all)
		}
		return nil
	})

	// Settlements: versions, conflicts, order.
	put := func(id, src string, version int64) (*store.Document, error) {
		var d *store.Document
		err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			var err error
			d, err = tx.PutDocument(ctx, store.Document{ID: id, Source: []byte(src), Version: version, Updated: created})
			return err
		})
		return d, err
	}
	for _, c := range []struct {
		id, src      string
		from, toward int64
	}{{"b", "one", 0, 1}, {"b", "two", 1, 2}, {"a", "alpha", 0, 1}, {"b/zones.geojson", "{}", 0, 1}} {
		d, err := put(c.id, c.src, c.from)
		if err != nil || d.Version != c.toward {
			t.Fatalf("PutDocument(%s from %d) = %+v, %v; want version %d", c.id, c.from, d, err, c.toward)
		}
	}
	if _, err := put("b", "stale", 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutDocument from a stale version = %v, want ErrConflict", err)
	}
	if _, err := put("a", "again", 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutDocument of an existing one from 0 = %v, want ErrConflict", err)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		d, err := tx.Document(ctx, "b")
		if err != nil {
			return err
		}
		if string(d.Source) != "two" || d.Version != 2 || !d.Updated.Equal(store.StoredTime(created)) {
			t.Errorf("Document(b) = %+v", d)
		}
		if _, err := tx.Document(ctx, "c"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Document(unknown) = %v, want ErrNotFound", err)
		}
		all, err := tx.Documents(ctx)
		if err != nil {
			return err
		}
		var names []string
		for _, d := range all {
			names = append(names, d.ID)
		}
		if fmt.Sprint(names) != "[a b b/zones.geojson]" {
			t.Errorf("Documents = %v, want [a b b/zones.geojson]", names)
		}
		return nil
	})

	// Positions: revisions per (settlement, party).
	revise := func(settlement, party, content string, logIndex int64) *store.Position {
		var p *store.Position
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			var err error
			p, err = tx.PutPosition(ctx, store.Position{Settlement: settlement, Party: party, Content: []byte(content), Hash: sha(content), Time: created, LogIndex: logIndex})
			return err
		})
		return p
	}
	for i, c := range []struct {
		settlement, party string
		want              int64
	}{{"b", "UA", 1}, {"b", "RU", 1}, {"b", "UA", 2}, {"a", "UA", 1}, {"b", "UA", 3}} {
		if p := revise(c.settlement, c.party, fmt.Sprintf("%s-%s-%d", c.settlement, c.party, c.want), int64(i)); p.Revision != c.want {
			t.Errorf("PutPosition(%s, %s) revision %d, want %d", c.settlement, c.party, p.Revision, c.want)
		}
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		latest, err := tx.Positions(ctx, "b")
		if err != nil {
			return err
		}
		if len(latest) != 2 || latest[0].Party != "RU" || latest[1].Party != "UA" || latest[1].Revision != 3 ||
			string(latest[1].Content) != "b-UA-3" || latest[1].Hash != sha("b-UA-3") || latest[1].LogIndex != 4 {
			t.Errorf("Positions(b) = %+v", latest)
		}
		hist, err := tx.PositionHistory(ctx, "b", "UA")
		if err != nil {
			return err
		}
		if len(hist) != 3 || hist[0].Revision != 1 || hist[2].Revision != 3 {
			t.Errorf("PositionHistory(b, UA) = %+v", hist)
		}
		none, err := tx.Positions(ctx, "zzz")
		if err != nil || len(none) != 0 {
			t.Errorf("Positions(unknown) = %v, %v; want none, no error", none, err)
		}
		return nil
	})

	// Publications.
	for _, kind := range []string{"deals", "report"} {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Publish(ctx, store.Publication{Settlement: "b", Kind: kind, Content: []byte(`{"kind":"` + kind + `"}`), Time: created, LogIndex: -1})
			return err
		})
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		pubs, err := tx.Publications(ctx, "b")
		if err != nil {
			return err
		}
		if len(pubs) != 2 || pubs[0].Kind != "deals" || pubs[1].Kind != "report" || pubs[0].ID >= pubs[1].ID || pubs[1].LogIndex != -1 {
			t.Errorf("Publications(b) = %+v", pubs)
		}
		if other, err := tx.Publications(ctx, "a"); err != nil || len(other) != 0 {
			t.Errorf("Publications(a) = %v, %v", other, err)
		}
		return nil
	})

	// A failed transaction writes nothing.
	boom := errors.New("boom")
	err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.PutToken(ctx, store.Token{Hash: "h9", Role: store.RoleMonitor, Created: created}); err != nil {
			return err
		}
		if _, err := tx.PutDocument(ctx, store.Document{ID: "c", Source: []byte("x"), Updated: created}); err != nil {
			return err
		}
		if _, err := tx.PutPosition(ctx, store.Position{Settlement: "b", Party: "RU", Content: []byte("x"), Hash: sha("x"), Time: created, LogIndex: -1}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if _, err := tx.Token(ctx, "h9"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a rolled-back token is stored: %v", err)
		}
		if _, err := tx.Document(ctx, "c"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a rolled-back settlement is stored: %v", err)
		}
		if h, _ := tx.PositionHistory(ctx, "b", "RU"); len(h) != 1 {
			t.Errorf("a rolled-back position is stored: %d revisions", len(h))
		}
		return nil
	})
}

// testStamp: a settlement's stamp changes with its document, its files and
// its positions, and with nothing else.
func testStamp(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	now := time.Now().UTC()
	versions := map[string]int64{}
	putDoc := func(id string) func(ctx context.Context, tx store.Tx) error {
		return func(ctx context.Context, tx store.Tx) error {
			d, err := tx.PutDocument(ctx, store.Document{ID: id, Source: []byte(id), Version: versions[id], Updated: now})
			if err == nil {
				versions[id] = d.Version
			}
			return err
		}
	}
	stamp := func(id string) string {
		t.Helper()
		var st string
		view(t, s, func(ctx context.Context, tx store.ReadTx) error {
			var err error
			st, err = tx.Stamp(ctx, id)
			return err
		})
		return st
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if _, err := tx.Stamp(ctx, "ukraine"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Stamp(unknown) = %v, want ErrNotFound", err)
		}
		return nil
	})
	update(t, s, putDoc("ukraine"))
	update(t, s, putDoc("a_b"))
	position := func(settlement, party string) func(ctx context.Context, tx store.Tx) error {
		return func(ctx context.Context, tx store.Tx) error {
			_, err := tx.PutPosition(ctx, store.Position{Settlement: settlement, Party: party, Content: []byte("x"), Hash: sha("x"), Time: now, LogIndex: -1})
			return err
		}
	}
	steps := []struct {
		name    string
		fn      func(ctx context.Context, tx store.Tx) error
		changes map[string]bool // which stamps change
	}{
		{"its document", putDoc("ukraine"), map[string]bool{"ukraine": true}},
		{"a file of its", putDoc("ukraine/zones.geojson"), map[string]bool{"ukraine": true}},
		{"that file again", putDoc("ukraine/zones.geojson"), map[string]bool{"ukraine": true}},
		{"another settlement sharing a prefix", putDoc("ukraine-2025"), nil},
		{"a file of the other settlement", putDoc("ukraine-2025/zones.geojson"), nil},
		{"a file of a settlement whose id holds _", putDoc("a_b/line.geojson"), map[string]bool{"a_b": true}},
		{"a document that _ would match as a wildcard", putDoc("aXb/line.geojson"), nil},
		{"a position", position("ukraine", "UA"), map[string]bool{"ukraine": true}},
		{"another party's position", position("ukraine", "RU"), map[string]bool{"ukraine": true}},
		{"its revision", position("ukraine", "UA"), map[string]bool{"ukraine": true}},
		{"a position in another settlement", position("ukraine-2025", "UA"), nil},
		{"a publication", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Publish(ctx, store.Publication{Settlement: "ukraine", Kind: "deals", Content: []byte("{}"), Time: now, LogIndex: -1})
			return err
		}, nil},
		{"a token", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.PutToken(ctx, store.Token{Hash: "h", Role: store.RoleObserver, Created: now})
			return err
		}, nil},
	}
	seen := map[string]bool{}
	for _, id := range []string{"ukraine", "a_b"} {
		seen[id+" "+stamp(id)] = true
	}
	for _, step := range steps {
		before := map[string]string{"ukraine": stamp("ukraine"), "a_b": stamp("a_b")}
		if again := stamp("ukraine"); again != before["ukraine"] {
			t.Fatalf("stamp read twice: %q, then %q", before["ukraine"], again)
		}
		update(t, s, step.fn)
		for id, old := range before {
			now := stamp(id)
			if changed := now != old; changed != step.changes[id] {
				t.Errorf("after %s: stamp of %s %q → %q, want changed=%v", step.name, id, old, now, step.changes[id])
			}
			if step.changes[id] {
				if seen[id+" "+now] {
					t.Errorf("after %s: stamp of %s %q came back", step.name, id, now)
				}
				seen[id+" "+now] = true
			}
		}
	}
	// Inside a transaction, the stamp sees the transaction's own writes.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		before, err := tx.Stamp(ctx, "ukraine")
		if err != nil {
			return err
		}
		if err := position("ukraine", "US")(ctx, tx); err != nil {
			return err
		}
		after, err := tx.Stamp(ctx, "ukraine")
		if err == nil && after == before {
			t.Errorf("Stamp in a transaction does not see its own position: %q", after)
		}
		return err
	})
}
