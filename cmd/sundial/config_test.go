package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/server"
)

// writeConfig writes a config file in a temporary directory.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sundial.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigFileWithFlagsOverriding: values come from the file, flags given on
// the command line win, untouched defaults stay.
func TestConfigFileWithFlagsOverriding(t *testing.T) {
	path := writeConfig(t, `
grpc:
  listen: 0.0.0.0:7300
tls:
  certFile: /tls/cert.pem
  keyFile: /tls/key.pem
  clientCAFile: /tls/ca.pem
  reloadInterval: 2s
store:
  db: /data/sundial.db
  synchronous: normal
log:
  level: warn
shutdownTimeout: 30s
limits:
  maxPayloadBytes: 1048576
  minRetention: 1h
  history:
    countLimitError: 9000
  pending:
    signals: -1
  updates:
    maxTotal: 50
rateLimits:
  namespaceRPS: 10
  namespaceBurst: 20
  namespaces:
    payments: {rps: 100, burst: 150}
failover:
  advertiseAddress: node-1.internal:7233
  leaseTTL: 8s
  leaseRenewInterval: 2s
`)
	cfg, err := parseServerFlags([]string{"--config", path, "--db", ":memory:", "--namespace-rps", "7.5", "--max-total-updates=60", "--lease-renew-interval=3s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	o := cfg.options
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen (file)", cfg.listenAddr, "0.0.0.0:7300"},
		{"db (flag over file)", cfg.databasePath, ":memory:"},
		{"log level (file)", cfg.logLevel.String(), "WARN"},
		{"shutdown timeout (file)", cfg.shutdownTimeout, 30 * time.Second},
		{"pprof (default)", cfg.pprofAddr, ""},
		{"synchronous normal (file)", o.SynchronousNormal, true},
		{"tls", o.TLS, server.TLSOptions{CertFile: "/tls/cert.pem", KeyFile: "/tls/key.pem", ClientCAFile: "/tls/ca.pem", ReloadInterval: 2 * time.Second}},
		{"max payload (file)", o.MaxPayloadBytes, 1 << 20},
		{"min retention (file)", o.MinRetention, time.Hour},
		{"history count error (file)", o.HistoryCountLimitError, int64(9000)},
		{"pending signals (file)", o.MaxPendingSignals, -1},
		{"max total updates (flag over file)", o.MaxTotalUpdates, 60},
		{"namespace rate limit (flag over file, burst from file)", o.NamespaceRateLimit, server.RateLimit{RPS: 7.5, Burst: 20}},
		{"per-namespace limit (file)", o.NamespaceRateLimits["payments"], server.RateLimit{RPS: 100, Burst: 150}},
		{"priority levels (default)", o.PriorityLevels, 0},
		{"advertise address (file)", o.AdvertiseAddress, "node-1.internal:7233"},
		{"lease TTL (file)", o.Failover.LeaseTTL, 8 * time.Second},
		{"lease renew interval (flag over file)", o.Failover.RenewInterval, 3 * time.Second},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestConfigFileErrors: unknown keys name the key, wrong types and values
// say what is wrong, and sections this build cannot serve are refused.
func TestConfigFileErrors(t *testing.T) {
	cases := []struct {
		text string
		want string
	}{
		{"limits:\n  maxPayloadByte: 1\n", `field maxPayloadByte not found`},
		{"grpc:\n  listen: 127.0.0.1:1\n  port: 3\n", `field port not found`},
		{"tls:\n  reloadInterval: soon\n", `soon`},
		{"store:\n  synchronous: sometimes\n", `must be full or normal, got "sometimes"`},
		{"limits:\n  priorityLevels: many\n", `many`},
		{"auth:\n  jwks: /x.json\n", "field jwks not found"},
		{"ui:\n  listen: 127.0.0.1:8080\n", "ui.listen"},
		{"metrics:\n  listen: 127.0.0.1:9090\n", "metrics.listen"},
		{"- a list\n", "cannot unmarshal"},
	}
	for _, c := range cases {
		_, err := parseServerFlags([]string{"--config", writeConfig(t, c.text)}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("config %q: err = %v, want it to contain %q", c.text, err, c.want)
		}
	}
	if _, err := parseServerFlags([]string{"--config", filepath.Join(t.TempDir(), "missing.yaml")}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a missing config file: err = %v", err)
	}
	if cfg, err := parseServerFlags([]string{"--config", writeConfig(t, "")}, &bytes.Buffer{}); err != nil || cfg.listenAddr != "127.0.0.1:7233" {
		t.Errorf("an empty config file: %v, listen %q", err, cfg.listenAddr)
	}
}

// TestConfigREADMEExample: the README's example config decodes with every
// key known, its auth section included.
func TestConfigREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Running in production")
	if !ok {
		t.Fatal("README has no Running in production section")
	}
	_, after, ok = strings.Cut(after, "```yaml\n")
	example, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("the Running in production section has no yaml example")
	}
	file, err := decodeConfig([]byte(example))
	if err != nil {
		t.Fatalf("the README example does not decode: %v", err)
	}
	if file.GRPC.Listen != "0.0.0.0:7233" || file.TLS.CertFile == "" || file.Limits.History.SizeLimitError != 50<<20 ||
		file.RateLimits.Namespaces["payments"].RPS != 1000 || file.Auth == nil || file.Auth.JWT.JWKS == "" || file.Auth.APIKeysFile == "" {
		t.Fatalf("the README example decoded to %+v", file)
	}
}

func TestServerRefusesExposedPlaintext(t *testing.T) {
	code, _, stderr := runForTest(t, context.Background(), "server", "--listen", "0.0.0.0:0", "--db", ":memory:")
	if code != exitFailure || !strings.Contains(stderr, "--insecure") {
		t.Fatalf("exit %d, stderr %q: want a refusal mentioning --insecure", code, stderr)
	}
	code, _, stderr = runForTest(t, context.Background(), "server", "--tls-cert", "x.pem")
	if code != exitFailure || !strings.Contains(stderr, "both a certificate file and a key file") {
		t.Fatalf("exit %d, stderr %q: want a refusal of --tls-cert without --tls-key", code, stderr)
	}
}

func TestTestServerTLSFlags(t *testing.T) {
	got, err := parseTestServerArgs([]string{"7233", "--tls-cert", "c.pem", "--tls-key=k.pem", "--tls-client-ca", "ca.pem", "--insecure", enableTimeSkippingFlag})
	if err != nil {
		t.Fatal(err)
	}
	want := server.TLSOptions{CertFile: "c.pem", KeyFile: "k.pem", ClientCAFile: "ca.pem"}
	if got.tls != want || !got.insecure || !got.skipping {
		t.Fatalf("parsed %+v", got)
	}
	if _, err := parseTestServerArgs([]string{"7233", "--tls-key"}); err == nil || !strings.Contains(err.Error(), "--tls-key needs a value") {
		t.Fatalf("--tls-key without a value: %v", err)
	}
	code, _, stderr := runForTest(t, context.Background(), "0", listenHostFlag, "0.0.0.0")
	if code != exitFailure || !strings.Contains(stderr, "--insecure") {
		t.Fatalf("test server on 0.0.0.0 without --insecure: exit %d, stderr %q", code, stderr)
	}
}
