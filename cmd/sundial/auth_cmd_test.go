package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestAuthHashKey(t *testing.T) {
	sum := sha256.Sum256([]byte("my-key"))
	want := hex.EncodeToString(sum[:])
	for _, input := range []string{"my-key", "my-key\n", "my-key\r\n"} {
		var out, errOut bytes.Buffer
		if code := runAuth([]string{"hash-key"}, strings.NewReader(input), &out, &errOut); code != exitOK {
			t.Fatalf("hash-key %q: exit %d, %s", input, code, errOut.String())
		}
		if got := strings.TrimSpace(out.String()); got != want {
			t.Errorf("hash-key %q = %s, want %s", input, got, want)
		}
	}
	var out, errOut bytes.Buffer
	if code := runAuth([]string{"hash-key"}, strings.NewReader(""), &out, &errOut); code != exitUsage {
		t.Errorf("hash-key of nothing: exit %d, want %d", code, exitUsage)
	}
}

func TestAuthNewKey(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runAuth([]string{"new-key"}, nil, &out, &errOut); code != exitOK {
		t.Fatalf("new-key: exit %d, %s", code, errOut.String())
	}
	var key, hash string
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "key:"); ok {
			key = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "sha256:"); ok {
			hash = strings.TrimSpace(v)
		}
	}
	sum := sha256.Sum256([]byte(key))
	if len(key) < 40 || hash != hex.EncodeToString(sum[:]) {
		t.Fatalf("new-key printed key %q and hash %q", key, hash)
	}
}

func TestAuthFlags(t *testing.T) {
	cfg, err := parseServerFlags([]string{"--auth-jwks", "https://idp.test/jwks.json", "--auth-issuer", "https://idp.test", "--auth-audience", "sundial", "--auth-api-keys", "keys.json", "--auth-mtls-identities", "ids.json"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.options.Auth
	if a == nil || a.JWT.JWKS != "https://idp.test/jwks.json" || a.JWT.Issuer != "https://idp.test" || a.JWT.Audience != "sundial" || a.APIKeysFile != "keys.json" || a.MTLSIdentitiesFile != "ids.json" {
		t.Fatalf("auth config %+v", a)
	}
	if cfg, err := parseServerFlags(nil, &bytes.Buffer{}); err != nil || cfg.options.Auth != nil {
		t.Fatalf("no auth flags: auth %+v, err %v", cfg.options.Auth, err)
	}
	if _, err := parseServerFlags([]string{"--auth-issuer", "x"}, &bytes.Buffer{}); err == nil {
		t.Fatal("--auth-issuer without --auth-jwks was accepted")
	}
}
