package client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

func TestDialCallsGetSystemInfoWithHeaders(t *testing.T) {
	b := setup(t, nil, func(o *client.Options) { o.APIKey = "secret-key" })
	if got := len(all[*workflowservice.GetSystemInfoRequest](b.fake)); got != 1 {
		t.Fatalf("GetSystemInfo calls = %d, want 1", got)
	}
	md := b.fake.lastHeaders()
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer secret-key" {
		t.Fatalf("authorization = %v", got)
	}
	if got := md.Get("temporal-namespace"); len(got) != 1 || got[0] != "orders" {
		t.Fatalf("temporal-namespace = %v", got)
	}
	if b.client.SystemInfo().GetServerVersion() != "fake-1" {
		t.Fatalf("SystemInfo = %v", b.client.SystemInfo())
	}
	if b.client.Namespace() != "orders" || b.client.Identity() != "test-client" ||
		b.client.DataConverter() == nil || b.client.FailureConverter() == nil || b.client.Logger() == nil {
		t.Fatal("accessors must reflect the options and defaults")
	}
}

func TestDialToleratesUnimplementedSystemInfo(t *testing.T) {
	fake := &fakeService{systemInfoErr: status.Error(codes.Unimplemented, "unknown method GetSystemInfo")}
	b := setup(t, fake, nil)
	if b.client.SystemInfo() == nil {
		t.Fatal("SystemInfo must be empty, not nil, when unimplemented")
	}
}

func TestDialFailsOnOtherErrors(t *testing.T) {
	fake := &fakeService{systemInfoErr: status.Error(codes.PermissionDenied, "bad key")}
	_, err := client.Dial(context.Background(), client.Options{
		HostPort:          "passthrough:///bufnet",
		ConnectionOptions: []grpc.DialOption{serveFake(t, fake), grpc.WithTransportCredentials(insecure.NewCredentials())},
	})
	var denied *serviceerror.PermissionDenied
	if err == nil || !errors.As(err, &denied) {
		t.Fatalf("Dial error = %v, want PermissionDenied", err)
	}
}

func TestDefaults(t *testing.T) {
	b := setup(t, nil, func(o *client.Options) {
		o.Namespace = ""
		o.Identity = ""
	})
	if b.client.Namespace() != "default" {
		t.Fatalf("default namespace = %q", b.client.Namespace())
	}
	if id := b.client.Identity(); !strings.Contains(id, "@") {
		t.Fatalf("default identity %q is not pid@host", id)
	}
}

// TestTLSAndAPIKey runs a real TLS server on loopback and checks the key arrives over it.
func TestTLSAndAPIKey(t *testing.T) {
	cert, pool := selfSignedCert(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeService{}
	server := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})))
	workflowservice.RegisterWorkflowServiceServer(server, fake)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = server.Serve(listener)
	}()
	t.Cleanup(func() {
		server.Stop()
		<-served
	})

	c, err := client.Dial(context.Background(), client.Options{
		HostPort: listener.Addr().String(),
		TLS:      &tls.Config{RootCAs: pool, ServerName: "localhost"},
		APIKey:   "k1",
	})
	if err != nil {
		t.Fatalf("Dial over TLS: %v", err)
	}
	defer c.Close()
	if got := fake.lastHeaders().Get("authorization"); len(got) != 1 || got[0] != "Bearer k1" {
		t.Fatalf("authorization over TLS = %v", got)
	}

	// An API key without explicit TLS turns TLS on: the handshake with this server then
	// fails for lack of a trusted root, proving the client did not fall back to plaintext.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := client.Dial(ctx, client.Options{HostPort: listener.Addr().String(), APIKey: "k1"}); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Dial with API key and no TLS config must use TLS (and fail verification here), got %v", err)
	}
	// Plaintext against a TLS server fails too, which shows TLSDisabled really disables it.
	if _, err := client.Dial(ctx, client.Options{HostPort: listener.Addr().String(), APIKey: "k1", TLSDisabled: true}); err == nil {
		t.Fatal("Dial with TLSDisabled reached a TLS-only server")
	}
}

func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: parsed}, pool
}
