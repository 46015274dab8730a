package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// This file holds what the shared server (entente serve) keeps besides
// events and the log: API tokens, the settlements it serves, each
// party's position revisions and the results the mediator published.

// Roles a token can hold (DESIGN.md; docs/server.md).
const (
	RoleMediator = "mediator"
	RoleParty    = "party"
	RoleMonitor  = "monitor"
	RoleObserver = "observer"
)

// Token is an API bearer token as stored: never the secret, only its
// SHA-256 hash, with the role it grants and, for a party token, the party.
type Token struct {
	// ID is assigned by PutToken.
	ID int64
	// Hash is the hex SHA-256 of the token's secret; unique.
	Hash string
	// Role is one of RoleMediator, RoleParty, RoleMonitor, RoleObserver.
	Role string
	// Party is the party id of a party token, "" for other roles.
	Party string
	// Label says what the token is for ("UA delegation laptop").
	Label   string
	Created time.Time
	// Revoked tokens are kept (for the record) but grant nothing.
	Revoked bool
}

// Document is a settlement the server serves: its YAML source as the
// mediator wrote it, whose positions are replaced by the parties' latest
// revisions when it is analysed.
type Document struct {
	// ID is the settlement's id (its `id` key); unique.
	ID string
	// Source is the YAML text.
	Source []byte
	// Version counts the mediator's revisions, from 1; assigned by
	// PutDocument.
	Version int64
	Updated time.Time
}

// Position is one revision of a party's position in a settlement: a YAML
// mapping with the keys of one entry of the settlement's positions
// (party, red_lines, utility, reservation).
type Position struct {
	Settlement string
	Party      string
	// Revision counts the party's revisions, from 1; assigned by
	// PutPosition.
	Revision int64
	Content  []byte
	// Hash is the hex SHA-256 of Content: what the log records.
	Hash string
	Time time.Time
	// LogIndex is the index of the log leaf that records the revision's
	// hash, -1 when none.
	LogIndex int64
}

// Publication is a result the mediator published for observers: a JSON
// document of a given kind ("deals", "guarantee", "report").
type Publication struct {
	// ID is assigned by Publish.
	ID         int64
	Settlement string
	Kind       string
	Content    []byte
	Time       time.Time
	// LogIndex is the index of the log leaf that holds it, -1 when none.
	LogIndex int64
}

// WorkspaceReader reads the server's tokens, settlements, positions and
// publications within a transaction. Every method returns an error
// wrapping ErrNotFound for a missing single item; lists are empty, never
// an error, when nothing is stored.
type WorkspaceReader interface {
	// Token returns the token whose hash is hash.
	Token(ctx context.Context, hash string) (*Token, error)
	// Tokens returns every token, by ID.
	Tokens(ctx context.Context) ([]Token, error)
	// Document returns the settlement with the given id.
	Document(ctx context.Context, id string) (*Document, error)
	// Documents returns every settlement, by id.
	Documents(ctx context.Context) ([]Document, error)
	// Positions returns the latest revision of each party's position in
	// the settlement, by party.
	Positions(ctx context.Context, settlement string) ([]Position, error)
	// PositionHistory returns every revision of one party's position,
	// oldest first.
	PositionHistory(ctx context.Context, settlement, party string) ([]Position, error)
	// Publications returns the settlement's publications, oldest first.
	Publications(ctx context.Context, settlement string) ([]Publication, error)
	// Stamp returns a short string that identifies the stored state of
	// settlement id: its document's version, the version of every document
	// named "id/FILE" (its included files), and each party's latest
	// position revision. It changes whenever any of them changes and at no
	// other time; it is one cheap query, so a server can check its cache
	// before reading the sources. A settlement not stored is an error
	// wrapping ErrNotFound.
	//
	// A stamp is opaque: compare it for equality with another stamp of
	// the same settlement from the same database, nothing else. Writes to
	// other settlements (including one whose id merely begins with id),
	// publications and tokens leave it unchanged. Within an Update it
	// sees the transaction's own writes.
	Stamp(ctx context.Context, id string) (string, error)
}

// WorkspaceWriter writes them.
type WorkspaceWriter interface {
	// PutToken stores a new token and returns its ID. A hash already
	// stored is an error wrapping ErrConflict; a role not among the four,
	// or a party token without a party (or another with one), wraps
	// ErrInvalid.
	PutToken(ctx context.Context, t Token) (int64, error)
	// RevokeToken marks a token revoked; revoking one already revoked
	// changes nothing. An id no token has is an error wrapping
	// ErrNotFound.
	RevokeToken(ctx context.Context, id int64) error
	// PutDocument stores a new version of a settlement: Version must be
	// the stored version (0 for a new one), else the error wraps
	// ErrConflict (someone else revised it first). It returns the stored
	// document with its new Version.
	PutDocument(ctx context.Context, d Document) (*Document, error)
	// PutPosition stores a new revision of a party's position (Revision
	// is assigned: the party's last plus one) and returns it.
	PutPosition(ctx context.Context, p Position) (*Position, error)
	// Publish stores a publication and returns it with its ID.
	Publish(ctx context.Context, p Publication) (*Publication, error)
}

// Check reports, wrapping ErrInvalid, what makes t a token PutToken
// refuses: no hash, a role not among the four, a party token without a
// party or another token with one.
func (t *Token) Check() error {
	switch {
	case t.Hash == "":
		return fmt.Errorf("token %q: %w: no hash", t.Label, ErrInvalid)
	case t.Role != RoleMediator && t.Role != RoleParty && t.Role != RoleMonitor && t.Role != RoleObserver:
		return fmt.Errorf("token %q: %w: role %q is not %s, %s, %s or %s", t.Label, ErrInvalid, t.Role, RoleMediator, RoleParty, RoleMonitor, RoleObserver)
	case t.Role == RoleParty && t.Party == "":
		return fmt.Errorf("token %q: %w: a party token needs a party", t.Label, ErrInvalid)
	case t.Role != RoleParty && t.Party != "":
		return fmt.Errorf("token %q: %w: a %s token has no party (got %q)", t.Label, ErrInvalid, t.Role, t.Party)
	}
	return nil
}

// Check reports, wrapping ErrInvalid, a document PutDocument refuses: one
// without an id or with a negative version.
func (d *Document) Check() error {
	switch {
	case d.ID == "":
		return fmt.Errorf("settlement: %w: no id", ErrInvalid)
	case d.Version < 0:
		return fmt.Errorf("settlement %s: %w: version %d is negative", d.ID, ErrInvalid, d.Version)
	}
	return nil
}

// Check reports, wrapping ErrInvalid, a position PutPosition refuses: one
// without a settlement or party, whose Hash (when given) is not the hex
// SHA-256 of Content, or whose LogIndex is below -1. An empty Hash is
// set to that of Content.
func (p *Position) Check() error {
	sum := sha256.Sum256(p.Content)
	h := hex.EncodeToString(sum[:])
	switch {
	case p.Settlement == "":
		return fmt.Errorf("position of %q: %w: no settlement", p.Party, ErrInvalid)
	case p.Party == "":
		return fmt.Errorf("position in %s: %w: no party", p.Settlement, ErrInvalid)
	case p.Hash != "" && p.Hash != h:
		return fmt.Errorf("position of %s in %s: %w: hash %s is not the content's SHA-256 %s", p.Party, p.Settlement, ErrInvalid, p.Hash, h)
	case p.LogIndex < -1:
		return fmt.Errorf("position of %s in %s: %w: log index %d (want -1 for none)", p.Party, p.Settlement, ErrInvalid, p.LogIndex)
	}
	p.Hash = h
	return nil
}

// Check reports, wrapping ErrInvalid, a publication Publish refuses: one
// without a settlement or kind, or whose LogIndex is below -1.
func (p *Publication) Check() error {
	switch {
	case p.Settlement == "":
		return fmt.Errorf("publication %q: %w: no settlement", p.Kind, ErrInvalid)
	case p.Kind == "":
		return fmt.Errorf("publication in %s: %w: no kind", p.Settlement, ErrInvalid)
	case p.LogIndex < -1:
		return fmt.Errorf("%s publication in %s: %w: log index %d (want -1 for none)", p.Kind, p.Settlement, ErrInvalid, p.LogIndex)
	}
	return nil
}

// StoredTime is t as the workspace's tables keep it: in UTC, to the
// microsecond (PostgreSQL's precision), without a monotonic reading. Both
// backends store and return this, so a time reads back equal (==) to
// StoredTime of what was written.
func StoredTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
