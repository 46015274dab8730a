package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func TestAppendAllOrNothing(t *testing.T) {
	ctx := context.Background()
	l, _, _, _ := newTestLog(t, 3)
	bad := Leaf{Kind: KindRuling, Time: testTime, Content: []byte("{not json")}
	if _, err := l.Append(ctx, testLeaf(3), bad, testLeaf(5)); !errors.Is(err, ErrLeafFormat) || !strings.Contains(err.Error(), "leaf 2 of 3") {
		t.Errorf("Append(good, bad, good) = %v, want ErrLeafFormat naming leaf 2 of 3", err)
	}
	if n, _ := l.Size(ctx); n != 3 {
		t.Errorf("after a failed append, size = %d, want 3", n)
	}
	// A failing transaction writes nothing either.
	m := &Memory{}
	boom := errors.New("boom")
	err := m.Update(ctx, func(ctx context.Context, tx Tx) error {
		leaf, _ := testLeaf(0).Encode()
		h, _ := storedHashes(ctx, tx, 0, [][]byte{leaf})
		if err := tx.WriteLeaves(ctx, 0, [][]byte{leaf}, h); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n, _ := (&Log{storage: m, opts: DefaultOptions()}).Size(ctx); n != 0 {
		t.Errorf("after a rolled-back update, size = %d, want 0", n)
	}
}

// TestConcurrentAppends appends from many goroutines at once: the log must
// come out linear (every leaf once, no gap) and verify.
func TestConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	l, _, s, v := newTestLog(t, 0)
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				lf := testLeaf(0)
				lf.Content = fmt.Appendf(nil, `{"worker": %d, "i": %d}`, w, i)
				if _, err := l.Append(ctx, lf); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if _, err := l.Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	entries, err := l.Leaves(ctx, 0, workers*each)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[string(e.Leaf.Content)] = true
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct leaves, want %d", len(seen), workers*each)
	}
	rep, err := l.Verify(ctx, VerifyOptions{LogKey: v})
	if err != nil || !rep.OK {
		t.Errorf("Verify after concurrent appends: %v %v", err, rep.Problems)
	}
}

func TestCheckpointsAndProofs(t *testing.T) {
	ctx := context.Background()
	l, _, s, v := newTestLog(t, 600, 1, 255, 256, 300)
	cps, err := l.Checkpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, c := range cps {
		sizes = append(sizes, c.Checkpoint.Size)
		sc, err := OpenCheckpoint(c.Note, v)
		if err != nil {
			t.Errorf("OpenCheckpoint(stored %d) = %v", c.Seq, err)
			continue
		}
		if sc.Origin != "entente.example/test-log" {
			t.Errorf("origin = %q", sc.Origin)
		}
	}
	if fmt.Sprint(sizes) != "[1 255 256 300 600]" {
		t.Errorf("checkpoint sizes = %v, want [1 255 256 300 600]", sizes)
	}
	// Signing again at the same size returns the same checkpoint.
	again, err := l.Checkpoint(ctx, s)
	if err != nil || string(again.Note) != string(cps[len(cps)-1].Note) {
		t.Errorf("Checkpoint at the same size = %v, %v; want the stored one", again, err)
	}
	// Another key cannot sign for this log.
	other, _ := testKey(t, "entente.example/other-log")
	if _, err := l.Checkpoint(ctx, other); !errors.Is(err, ErrOrigin) {
		t.Errorf("Checkpoint(other key) = %v, want ErrOrigin", err)
	}
	for _, i := range []int64{0, 1, 254, 255, 256, 299, 599} {
		p, err := l.ProveInclusion(ctx, i, 600)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(); err != nil {
			t.Errorf("inclusion proof of %d: %v", i, err)
		}
		if p.Root != cps[len(cps)-1].Checkpoint.Hash {
			t.Errorf("inclusion proof root %s, want the checkpoint's %s", p.Root, cps[len(cps)-1].Checkpoint.Hash)
		}
		raw, _ := l.Leaves(ctx, i, i+1)
		if p.LeafHash != tlog.RecordHash(raw[0].Raw) {
			t.Errorf("leaf hash of %d differs from its bytes' hash", i)
		}
	}
	for _, tc := range []struct{ i, n int64 }{{600, 600}, {-1, 600}, {5, 601}, {5, 5}} {
		if _, err := l.ProveInclusion(ctx, tc.i, tc.n); !errors.Is(err, ErrIndex) {
			t.Errorf("ProveInclusion(%d, %d) = %v, want ErrIndex", tc.i, tc.n, err)
		}
	}
	for a := range cps {
		for b := a; b < len(cps); b++ {
			p, err := l.ProveConsistency(ctx, cps[a].Checkpoint.Size, cps[b].Checkpoint.Size)
			if err != nil {
				t.Fatal(err)
			}
			if p.OldRoot != cps[a].Checkpoint.Hash || p.NewRoot != cps[b].Checkpoint.Hash || p.Check() != nil {
				t.Errorf("consistency %d→%d does not match the checkpoints", p.Old, p.New)
			}
		}
	}
	if _, err := l.ProveConsistency(ctx, 10, 5); !errors.Is(err, ErrIndex) {
		t.Errorf("ProveConsistency(10, 5) = %v, want ErrIndex", err)
	}
	rep, err := l.Verify(ctx, VerifyOptions{LogKey: v})
	if err != nil || !rep.OK || rep.Size != 600 || len(rep.Checkpoints) != 5 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	if root, _ := l.Root(ctx); rep.Root != root.Hash {
		t.Errorf("Verify root %s, Root %s", rep.Root, root.Hash)
	}
	fsck, err := l.Fsck(ctx)
	if err != nil || !fsck.OK {
		t.Errorf("Fsck = %+v, %v", fsck, err)
	}
}

func TestCosign(t *testing.T) {
	ctx := context.Background()
	l, _, _, v := newTestLog(t, 10, 4)
	ua, uav := testKey(t, "UA")
	ru, ruv := testKey(t, "RU")
	cps, _ := l.Checkpoints(ctx)
	// UA cosigns the first checkpoint it holds; RU cosigns the latest.
	if _, err := l.Cosign(ctx, cps[0].Note, v, ua); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Cosign(ctx, nil, v, ru); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(ctx, VerifyOptions{LogKey: v, Cosigners: []note.Verifier{uav, ruv}})
	if err != nil || !rep.OK {
		t.Fatalf("Verify = %+v %v", rep.Problems, err)
	}
	if rep.Agreed != nil {
		t.Errorf("Agreed = %+v, want none: no checkpoint has both cosignatures", rep.Agreed)
	}
	if got := fmt.Sprint(rep.Checkpoints[0].Cosigners, rep.Checkpoints[1].Cosigners); got != "[UA] [RU]" {
		t.Errorf("cosigners = %s, want [UA] [RU]", got)
	}
	rep, _ = l.Verify(ctx, VerifyOptions{LogKey: v, Cosigners: []note.Verifier{uav, ruv}, RequireCosigners: true})
	if rep.OK || rep.First().Code != ProblemCosignature || !strings.Contains(rep.First().Message, "not cosigned by UA") {
		t.Errorf("RequireCosigners: %+v, want a cosignature problem naming UA", rep.Problems)
	}
	if _, err := l.Cosign(ctx, nil, v, ua); err != nil {
		t.Fatal(err)
	}
	rep, _ = l.Verify(ctx, VerifyOptions{LogKey: v, Cosigners: []note.Verifier{uav, ruv}, RequireCosigners: true})
	if !rep.OK || rep.Agreed == nil || rep.Agreed.Size != 10 {
		t.Errorf("after both cosign: ok %v, agreed %+v, want the checkpoint of size 10", rep.OK, rep.Agreed)
	}
	// A checkpoint of another log cannot be cosigned into this one.
	ol, _, _, ov := newTestLog(t, 2)
	_ = ol
	other, _ := testKey(t, "entente.example/other")
	foreign, _ := SignCheckpoint(Checkpoint{Origin: other.Name(), Size: 1}, other)
	if _, err := l.Cosign(ctx, foreign, v, ua); !errors.Is(err, ErrOrigin) {
		t.Errorf("Cosign(foreign checkpoint) = %v, want ErrOrigin", err)
	}
	_ = ov
}

func TestOpenCheckpointErrors(t *testing.T) {
	s, v := testKey(t, "entente.example/log")
	other, ov := testKey(t, "entente.example/other")
	impostor, _ := testKey(t, "entente.example/log-impostor")
	c := Checkpoint{Origin: s.Name(), Size: 5, Hash: tlog.Hash{1, 2, 3}}
	good, err := SignCheckpoint(c, s)
	if err != nil {
		t.Fatal(err)
	}
	if sc, err := OpenCheckpoint(good, v); err != nil || sc.Size != 5 || sc.Hash != c.Hash {
		t.Fatalf("OpenCheckpoint(good) = %v, %v", sc, err)
	}
	foreign, _ := SignCheckpoint(Checkpoint{Origin: other.Name(), Size: 5}, other)
	tampered := []byte(strings.Replace(string(good), "\n5\n", "\n6\n", 1))
	// Same key name, different key: the impostor signs under the log's name.
	forged, _ := note.Sign(&note.Note{Text: string(c.Text())}, renamed{impostor, s.Name()})
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	tests := []struct {
		name  string
		msg   []byte
		check func(error) bool
	}{
		{"another log", foreign, func(err error) bool { return errors.Is(err, ErrOrigin) }},
		{"tampered size", tampered, func(err error) bool { return errors.As(err, &invalid) }},
		{"another key", forged, func(err error) bool { return errors.As(err, &unverified) }},
		{"not a note", []byte("hello\n"), func(err error) bool { return errors.Is(err, ErrCheckpointFormat) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := OpenCheckpoint(tt.msg, v); err == nil || !tt.check(err) {
				t.Errorf("OpenCheckpoint(%s) = %v", tt.name, err)
			}
		})
	}
	_ = ov
}

// renamed signs with s's key under another name.
type renamed struct {
	*Signer
	name string
}

func (r renamed) Name() string { return r.name }

func TestParseCheckpoint(t *testing.T) {
	h := tlog.Hash{9}
	good := Checkpoint{Origin: "example.com/log", Size: 12, Hash: h}
	round, err := ParseCheckpoint(good.Text())
	if err != nil || round.Origin != good.Origin || round.Size != 12 || round.Hash != h {
		t.Fatalf("ParseCheckpoint(Text()) = %+v, %v", round, err)
	}
	b64 := "CQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	tests := []struct{ name, text, msg string }{
		{"two lines", "a\n1\n", "2 lines"},
		{"no newline", "a\n1\n" + b64, "newline"},
		{"leading zero", "a\n01\n" + b64 + "\n", "leading zeros"},
		{"negative", "a\n-1\n" + b64 + "\n", "size"},
		{"short hash", "a\n1\nAAAA\n", "32-byte"},
		{"space in origin", "a b\n1\n" + b64 + "\n", "origin"},
		{"empty origin", "\n1\n" + b64 + "\n", "origin"},
		{"empty extension", "a\n1\n" + b64 + "\n\n", "empty extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCheckpoint([]byte(tt.text))
			if !errors.Is(err, ErrCheckpointFormat) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("ParseCheckpoint(%q) = %v, want ErrCheckpointFormat containing %q", tt.text, err, tt.msg)
			}
		})
	}
	ext, err := ParseCheckpoint([]byte("a\n1\n" + b64 + "\nextension line\n"))
	if err != nil || len(ext.Extensions) != 1 || string(ext.Text()) != "a\n1\n"+b64+"\nextension line\n" {
		t.Errorf("extension lines: %+v, %v", ext, err)
	}
}

// TestVerifyLaterVersion: a leaf of a later encoding version is verified in
// the tree and counted as undecoded, not reported as a problem.
func TestVerifyLaterVersion(t *testing.T) {
	ctx := context.Background()
	future := append([]byte{2, 9}, []byte("a format from the future")...)
	leaf0, _ := testLeaf(0).Encode()
	l := rawLog(t, [][]byte{leaf0, future})
	s, v := testKey(t, "entente.example/test-log")
	if _, err := l.Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(ctx, VerifyOptions{LogKey: v})
	if err != nil || !rep.OK || rep.Undecoded != 1 || rep.Leaves != 2 {
		t.Errorf("Verify = ok %v, undecoded %d, leaves %d, problems %v, err %v; want ok with 1 undecoded", rep.OK, rep.Undecoded, rep.Leaves, rep.Problems, err)
	}
}
