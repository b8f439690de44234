package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxCachedTokens bounds the verified-token cache; when it is full it is
// emptied, so memory stays bounded whatever tokens clients send.
const maxCachedTokens = 1024

// verifiedToken is what verifying a token found, kept so that the same
// token (a client sends one on every call) costs a hash instead of a
// signature check. It is valid only with the key set that verified it and
// until the token expires.
type verifiedToken struct {
	keys    *keySet
	subject string
	perms   Permissions
	expiry  time.Time
}

// tokenCache maps the SHA-256 of a token to its verification.
type tokenCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]verifiedToken
}

// get returns the cached verification of token if it was made with keys
// and the token has not expired at now (with skew of leeway).
func (c *tokenCache) get(token string, keys *keySet, now time.Time, skew time.Duration) (verifiedToken, bool) {
	sum := sha256.Sum256([]byte(token))
	c.mu.Lock()
	v, ok := c.entries[sum]
	c.mu.Unlock()
	if !ok || v.keys != keys || now.Add(-skew).After(v.expiry) {
		return verifiedToken{}, false
	}
	return v, true
}

// put remembers a verification.
func (c *tokenCache) put(token string, v verifiedToken) {
	sum := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedTokens {
		c.entries = make(map[[sha256.Size]byte]verifiedToken)
	}
	c.entries[sum] = v
}
