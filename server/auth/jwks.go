package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

// keySet is the usable part of a JWKS: public signature keys, RSA or P-256
// ECDSA. Symmetric keys, encryption keys and other curves are dropped, so
// no token can be checked against a key of the wrong kind.
type keySet struct {
	keys []jose.JSONWebKey
}

// parseJWKS reads a JSON Web Key Set.
func parseJWKS(data []byte) (*keySet, error) {
	var raw jose.JSONWebKeySet
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid JWKS: %w", err)
	}
	set := &keySet{}
	for _, k := range raw.Keys {
		if k.Use == "enc" {
			continue
		}
		k = k.Public() // a private key in the set is used by its public half
		switch pub := k.Key.(type) {
		case *rsa.PublicKey:
			if pub.N.BitLen() < 2048 {
				continue
			}
		case *ecdsa.PublicKey:
			if pub.Curve != elliptic.P256() {
				continue
			}
		default:
			continue
		}
		set.keys = append(set.keys, k)
	}
	if len(set.keys) == 0 {
		return nil, errors.New("JWKS holds no usable key (RSA of 2048 bits or more, or ECDSA P-256, for signatures)")
	}
	return set, nil
}

// candidates returns the keys a token signed with alg and carrying kid (may
// be empty) can have been signed with.
func (s *keySet) candidates(kid string, alg jose.SignatureAlgorithm) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range s.keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != string(alg) {
			continue
		}
		switch k.Key.(type) {
		case *rsa.PublicKey:
			if alg != jose.RS256 {
				continue
			}
		case *ecdsa.PublicKey:
			if alg != jose.ES256 {
				continue
			}
		}
		out = append(out, k)
	}
	return out
}

// fetchJWKS downloads a JWKS from url.
func fetchJWKS(ctx context.Context, client *http.Client, url string) (*keySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS from %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS from %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching JWKS from %s: HTTP status %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxConfigFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS from %s: %w", url, err)
	}
	if len(data) > maxConfigFileBytes {
		return nil, fmt.Errorf("fetching JWKS from %s: larger than %d bytes", url, maxConfigFileBytes)
	}
	set, err := parseJWKS(data)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS from %s: %w", url, err)
	}
	return set, nil
}
