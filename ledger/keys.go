package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// ErrKeyFormat is the error (wrapped) for a key file that does not hold a
// note key of the kind expected.
var ErrKeyFormat = errors.New("malformed key")

// GenerateKey returns a new Ed25519 note key pair named name: the signer key
// ("PRIVATE+KEY+name+hash+…") and the verifier key ("name+hash+…"), in the
// encodings of golang.org/x/mod/sumdb/note.
func GenerateKey(name string) (skey, vkey string, err error) {
	if err := ValidOrigin(name); err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("generate key %s: %w", name, err)
	}
	return skey, vkey, nil
}

// WriteKeyPair generates a key pair named name and writes dir/name.key (the
// signer key, mode 0600) and dir/name.pub (the verifier key, mode 0644),
// each a single line. It never overwrites: if either file exists it returns
// an error wrapping fs.ErrExist and writes nothing. A name containing "/"
// (an origin such as "entente.example/log") is written with each "/" as
// "_" in the file names.
func WriteKeyPair(dir, name string) (keyPath, pubPath string, err error) {
	skey, vkey, err := GenerateKey(name)
	if err != nil {
		return "", "", err
	}
	base := strings.ReplaceAll(name, "/", "_")
	keyPath = filepath.Join(dir, base+".key")
	pubPath = filepath.Join(dir, base+".pub")
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("write key pair: %s: %w (a key is never overwritten)", p, fs.ErrExist)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("write key pair: %w", err)
	}
	if err := writeExclusive(keyPath, []byte(skey+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("write key pair: %w", err)
	}
	if err := writeExclusive(pubPath, []byte(vkey+"\n"), 0o644); err != nil {
		os.Remove(keyPath)
		return "", "", fmt.Errorf("write key pair: %w", err)
	}
	return keyPath, pubPath, nil
}

// writeExclusive creates path with data and mode, failing if it exists.
func writeExclusive(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Chmod(mode); err != nil { // the umask may have narrowed it
		f.Close()
		return err
	}
	return f.Close()
}

// Signer is a note signer key that also knows its verifier key, so that a
// party can check what it signed and publish its public key.
type Signer struct {
	note.Signer
	vkey     string
	verifier note.Verifier
}

// Verifier returns the verifier of s's signatures.
func (s *Signer) Verifier() note.Verifier { return s.verifier }

// VerifierKey returns s's verifier key text ("name+hash+base64").
func (s *Signer) VerifierKey() string { return s.vkey }

// ParseSigner parses a signer key ("PRIVATE+KEY+name+hash+base64").
func ParseSigner(text string) (*Signer, error) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "PRIVATE+KEY+") {
		if _, err := note.NewVerifier(text); err == nil {
			return nil, fmt.Errorf("%w: this is a public (verifier) key; signing needs the private key written by entente log keygen (NAME.key)", ErrKeyFormat)
		}
		return nil, fmt.Errorf("%w: not a note signer key; want PRIVATE+KEY+name+hash+base64 as entente log keygen writes", ErrKeyFormat)
	}
	s, err := note.NewSigner(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
	}
	// The key is PRIVATE+KEY+name+hash+base64(0x01 || Ed25519 seed); note
	// has checked all of it. The name has no "+"; the base64 may.
	_, rest, _ := strings.Cut(strings.TrimPrefix(text, "PRIVATE+KEY+"), "+")
	_, key, _ := strings.Cut(rest, "+")
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, fmt.Errorf("%w: not an Ed25519 note key", ErrKeyFormat)
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil || v.KeyHash() != s.KeyHash() {
		return nil, fmt.Errorf("%w: the key hash does not match the key", ErrKeyFormat)
	}
	return &Signer{Signer: s, vkey: vkey, verifier: v}, nil
}

// ParseVerifier parses a verifier key ("name+hash+base64").
func ParseVerifier(text string) (note.Verifier, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "PRIVATE+KEY+") {
		return nil, fmt.Errorf("%w: this is a private key; verifying needs the public key (NAME.pub), and the private key should not leave its owner", ErrKeyFormat)
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, fmt.Errorf("%w: not a note verifier key (want name+hash+base64 as in NAME.pub): %v", ErrKeyFormat, err)
	}
	return v, nil
}

// ReadSigner reads a signer key file written by [WriteKeyPair].
func ReadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	s, err := ParseSigner(string(b))
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	return s, nil
}

// ReadVerifier reads a verifier key file written by [WriteKeyPair].
func ReadVerifier(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	v, err := ParseVerifier(string(b))
	if err != nil {
		return nil, fmt.Errorf("read public key %s: %w", path, err)
	}
	return v, nil
}
