package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// HashAPIKey is the hash an API key file stores for key: the lowercase hex
// SHA-256 of its bytes (what `printf %s "$KEY" | sha256sum` prints, and
// `sundial auth hash-key` too).
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// apiKeyFile is the API key file's JSON form.
type apiKeyFile struct {
	Keys []struct {
		Name        string   `json:"name"`
		SHA256      string   `json:"sha256"`
		Permissions []string `json:"permissions"`
	} `json:"keys"`
}

// apiKey is one key's entry once loaded.
type apiKey struct {
	name        string
	permissions Permissions
}

// parseAPIKeys reads an API key file into a map from key hash to entry.
func parseAPIKeys(data []byte) (map[string]apiKey, error) {
	var f apiKeyFile
	if err := decodeStrictJSON(data, &f); err != nil {
		return nil, err
	}
	keys := make(map[string]apiKey, len(f.Keys))
	for i, k := range f.Keys {
		hash := strings.ToLower(k.SHA256)
		if b, err := hex.DecodeString(hash); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("key %d (%q): sha256 must be 64 hex digits", i, k.Name)
		}
		if _, dup := keys[hash]; dup {
			return nil, fmt.Errorf("key %d (%q): the same hash appears twice", i, k.Name)
		}
		perms, err := ParsePermissions(k.Permissions)
		if err != nil {
			return nil, fmt.Errorf("key %d (%q): %w", i, k.Name, err)
		}
		name := k.Name
		if name == "" {
			name = hash[:12]
		}
		keys[hash] = apiKey{name: name, permissions: perms}
	}
	return keys, nil
}

// decodeStrictJSON decodes one JSON value, refusing unknown fields and
// trailing data, so a misspelt field is an error rather than a silent no-op.
func decodeStrictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return errors.New("invalid JSON: data after the top-level value")
	}
	return nil
}
