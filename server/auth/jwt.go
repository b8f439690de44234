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
}

func newJWTVerifier(cfg JWTConfig, keys func() *keySet, now func() time.Time) *jwtVerifier {
	algs := make([]jose.SignatureAlgorithm, len(cfg.Algorithms))
	for i, a := range cfg.Algorithms {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	return &jwtVerifier{cfg: cfg, algs: algs, keys: keys, now: now}
}

// errInvalidToken is the cause for every token that fails verification; the
// detail says why.
var errInvalidToken = errors.New("invalid JWT")

// verify returns the token's subject and permissions, or an error wrapping
// errInvalidToken.
func (v *jwtVerifier) verify(token string) (string, Permissions, error) {
	tok, err := jwt.ParseSigned(token, v.algs)
	if err != nil {
		return "", Permissions{}, fmt.Errorf("%w: %v", errInvalidToken, err)
	}
	if len(tok.Headers) != 1 {
		return "", Permissions{}, fmt.Errorf("%w: want one signature", errInvalidToken)
	}
	keys := v.keys()
	if keys == nil {
		return "", Permissions{}, fmt.Errorf("%w: no verification keys are loaded", errInvalidToken)
	}
	hdr := tok.Headers[0]
	var registered jwt.Claims
	var custom map[string]json.RawMessage
	verified := false
	for _, k := range keys.candidates(hdr.KeyID, jose.SignatureAlgorithm(hdr.Algorithm)) {
		if err := tok.Claims(k.Key, &registered, &custom); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return "", Permissions{}, fmt.Errorf("%w: signature does not verify with any key of the JWKS", errInvalidToken)
	}
	if registered.Expiry == nil {
		return "", Permissions{}, fmt.Errorf("%w: no exp claim", errInvalidToken)
	}
	expected := jwt.Expected{Issuer: v.cfg.Issuer, Time: v.now()}
	if v.cfg.Audience != "" {
		expected.AnyAudience = jwt.Audience{v.cfg.Audience}
	}
	if err := registered.ValidateWithLeeway(expected, v.cfg.ClockSkew); err != nil {
		return "", Permissions{}, fmt.Errorf("%w: %v", errInvalidToken, err)
	}
	var perms Permissions
	if raw, ok := custom[v.cfg.PermissionsClaim]; ok {
		var list []any
		if err := json.Unmarshal(raw, &list); err != nil {
			return "", Permissions{}, fmt.Errorf("%w: the %s claim is not a list", errInvalidToken, v.cfg.PermissionsClaim)
		}
		perms = claimPermissions(list)
	}
	return registered.Subject, perms, nil
}
