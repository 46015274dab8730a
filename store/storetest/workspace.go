package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entente-org/entente/store"
)

// This file checks the workspace (store.WorkspaceReader and
// store.WorkspaceWriter): tokens, settlements, positions, publications and
// settlement stamps.

// update runs fn in one Update and fails the test if it returns an error.
func update(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// sha is the hex SHA-256 of s: a token hash or a position's content hash.
func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// wsTime is a time with nanoseconds and a zone, which the store keeps as
// store.StoredTime says.
var wsTime = time.Date(2025, 3, 1, 12, 30, 45, 123456789, time.FixedZone("EET", 2*3600))

func testTokens(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	toks := []store.Token{
		{Hash: sha("mediator"), Role: store.RoleMediator, Label: "mediator desk", Created: wsTime},
		{Hash: sha("ua"), Role: store.RoleParty, Party: "UA", Label: "UA delegation laptop, \"квартира\"\n2", Created: wsTime.Add(time.Hour)},
		{Hash: sha("osce"), Role: store.RoleMonitor, Label: "", Created: time.Time{}},
		{Hash: sha("press"), Role: store.RoleObserver, Label: "press", Created: wsTime.Add(-time.Nanosecond), Revoked: true},
	}
	for i := range toks {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			id, err := tx.PutToken(ctx, toks[i])
			if err != nil {
				return fmt.Errorf("PutToken(%q): %w", toks[i].Label, err)
			}
			if i > 0 && id <= toks[i-1].ID {
				t.Errorf("PutToken(%q) = id %d, want more than the previous %d", toks[i].Label, id, toks[i-1].ID)
			}
			toks[i].ID = id
			return nil
		})
		toks[i].Created = store.StoredTime(toks[i].Created)
	}

	bad := []struct {
		name string
		tok  store.Token
		want error
	}{
		{"duplicate hash", store.Token{Hash: sha("ua"), Role: store.RoleObserver}, store.ErrConflict},
		{"duplicate hash, other role", store.Token{Hash: sha("mediator"), Role: store.RoleParty, Party: "RU"}, store.ErrConflict},
		{"no hash", store.Token{Role: store.RoleMediator}, store.ErrInvalid},
		{"unknown role", store.Token{Hash: sha("x1"), Role: "admin"}, store.ErrInvalid},
		{"no role", store.Token{Hash: sha("x2")}, store.ErrInvalid},
		{"party token without a party", store.Token{Hash: sha("x3"), Role: store.RoleParty}, store.ErrInvalid},
		{"mediator with a party", store.Token{Hash: sha("x4"), Role: store.RoleMediator, Party: "UA"}, store.ErrInvalid},
		{"observer with a party", store.Token{Hash: sha("x5"), Role: store.RoleObserver, Party: "UA"}, store.ErrInvalid},
	}
	for _, tc := range bad {
		// The transaction goes on after a refused token: it commits.
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			if id, err := tx.PutToken(ctx, tc.tok); !errors.Is(err, tc.want) {
				t.Errorf("PutToken(%s) = %d, %v; want %v", tc.name, id, err, tc.want)
			}
			return nil
		})
	}

	check := func(when string) {
		t.Helper()
		view(t, s, func(ctx context.Context, tx store.ReadTx) error {
			for _, want := range toks {
				got, err := tx.Token(ctx, want.Hash)
				if err != nil {
					t.Errorf("%s: Token(%.8s) = %v", when, want.Hash, err)
				} else if *got != want {
					t.Errorf("%s: Token(%.8s) = %+v, want %+v", when, want.Hash, *got, want)
				}
			}
			got, err := tx.Tokens(ctx)
			if err != nil {
				return err
			}
			if !slices.Equal(got, toks) {
				t.Errorf("%s: Tokens() = %+v, want %+v", when, got, toks)
			}
			for _, hash := range []string{sha("nobody"), "", strings.ToUpper(sha("ua"))} {
				if got, err := tx.Token(ctx, hash); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s: Token(%q) = %+v, %v; want ErrNotFound", when, hash, got, err)
				}
			}
			return nil
		})
	}
	check("after PutToken")

	// Revoking is idempotent, and touches only the token revoked.
	for range 2 {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			return tx.RevokeToken(ctx, toks[1].ID)
		})
	}
	toks[1].Revoked = true
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.RevokeToken(ctx, toks[3].ID) // already revoked when stored
	})
	check("after RevokeToken")
	for _, id := range []int64{0, -1, toks[3].ID + 1000} {
		err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			return tx.RevokeToken(ctx, id)
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RevokeToken(%d), no such token = %v, want ErrNotFound", id, err)
		}
	}
	check("after RevokeToken of unknown ids")
}

// diffDocument describes how got differs from want ("" if it does not); a
// nil source equals an empty one.
func diffDocument(got, want store.Document) string {
	if !bytes.Equal(got.Source, want.Source) {
		return fmt.Sprintf("source %q, want %q", got.Source, want.Source)
	}
	got.Source, want.Source = nil, nil
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%+v, want %+v", got, want)
	}
	return ""
}

func testDocuments(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	ctx := context.Background()
	put := func(d store.Document) (*store.Document, error) {
		var out *store.Document
		err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			var err error
			out, err = tx.PutDocument(ctx, d)
			return err
		})
		return out, err
	}
	// want holds what each document should read back as.
	want := map[string]store.Document{}
	ids := []string{"ukraine", "Ukraine", "ukraine/annex.yaml", "ukraine-2025", "ukraine_2025", "a", "é", "z", "ukraine.2", "ukraine0"}
	for i, id := range ids {
		src := []byte(fmt.Sprintf("id: %s\n# %d\x00\xff", id, i))
		if i == 1 {
			src = nil
		}
		d := store.Document{ID: id, Source: src, Version: 0, Updated: wsTime.Add(time.Duration(i) * time.Minute)}
		got, err := put(d)
		if err != nil {
			t.Fatalf("PutDocument(%s, version 0) = %v", id, err)
		}
		w := store.Document{ID: id, Source: src, Version: 1, Updated: store.StoredTime(d.Updated)}
		if diff := diffDocument(*got, w); diff != "" {
			t.Errorf("PutDocument(%s, version 0) = %s", id, diff)
		}
		want[id] = w
	}
	// Revise "ukraine" twice, each time from the version stored.
	for v := int64(1); v <= 2; v++ {
		d := store.Document{ID: "ukraine", Source: []byte(fmt.Sprintf("id: ukraine\nrevision: %d\n", v)), Version: v, Updated: wsTime.Add(time.Duration(v) * time.Hour)}
		got, err := put(d)
		if err != nil {
			t.Fatalf("PutDocument(ukraine, version %d) = %v", v, err)
		}
		w := store.Document{ID: "ukraine", Source: d.Source, Version: v + 1, Updated: store.StoredTime(d.Updated)}
		if diff := diffDocument(*got, w); diff != "" {
			t.Errorf("PutDocument(ukraine, version %d) = %s", v, diff)
		}
		want["ukraine"] = w
	}

	bad := []struct {
		name string
		doc  store.Document
		want error
	}{
		{"stale version", store.Document{ID: "ukraine", Version: 2, Source: []byte("lost")}, store.ErrConflict},
		{"version 0 of a stored one", store.Document{ID: "ukraine", Version: 0, Source: []byte("lost")}, store.ErrConflict},
		{"future version", store.Document{ID: "ukraine", Version: 4, Source: []byte("lost")}, store.ErrConflict},
		{"version 1 of a new one", store.Document{ID: "new", Version: 1, Source: []byte("lost")}, store.ErrConflict},
		{"no id", store.Document{Source: []byte("lost")}, store.ErrInvalid},
		{"negative version", store.Document{ID: "new", Version: -1}, store.ErrInvalid},
	}
	for _, tc := range bad {
		if got, err := put(tc.doc); !errors.Is(err, tc.want) {
			t.Errorf("PutDocument(%s) = %+v, %v; want %v", tc.name, got, err, tc.want)
		}
	}

	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		var all []store.Document
		for _, id := range ids {
			got, err := tx.Document(ctx, id)
			if err != nil {
				t.Errorf("Document(%s) = %v", id, err)
				continue
			}
			if diff := diffDocument(*got, want[id]); diff != "" {
				t.Errorf("Document(%s) = %s", id, diff)
			}
			all = append(all, want[id])
		}
		slices.SortFunc(all, func(a, b store.Document) int { return strings.Compare(a.ID, b.ID) })
		got, err := tx.Documents(ctx)
		if err != nil {
			return err
		}
		if len(got) != len(all) {
			t.Fatalf("Documents() = %d documents, want %d", len(got), len(all))
		}
		for i := range got {
			if diff := diffDocument(got[i], all[i]); diff != "" {
				t.Errorf("Documents()[%d] = %s", i, diff)
			}
		}
		for _, id := range []string{"new", "UKRAINE", "ukraine/", "ukrain", ""} {
			if got, err := tx.Document(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Document(%q) = %+v, %v; want ErrNotFound", id, got, err)
			}
		}
		return nil
	})

	// A new database has no documents, and that is not an error.
	empty, err := h.Open(t, t.Name()+"/empty", store.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	view(t, empty, func(ctx context.Context, tx store.ReadTx) error {
		if got, err := tx.Documents(ctx); err != nil || len(got) != 0 {
			t.Errorf("Documents() on a new database = %+v, %v; want none", got, err)
		}
		if got, err := tx.Tokens(ctx); err != nil || len(got) != 0 {
			t.Errorf("Tokens() on a new database = %+v, %v; want none", got, err)
		}
		return nil
	})
}

// diffPosition is diffDocument for positions.
func diffPosition(got, want store.Position) string {
	if !bytes.Equal(got.Content, want.Content) {
		return fmt.Sprintf("content %q, want %q", got.Content, want.Content)
	}
	got.Content, want.Content = nil, nil
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%+v, want %+v", got, want)
	}
	return ""
}

// testPositions writes random revisions of several parties' positions in
// several settlements and checks Positions and PositionHistory against a
// brute-force model: every revision written, in order.
func testPositions(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	rng := rand.New(rand.NewPCG(3, 5))
	settlements := []string{"ukraine", "ukraine-2025", "u_a", "uxa"}
	parties := []string{"UA", "RU", "ua", "DPR", "Ü"}
	var written []store.Position
	for i := range 60 {
		p := store.Position{
			Settlement: settlements[rng.IntN(len(settlements))],
			Party:      parties[rng.IntN(len(parties))],
			Content:    []byte(fmt.Sprintf("party: x\nreservation: %d\n", i)),
			Time:       wsTime.Add(time.Duration(i) * time.Second),
			LogIndex:   int64(rng.IntN(5)) - 1,
		}
		if i == 7 {
			p.Content = nil
		}
		if i%3 == 0 {
			p.Hash = sha(string(p.Content))
		}
		want := p
		want.Hash = sha(string(p.Content))
		want.Time = store.StoredTime(p.Time)
		want.Revision = 1
		for _, w := range written {
			if w.Settlement == p.Settlement && w.Party == p.Party {
				want.Revision = w.Revision + 1
			}
		}
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.PutPosition(ctx, p)
			if err != nil {
				return fmt.Errorf("PutPosition(%s in %s) = %w", p.Party, p.Settlement, err)
			}
			if diff := diffPosition(*got, want); diff != "" {
				t.Errorf("PutPosition(%s in %s) = %s", p.Party, p.Settlement, diff)
			}
			return nil
		})
		written = append(written, want)
	}

	bad := []struct {
		name string
		pos  store.Position
	}{
		{"no settlement", store.Position{Party: "UA"}},
		{"no party", store.Position{Settlement: "ukraine"}},
		{"wrong hash", store.Position{Settlement: "ukraine", Party: "UA", Content: []byte("a"), Hash: sha("b")}},
		{"log index -2", store.Position{Settlement: "ukraine", Party: "UA", LogIndex: -2}},
	}
	for _, tc := range bad {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			if got, err := tx.PutPosition(ctx, tc.pos); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("PutPosition(%s) = %+v, %v; want ErrInvalid", tc.name, got, err)
			}
			return nil
		})
	}

	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for _, st := range append(settlements, "none", "ukrain") {
			latest := map[string]store.Position{}
			for _, party := range append(parties, "nobody") {
				var hist []store.Position
				for _, w := range written {
					if w.Settlement == st && w.Party == party {
						hist = append(hist, w)
						latest[party] = w
					}
				}
				got, err := tx.PositionHistory(ctx, st, party)
				if err != nil {
					t.Errorf("PositionHistory(%s, %s) = %v", st, party, err)
					continue
				}
				if len(got) != len(hist) {
					t.Errorf("PositionHistory(%s, %s) = %d revisions, want %d", st, party, len(got), len(hist))
					continue
				}
				for i := range got {
					if diff := diffPosition(got[i], hist[i]); diff != "" {
						t.Errorf("PositionHistory(%s, %s)[%d] = %s", st, party, i, diff)
					}
				}
			}
			var want []store.Position
			for _, party := range slices.Sorted(maps.Keys(latest)) {
				want = append(want, latest[party])
			}
			got, err := tx.Positions(ctx, st)
			if err != nil {
				t.Errorf("Positions(%s) = %v", st, err)
				continue
			}
			if len(got) != len(want) {
				t.Errorf("Positions(%s) = %d positions, want %d", st, len(got), len(want))
				continue
			}
			for i := range got {
				if diff := diffPosition(got[i], want[i]); diff != "" {
					t.Errorf("Positions(%s)[%d] = %s", st, i, diff)
				}
			}
		}
		return nil
	})
}

func testPublications(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	pubs := []store.Publication{
		{Settlement: "ukraine", Kind: "deals", Content: []byte(`{"deals":[]}`), Time: wsTime, LogIndex: 3},
		{Settlement: "ukraine-2025", Kind: "report", Content: []byte(`{}`), Time: wsTime.Add(time.Second), LogIndex: -1},
		{Settlement: "ukraine", Kind: "guarantee", Content: nil, Time: wsTime.Add(-time.Hour), LogIndex: 0},
		{Settlement: "ukraine", Kind: "deals", Content: []byte(`{"deals":[1]}`), Time: wsTime.Add(time.Nanosecond), LogIndex: 9},
	}
	for i := range pubs {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.Publish(ctx, pubs[i])
			if err != nil {
				return fmt.Errorf("Publish(%d) = %w", i, err)
			}
			if i > 0 && got.ID <= pubs[i-1].ID {
				t.Errorf("Publish(%d) = id %d, want more than the previous %d", i, got.ID, pubs[i-1].ID)
			}
			pubs[i].ID = got.ID
			pubs[i].Time = store.StoredTime(pubs[i].Time)
			if diff := diffPublication(*got, pubs[i]); diff != "" {
				t.Errorf("Publish(%d) = %s", i, diff)
			}
			return nil
		})
	}
	bad := []struct {
		name string
		pub  store.Publication
	}{
		{"no settlement", store.Publication{Kind: "deals"}},
		{"no kind", store.Publication{Settlement: "ukraine"}},
		{"log index -2", store.Publication{Settlement: "ukraine", Kind: "deals", LogIndex: -2}},
	}
	for _, tc := range bad {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			if got, err := tx.Publish(ctx, tc.pub); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Publish(%s) = %+v, %v; want ErrInvalid", tc.name, got, err)
			}
			return nil
		})
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for _, st := range []string{"ukraine", "ukraine-2025", "none", "ukrain"} {
			var want []store.Publication
			for _, p := range pubs {
				if p.Settlement == st {
					want = append(want, p)
				}
			}
			got, err := tx.Publications(ctx, st)
			if err != nil {
				t.Errorf("Publications(%s) = %v", st, err)
				continue
			}
			if len(got) != len(want) {
				t.Errorf("Publications(%s) = %d publications, want %d", st, len(got), len(want))
				continue
			}
			for i := range got {
				if diff := diffPublication(got[i], want[i]); diff != "" {
					t.Errorf("Publications(%s)[%d] = %s", st, i, diff)
				}
			}
		}
		return nil
	})
}

// diffPublication is diffDocument for publications.
func diffPublication(got, want store.Publication) string {
	if !bytes.Equal(got.Content, want.Content) {
		return fmt.Sprintf("content %q, want %q", got.Content, want.Content)
	}
	got.Content, want.Content = nil, nil
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%+v, want %+v", got, want)
	}
	return ""
}

// testWorkspaceRollback checks that an Update whose function fails keeps
// none of its workspace writes.
func testWorkspaceRollback(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	keep := store.Token{Hash: sha("keep"), Role: store.RoleMediator, Created: wsTime}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		keep.ID, err = tx.PutToken(ctx, keep)
		if err == nil {
			_, err = tx.PutDocument(ctx, store.Document{ID: "kept", Source: []byte("v1")})
		}
		return err
	})
	keep.Created = store.StoredTime(keep.Created)
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.PutToken(ctx, store.Token{Hash: sha("lost"), Role: store.RoleObserver}); err != nil {
			return err
		}
		if err := tx.RevokeToken(ctx, keep.ID); err != nil {
			return err
		}
		if _, err := tx.PutDocument(ctx, store.Document{ID: "lost", Source: []byte("x")}); err != nil {
			return err
		}
		if _, err := tx.PutDocument(ctx, store.Document{ID: "kept", Source: []byte("v2"), Version: 1}); err != nil {
			return err
		}
		if _, err := tx.PutPosition(ctx, store.Position{Settlement: "kept", Party: "UA", LogIndex: -1}); err != nil {
			return err
		}
		if _, err := tx.Publish(ctx, store.Publication{Settlement: "kept", Kind: "deals", LogIndex: -1}); err != nil {
			return err
		}
		// The transaction sees its own writes.
		if d, err := tx.Document(ctx, "kept"); err != nil || d.Version != 2 {
			t.Errorf("Document(kept) in the transaction that revised it = %+v, %v; want version 2", d, err)
		}
		if ps, err := tx.Positions(ctx, "kept"); err != nil || len(ps) != 1 {
			t.Errorf("Positions(kept) in the transaction that wrote one = %+v, %v; want one", ps, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if got, err := tx.Tokens(ctx); err != nil || !slices.Equal(got, []store.Token{keep}) {
			t.Errorf("Tokens() after a rolled-back update = %+v, %v; want only %+v, not revoked", got, err, keep)
		}
		if got, err := tx.Document(ctx, "lost"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Document(lost) after a rolled-back update = %+v, %v; want ErrNotFound", got, err)
		}
		if got, err := tx.Document(ctx, "kept"); err != nil || got.Version != 1 || string(got.Source) != "v1" {
			t.Errorf("Document(kept) after a rolled-back revision = %+v, %v; want version 1, v1", got, err)
		}
		if got, err := tx.Positions(ctx, "kept"); err != nil || len(got) != 0 {
			t.Errorf("Positions(kept) after a rolled-back update = %+v, %v; want none", got, err)
		}
		if got, err := tx.Publications(ctx, "kept"); err != nil || len(got) != 0 {
			t.Errorf("Publications(kept) after a rolled-back update = %+v, %v; want none", got, err)
		}
		return nil
	})
	// The revision the rolled-back update lost can be made again.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		p, err := tx.PutPosition(ctx, store.Position{Settlement: "kept", Party: "UA", LogIndex: -1})
		if err == nil && p.Revision != 1 {
			t.Errorf("PutPosition after a rolled-back one = revision %d, want 1", p.Revision)
		}
		return err
	})
}

// testStamp checks ReadTx.Stamp: the same for the same state, changed by
// every write to the settlement's document, its files' documents or its
// positions, and by nothing else — in particular not by writes to a
// settlement whose id begins with the same letters, or that a LIKE
// pattern built from the id would match.
func testStamp(t *testing.T, h Harness) {
	s := open(t, h, store.DefaultOptions())
	// tracked are the settlements whose stamps each step checks.
	tracked := []string{"ukraine", "ukraine-2025", "u_a", "uxa", "50%"}
	stamps := func(ctx context.Context, rt store.ReadTx) map[string]string {
		out := map[string]string{}
		for _, id := range tracked {
			a, err := rt.Stamp(ctx, id)
			if err != nil {
				t.Fatalf("Stamp(%s) = %v", id, err)
			}
			if b, err := rt.Stamp(ctx, id); err != nil || a != b {
				t.Errorf("Stamp(%s) twice = %q, then %q, %v", id, a, b, err)
			}
			out[id] = a
		}
		return out
	}
	read := func() map[string]string {
		var out map[string]string
		view(t, s, func(ctx context.Context, tx store.ReadTx) error {
			out = stamps(ctx, tx)
			return nil
		})
		return out
	}

	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		if got, err := tx.Stamp(ctx, "ukraine"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Stamp(ukraine) on a new database = %q, %v; want ErrNotFound", got, err)
		}
		return nil
	})
	versions := map[string]int64{}
	putDoc := func(id string) func(ctx context.Context, tx store.Tx) error {
		return func(ctx context.Context, tx store.Tx) error {
			d, err := tx.PutDocument(ctx, store.Document{ID: id, Source: []byte("id: " + id), Version: versions[id], Updated: wsTime})
			if err == nil {
				versions[id] = d.Version
			}
			return err
		}
	}
	putPos := func(settlement, party string) func(ctx context.Context, tx store.Tx) error {
		return func(ctx context.Context, tx store.Tx) error {
			_, err := tx.PutPosition(ctx, store.Position{Settlement: settlement, Party: party, Content: []byte("party: " + party), LogIndex: -1})
			return err
		}
	}
	// A settlement with positions but no document is not stored.
	update(t, s, putPos("ghost", "UA"))
	for _, id := range tracked {
		update(t, s, putDoc(id))
	}
	view(t, s, func(ctx context.Context, tx store.ReadTx) error {
		for _, id := range []string{"ghost", "ukrain", "ukraine-", "ukraine/", "UKRAINE", "u_", "u%", "_", "%", ""} {
			if got, err := tx.Stamp(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Stamp(%q), not stored = %q, %v; want ErrNotFound", id, got, err)
			}
		}
		return nil
	})

	steps := []struct {
		name    string
		write   func(ctx context.Context, tx store.Tx) error
		changes []string // the tracked settlements whose stamp changes
	}{
		{"revise ukraine", putDoc("ukraine"), []string{"ukraine"}},
		{"add file ukraine/annex.yaml", putDoc("ukraine/annex.yaml"), []string{"ukraine"}},
		{"revise file ukraine/annex.yaml", putDoc("ukraine/annex.yaml"), []string{"ukraine"}},
		{"add file ukraine/annex.yaml/deep", putDoc("ukraine/annex.yaml/deep"), []string{"ukraine"}},
		{"add file ukraine/ (no name)", putDoc("ukraine/"), []string{"ukraine"}},
		{"position of UA in ukraine", putPos("ukraine", "UA"), []string{"ukraine"}},
		{"position of RU in ukraine", putPos("ukraine", "RU"), []string{"ukraine"}},
		{"second position of UA in ukraine", putPos("ukraine", "UA"), []string{"ukraine"}},
		{"revise ukraine-2025", putDoc("ukraine-2025"), []string{"ukraine-2025"}},
		{"add file ukraine-2025/x", putDoc("ukraine-2025/x"), []string{"ukraine-2025"}},
		{"position in ukraine-2025", putPos("ukraine-2025", "UA"), []string{"ukraine-2025"}},
		{"add ukraine.x and its file", func(ctx context.Context, tx store.Tx) error {
			if err := putDoc("ukraine.x")(ctx, tx); err != nil {
				return err
			}
			return putDoc("ukraine.x/f")(ctx, tx)
		}, nil},
		{"add file ukraine0/f", putDoc("ukraine0/f"), nil},
		{"add file ukrain/e", putDoc("ukrain/e"), nil},
		{"add file Ukraine/f", putDoc("Ukraine/f"), nil},
		{"position in ukraine-", putPos("ukraine-", "UA"), nil},
		{"position in ukrain", putPos("ukrain", "UA"), nil},
		{"add file uxa/f (u_a/% as a LIKE pattern matches it)", putDoc("uxa/f"), []string{"uxa"}},
		{"add file u_a/f", putDoc("u_a/f"), []string{"u_a"}},
		{"add file 50x/f (50%/% as a LIKE pattern matches it)", putDoc("50x/f"), nil},
		{"add file 50%/f", putDoc("50%/f"), []string{"50%"}},
		{"position in uxa", putPos("uxa", "DPR"), []string{"uxa"}},
		{"publication in ukraine", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Publish(ctx, store.Publication{Settlement: "ukraine", Kind: "deals", Content: []byte("{}"), LogIndex: -1})
			return err
		}, nil},
		{"token, then revoked", func(ctx context.Context, tx store.Tx) error {
			id, err := tx.PutToken(ctx, store.Token{Hash: sha("ukraine"), Role: store.RoleParty, Party: "UA", Label: "ukraine"})
			if err != nil {
				return err
			}
			return tx.RevokeToken(ctx, id)
		}, nil},
		{"events", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.Ingest(ctx, batch("stamp"), store.Events(ev("1", "2025-01-01")))
			return err
		}, nil},
		{"a stale PutDocument, refused", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.PutDocument(ctx, store.Document{ID: "ukraine", Source: []byte("lost"), Version: versions["ukraine"] - 1})
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("stale PutDocument(ukraine) = %v, want ErrConflict", err)
			}
			return nil
		}, nil},
		{"add file ukraine/annex/f", putDoc("ukraine/annex/f"), []string{"ukraine"}},
	}
	prev := read()
	seen := map[string]bool{}
	for _, id := range tracked {
		seen[prev[id]] = true
	}
	for _, st := range steps {
		update(t, s, st.write)
		cur := read()
		for _, id := range tracked {
			want := slices.Contains(st.changes, id)
			if got := cur[id] != prev[id]; got != want {
				t.Errorf("after %s: Stamp(%s) %q → %q: changed %v, want %v", st.name, id, prev[id], cur[id], got, want)
			}
			if cur[id] != prev[id] {
				if seen[cur[id]] {
					t.Errorf("after %s: Stamp(%s) = %q, a stamp seen before", st.name, id, cur[id])
				}
				seen[cur[id]] = true
			}
		}
		prev = cur
	}

	// Inside an Update, Stamp sees the transaction's own writes; a
	// rolled-back one leaves the stamp as it was, a committed one as the
	// transaction saw it last.
	boom := errors.New("boom")
	for _, commit := range []bool{false, true} {
		var inside string
		err := s.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
			before, err := tx.Stamp(ctx, "ukraine")
			if err != nil {
				return err
			}
			if before != prev["ukraine"] {
				t.Errorf("Stamp(ukraine) at the start of an Update = %q, want %q", before, prev["ukraine"])
			}
			last := before
			for _, w := range []func(ctx context.Context, tx store.Tx) error{putPos("ukraine", "UA"), putDoc("ukraine/annex.yaml"), putDoc("ukraine")} {
				if err := w(ctx, tx); err != nil {
					return err
				}
				if inside, err = tx.Stamp(ctx, "ukraine"); err != nil {
					return err
				}
				if inside == last {
					t.Errorf("Stamp(ukraine) after a write in the same Update = %q, unchanged", inside)
				}
				last = inside
			}
			if !commit {
				return boom
			}
			return nil
		})
		if commit && err != nil || !commit && !errors.Is(err, boom) {
			t.Fatalf("Update(commit %v) = %v", commit, err)
		}
		if !commit {
			versions["ukraine"]--
			versions["ukraine/annex.yaml"]--
		}
		cur := read()
		want := prev["ukraine"]
		if commit {
			want = inside
		}
		if cur["ukraine"] != want {
			t.Errorf("Stamp(ukraine) after an Update (commit %v) = %q, want %q", commit, cur["ukraine"], want)
		}
		prev = cur
	}

	// Another handle on the same database (another process) reads the
	// same stamps.
	s2, err := h.Open(t, t.Name(), store.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	view(t, s2, func(ctx context.Context, tx store.ReadTx) error {
		for id, want := range stamps(ctx, tx) {
			if want != prev[id] {
				t.Errorf("Stamp(%s) from a second handle = %q, want %q", id, want, prev[id])
			}
		}
		return nil
	})
}
