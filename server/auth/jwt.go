package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// jwtVerifier checks a JWT's signature against the current key set and its
// registered claims against the configuration, then reads its permissions.
type jwtVerifier struct {
	cfg  JWTConfig
	algs []jose.SignatureAlgorithm
	keys func() *keySet // the current key set; nil while none is loaded
	now  func() time.Time
	// onUnknownKey is called when a token names a key id the set does not
	// have (the issuer may have rotated keys); it must not block.
	onUnknownKey func()
	cache        tokenCache
}

func newJWTVerifier(cfg JWTConfig, keys func() *keySet, now func() time.Time, onUnknownKey func()) *jwtVerifier {
	algs := make([]jose.SignatureAlgorithm, len(cfg.Algorithms))
	for i, a := range cfg.Algorithms {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	return &jwtVerifier{cfg: cfg, algs: algs, keys: keys, now: now, onUnknownKey: onUnknownKey}
}

// errInvalidToken is the cause for every token that fails verification; the
// detail says why.
var errInvalidToken = errors.New("invalid JWT")

// verify returns the token's subject and permissions, or an error wrapping
// errInvalidToken. A token verified before with the current keys and not
// expired since is answered from the cache.
func (v *jwtVerifier) verify(token string) (string, Permissions, error) {
	keys, now := v.keys(), v.now()
	if hit, ok := v.cache.get(token, keys, now, v.cfg.ClockSkew); ok {
		return hit.subject, hit.perms, nil
	}
	subject, perms, expiry, err := v.verifySignatureAndClaims(token, keys, now)
	if err != nil {
		return "", Permissions{}, err
	}
	v.cache.put(token, verifiedToken{keys: keys, subject: subject, perms: perms, expiry: expiry})
	return subject, perms, nil
}

// verifySignatureAndClaims does the work of verify.
func (v *jwtVerifier) verifySignatureAndClaims(token string, keys *keySet, now time.Time) (string, Permissions, time.Time, error) {
	fail := func(format string, args ...any) (string, Permissions, time.Time, error) {
		return "", Permissions{}, time.Time{}, fmt.Errorf("%w: "+format, append([]any{errInvalidToken}, args...)...)
	}
	tok, err := jwt.ParseSigned(token, v.algs)
	if err != nil {
		return fail("%v", err)
	}
	if len(tok.Headers) != 1 {
		return fail("want one signature")
	}
	if keys == nil {
		return fail("no verification keys are loaded")
	}
	hdr := tok.Headers[0]
	var registered jwt.Claims
	var custom map[string]json.RawMessage
	verified := false
	candidates := keys.candidates(hdr.KeyID, jose.SignatureAlgorithm(hdr.Algorithm))
	if len(candidates) == 0 && hdr.KeyID != "" && v.onUnknownKey != nil {
		v.onUnknownKey()
	}
	for _, k := range candidates {
		if err := tok.Claims(k.Key, &registered, &custom); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return fail("signature does not verify with any key of the JWKS")
	}
	if registered.Expiry == nil {
		return fail("no exp claim")
	}
	expected := jwt.Expected{Issuer: v.cfg.Issuer, Time: now}
	if v.cfg.Audience != "" {
		expected.AnyAudience = jwt.Audience{v.cfg.Audience}
	}
	if err := registered.ValidateWithLeeway(expected, v.cfg.ClockSkew); err != nil {
		return fail("%v", err)
	}
	var perms Permissions
	if raw, ok := custom[v.cfg.PermissionsClaim]; ok {
		var list []any
		if err := json.Unmarshal(raw, &list); err != nil {
			return fail("the %s claim is not a list", v.cfg.PermissionsClaim)
		}
		perms = claimPermissions(list)
	}
	return registered.Subject, perms, registered.Expiry.Time(), nil
}
