package ledger

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/mod/sumdb/tlog"
)

// The tamper tests change a small log (300 leaves: one full entry bundle
// and one partial, checkpoints at 100, 256 and 300) in every way the
// threat model names, at every leaf, and require that verification fails
// and that its first problem names the leaf index or the checkpoint.

const tamperSize = 300

var tamperCheckpoints = []int{100, 256}

// exportFS exports l to a temporary directory and reads it back.
func exportFS(t testing.TB, l *Log) fstest.MapFS {
	t.Helper()
	dir := t.TempDir()
	if _, err := l.Export(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func cloneFS(m fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range m {
		out[k] = &fstest.MapFile{Data: append([]byte(nil), v.Data...)}
	}
	return out
}

// bundles returns the export's leaves, bundle by bundle.
func bundleLeaves(t testing.TB, m fstest.MapFS) [][]byte {
	t.Helper()
	var out [][]byte
	for _, tl := range treeTiles(tamperSize) {
		if tl.L != 0 {
			continue
		}
		leaves, err := ParseBundle(m[TilePath(EntryTile(tl))].Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leaves {
			out = append(out, append([]byte(nil), l...))
		}
	}
	return out
}

// setBundles writes leaves back into m's bundles (as many as there are,
// 256 to a bundle, the last one at the partial path of the original size).
func setBundles(t testing.TB, m fstest.MapFS, leaves [][]byte) {
	t.Helper()
	for _, tl := range treeTiles(tamperSize) {
		if tl.L != 0 {
			continue
		}
		lo := int(tl.N) * TileWidth
		hi := min(lo+tl.W, len(leaves))
		var b []byte
		if lo < hi {
			b, _ = AppendBundle(nil, leaves[lo:hi]...)
		}
		m[TilePath(EntryTile(tl))] = &fstest.MapFile{Data: b}
	}
}

func wantIndex(t *testing.T, what string, rep *Report, index int64) {
	t.Helper()
	if rep.OK {
		t.Fatalf("%s: verify passed", what)
	}
	if p := rep.First(); p.Index != index {
		t.Fatalf("%s: first problem %q (index %d), want it to name leaf %d; all: %v", what, p.Message, p.Index, index, rep.Problems)
	}
}

func wantCheckpoint(t *testing.T, what string, rep *Report, name string) {
	t.Helper()
	if rep.OK {
		t.Fatalf("%s: verify passed", what)
	}
	for _, p := range rep.Problems {
		if p.Checkpoint == name {
			return
		}
	}
	t.Fatalf("%s: no problem names %s: %v", what, name, rep.Problems)
}

func TestTamperExport(t *testing.T) {
	l, _, _, v := newTestLog(t, tamperSize, tamperCheckpoints...)
	orig := exportFS(t, l)
	opts := VerifyOptions{LogKey: v}
	rep, err := VerifyExport(orig, opts)
	if err != nil || !rep.OK || rep.Size != tamperSize {
		t.Fatalf("VerifyExport(untouched) = %+v, %v", rep, err)
	}
	leaves := bundleLeaves(t, orig)
	verify := func(m fstest.MapFS) *Report {
		t.Helper()
		rep, err := VerifyExport(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	for i := range leaves {
		// Edit one byte: in turn the kind, the time, the content hash and
		// the content.
		for _, pos := range []int{1, 2 + i%8, 10 + i%32, LeafHeaderSize + i%(len(leaves[i])-LeafHeaderSize)} {
			m := cloneFS(orig)
			edited := cloneLeaves(leaves)
			edited[i][pos] ^= 0x20
			setBundles(t, m, edited)
			wantIndex(t, fmt.Sprintf("edit byte %d of leaf %d", pos, i), verify(m), int64(i))
		}
		// Delete it.
		m := cloneFS(orig)
		setBundles(t, m, append(cloneLeaves(leaves[:i]), cloneLeaves(leaves[i+1:])...))
		wantIndex(t, fmt.Sprintf("delete leaf %d", i), verify(m), int64(i))
		// Swap it with the next.
		if i+1 < len(leaves) {
			m := cloneFS(orig)
			swapped := cloneLeaves(leaves)
			swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
			setBundles(t, m, swapped)
			wantIndex(t, fmt.Sprintf("swap leaves %d and %d", i, i+1), verify(m), int64(i))
		}
		// Truncate the log before it.
		m = cloneFS(orig)
		setBundles(t, m, cloneLeaves(leaves[:i]))
		wantIndex(t, fmt.Sprintf("truncate at %d", i), verify(m), int64(i))
	}
	// Cut a bundle's bytes anywhere (broken framing).
	for _, cut := range []int{1, 50, 1000} {
		m := cloneFS(orig)
		p := TilePath(EntryTile(tlog.Tile{H: TileHeight, L: 0, N: 0, W: TileWidth}))
		m[p].Data = m[p].Data[:len(m[p].Data)-cut]
		if rep := verify(m); rep.OK || rep.First().Index < 0 {
			t.Errorf("bundle cut by %d bytes: %v, want a problem naming an index", cut, rep.Problems)
		}
	}
}

func cloneLeaves(ls [][]byte) [][]byte {
	out := make([][]byte, len(ls))
	for i, l := range ls {
		out[i] = append([]byte(nil), l...)
	}
	return out
}

// forkedCheckpoint returns a checkpoint of the given size signed with the
// log's key for a different tree: leaf 5 differs.
func forkedCheckpoint(t *testing.T, size int) []byte {
	t.Helper()
	m := &Memory{}
	l, _ := New(m, DefaultOptions())
	s, _ := testKey(t, "entente.example/test-log")
	var batch []Leaf
	for i := range size {
		lf := testLeaf(i)
		if i == 5 {
			lf.Content = []byte(`{"n": 5, "finding": "no violation"}`)
		}
		batch = append(batch, lf)
	}
	if _, err := l.Append(context.Background(), batch...); err != nil {
		t.Fatal(err)
	}
	c, err := l.Checkpoint(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return c.Note
}

func TestTamperExportCheckpoints(t *testing.T) {
	l, _, s, v := newTestLog(t, tamperSize, tamperCheckpoints...)
	orig := exportFS(t, l)
	other, _ := testKey(t, "entente.example/impostor")
	renamedOther := renamed{other, s.Name()}
	verify := func(m fstest.MapFS, opts VerifyOptions) *Report {
		t.Helper()
		rep, err := VerifyExport(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	opts := VerifyOptions{LogKey: v}
	for _, name := range []string{"checkpoints/1", "checkpoints/2", "checkpoints/3", "checkpoint"} {
		t.Run(name, func(t *testing.T) {
			body, _ := ParseSignedCheckpoint(orig[name].Data)
			// Replaced by a checkpoint that the log's key signed for another
			// tree of the same size (a fork).
			m := cloneFS(orig)
			m[name].Data = forkedCheckpoint(t, int(body.Size))
			wantCheckpoint(t, "forked "+name, verify(m, opts), name)
			// Re-signed by another key under the log's name.
			m = cloneFS(orig)
			m[name].Data, _ = SignCheckpoint(body, renamedOther)
			wantCheckpoint(t, "signed by another key "+name, verify(m, opts), name)
			// Size edited in the note (the signature no longer matches).
			m = cloneFS(orig)
			m[name].Data = []byte(strings.Replace(string(m[name].Data), fmt.Sprintf("\n%d\n", body.Size), fmt.Sprintf("\n%d\n", body.Size-1), 1))
			wantCheckpoint(t, "edited "+name, verify(m, opts), name)
			// A checkpoint from another log.
			m = cloneFS(orig)
			m[name].Data, _ = SignCheckpoint(Checkpoint{Origin: other.Name(), Size: body.Size, Hash: body.Hash}, other)
			wantCheckpoint(t, "another log's "+name, verify(m, opts), name)
		})
	}
	// A checkpoint deleted from the history.
	m := cloneFS(orig)
	delete(m, "checkpoints/2")
	if rep := verify(m, opts); rep.OK {
		t.Errorf("history with a gap verified")
	}
	// The whole export re-signed by another key: every checkpoint fails.
	m = cloneFS(orig)
	for name := range m {
		if name == "checkpoint" || strings.HasPrefix(name, "checkpoints/") {
			body, _ := ParseSignedCheckpoint(m[name].Data)
			m[name].Data, _ = SignCheckpoint(body, renamedOther)
		}
	}
	rep := verify(m, opts)
	for _, name := range []string{"checkpoints/1", "checkpoints/2", "checkpoints/3"} {
		wantCheckpoint(t, "all re-signed", rep, name)
	}
	// A forked checkpoint of the same size, held by a party: the export
	// itself is fine, but the log showed that party another tree.
	for _, size := range []int{256, 300, 10} {
		held := forkedCheckpoint(t, size)
		rep := verify(orig, VerifyOptions{LogKey: v, Held: [][]byte{held}})
		wantCheckpoint(t, fmt.Sprintf("held fork of size %d", size), rep, "held checkpoint 1")
	}
	// The fork added to the history after the real checkpoint.
	m = cloneFS(orig)
	m["checkpoints/4"] = &fstest.MapFile{Data: forkedCheckpoint(t, tamperSize)}
	m["checkpoint"] = &fstest.MapFile{Data: m["checkpoints/4"].Data}
	wantCheckpoint(t, "fork appended to history", verify(m, opts), "checkpoints/4")
}

// TestTamperMemory tampers with the storage itself: a stored leaf edited,
// deleted, swapped, the log truncated, and a leaf rewritten with every
// stored hash recomputed (then only the signed checkpoints can tell).
func TestTamperMemory(t *testing.T) {
	ctx := context.Background()
	_, base, _, v := newTestLog(t, tamperSize, tamperCheckpoints...)
	opts := VerifyOptions{LogKey: v}
	fresh := func() (*Log, *Memory) {
		m := &Memory{leaves: cloneLeaves(base.leaves), hashes: append([]tlog.Hash(nil), base.hashes...), notes: cloneLeaves(base.notes)}
		l, _ := New(m, DefaultOptions())
		return l, m
	}
	verify := func(l *Log) *Report {
		t.Helper()
		rep, err := l.Verify(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		fsck, err := l.Fsck(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fsck.OK || fsck.First().Code != rep.First().Code || fsck.First().Index != rep.First().Index {
			t.Fatalf("fsck's first problem %v differs from verify's %v", fsck.First(), rep.First())
		}
		return rep
	}
	for i := range tamperSize {
		l, m := fresh()
		m.leaves[i][LeafHeaderSize+i%10] ^= 1
		wantIndex(t, fmt.Sprintf("edit stored leaf %d", i), verify(l), int64(i))

		l, m = fresh()
		m.leaves[i] = nil
		wantIndex(t, fmt.Sprintf("delete stored leaf %d", i), verify(l), int64(i))

		if i+1 < tamperSize {
			l, m = fresh()
			m.leaves[i], m.leaves[i+1] = m.leaves[i+1], m.leaves[i]
			wantIndex(t, fmt.Sprintf("swap stored leaves %d, %d", i, i+1), verify(l), int64(i))
		}

		l, m = fresh()
		m.leaves = m.leaves[:i]
		m.hashes = m.hashes[:tlog.StoredHashCount(int64(i))]
		wantIndex(t, fmt.Sprintf("truncate storage at %d", i), verify(l), int64(i))
	}
	// Rewrite leaf i and recompute every stored hash: the first checkpoint
	// that covers i is named.
	for _, i := range []int{0, 99, 100, 255, 256, 299} {
		_, m := fresh()
		m.leaves[i], _ = Leaf{Kind: KindRuling, Time: testTime, Content: []byte(`{"rewritten": true}`)}.Encode()
		rebuilt := &Memory{notes: m.notes}
		_ = rebuilt.Update(ctx, func(ctx context.Context, tx Tx) error {
			h, err := storedHashes(ctx, tx, 0, m.leaves)
			if err != nil {
				return err
			}
			return tx.WriteLeaves(ctx, 0, m.leaves, h)
		})
		l, _ := New(rebuilt, DefaultOptions())
		want := "stored checkpoint 3"
		if i < 100 {
			want = "stored checkpoint 1"
		} else if i < 256 {
			want = "stored checkpoint 2"
		}
		rep := verify(l)
		wantCheckpoint(t, fmt.Sprintf("rewrite leaf %d with hashes", i), rep, want)
		if rep.First().Code != ProblemRoot {
			t.Errorf("rewrite leaf %d: first problem %v, want a root problem", i, rep.First())
		}
	}
}
