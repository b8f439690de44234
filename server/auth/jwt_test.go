package auth

import (
	"testing"
	"time"
)

// TestCachedTokenExpires: a token answered from the cache still expires.
func TestCachedTokenExpires(t *testing.T) {
	k := newRSAKey(t, "k")
	set, err := parseJWKS(jwksJSON(t, k))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cfg, err := Config{JWT: JWTConfig{JWKS: "unused"}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	v := newJWTVerifier(cfg.JWT, func() *keySet { return set }, func() time.Time { return now }, nil)
	claims := validClaims("default:read")
	token := sign(t, k, claims)
	if _, _, err := v.verify(token); err != nil {
		t.Fatalf("first verify: %v", err)
	}
	if _, _, err := v.verify(token); err != nil {
		t.Fatalf("cached verify: %v", err)
	}
	now = claims.Expiry.Time().Add(cfg.JWT.ClockSkew + time.Second)
	if _, _, err := v.verify(token); err == nil {
		t.Fatal("an expired token was accepted from the cache")
	}
}

// TestUnknownKeyIDAsksForKeys: a token naming a key the set lacks asks for
// an early refresh; one naming a known key does not.
func TestUnknownKeyIDAsksForKeys(t *testing.T) {
	known, rotated := newECKey(t, "known"), newECKey(t, "rotated-in")
	set, err := parseJWKS(jwksJSON(t, known))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Config{JWT: JWTConfig{JWKS: "unused"}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	v := newJWTVerifier(cfg.JWT, func() *keySet { return set }, time.Now, func() { asked++ })
	if _, _, err := v.verify(sign(t, known, validClaims())); err != nil {
		t.Fatal(err)
	}
	if asked != 0 {
		t.Fatalf("a known key asked for a refresh")
	}
	if _, _, err := v.verify(sign(t, rotated, validClaims())); err == nil {
		t.Fatal("a token of a key not in the set was accepted")
	}
	if asked != 1 {
		t.Fatalf("an unknown key id asked for %d refreshes, want 1", asked)
	}
}
