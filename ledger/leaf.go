package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what a leaf records. Its numeric value is the leaf encoding's kind
// byte, so values never change meaning; new kinds take new values.
type Kind uint8

// The kinds of record the log holds.
const (
	// KindBatch is an ingested batch of monitoring events.
	KindBatch Kind = 1
	// KindReport is a monitoring report (violation tallies and triggers).
	KindReport Kind = 2
	// KindRuling is a mediator's finding on a violation or a trigger.
	KindRuling Kind = 3
	// KindActivation is the activation of a guarantee.
	KindActivation Kind = 4
	// KindPosition is a revision of a party's position, by its content
	// hash only: the log can be public without revealing positions.
	KindPosition Kind = 5
	// KindPublication is a result the mediator published.
	KindPublication Kind = 6
)

var kindNames = map[Kind]string{
	KindBatch:       "batch",
	KindReport:      "report",
	KindRuling:      "ruling",
	KindActivation:  "activation",
	KindPosition:    "position",
	KindPublication: "publication",
}

// Kinds lists the kinds this version knows, in byte order.
func Kinds() []Kind {
	return []Kind{KindBatch, KindReport, KindRuling, KindActivation, KindPosition, KindPublication}
}

// String returns the kind's name ("ruling"), or "kind(N)" for a kind this
// version does not know.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Known reports whether this version of the package knows k.
func (k Kind) Known() bool {
	_, ok := kindNames[k]
	return ok
}

// ParseKind returns the kind named s ("batch", "report", "ruling",
// "activation", "position" or "publication").
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q; known: batch, report, ruling, activation, position, publication", s)
}

// Leaf encoding constants (docs/log-format.md).
const (
	// LeafVersion is the version byte of the leaf encoding this package
	// writes.
	LeafVersion = 1
	// LeafHeaderSize is the size of a version-1 leaf before its content:
	// version (1), kind (1), time (8) and content hash (32).
	LeafHeaderSize = 1 + 1 + 8 + sha256.Size
	// MaxLeafSize is the largest encoded leaf: the C2SP tlog-tiles entry
	// bundle frames each entry with a big-endian uint16 length.
	MaxLeafSize = 1<<16 - 1
	// MaxContentSize is the largest content a leaf can carry.
	MaxContentSize = MaxLeafSize - LeafHeaderSize
)

// ErrLeafFormat is the error (wrapped) for bytes that are not a valid leaf.
var ErrLeafFormat = errors.New("malformed leaf")

// ErrUnknownVersion is the error (wrapped) for a leaf whose version byte this
// package does not know. Such a leaf is still hashed into the tree like any
// other: the tree never depends on the encoding.
var ErrUnknownVersion = errors.New("unknown leaf version")

// Leaf is one record of the log: what it is, when it was made, and its
// content, a JSON document. The content's SHA-256 hash is part of the
// encoding (see [Leaf.ContentHash]).
type Leaf struct {
	Kind Kind
	// Time is when the record was made; it is encoded in Unix nanoseconds
	// and decoded in UTC.
	Time time.Time
	// Content is a JSON value (RFC 8259), kept byte for byte as given so
	// that its hash is the hash of the file it came from.
	Content []byte
}

// NewLeaf returns a leaf of the given kind, time and content after checking
// it as [Leaf.Validate] does.
func NewLeaf(kind Kind, t time.Time, content []byte) (Leaf, error) {
	l := Leaf{Kind: kind, Time: t.UTC(), Content: content}
	return l, l.Validate()
}

// Validate reports whether l can be encoded: a known kind, a time between
// 1970 and 2262 (Unix nanoseconds in an int64), and content that is valid
// JSON of at most MaxContentSize bytes.
func (l Leaf) Validate() error {
	if !l.Kind.Known() {
		return fmt.Errorf("%w: %s; known: batch, report, ruling, activation", ErrLeafFormat, l.Kind)
	}
	if l.Time.Before(time.Unix(0, 0)) || l.Time.After(time.Unix(0, 1<<63-1)) {
		return fmt.Errorf("%w: time %s is outside 1970-01-01 … 2262-04-11", ErrLeafFormat, l.Time.Format(time.RFC3339))
	}
	if len(l.Content) > MaxContentSize {
		return fmt.Errorf("%w: content is %d bytes; at most %d fit in a leaf", ErrLeafFormat, len(l.Content), MaxContentSize)
	}
	if err := checkJSON(l.Content); err != nil {
		return fmt.Errorf("%w: content: %v", ErrLeafFormat, err)
	}
	return nil
}

// checkJSON reports whether b is one JSON value, with the line and column of
// the first syntax error.
func checkJSON(b []byte) error {
	if json.Valid(b) {
		return nil
	}
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(b, se.Offset)
		return fmt.Errorf("not valid JSON: line %d, column %d: %v", line, col, se)
	}
	if err == nil {
		err = errors.New("trailing data after the JSON value")
	}
	return fmt.Errorf("not valid JSON: %v", err)
}

// lineCol turns a byte offset (1-based, as json.SyntaxError gives it) into a
// line and column.
func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	if off > 0 {
		off--
	}
	pre := b[:off]
	line := bytes.Count(pre, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(pre, '\n')
	return line, col
}

// ContentHash returns the SHA-256 hash of l.Content.
func (l Leaf) ContentHash() [sha256.Size]byte { return sha256.Sum256(l.Content) }

// Encode returns the canonical encoding of l (docs/log-format.md):
//
//	offset  size  field
//	0       1     version, 0x01
//	1       1     kind: 0x01 batch, 0x02 report, 0x03 ruling, 0x04 activation
//	2       8     time: Unix nanoseconds, big-endian, non-negative
//	10      32    SHA-256 of the content
//	42      n     content: one JSON value, byte for byte
//
// It returns an error if l is not valid (see [Leaf.Validate]).
func (l Leaf) Encode() ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	b := make([]byte, LeafHeaderSize, LeafHeaderSize+len(l.Content))
	b[0] = LeafVersion
	b[1] = byte(l.Kind)
	binary.BigEndian.PutUint64(b[2:10], uint64(l.Time.UnixNano()))
	h := l.ContentHash()
	copy(b[10:LeafHeaderSize], h[:])
	return append(b, l.Content...), nil
}

// DecodeLeaf decodes a leaf encoded by [Leaf.Encode]. It rejects every byte
// string that Encode cannot produce, except that a kind byte this version
// does not know decodes to that [Kind] (forward compatibility: new kinds do
// not change the version). Errors wrap [ErrLeafFormat] or
// [ErrUnknownVersion] and name the offending byte offset.
func DecodeLeaf(b []byte) (Leaf, error) {
	if len(b) == 0 {
		return Leaf{}, fmt.Errorf("%w: empty", ErrLeafFormat)
	}
	if b[0] != LeafVersion {
		return Leaf{}, fmt.Errorf("%w: byte 0 is version %d; this version of entente reads version %d", ErrUnknownVersion, b[0], LeafVersion)
	}
	if len(b) < LeafHeaderSize {
		return Leaf{}, fmt.Errorf("%w: %d bytes; a leaf has at least %d (version, kind, time, content hash)", ErrLeafFormat, len(b), LeafHeaderSize)
	}
	if len(b) > MaxLeafSize {
		return Leaf{}, fmt.Errorf("%w: %d bytes; at most %d", ErrLeafFormat, len(b), MaxLeafSize)
	}
	kind := Kind(b[1])
	if kind == 0 {
		return Leaf{}, fmt.Errorf("%w: byte 1: kind 0 is not a kind", ErrLeafFormat)
	}
	ns := binary.BigEndian.Uint64(b[2:10])
	if ns > 1<<63-1 {
		return Leaf{}, fmt.Errorf("%w: bytes 2-9: time %d is negative as an int64", ErrLeafFormat, ns)
	}
	content := b[LeafHeaderSize:]
	sum := sha256.Sum256(content)
	if !bytes.Equal(sum[:], b[10:LeafHeaderSize]) {
		return Leaf{}, fmt.Errorf("%w: bytes 10-41: content hash %x does not match the content's SHA-256 %x", ErrLeafFormat, b[10:LeafHeaderSize], sum)
	}
	if err := checkJSON(content); err != nil {
		return Leaf{}, fmt.Errorf("%w: content (bytes 42-): %v", ErrLeafFormat, err)
	}
	return Leaf{Kind: kind, Time: time.Unix(0, int64(ns)).UTC(), Content: content}, nil
}

// String returns a one-line summary of l: kind, time and content hash.
func (l Leaf) String() string {
	h := l.ContentHash()
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s sha256:%x", l.Kind, l.Time.UTC().Format(time.RFC3339Nano), h)
	return sb.String()
}
