package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// signingKey is a key made for one test, with the id it has in the JWKS.
type signingKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

func newRSAKey(t testing.TB, id string) signingKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generating an RSA key: %v", err)
	}
	return signingKey{id: id, alg: jose.RS256, key: k}
}

func newECKey(t testing.TB, id string) signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating an ECDSA key: %v", err)
	}
	return signingKey{id: id, alg: jose.ES256, key: k}
}

// jwksJSON is the public JWKS of keys.
func jwksJSON(t testing.TB, keys ...signingKey) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.key.Public(), KeyID: k.id, Algorithm: string(k.alg), Use: "sig"})
	}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatalf("encoding the JWKS: %v", err)
	}
	return data
}

// tokenClaims are the claims a test token carries.
type tokenClaims struct {
	jwt.Claims
	Permissions []any `json:"permissions,omitempty"`
}

// validClaims are claims that pass the default test configuration.
func validClaims(perms ...any) tokenClaims {
	now := time.Now()
	return tokenClaims{
		Claims: jwt.Claims{
			Subject:   "tester",
			Issuer:    testIssuer,
			Audience:  jwt.Audience{testAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			Expiry:    jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Permissions: perms,
	}
}

const (
	testIssuer   = "https://issuer.test"
	testAudience = "sundial"
)

// sign makes a compact JWT of claims signed by k.
func sign(t testing.TB, k signingKey, claims any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.key, KeyID: k.id}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatalf("making a signer: %v", err)
	}
	token, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return token
}

// writeFile writes data to name in dir and returns its path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	return path
}

// apiKeysJSON is an API key file granting perms to each key.
func apiKeysJSON(t testing.TB, keys map[string][]string) []byte {
	t.Helper()
	type entry struct {
		Name        string   `json:"name"`
		SHA256      string   `json:"sha256"`
		Permissions []string `json:"permissions"`
	}
	var f struct {
		Keys []entry `json:"keys"`
	}
	for key, perms := range keys {
		f.Keys = append(f.Keys, entry{Name: "key-" + key[:4], SHA256: HashAPIKey(key), Permissions: perms})
	}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatalf("encoding API keys: %v", err)
	}
	return data
}

// newTestAuthenticator starts an Authenticator on cfg and closes it when the
// test ends.
func newTestAuthenticator(t *testing.T, cfg Config) *Authenticator {
	t.Helper()
	a, err := New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}

// bearerContext is an incoming call context carrying "authorization: Bearer <credential>".
func bearerContext(credential string) context.Context {
	return metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+credential))
}

// requireCode fails the test unless err has code.
func requireCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if status.Code(err) != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
}

// metadataContext is an incoming call context with the given metadata pairs.
func metadataContext(kv ...string) context.Context {
	return metadata.NewIncomingContext(context.Background(), metadata.Pairs(kv...))
}

// codeOf is err's gRPC status code.
func codeOf(err error) codes.Code { return status.Code(err) }

// containsAll reports whether s contains every part.
func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
