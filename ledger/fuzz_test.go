package ledger

import (
	"bytes"
	"os"
	"slices"
	"testing"
	"testing/fstest"
)

func FuzzDecodeLeaf(f *testing.F) {
	for i := range 8 {
		b, _ := testLeaf(i).Encode()
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := DecodeLeaf(b)
		if err != nil || !l.Kind.Known() {
			return
		}
		again, err := l.Encode()
		if err != nil {
			t.Fatalf("DecodeLeaf accepted % x but Encode rejects it: %v", b, err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("Encode(DecodeLeaf(% x)) = % x", b, again)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	s, v := testKey(f, "entente.example/test-log")
	good, _ := SignCheckpoint(Checkpoint{Origin: s.Name(), Size: 42, Hash: [32]byte{1}}, s)
	f.Add(good)
	f.Add(Checkpoint{Origin: "go.sum database tree", Size: 0}.Text())
	f.Add([]byte("a\n1\nAAAA\next\n\n— a AAAA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if c, err := ParseCheckpoint(b); err == nil {
			if !bytes.Equal(c.Text(), b) {
				t.Fatalf("Text(ParseCheckpoint(%q)) = %q", b, c.Text())
			}
		}
		_, _ = ParseSignedCheckpoint(b)
		if sc, err := OpenCheckpoint(b, v); err == nil && !slices.Contains(sc.Signers, s.Name()) {
			t.Fatalf("OpenCheckpoint(%q) accepted a note the log did not sign", b)
		}
	})
}

func FuzzParseBundle(f *testing.F) {
	b, _ := AppendBundle(nil, []byte("a"), nil, bytes.Repeat([]byte("x"), 300))
	f.Add(b)
	f.Add([]byte{0})
	f.Add([]byte{0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseBundle(b)
		if err != nil {
			return
		}
		again, err := AppendBundle(nil, entries...)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("AppendBundle(ParseBundle(% x)) = % x, %v", b, again, err)
		}
	})
}

// FuzzVerifyExport replaces one file of a small export with fuzzed bytes:
// VerifyExport must never panic, and passes the untouched export.
func FuzzVerifyExport(f *testing.F) {
	l, _, _, v := newTestLog(f, 20, 5, 12)
	dir := f.TempDir()
	if _, err := l.Export(f.Context(), dir); err != nil {
		f.Fatal(err)
	}
	orig := fstest.MapFS{}
	var names []string
	for _, name := range []string{"checkpoint", "checkpoints/1", "checkpoints/2", "checkpoints/3", "tile/0/000.p/5", "tile/0/000.p/12", "tile/0/000.p/20", "tile/entries/000.p/5", "tile/entries/000.p/12", "tile/entries/000.p/20"} {
		b, err := os.ReadFile(dir + "/" + name)
		if err != nil {
			f.Fatal(err)
		}
		orig[name] = &fstest.MapFile{Data: b}
		names = append(names, name)
		f.Add(uint8(len(names)-1), b)
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m := cloneFS(orig)
		name := names[int(which)%len(names)]
		m[name] = &fstest.MapFile{Data: data}
		rep, err := VerifyExport(m, VerifyOptions{LogKey: v})
		if err != nil {
			return
		}
		if bytes.Equal(data, orig[name].Data) && !rep.OK {
			t.Fatalf("untouched export fails: %v", rep.Problems)
		}
	})
}
