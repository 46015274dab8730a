package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/ledger"
	"github.com/entente-org/entente/ledger/ledgertest"
	"github.com/entente-org/entente/store"
)

// testLog runs the ledger.Storage conformance suite on the store's log,
// each case in a database of its own.
func testLog(t *testing.T, h Harness) {
	ledgertest.Run(t, func(t *testing.T) ledger.Storage {
		return store.LogStorage(open(t, h, store.DefaultOptions()))
	})
}

// testLogWriters appends from several handles on one database at once (as
// several processes would): one linear log, every batch whole, and it
// verifies.
func testLogWriters(t *testing.T, h Harness) {
	ctx := context.Background()
	opts := store.DefaultOptions()
	opts.LockTimeout = time.Minute
	const writers, appends = 4, 30
	var wg sync.WaitGroup
	for w := range writers {
		s, err := h.Open(t, t.Name(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		l, err := ledger.New(store.LogStorage(s), ledger.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range appends {
				n := w*appends + i
				if _, err := l.Append(ctx, ledgertest.Leaf(n), ledgertest.Leaf(10000+n)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	l, _ := ledger.New(store.LogStorage(open(t, h, opts)), ledger.DefaultOptions())
	s, v := ledgertest.Key(t, "entente.example/storetest")
	if _, err := l.Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	entries, err := l.Leaves(ctx, 0, 2*writers*appends)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < len(entries); i += 2 {
		a, b := entries[i], entries[i+1]
		var n int
		if _, err := fmt.Sscanf(string(a.Leaf.Content), `{"n": %d`, &n); err != nil || string(b.Leaf.Content) != string(ledgertest.Leaf(10000+n).Content) {
			t.Errorf("leaves %d, %d are not one batch: %s %s", i, i+1, a.Leaf.Content, b.Leaf.Content)
		}
		seen[string(a.Leaf.Content)] = true
	}
	if len(seen) != writers*appends {
		t.Errorf("%d distinct batches, want %d", len(seen), writers*appends)
	}
	rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v})
	if err != nil || !rep.OK || rep.Size != 2*writers*appends {
		t.Errorf("Verify after concurrent writers = %+v, %v", rep, err)
	}
}

// testLogTamper changes the stored log directly in the database at every
// leaf of a small log (an edited byte, a deleted row, two swapped rows, a
// truncation) and replaces checkpoints: Verify must fail, its first problem
// naming the leaf index or the checkpoint, and Fsck must agree. Each change
// is undone before the next.
func testLogTamper(t *testing.T, h Harness) {
	if h.Exec == nil {
		t.Fatal("the harness has no Exec: the tamper tests need direct database access")
	}
	ctx := context.Background()
	s := open(t, h, store.DefaultOptions())
	l, err := ledger.New(store.LogStorage(s), ledger.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	signer, v := ledgertest.Key(t, "entente.example/storetest")
	const size = 12
	for i := range size {
		if _, err := l.Append(ctx, ledgertest.Leaf(i)); err != nil {
			t.Fatal(err)
		}
		if i == 4 || i == size-1 {
			if _, err := l.Checkpoint(ctx, signer); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The rows as stored, to put back.
	leaves := make([][]byte, size)
	blobs := make([][]byte, size)
	var notes [][]byte
	err = s.View(ctx, func(ctx context.Context, tx store.ReadTx) error {
		r := tx.Log()
		raw, err := r.ReadLeaves(ctx, 0, size)
		if err != nil {
			return err
		}
		for i := range size {
			leaves[i] = append([]byte(nil), raw[i]...)
			first := tlog.StoredHashIndex(0, int64(i))
			var idx []int64
			for k := range store.LogHashCount(int64(i)) {
				idx = append(idx, first+int64(k))
			}
			hs, err := r.ReadHashes(ctx, idx)
			if err != nil {
				return err
			}
			for _, h := range hs {
				blobs[i] = append(blobs[i], h[:]...)
			}
		}
		notes, err = r.Checkpoints(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) { t.Helper(); h.Exec(t, t.Name(), q, args...) }
	// restore puts rows from … to-1 back as they were.
	restore := func(from, to int) {
		t.Helper()
		exec(`DELETE FROM log_leaves WHERE idx >= ? AND idx < ?`, from, to)
		for i := from; i < to; i++ {
			exec(`INSERT INTO log_leaves (idx, leaf, hashes) VALUES (?, ?, ?)`, i, leaves[i], blobs[i])
		}
		exec(`UPDATE log_head SET size = ? WHERE id = 1`, size)
	}
	check := func(what string, want func(p *ledger.Problem) bool) {
		t.Helper()
		rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v})
		if err != nil {
			t.Fatalf("%s: Verify: %v", what, err)
		}
		if rep.OK || !want(rep.First()) {
			t.Fatalf("%s: Verify ok=%v, first problem %+v; all %v", what, rep.OK, rep.First(), rep.Problems)
		}
		fsck, err := l.Fsck(ctx)
		if err != nil || fsck.OK {
			t.Fatalf("%s: Fsck = %+v, %v; want a problem", what, fsck, err)
		}
		// Fsck has no key: where Verify names a leaf, Fsck names the same.
		if p := rep.First(); p.Index >= 0 && fsck.First().Index != p.Index {
			t.Fatalf("%s: Fsck's first problem %+v names another leaf than Verify's %+v", what, fsck.First(), p)
		}
	}
	index := func(i int) func(p *ledger.Problem) bool {
		return func(p *ledger.Problem) bool { return p.Index == int64(i) }
	}
	if rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v}); err != nil || !rep.OK {
		t.Fatalf("Verify before tampering = %+v, %v", rep, err)
	}
	for i := range size {
		edited := append([]byte(nil), leaves[i]...)
		edited[len(edited)-3] ^= 1
		exec(`UPDATE log_leaves SET leaf = ? WHERE idx = ?`, edited, i)
		check(fmt.Sprintf("edit a byte of leaf %d", i), index(i))
		restore(i, i+1)

		exec(`DELETE FROM log_leaves WHERE idx = ?`, i)
		check(fmt.Sprintf("delete leaf %d", i), index(i))
		restore(i, i+1)

		if i+1 < size {
			exec(`UPDATE log_leaves SET leaf = ? WHERE idx = ?`, leaves[i+1], i)
			exec(`UPDATE log_leaves SET leaf = ? WHERE idx = ?`, leaves[i], i+1)
			check(fmt.Sprintf("swap leaves %d and %d", i, i+1), index(i))
			restore(i, i+2)
		}

		exec(`DELETE FROM log_leaves WHERE idx >= ?`, i)
		check(fmt.Sprintf("truncate at %d", i), index(i))
		exec(`UPDATE log_head SET size = ? WHERE id = 1`, i)
		check(fmt.Sprintf("truncate at %d, head too", i), index(i))
		restore(i, size)
	}
	// Checkpoints: replaced by one for another tree (a fork the log's key
	// signed), re-signed by another key, edited.
	other, _ := ledgertest.Key(t, "entente.example/impostor")
	for seq, note := range notes {
		name := fmt.Sprintf("stored checkpoint %d", seq+1)
		named := func(p *ledger.Problem) bool { return p.Checkpoint == name }
		body, err := ledger.ParseSignedCheckpoint(note)
		if err != nil {
			t.Fatal(err)
		}
		forked := body
		forked.Hash[0] ^= 1
		fork, _ := ledger.SignCheckpoint(forked, signer)
		exec(`UPDATE log_checkpoints SET note = ? WHERE seq = ?`, fork, seq+1)
		check("a forked "+name, named)
		foreign, _ := ledger.SignCheckpoint(ledger.Checkpoint{Origin: other.Name(), Size: body.Size, Hash: body.Hash}, other)
		exec(`UPDATE log_checkpoints SET note = ? WHERE seq = ?`, foreign, seq+1)
		check("another key's "+name, named)
		edited := []byte(strings.Replace(string(note), fmt.Sprintf("\n%d\n", body.Size), fmt.Sprintf("\n%d\n", body.Size+1), 1))
		exec(`UPDATE log_checkpoints SET note = ? WHERE seq = ?`, edited, seq+1)
		check("an edited "+name, named)
		exec(`UPDATE log_checkpoints SET note = ? WHERE seq = ?`, note, seq+1)
	}
	if rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v}); err != nil || !rep.OK {
		t.Fatalf("Verify after restoring everything = %+v, %v", rep.Problems, err)
	}
}

// testLogWithIngest: events and the log leaf that records their batch
// commit together, or not at all.
func testLogWithIngest(t *testing.T, h Harness) {
	ctx := context.Background()
	s := open(t, h, store.DefaultOptions())
	leaf, _ := ledger.NewLeaf(ledger.KindBatch, time.Date(2025, 8, 20, 0, 0, 0, 0, time.UTC), []byte(`{"batch": "b1"}`))
	boom := errors.New("boom")
	err := s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Ingest(ctx, batch("b1"), store.Events(ev("1", "2025-08-20"))); err != nil {
			return err
		}
		if _, err := ledger.AppendTx(ctx, tx.LogTx(), leaf); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	if events, _ := count(t, s); events != 0 {
		t.Errorf("after a failed update, %d events stored", events)
	}
	l, _ := ledger.New(store.LogStorage(s), ledger.DefaultOptions())
	if n, _ := l.Size(ctx); n != 0 {
		t.Errorf("after a failed update, log size %d, want 0", n)
	}
	err = s.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Ingest(ctx, batch("b1"), store.Events(ev("1", "2025-08-20"))); err != nil {
			return err
		}
		_, err := ledger.AppendTx(ctx, tx.LogTx(), leaf)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if events, _ := count(t, s); events != 1 {
		t.Errorf("%d events stored, want 1", events)
	}
	if n, _ := l.Size(ctx); n != 1 {
		t.Errorf("log size %d, want 1", n)
	}
}
