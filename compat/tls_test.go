package compat

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/sundialdev/sundial/internal/testcerts"
	"github.com/sundialdev/sundial/server"
)

// tlsSetup is a Sundial server serving TLS, and what its clients need.
type tlsSetup struct {
	target
	dir      string
	serverCA *testcerts.CA
	clientCA *testcerts.CA // nil unless the server requires client certificates
}

// startTLSSundial starts Sundial with a server certificate from a fresh CA and,
// when mutual, a client CA whose certificates it requires.
func startTLSSundial(t *testing.T, mutual bool, reload time.Duration) *tlsSetup {
	t.Helper()
	s := &tlsSetup{dir: t.TempDir(), serverCA: mustCA(t, "server CA")}
	s.writeServerCertificate(t, s.serverCA)
	opts := server.TLSOptions{CertFile: filepath.Join(s.dir, "cert.pem"), KeyFile: filepath.Join(s.dir, "key.pem"), ReloadInterval: reload}
	if mutual {
		s.clientCA = mustCA(t, "client CA")
		opts.ClientCAFile = filepath.Join(s.dir, "client-ca.pem")
		if err := os.WriteFile(opts.ClientCAFile, s.clientCA.PEM, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.target = startSundial(t, server.Options{TLS: opts})
	return s
}

// writeServerCertificate replaces the server's certificate and key with a new
// pair signed by ca.
func (s *tlsSetup) writeServerCertificate(t *testing.T, ca *testcerts.CA) {
	t.Helper()
	leaf, err := ca.Server("sundial")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testcerts.Write(s.dir, ca, leaf); err != nil {
		t.Fatal(err)
	}
}

// clientTLS trusts ca and, when the server requires one, presents a client
// certificate from the client CA.
func (s *tlsSetup) clientTLS(t *testing.T, ca *testcerts.CA, withCertificate bool) *tls.Config {
	t.Helper()
	config := &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost", MinVersion: tls.VersionTLS12}
	if withCertificate {
		leaf, err := s.clientCA.Client("worker")
		if err != nil {
			t.Fatal(err)
		}
		cert, err := leaf.TLSCertificate()
		if err != nil {
			t.Fatal(err)
		}
		config.Certificates = []tls.Certificate{cert}
	}
	return config
}

func mustCA(t *testing.T, name string) *testcerts.CA {
	t.Helper()
	ca, err := testcerts.NewCA(name)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// dialTLS connects the official SDK over TLS; the client closes when the test
// ends.
func dialTLS(ctx context.Context, t *testing.T, tg target, config *tls.Config) (client.Client, error) {
	t.Helper()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:          tg.HostPort,
		Namespace:         tg.Namespace,
		Logger:            newSDKLogger(t),
		ConnectionOptions: client.ConnectionOptions{TLS: config},
	})
	if err == nil {
		t.Cleanup(c.Close)
	}
	return c, err
}

// mustDialTLS is dialTLS failing the test on error.
func mustDialTLS(t *testing.T, tg target, config *tls.Config) client.Client {
	t.Helper()
	c, err := dialTLS(testContext(t, 15*time.Second), t, tg, config)
	if err != nil {
		t.Fatalf("dialing %s over TLS: %v", tg.HostPort, err)
	}
	return c
}

// requireRefused checks that dialing with config fails (within a short
// deadline: the SDK retries a failed handshake until it).
func requireRefused(t *testing.T, tg target, config *tls.Config, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := dialTLS(ctx, t, tg, config); err == nil {
		t.Fatalf("%s: the connection was accepted", what)
	}
}

// requireActivityRuns runs a workflow with an activity through c.
func requireActivityRuns(t *testing.T, c client.Client, greeting string) {
	t.Helper()
	_, result, err := runOneActivity(t, c, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second},
		func(context.Context) (string, error) { return greeting, nil })
	if err != nil || result != greeting {
		t.Fatalf("workflow with an activity: result %q, err %v; want %q", result, err, greeting)
	}
}

// TestSecurityTLSWorkflowWithActivities: the Go SDK runs a workflow with an
// activity over TLS; a client that does not trust the server's CA is refused.
func TestSecurityTLSWorkflowWithActivities(t *testing.T) {
	t.Parallel()
	s := startTLSSundial(t, false, 0)
	requireActivityRuns(t, mustDialTLS(t, s.target, s.clientTLS(t, s.serverCA, false)), "hello over TLS")
	requireRefused(t, s.target, s.clientTLS(t, mustCA(t, "stranger"), false), "a client trusting another CA")
}

// TestSecurityMutualTLSWorkflowWithActivities: under mutual TLS the Go SDK with
// a client certificate runs a workflow with an activity; without one it is
// refused.
func TestSecurityMutualTLSWorkflowWithActivities(t *testing.T) {
	t.Parallel()
	s := startTLSSundial(t, true, 0)
	requireActivityRuns(t, mustDialTLS(t, s.target, s.clientTLS(t, s.serverCA, true)), "hello over mutual TLS")
	requireRefused(t, s.target, s.clientTLS(t, s.serverCA, false), "a client without a certificate under mutual TLS")
}

// TestSecurityTLSCertificateRotation: replacing the certificate files with a
// certificate from another CA takes effect without a restart: new connections
// verify with the new CA (and no longer with the old), and a connection made
// before the rotation keeps working.
func TestSecurityTLSCertificateRotation(t *testing.T) {
	t.Parallel()
	s := startTLSSundial(t, true, 50*time.Millisecond)
	before := mustDialTLS(t, s.target, s.clientTLS(t, s.serverCA, true))
	requireActivityRuns(t, before, "before the rotation")

	newCA := mustCA(t, "rotated server CA")
	s.writeServerCertificate(t, newCA)
	var after client.Client
	eventually(t, 15*time.Second, "a client trusting the new CA connects", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		c, err := dialTLS(ctx, t, s.target, s.clientTLS(t, newCA, true))
		after = c
		return err == nil
	})
	requireActivityRuns(t, after, "after the rotation")
	requireRefused(t, s.target, s.clientTLS(t, s.serverCA, true), "a client trusting only the old CA, after the rotation")
	requireActivityRuns(t, before, "on the connection made before the rotation")
}
