package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
)

// FuzzAuthorization feeds arbitrary authorization header values, and JWTs
// with arbitrary headers and bodies (signed by a key the server does not
// trust, or unsigned), to an authenticator that accepts JWTs and API keys.
// Nothing may panic and nothing may authenticate.
func FuzzAuthorization(f *testing.F) {
	trusted, attacker := newRSAKey(f, "k1"), newRSAKey(f, "k1")
	dir := f.TempDir()
	// The one valid API key is random, so no input can be it by chance.
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		f.Fatal(err)
	}
	secretKey := hex.EncodeToString(secret)
	a, err := New(f.Context(), Config{
		JWT:               JWTConfig{JWKS: writeFile(f, dir, "jwks.json", jwksJSON(f, trusted))},
		APIKeysFile:       writeFile(f, dir, "keys.json", apiKeysJSON(f, map[string][]string{secretKey: {"temporal-system:admin"}})),
		FileCheckInterval: time.Hour,
	}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(a.Close)

	forged := sign(f, attacker, validClaims("temporal-system:admin"))
	f.Add("Bearer "+forged, []byte(`{"alg":"RS256","kid":"k1"}`), []byte(`{"sub":"x","exp":99999999999,"permissions":["temporal-system:admin"]}`))
	f.Add("Bearer "+secretKey[:63], []byte(`{"alg":"none"}`), []byte(`{}`))
	f.Add("bearer  a.b.c ", []byte(`{"alg":"HS256","kid":"k1"}`), []byte(`{"exp":1}`))
	f.Add("", []byte(`{"alg":"ES256"}`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, header string, jwtHeader, jwtBody []byte) {
		b64 := base64.RawURLEncoding.EncodeToString
		forgedParts := splitDots(forged)
		for _, h := range []string{
			header,
			"Bearer " + header,
			"Bearer " + b64(jwtHeader) + "." + b64(jwtBody) + "." + forgedParts[2],
			"Bearer " + b64(jwtHeader) + "." + b64(jwtBody) + ".",
			"Bearer " + forgedParts[0] + "." + b64(jwtBody) + "." + forgedParts[2],
		} {
			p, err := a.Authenticate(metadataContext("authorization", h))
			if err == nil {
				t.Fatalf("authorization %q authenticated as %+v", h, p)
			}
			if codeOf(err) != codes.Unauthenticated {
				t.Fatalf("authorization %q: got %v, want Unauthenticated", h, err)
			}
		}
	})
}

// splitDots splits a compact JWT into its three parts.
func splitDots(s string) [3]string {
	var out [3]string
	i := 0
	for _, c := range s {
		if c == '.' {
			i++
			continue
		}
		out[i] += string(c)
	}
	return out
}
