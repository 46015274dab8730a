package ledger

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestLeafGolden pins the version-1 encoding byte for byte
// (docs/log-format.md). Regenerate with go test ./ledger -run TestLeafGolden -update,
// which must never be needed: the encoding is stable.
func TestLeafGolden(t *testing.T) {
	l := Leaf{Kind: KindRuling, Time: time.Date(2025, 8, 20, 12, 0, 0, 0, time.UTC), Content: []byte(`{"ruling":"violation","event":"ucdp-1"}`)}
	got, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/leaf-v1.hex"
	if *update {
		if err := os.WriteFile(golden, []byte(hex.Dump(got)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if hex.Dump(got) != string(want) {
		t.Errorf("Encode() =\n%s\nwant\n%s", hex.Dump(got), want)
	}
	// The same bytes, written out independently from the specification.
	spec := []byte{0x01, 0x03}
	spec = append(spec, 0x18, 0x5d, 0x77, 0xd8, 0x27, 0x47, 0x80, 0x00) // 1755691200 s in ns, big-endian
	// sha256 of the content, computed with Python's hashlib.
	spec = append(spec, mustHex(t, "ac36cb318ed1c1716edd75f90d90bd9060967d8f1e45f849520d748deafd722b")...)
	spec = append(spec, l.Content...)
	if !bytes.Equal(got, spec) {
		t.Errorf("Encode() = % x, want % x", got, spec)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLeafRoundTrip(t *testing.T) {
	for i := range 8 {
		l := testLeaf(i)
		b, err := l.Encode()
		if err != nil {
			t.Fatalf("Encode(%v): %v", l, err)
		}
		got, err := DecodeLeaf(b)
		if err != nil {
			t.Fatalf("DecodeLeaf(Encode(%v)): %v", l, err)
		}
		if got.Kind != l.Kind || !got.Time.Equal(l.Time) || !bytes.Equal(got.Content, l.Content) {
			t.Errorf("DecodeLeaf(Encode(%v)) = %v", l, got)
		}
		if got.ContentHash() != l.ContentHash() {
			t.Errorf("content hash changed")
		}
	}
}

func TestDecodeLeafErrors(t *testing.T) {
	good, err := testLeaf(2).Encode()
	if err != nil {
		t.Fatal(err)
	}
	with := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name string
		in   []byte
		is   error
		msg  string
	}{
		{"empty", nil, ErrLeafFormat, "empty"},
		{"version 2", with(func(b []byte) []byte { b[0] = 2; return b }), ErrUnknownVersion, "version 2"},
		{"short", good[:20], ErrLeafFormat, "at least 42"},
		{"kind 0", with(func(b []byte) []byte { b[1] = 0; return b }), ErrLeafFormat, "kind 0"},
		{"negative time", with(func(b []byte) []byte { b[2] = 0x80; return b }), ErrLeafFormat, "negative"},
		{"content edited", with(func(b []byte) []byte { b[len(b)-2] ^= 1; return b }), ErrLeafFormat, "does not match"},
		{"hash edited", with(func(b []byte) []byte { b[11] ^= 1; return b }), ErrLeafFormat, "bytes 10-41"},
		{"too long", append(with(func(b []byte) []byte { return b }), make([]byte, MaxLeafSize)...), ErrLeafFormat, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeLeaf(tt.in)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("DecodeLeaf(%s) = %v, want %v containing %q", tt.name, err, tt.is, tt.msg)
			}
		})
	}
}

func TestDecodeLeafBadJSON(t *testing.T) {
	l := Leaf{Kind: KindRuling, Time: testTime, Content: []byte("{\"a\":\n  1,}")}
	if _, err := l.Encode(); err == nil || !strings.Contains(err.Error(), "line 2, column") {
		t.Errorf("Encode(bad JSON) = %v, want an error with line 2", err)
	}
}

func TestDecodeLeafUnknownKind(t *testing.T) {
	b, err := testLeaf(0).Encode()
	if err != nil {
		t.Fatal(err)
	}
	b[1] = 9
	l, err := DecodeLeaf(b)
	if err != nil {
		t.Fatalf("DecodeLeaf(kind 9) = %v, want a leaf of kind(9) (forward compatibility)", err)
	}
	if l.Kind.String() != "kind(9)" || l.Kind.Known() {
		t.Errorf("kind = %v, known %v; want kind(9), unknown", l.Kind, l.Kind.Known())
	}
}

func TestLeafValidate(t *testing.T) {
	tests := []struct {
		name string
		leaf Leaf
		msg  string
	}{
		{"unknown kind", Leaf{Kind: 7, Time: testTime, Content: []byte("{}")}, "kind(7)"},
		{"before 1970", Leaf{Kind: KindBatch, Time: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC), Content: []byte("{}")}, "1970"},
		{"not JSON", Leaf{Kind: KindBatch, Time: testTime, Content: []byte("hello")}, "not valid JSON"},
		{"empty", Leaf{Kind: KindBatch, Time: testTime}, "not valid JSON"},
		{"too big", Leaf{Kind: KindBatch, Time: testTime, Content: []byte(`"` + strings.Repeat("a", MaxContentSize) + `"`)}, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.leaf.Validate()
			if !errors.Is(err, ErrLeafFormat) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Validate() = %v, want ErrLeafFormat containing %q", err, tt.msg)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range Kinds() {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v, want %v", k, got, err, k)
		}
	}
	if _, err := ParseKind("verdict"); err == nil || !strings.Contains(err.Error(), "known: batch") {
		t.Errorf("ParseKind(verdict) = %v, want an error listing the kinds", err)
	}
}
