package auth

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc/codes"
)

func TestJWTFromJWKSFile(t *testing.T) {
	rsaKey, ecKey := newRSAKey(t, "rsa-1"), newECKey(t, "ec-1")
	dir := t.TempDir()
	a := newTestAuthenticator(t, Config{JWT: JWTConfig{
		JWKS:     writeFile(t, dir, "jwks.json", jwksJSON(t, rsaKey, ecKey)),
		Issuer:   testIssuer,
		Audience: testAudience,
	}})
	for _, k := range []signingKey{rsaKey, ecKey} {
		t.Run(string(k.alg), func(t *testing.T) {
			p, err := a.Authenticate(bearerContext(sign(t, k, validClaims("default:write", "Other:WORKER", "temporal-system:read", "bad", 7))))
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if p.Method != "jwt" || p.Subject != "tester" {
				t.Fatalf("principal %+v", p)
			}
			if !p.Permissions.Has("default", RoleWrite) || !p.Permissions.Has("Other", RoleWorker) || p.Permissions.Has("Other", RoleWrite) {
				t.Fatalf("permissions %s", p.Permissions)
			}
			if !p.Permissions.HasSystem(RoleRead) || p.Permissions.HasSystem(RoleWrite) || !p.Permissions.Has("anything", RoleRead) {
				t.Fatalf("system permissions %s", p.Permissions)
			}
		})
	}
}

func TestJWTRejected(t *testing.T) {
	good, other := newRSAKey(t, "k1"), newRSAKey(t, "k1")
	ecGood := newECKey(t, "ec")
	a := newTestAuthenticator(t, Config{JWT: JWTConfig{
		JWKS:     writeFile(t, t.TempDir(), "jwks.json", jwksJSON(t, good, ecGood)),
		Issuer:   testIssuer,
		Audience: testAudience,
	}})
	now := time.Now()
	mutate := func(f func(*tokenClaims)) tokenClaims {
		c := validClaims("default:admin")
		f(&c)
		return c
	}
	pubDER, err := x509.MarshalPKIXPublicKey(good.key.Public())
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	payload := b64([]byte(`{"sub":"x","iss":"` + testIssuer + `","aud":"` + testAudience + `","exp":` + "99999999999" + `,"permissions":["default:admin"]}`))
	cases := map[string]string{
		"expired":         sign(t, good, mutate(func(c *tokenClaims) { c.Expiry = jwt.NewNumericDate(now.Add(-2 * time.Hour)) })),
		"not yet valid":   sign(t, good, mutate(func(c *tokenClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) })),
		"no exp":          sign(t, good, mutate(func(c *tokenClaims) { c.Expiry = nil })),
		"wrong issuer":    sign(t, good, mutate(func(c *tokenClaims) { c.Issuer = "https://evil.test" })),
		"wrong audience":  sign(t, good, mutate(func(c *tokenClaims) { c.Audience = jwt.Audience{"other"} })),
		"wrong signature": sign(t, other, validClaims("default:admin")),
		"EC key, RS alg":  b64([]byte(`{"alg":"RS256","kid":"ec"}`)) + "." + payload + "." + strings.Split(sign(t, ecGood, validClaims()), ".")[2],
		"alg none":        b64([]byte(`{"alg":"none","kid":"k1"}`)) + "." + payload + ".",
		"HS256 with the public key": func() string {
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pubDER}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.Signed(signer).Claims(validClaims("default:admin")).Serialize()
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}(),
		"tampered payload": func() string {
			parts := strings.Split(sign(t, good, validClaims("default:read")), ".")
			return parts[0] + "." + payload + "." + parts[2]
		}(),
		"garbage": "a.b.c",
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := a.Authenticate(bearerContext(token))
			requireCode(t, err, codes.Unauthenticated)
		})
	}
}

func TestJWKSFromURLIsRefreshed(t *testing.T) {
	first, second := newECKey(t, "first"), newRSAKey(t, "second")
	var served atomic.Pointer[[]byte]
	data := jwksJSON(t, first)
	served.Store(&data)
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_, _ = w.Write(*served.Load())
	}))
	defer srv.Close()
	a := newTestAuthenticator(t, Config{JWT: JWTConfig{JWKS: srv.URL + "/jwks.json", RefreshInterval: time.Hour}})
	if fetches.Load() != 1 {
		t.Fatalf("New fetched the JWKS %d times, want 1", fetches.Load())
	}
	if _, err := a.Authenticate(bearerContext(sign(t, first, validClaims("default:read")))); err != nil {
		t.Fatalf("token of the first key: %v", err)
	}
	_, err := a.Authenticate(bearerContext(sign(t, second, validClaims("default:read"))))
	requireCode(t, err, codes.Unauthenticated)

	rotated := jwksJSON(t, second)
	served.Store(&rotated)
	a.refreshJWKS(context.Background())
	if _, err := a.Authenticate(bearerContext(sign(t, second, validClaims("default:read")))); err != nil {
		t.Fatalf("token of the rotated-in key: %v", err)
	}
	_, err = a.Authenticate(bearerContext(sign(t, first, validClaims("default:read"))))
	requireCode(t, err, codes.Unauthenticated)

	// A failed refresh keeps the keys in use.
	broken := []byte("not json")
	served.Store(&broken)
	a.refreshJWKS(context.Background())
	if _, err := a.Authenticate(bearerContext(sign(t, second, validClaims("default:read")))); err != nil {
		t.Fatalf("after a failed refresh: %v", err)
	}
}

func TestJWKSFileIsReloadedWhenChanged(t *testing.T) {
	first, second := newRSAKey(t, "a"), newECKey(t, "b")
	path := writeFile(t, t.TempDir(), "jwks.json", jwksJSON(t, first))
	a := newTestAuthenticator(t, Config{JWT: JWTConfig{JWKS: path}, FileCheckInterval: time.Hour})
	_, err := a.Authenticate(bearerContext(sign(t, second, validClaims("default:read"))))
	requireCode(t, err, codes.Unauthenticated)
	rewrite(t, path, jwksJSON(t, first, second))
	a.checkFiles()
	if _, err := a.Authenticate(bearerContext(sign(t, second, validClaims("default:read")))); err != nil {
		t.Fatalf("after the reload: %v", err)
	}
}

// rewrite replaces a file's content and moves its modification time on, so
// a reload sees the change even on file systems with coarse timestamps.
func rewrite(t *testing.T, path string, data []byte) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	later := info.ModTime().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

func TestAPIKeys(t *testing.T) {
	path := writeFile(t, t.TempDir(), "keys.json", apiKeysJSON(t, map[string][]string{"secret-one": {"default:write"}}))
	a := newTestAuthenticator(t, Config{APIKeysFile: path, FileCheckInterval: time.Hour})
	p, err := a.Authenticate(bearerContext("secret-one"))
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if p.Method != "api-key" || !p.Permissions.Has("default", RoleWrite) || p.Permissions.Has("default", RoleWorker) {
		t.Fatalf("principal %+v", p)
	}
	for name, ctx := range map[string]context.Context{
		"unknown key":     bearerContext("secret-two"),
		"no credential":   context.Background(),
		"JWT-shaped":      bearerContext("a.b.c"),
		"basic scheme":    metadataContext("authorization", "Basic c2VjcmV0LW9uZQ=="),
		"two headers":     metadataContext("authorization", "Bearer secret-one", "authorization", "Bearer secret-one"),
		"empty bearer":    metadataContext("authorization", "Bearer "),
		"huge credential": bearerContext(strings.Repeat("x", maxBearerBytes)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Authenticate(ctx)
			requireCode(t, err, codes.Unauthenticated)
		})
	}

	rewrite(t, path, apiKeysJSON(t, map[string][]string{"secret-two": {"default:read"}}))
	a.checkFiles()
	if _, err := a.Authenticate(bearerContext("secret-two")); err != nil {
		t.Fatalf("the new key after the reload: %v", err)
	}
	_, err = a.Authenticate(bearerContext("secret-one"))
	requireCode(t, err, codes.Unauthenticated)

	// A file that no longer parses keeps the keys in use.
	rewrite(t, path, []byte(`{"keys": [{"sha256": "short"}]}`))
	a.checkFiles()
	if _, err := a.Authenticate(bearerContext("secret-two")); err != nil {
		t.Fatalf("after a failed reload: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	keys := writeFile(t, dir, "keys.json", apiKeysJSON(t, map[string][]string{"k123": {"default:read"}}))
	for name, cfg := range map[string]Config{
		"nothing":                  {},
		"bad algorithm":            {JWT: JWTConfig{JWKS: keys, Algorithms: []string{"HS256"}}},
		"missing JWKS file":        {JWT: JWTConfig{JWKS: dir + "/missing.json"}},
		"JWKS is not a JWKS":       {JWT: JWTConfig{JWKS: keys}},
		"bad role":                 {APIKeysFile: writeFile(t, dir, "bad-role.json", []byte(`{"keys":[{"sha256":"`+HashAPIKey("x")+`","permissions":["default:owner"]}]}`))},
		"unknown field":            {APIKeysFile: writeFile(t, dir, "typo.json", []byte(`{"keys":[{"sha265":"`+HashAPIKey("x")+`"}]}`))},
		"identity without subject": {MTLSIdentitiesFile: writeFile(t, dir, "ids.json", []byte(`{"identities":[{"permissions":["a:read"]}]}`))},
		"negative skew":            {APIKeysFile: keys, JWT: JWTConfig{JWKS: keys, ClockSkew: -time.Second}},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := New(context.Background(), cfg, nil)
			if err == nil {
				a.Close()
				t.Fatal("New accepted the configuration")
			}
		})
	}
}
