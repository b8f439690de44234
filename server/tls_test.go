package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/testcerts"
)

// newCA makes a CA or fails the test.
func newCA(t *testing.T, name string) *testcerts.CA {
	t.Helper()
	ca, err := testcerts.NewCA(name)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// leaf signs a server (client=false) or client certificate or fails the test.
func leaf(t *testing.T, ca *testcerts.CA, name string, client bool) testcerts.Leaf {
	t.Helper()
	sign := ca.Server
	if client {
		sign = ca.Client
	}
	l, err := sign(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// writeServerFiles writes a server certificate signed by ca into dir.
func writeServerFiles(t *testing.T, dir string, ca *testcerts.CA) testcerts.Files {
	t.Helper()
	files, err := testcerts.Write(dir, ca, leaf(t, ca, "sundial", false))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// startTLSServer starts an in-memory server with the TLS options.
func startTLSServer(t *testing.T, opts TLSOptions) *Server {
	t.Helper()
	srv, err := New(Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", TLS: opts,
		Logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil))})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv
}

// callOverTLS makes one GetSystemInfo call on a new connection with config.
func callOverTLS(addr string, config *tls.Config) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(config)))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = workflowservice.NewWorkflowServiceClient(conn).GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
	return err
}

// TestSecurityTLSRotationWithoutRestart: the server serves TLS from files and,
// once they are replaced by a certificate from another CA, new connections
// verify with the new CA only.
func TestSecurityTLSRotationWithoutRestart(t *testing.T) {
	dir := t.TempDir()
	oldCA, newCAuth := newCA(t, "old CA"), newCA(t, "new CA")
	files := writeServerFiles(t, dir, oldCA)
	srv := startTLSServer(t, TLSOptions{CertFile: files.Cert, KeyFile: files.Key, ReloadInterval: time.Millisecond})

	if err := callOverTLS(srv.Addr(), &tls.Config{RootCAs: oldCA.Pool(), ServerName: "localhost"}); err != nil {
		t.Fatalf("call over TLS with the old CA: %v", err)
	}
	if err := callOverTLS(srv.Addr(), &tls.Config{RootCAs: newCAuth.Pool(), ServerName: "localhost"}); err == nil {
		t.Fatal("a client trusting only the new CA connected before the rotation")
	}
	writeServerFiles(t, dir, newCAuth)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := callOverTLS(srv.Addr(), &tls.Config{RootCAs: newCAuth.Pool(), ServerName: "localhost"})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rotated certificate was not served: %v", err)
		}
	}
	if err := callOverTLS(srv.Addr(), &tls.Config{RootCAs: oldCA.Pool(), ServerName: "localhost"}); err == nil {
		t.Fatal("a client trusting only the old CA still connected after the rotation")
	}
}

// TestSecurityMutualTLSRequiresClientCertificate: with a client CA, only
// clients presenting a certificate from that CA are served.
func TestSecurityMutualTLSRequiresClientCertificate(t *testing.T) {
	dir := t.TempDir()
	serverCA, clientCA, otherCA := newCA(t, "server CA"), newCA(t, "client CA"), newCA(t, "other CA")
	files := writeServerFiles(t, dir, serverCA)
	clientCAFile := filepath.Join(dir, "client-ca.pem")
	if err := os.WriteFile(clientCAFile, clientCA.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startTLSServer(t, TLSOptions{CertFile: files.Cert, KeyFile: files.Key, ClientCAFile: clientCAFile})

	base := tls.Config{RootCAs: serverCA.Pool(), ServerName: "localhost"}
	if err := callOverTLS(srv.Addr(), base.Clone()); err == nil {
		t.Fatal("a client without a certificate was served under mutual TLS")
	}
	for _, c := range []struct {
		ca   *testcerts.CA
		good bool
	}{{clientCA, true}, {otherCA, false}} {
		cert, err := leaf(t, c.ca, "worker", true).TLSCertificate()
		if err != nil {
			t.Fatal(err)
		}
		config := base.Clone()
		config.Certificates = []tls.Certificate{cert}
		err = callOverTLS(srv.Addr(), config)
		if c.good && err != nil {
			t.Fatalf("a client with a certificate from the client CA was refused: %v", err)
		}
		if !c.good && err == nil {
			t.Fatal("a client with a certificate from another CA was served")
		}
	}
}

// TestSecurityTLSReloadKeepsServingOnBadFiles: a half-written rotation keeps
// the previous certificate and is reported once; the finished rotation is
// then picked up.
func TestSecurityTLSReloadKeepsServingOnBadFiles(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "CA")
	files := writeServerFiles(t, dir, ca)
	logs := &syncBuffer{}
	clk := clock.NewVirtual(time.Unix(1_000_000, 0))
	r, err := newCertReloader(TLSOptions{CertFile: files.Cert, KeyFile: files.Key, ReloadInterval: time.Second},
		slog.New(slog.NewTextHandler(logs, nil)), clk)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := r.configForClient(nil)

	next := leaf(t, ca, "next", false)
	if err := testcerts.ReplaceFile(files.Cert, next.CertPEM); err != nil { // the key is still the old one
		t.Fatal(err)
	}
	for range 3 {
		clk.Advance(time.Second)
		if got, _ := r.configForClient(nil); got != first {
			t.Fatal("a certificate that does not match its key replaced the working one")
		}
	}
	if n := strings.Count(logs.String(), "do not load"); n != 1 {
		t.Fatalf("the failed reload was logged %d times, want once:\n%s", n, logs.String())
	}
	if err := testcerts.ReplaceFile(files.Key, next.KeyPEM); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.configForClient(nil); got != first {
		t.Fatal("the files were read again before the reload interval passed")
	}
	clk.Advance(time.Second)
	got, _ := r.configForClient(nil)
	if got == first {
		t.Fatal("the completed rotation was not loaded")
	}
	leafCert, err := x509.ParseCertificate(got.Certificates[0].Certificate[0])
	if err != nil || leafCert.Subject.CommonName != "next" {
		t.Fatalf("served certificate = %v (%v), want CN next", leafCert.Subject, err)
	}
}

// TestSecurityTLSOptionsValidated: incomplete or unreadable TLS files make
// New fail with a message naming the problem.
func TestSecurityTLSOptionsValidated(t *testing.T) {
	dir := t.TempDir()
	files := writeServerFiles(t, dir, newCA(t, "CA"))
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		opts TLSOptions
		want string
	}{
		{TLSOptions{CertFile: files.Cert}, "both a certificate file and a key file"},
		{TLSOptions{ClientCAFile: files.CA}, "both a certificate file and a key file"},
		{TLSOptions{CertFile: files.Cert, KeyFile: filepath.Join(dir, "missing.pem")}, "missing.pem"},
		{TLSOptions{CertFile: files.Cert, KeyFile: files.Cert}, "loading TLS certificate"},
		{TLSOptions{CertFile: files.Cert, KeyFile: files.Key, ClientCAFile: empty}, "holds no PEM certificate"},
		{TLSOptions{CertFile: files.Cert, KeyFile: files.Key, ReloadInterval: -time.Second}, "must not be negative"},
	}
	for _, c := range cases {
		_, err := New(Options{DatabasePath: ":memory:", TLS: c.opts})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New with %+v: err = %v, want it to mention %q", c.opts, err, c.want)
		}
	}
}
