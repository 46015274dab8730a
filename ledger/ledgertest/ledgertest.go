// Package ledgertest is the conformance suite of [ledger.Storage]: every
// implementation (ledger.Memory, the SQLite and PostgreSQL stores) runs it
// with one call,
//
//	ledgertest.Run(t, func(t *testing.T) ledger.Storage { … a fresh, empty log … })
//
// It checks the contract written on ledger.Storage: round trips of leaves,
// stored hashes and checkpoints; appends only at the log's size;
// all-or-nothing updates (an error or a cancelled context keeps nothing);
// views that never see a transaction in progress; missing leaves reported
// by index; and concurrent appends that stay linear and verify.
package ledgertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/entente-org/entente/ledger"
)

// Run runs every conformance test; open returns a fresh, empty log each
// time it is called.
func Run(t *testing.T, open func(t *testing.T) ledger.Storage) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) ledger.Storage)
	}{
		{"Empty", testEmpty},
		{"RoundTrip", testRoundTrip},
		{"AppendAtSize", testAppendAtSize},
		{"Rollback", testRollback},
		{"Cancel", testCancel},
		{"Isolation", testIsolation},
		{"Missing", testMissing},
		{"Checkpoints", testCheckpoints},
		{"ConcurrentAppends", testConcurrentAppends},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Key returns a deterministic log key named name, for tests.
func Key(t testing.TB, name string) (*ledger.Signer, note.Verifier) {
	t.Helper()
	seed := sha256.Sum256([]byte("ledgertest " + name))
	skey, _, err := note.GenerateKey(bytes.NewReader(seed[:]), name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ledger.ParseSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.Verifier()
}

// Leaf returns the i-th leaf of the suite's logs.
func Leaf(i int) ledger.Leaf {
	kinds := ledger.Kinds()
	return ledger.Leaf{
		Kind:    kinds[i%len(kinds)],
		Time:    time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Content: fmt.Appendf(nil, `{"n": %d, "ruling": "violation %d"}`, i, i),
	}
}

func newLog(t *testing.T, st ledger.Storage) *ledger.Log {
	t.Helper()
	l, err := ledger.New(st, ledger.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func appendN(t *testing.T, l *ledger.Log, from, n int) {
	t.Helper()
	var batch []ledger.Leaf
	for i := from; i < from+n; i++ {
		batch = append(batch, Leaf(i))
	}
	first, err := l.Append(context.Background(), batch...)
	if err != nil {
		t.Fatal(err)
	}
	if first != int64(from) {
		t.Fatalf("Append at %d returned first index %d", from, first)
	}
}

// writeLeaf writes Leaf(i) at index i of the log in tx, with the stored
// hashes tlog.StoredHashes computes from tx's.
func writeLeaf(ctx context.Context, tx ledger.Tx, i int) error {
	leaf, _ := Leaf(i).Encode()
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return tx.ReadHashes(ctx, idx) })
	hashes, err := tlog.StoredHashes(int64(i), leaf, hr)
	if err != nil {
		return err
	}
	return tx.WriteLeaves(ctx, int64(i), [][]byte{leaf}, hashes)
}

func size(t *testing.T, st ledger.Storage) int64 {
	t.Helper()
	var n int64
	err := st.View(context.Background(), func(ctx context.Context, r ledger.Reader) error {
		var err error
		n, err = r.Size(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testEmpty(t *testing.T, open func(t *testing.T) ledger.Storage) {
	st := open(t)
	err := st.View(context.Background(), func(ctx context.Context, r ledger.Reader) error {
		n, err := r.Size(ctx)
		if err != nil || n != 0 {
			return fmt.Errorf("Size() = %d, %v, want 0", n, err)
		}
		leaves, err := r.ReadLeaves(ctx, 0, 0)
		if err != nil || len(leaves) != 0 {
			return fmt.Errorf("ReadLeaves(0, 0) = %d leaves, %v, want none", len(leaves), err)
		}
		cps, err := r.Checkpoints(ctx)
		if err != nil || len(cps) != 0 {
			return fmt.Errorf("Checkpoints() = %d, %v, want none", len(cps), err)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	root, err := newLog(t, st).Root(context.Background())
	if err != nil || root.N != 0 || root.Hash != tlog.Hash(sha256.Sum256(nil)) {
		t.Errorf("Root() of the empty log = %v, %v, want size 0 and SHA-256(\"\")", root, err)
	}
}

// testRoundTrip appends in batches of several sizes and reads everything
// back: leaves byte for byte, every stored hash equal to the one computed
// independently here with tlog.StoredHashes over a plain slice.
func testRoundTrip(t *testing.T, open func(t *testing.T) ledger.Storage) {
	ctx := context.Background()
	st := open(t)
	l := newLog(t, st)
	from := 0
	for _, n := range []int{1, 2, 5, 255, 1, 300} {
		appendN(t, l, from, n)
		from += n
	}
	var want [][]byte
	var hashes []tlog.Hash
	mem := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i := range from {
		b, err := Leaf(i).Encode()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, b)
		h, err := tlog.StoredHashes(int64(i), b, mem)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h...)
	}
	err := st.View(ctx, func(ctx context.Context, r ledger.Reader) error {
		n, err := r.Size(ctx)
		if err != nil || n != int64(from) {
			return fmt.Errorf("Size() = %d, %v, want %d", n, err, from)
		}
		got, err := r.ReadLeaves(ctx, 0, n)
		if err != nil {
			return err
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				return fmt.Errorf("ReadLeaves: leaf %d = %x, want %x", i, got[i], want[i])
			}
		}
		mid, err := r.ReadLeaves(ctx, 7, 9)
		if err != nil || len(mid) != 2 || !bytes.Equal(mid[1], want[8]) {
			return fmt.Errorf("ReadLeaves(7, 9) = %d leaves, %v", len(mid), err)
		}
		idx := make([]int64, len(hashes))
		for i := range idx {
			idx[i] = int64(len(idx) - 1 - i) // any order
		}
		got2, err := r.ReadHashes(ctx, idx)
		if err != nil {
			return err
		}
		for i, x := range idx {
			if got2[i] != hashes[x] {
				return fmt.Errorf("ReadHashes: stored hash %d = %s, want %s", x, got2[i], hashes[x])
			}
		}
		if _, err := r.ReadHashes(ctx, []int64{int64(len(hashes))}); err == nil {
			return fmt.Errorf("ReadHashes(%d) beyond the stored hashes: no error", len(hashes))
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// testAppendAtSize: WriteLeaves only at the log's size, with the right
// number of hashes.
func testAppendAtSize(t *testing.T, open func(t *testing.T) ledger.Storage) {
	ctx := context.Background()
	st := open(t)
	appendN(t, newLog(t, st), 0, 3)
	leaf, _ := Leaf(3).Encode()
	for _, start := range []int64{2, 4} {
		err := st.Update(ctx, func(ctx context.Context, tx ledger.Tx) error {
			return tx.WriteLeaves(ctx, start, [][]byte{leaf}, []tlog.Hash{{1}, {2}, {3}})
		})
		if !errors.Is(err, ledger.ErrConflict) {
			t.Errorf("WriteLeaves at %d of a log of 3 = %v, want ErrConflict", start, err)
		}
	}
	err := st.Update(ctx, func(ctx context.Context, tx ledger.Tx) error {
		return tx.WriteLeaves(ctx, 3, [][]byte{leaf}, []tlog.Hash{{1}})
	})
	if err == nil {
		t.Errorf("WriteLeaves(3, one leaf, one hash) = nil, want an error: leaf 3 completes two subtrees and needs 3 hashes")
	}
	if n := size(t, st); n != 3 {
		t.Errorf("size after refused writes = %d, want 3", n)
	}
}

var errBoom = errors.New("boom")

// testRollback: an Update that fails keeps nothing, leaves nor checkpoints.
func testRollback(t *testing.T, open func(t *testing.T) ledger.Storage) {
	ctx := context.Background()
	st := open(t)
	l := newLog(t, st)
	appendN(t, l, 0, 2)
	s, v := Key(t, "entente.example/ledgertest")
	if _, err := l.Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, func(ctx context.Context, tx ledger.Tx) error {
		if err := writeLeaf(ctx, tx, 2); err != nil {
			return err
		}
		if err := tx.WriteCheckpoint(ctx, 2, []byte("not kept\n")); err != nil {
			return err
		}
		if err := tx.WriteCheckpoint(ctx, 1, []byte("not kept either\n")); err != nil {
			return err
		}
		if n, err := tx.Size(ctx); err != nil || n != 3 {
			return fmt.Errorf("size inside the transaction = %d, %v, want 3", n, err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	if n := size(t, st); n != 2 {
		t.Errorf("size after a rolled-back append = %d, want 2", n)
	}
	rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v})
	if err != nil || !rep.OK || len(rep.Checkpoints) != 1 {
		t.Errorf("after a rollback: Verify = %+v, %v; want the one checkpoint, intact", rep, err)
	}
}

// testCancel: an Update whose context ends keeps nothing.
func testCancel(t *testing.T, open func(t *testing.T) ledger.Storage) {
	st := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := st.Update(ctx, func(ctx context.Context, tx ledger.Tx) error {
		leaf, _ := Leaf(0).Encode()
		if err := tx.WriteLeaves(ctx, 0, [][]byte{leaf}, []tlog.Hash{tlog.RecordHash(leaf)}); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if err == nil {
		t.Errorf("Update with a context cancelled inside = nil, want an error")
	}
	if n := size(t, st); n != 0 {
		t.Errorf("size after a cancelled update = %d, want 0", n)
	}
}

// testIsolation: a view never sees a transaction in progress.
func testIsolation(t *testing.T, open func(t *testing.T) ledger.Storage) {
	ctx := context.Background()
	st := open(t)
	appendN(t, newLog(t, st), 0, 1)
	written, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.Update(ctx, func(ctx context.Context, tx ledger.Tx) error {
			if err := writeLeaf(ctx, tx, 1); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	select {
	case <-written:
	case err := <-done:
		t.Fatalf("Update ended early: %v", err)
	}
	if n := size(t, st); n != 1 {
		t.Errorf("a view during an uncommitted append sees size %d, want 1", n)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := size(t, st); n != 2 {
		t.Errorf("size after the commit = %d, want 2", n)
	}
}

// testMissing: reading beyond the log names the first missing index.
func testMissing(t *testing.T, open func(t *testing.T) ledger.Storage) {
	st := open(t)
	appendN(t, newLog(t, st), 0, 5)
	err := st.View(context.Background(), func(ctx context.Context, r ledger.Reader) error {
		_, err := r.ReadLeaves(ctx, 3, 7)
		var ml *ledger.MissingLeafError
		if !errors.As(err, &ml) || ml.Index != 5 {
			return fmt.Errorf("ReadLeaves(3, 7) of a log of 5 = %v, want a MissingLeafError at 5", err)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// testCheckpoints: checkpoints append in order and can be replaced (to add
// cosignatures), nothing else.
func testCheckpoints(t *testing.T, open func(t *testing.T) ledger.Storage) {
	ctx := context.Background()
	st := open(t)
	l := newLog(t, st)
	s, v := Key(t, "entente.example/ledgertest")
	ua, uav := Key(t, "UA")
	for _, n := range []int{3, 4, 10} {
		appendN(t, l, int(size(t, st)), n)
		if _, err := l.Checkpoint(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Cosign(ctx, nil, v, ua); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, func(ctx context.Context, tx ledger.Tx) error {
		if err := tx.WriteCheckpoint(ctx, 5, []byte("x\n")); err == nil {
			return errors.New("WriteCheckpoint(5) with 3 stored: no error")
		}
		if err := tx.WriteCheckpoint(ctx, 0, []byte("x\n")); err == nil {
			return errors.New("WriteCheckpoint(0): no error")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	cps, err := l.Checkpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, c := range cps {
		sizes = append(sizes, c.Checkpoint.Size)
	}
	if fmt.Sprint(sizes) != "[3 7 17]" {
		t.Errorf("checkpoint sizes = %v, want [3 7 17]", sizes)
	}
	rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v, Cosigners: []note.Verifier{uav}})
	if err != nil || !rep.OK || rep.Agreed == nil || rep.Agreed.Size != 17 {
		t.Errorf("Verify after cosigning = %+v, %v; want the checkpoint of 17 agreed", rep, err)
	}
}

// testConcurrentAppends: goroutines appending at once yield one linear log
// that verifies, with every leaf exactly once.
func testConcurrentAppends(t *testing.T, open func(t *testing.T) ledger.Storage) {
	ctx := context.Background()
	st := open(t)
	l := newLog(t, st)
	const workers, each = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				leaf := Leaf(w*each + i)
				if _, err := l.Append(ctx, leaf, Leaf(1000+w*each+i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	s, v := Key(t, "entente.example/ledgertest")
	if _, err := l.Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	entries, err := l.Leaves(ctx, 0, 2*workers*each)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i, e := range entries {
		if e.Err != nil {
			t.Fatalf("leaf %d: %v", i, e.Err)
		}
		seen[string(e.Leaf.Content)]++
	}
	if len(seen) != 2*workers*each {
		t.Errorf("%d distinct leaves, want %d", len(seen), 2*workers*each)
	}
	// A batch stays together: leaf n is followed by leaf 1000+n.
	for i := 0; i < len(entries); i += 2 {
		a, b := entries[i].Leaf.Content, entries[i+1].Leaf.Content
		var n int
		if _, err := fmt.Sscanf(string(a), `{"n": %d`, &n); err != nil || !bytes.Equal(b, Leaf(1000+n).Content) {
			t.Errorf("leaves %d and %d are not one batch: %s, %s", i, i+1, a, b)
		}
	}
	rep, err := l.Verify(ctx, ledger.VerifyOptions{LogKey: v})
	if err != nil || !rep.OK || rep.Size != 2*workers*each {
		t.Errorf("Verify after concurrent appends = %+v, %v", rep, err)
	}
}
