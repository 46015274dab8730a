package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrCheckpointFormat is the error (wrapped) for text that is not a
// checkpoint.
var ErrCheckpointFormat = errors.New("malformed checkpoint")

// ErrOrigin is the error (wrapped) for a checkpoint of another log: its
// origin line is not the one expected.
var ErrOrigin = errors.New("checkpoint from another log")

// Checkpoint is the body of a signed checkpoint: a log's origin, its size
// and the RFC 6962 root hash of its first Size leaves. Its text is the C2SP
// tlog-checkpoint format, which is also the Go checksum database's
// (tlog.FormatTree) with the origin line in place of "go.sum database tree":
//
//	entente.example/ukraine-2025
//	42
//	3gQ9Mgj1BvmgOVxBz3RBSsv5XZ0K59dNdT6P0aj8GGY=
type Checkpoint struct {
	// Origin names the log. entente uses the name of the log's signing key,
	// as C2SP tlog-checkpoint recommends.
	Origin string
	// Size is the number of leaves.
	Size int64
	// Hash is the tree's root hash.
	Hash tlog.Hash
	// Extensions are the optional extension lines, kept as read; entente
	// writes none.
	Extensions []string
}

// Tree returns c's size and hash as a tlog.Tree.
func (c Checkpoint) Tree() tlog.Tree { return tlog.Tree{N: c.Size, Hash: c.Hash} }

// Text returns c's note text: origin, size, base64 root and any extension
// lines, each ended by a newline.
func (c Checkpoint) Text() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash[:]))
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// String returns "origin@size root".
func (c Checkpoint) String() string {
	return fmt.Sprintf("%s@%d %s", c.Origin, c.Size, c.Hash)
}

// ValidOrigin reports whether s can be an origin line and a note key name:
// non-empty UTF-8 with no space, control character or "+".
func ValidOrigin(s string) error {
	if s == "" {
		return errors.New("empty name")
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("name %q is not UTF-8", s)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '+' {
			return fmt.Errorf("name %q contains %q; a log or key name has no spaces, control characters or '+' (e.g. entente.example/ukraine-2025)", s, r)
		}
	}
	return nil
}

// ParseCheckpoint parses a checkpoint's note text (without signatures). It
// accepts exactly the texts that [Checkpoint.Text] produces: a valid origin,
// a decimal size with no leading zeros, the standard base64 of a 32-byte
// hash, and non-empty extension lines, each line ended by a newline.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	if !utf8.Valid(text) {
		return Checkpoint{}, fmt.Errorf("%w: not UTF-8", ErrCheckpointFormat)
	}
	s := string(text)
	if !strings.HasSuffix(s, "\n") {
		return Checkpoint{}, fmt.Errorf("%w: the last line does not end with a newline", ErrCheckpointFormat)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("%w: %d lines; a checkpoint has an origin, a size and a root hash", ErrCheckpointFormat, len(lines))
	}
	var c Checkpoint
	if err := ValidOrigin(lines[0]); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: line 1 (origin): %v", ErrCheckpointFormat, err)
	}
	c.Origin = lines[0]
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("%w: line 2 (size): %q is not a decimal number without leading zeros", ErrCheckpointFormat, lines[1])
	}
	c.Size = n
	h, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("%w: line 3 (root hash): %q is not the base64 of a 32-byte hash", ErrCheckpointFormat, lines[2])
	}
	copy(c.Hash[:], h)
	for i, e := range lines[3:] {
		if e == "" {
			return Checkpoint{}, fmt.Errorf("%w: line %d: empty extension line", ErrCheckpointFormat, i+4)
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

// SignedCheckpoint is a checkpoint as a signed note: the parsed checkpoint,
// the note's verified and unverified signatures, and the note's bytes.
type SignedCheckpoint struct {
	Checkpoint
	// Note is the whole signed note, text and signature lines.
	Note []byte
	// Signers names the keys whose signatures were verified, in note order.
	Signers []string
	// Unverified names the keys of signatures that no known verifier
	// could check.
	Unverified []string
}

// SignCheckpoint signs c with signer, whose name must be c's origin, and
// returns the signed note.
func SignCheckpoint(c Checkpoint, signer note.Signer) ([]byte, error) {
	if signer.Name() != c.Origin {
		return nil, fmt.Errorf("sign checkpoint: key %q cannot sign for log %q: %w", signer.Name(), c.Origin, ErrOrigin)
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Text())}, signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint parses a signed checkpoint and checks its signatures. The
// signature of logKey is required: without it OpenCheckpoint returns an
// error wrapping *note.UnverifiedNoteError, or [ErrOrigin] when the
// checkpoint names another log. Signatures by cosigners are checked too;
// a signature that a known key rejects is an error wrapping
// *note.InvalidSignatureError, and signatures by unknown keys are listed in
// Unverified.
func OpenCheckpoint(msg []byte, logKey note.Verifier, cosigners ...note.Verifier) (*SignedCheckpoint, error) {
	n, err := note.Open(msg, note.VerifierList(append([]note.Verifier{logKey}, cosigners...)...))
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unverified):
		n = unverified.Note
	case err != nil:
		var invalid *note.InvalidSignatureError
		if errors.As(err, &invalid) {
			return nil, fmt.Errorf("open checkpoint: %w", err)
		}
		return nil, fmt.Errorf("open checkpoint: %w: %v", ErrCheckpointFormat, err)
	}
	c, perr := ParseCheckpoint([]byte(n.Text))
	if perr != nil {
		return nil, fmt.Errorf("open checkpoint: %w", perr)
	}
	if c.Origin != logKey.Name() {
		return nil, fmt.Errorf("open checkpoint: origin %q, want %q: %w", c.Origin, logKey.Name(), ErrOrigin)
	}
	sc := &SignedCheckpoint{Checkpoint: c, Note: msg}
	logSigned := false
	for _, s := range n.Sigs {
		sc.Signers = append(sc.Signers, s.Name)
		if s.Name == logKey.Name() && s.Hash == logKey.KeyHash() {
			logSigned = true
		}
	}
	for _, s := range n.UnverifiedSigs {
		sc.Unverified = append(sc.Unverified, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	if err != nil || !logSigned {
		return nil, fmt.Errorf("open checkpoint %s: not signed by the log's key %s+%08x: %w", c, logKey.Name(), logKey.KeyHash(), &note.UnverifiedNoteError{Note: n})
	}
	return sc, nil
}

// ParseSignedCheckpoint parses a signed checkpoint without checking any
// signature: the caller learns its origin and size, nothing it can trust.
func ParseSignedCheckpoint(msg []byte) (Checkpoint, error) {
	_, err := note.Open(msg, note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return Checkpoint{}, fmt.Errorf("%w: not a signed note", ErrCheckpointFormat)
	}
	return ParseCheckpoint([]byte(unverified.Note.Text))
}

// Cosign adds signer's signature to a signed checkpoint after checking the
// log's signature with logKey, and returns the new note. Existing
// signatures are kept, except an older signature by signer's own key, which
// the new one replaces. A party cosigns to say: I have seen this checkpoint
// and (having verified the log) I hold it to be the log's only tree of this
// size.
func Cosign(msg []byte, logKey note.Verifier, signer note.Signer) ([]byte, error) {
	if _, err := OpenCheckpoint(msg, logKey); err != nil {
		return nil, fmt.Errorf("cosign: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(logKey))
	if err != nil {
		return nil, fmt.Errorf("cosign: %w", err)
	}
	out, err := note.Sign(n, signer)
	if err != nil {
		return nil, fmt.Errorf("cosign: %w", err)
	}
	return out, nil
}
