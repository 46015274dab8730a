package server

import (
	"sync"
	"time"
)

// tokenCacheTTL is how long a server trusts a token it has authenticated
// before reading the store again: a token revoked by entente token revoke
// (in another process) is refused by every running server within this
// time.
const tokenCacheTTL = time.Second

// tokenCacheMax bounds the entries kept; the cache is emptied when full.
const tokenCacheMax = 4096

// tokenCache remembers, for tokenCacheTTL, the principal of each token
// hash the store knew and had not revoked, so that authentication does not
// cost a store transaction on every request of a busy server. Unknown and
// revoked tokens are not remembered.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]tokenEntry
}

type tokenEntry struct {
	p     Principal
	until time.Time
}

func newTokenCache() *tokenCache { return &tokenCache{m: map[string]tokenEntry{}} }

// get returns the remembered principal of hash, if it is fresh.
func (c *tokenCache) get(hash string, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	p := e.p
	return &p, true
}

// put remembers p as the principal of hash until now + tokenCacheTTL.
func (c *tokenCache) put(hash string, p Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= tokenCacheMax {
		clear(c.m)
	}
	c.m[hash] = tokenEntry{p: p, until: now.Add(tokenCacheTTL)}
}
