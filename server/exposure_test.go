package server

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestSecurityLoopbackAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7233": true, "127.1.2.3:0": true, "[::1]:7233": true, "localhost:7233": true, "LOCALHOST:1": true,
		"0.0.0.0:7233": false, ":7233": false, "[::]:7233": false, "10.0.0.5:7233": false, "example.com:7233": false, "bad": false,
	} {
		if got := isLoopbackListenAddr(addr); got != want {
			t.Errorf("isLoopbackListenAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestSecurityNonLoopbackNeedsProtectionOrInsecure: New refuses a plaintext,
// unauthenticated listener off loopback unless Insecure is set, and then the
// server warns when it starts.
func TestSecurityNonLoopbackNeedsProtectionOrInsecure(t *testing.T) {
	_, err := New(Options{ListenAddr: "0.0.0.0:0", DatabasePath: ":memory:"})
	if err == nil || !strings.Contains(err.Error(), "--insecure") || !strings.Contains(err.Error(), "0.0.0.0:0") {
		t.Fatalf("New on 0.0.0.0 without TLS: err = %v, want a refusal naming the address and --insecure", err)
	}
	if _, err := New(Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:"}); err != nil {
		t.Fatalf("New on loopback: %v", err)
	}
	if e := (exposure{listenAddr: "0.0.0.0:7233", auth: true}); e.check() != nil || e.unprotected() {
		t.Fatal("an authenticated listener was judged unprotected")
	}
	if e := (exposure{listenAddr: "0.0.0.0:7233", tls: true}); e.check() != nil || e.unprotected() {
		t.Fatal("a TLS listener was judged unprotected")
	}

	logs := &syncBuffer{}
	srv, err := New(Options{ListenAddr: "0.0.0.0:0", DatabasePath: ":memory:", Insecure: true, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatalf("New with Insecure: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer srv.Stop(context.Background())
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "--insecure") {
		t.Fatalf("no warning logged for an insecure listener:\n%s", logs.String())
	}
}
