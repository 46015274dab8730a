package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/entente-org/entente/store"
)

// TokenPrefix starts every token, so that a leaked one is easy to find.
const TokenPrefix = "ent_"

// NewToken returns a new random token secret and its hash, the only
// thing stored.
func NewToken() (secret, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashToken(secret), nil
}

// HashToken returns the hex SHA-256 of a token secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken creates a token with the given role (and party, for a party
// token) in st and returns its secret, shown once.
func CreateToken(ctx context.Context, st store.Store, role, party, label string) (string, *store.Token, error) {
	secret, hash, err := NewToken()
	if err != nil {
		return "", nil, err
	}
	t := store.Token{Hash: hash, Role: role, Party: party, Label: label, Created: time.Now().UTC()}
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		id, err := tx.PutToken(ctx, t)
		t.ID = id
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	return secret, &t, nil
}

// Principal is who a request acts for.
type Principal struct {
	Role  string `json:"role"`
	Party string `json:"party,omitempty"`
	// TokenID is the stored token's id.
	TokenID int64 `json:"token_id"`
}

// principalOf returns the request's principal (nil before
// authentication or on an open route).
func principalOf(r *http.Request) *Principal {
	if info, ok := r.Context().Value(requestKey{}).(*requestInfo); ok {
		return info.principal
	}
	return nil
}

// authenticate resolves the request's bearer token.
func (s *Server) authenticate(r *http.Request) (*Principal, *Error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, errorf(http.StatusUnauthorized, "no-token", "send a token as 'Authorization: Bearer TOKEN' (create one with entente token create)")
	}
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 128 {
		return nil, errorf(http.StatusUnauthorized, "bad-token", "the Authorization header must be 'Bearer %s…'", TokenPrefix)
	}
	hash := HashToken(secret)
	cache, now := s.tokens, time.Now()
	if p, ok := cache.get(hash, now); ok {
		return p, nil
	}
	var t *store.Token
	err := s.store.View(r.Context(), func(ctx context.Context, tx store.ReadTx) error {
		var err error
		t, err = tx.Token(ctx, hash)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errorf(http.StatusUnauthorized, "bad-token", "the token is not known here")
	case err != nil:
		return nil, s.internal(r, err)
	case t.Revoked:
		return nil, errorf(http.StatusUnauthorized, "revoked-token", "the token was revoked")
	}
	p := &Principal{Role: t.Role, Party: t.Party, TokenID: t.ID}
	cache.put(hash, *p, now)
	return p, nil
}

// allowed reports whether p's role is among roles.
func (p *Principal) allowed(roles []string) bool {
	for _, r := range roles {
		if r == p.Role {
			return true
		}
	}
	return false
}

// forParty says whether p may act for party: the mediator, or that
// party's own token.
func (p *Principal) forParty(party string) bool {
	return p.Role == store.RoleMediator || p.Role == store.RoleParty && p.Party == party
}
