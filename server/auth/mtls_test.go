package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/url"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
)

// testCA issues certificates for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue makes a leaf certificate; tmpl carries its names.
func (ca *testCA) issue(t *testing.T, tmpl *x509.Certificate, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// namespaceDescriber answers DescribeNamespace for any caller the
// interceptor lets through.
type namespaceDescriber struct {
	workflowservice.UnimplementedWorkflowServiceServer
}

func (namespaceDescriber) DescribeNamespace(context.Context, *workflowservice.DescribeNamespaceRequest) (*workflowservice.DescribeNamespaceResponse, error) {
	return &workflowservice.DescribeNamespaceResponse{}, nil
}

// TestMTLSIdentities serves over mutual TLS with the interceptors and maps
// client certificates by common name and by URI SAN.
func TestMTLSIdentities(t *testing.T) {
	ca := newTestCA(t)
	ids := writeFile(t, t.TempDir(), "ids.json", []byte(`{"identities": [
		{"commonName": "billing-worker", "permissions": ["billing:read"]},
		{"san": "spiffe://example.test/ops", "permissions": ["ops:read"]}
	]}`))
	keys := writeFile(t, t.TempDir(), "keys.json", apiKeysJSON(t, map[string][]string{"key-for-ops": {"ops:read"}}))
	a := newTestAuthenticator(t, Config{MTLSIdentitiesFile: ids, APIKeysFile: keys})

	serverCert := ca.issue(t, &x509.Certificate{DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}, x509.ExtKeyUsageServerAuth)
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{serverCert}, ClientCAs: ca.pool, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12})
	g := grpc.NewServer(grpc.Creds(creds), grpc.ChainUnaryInterceptor(a.UnaryServerInterceptor()), grpc.ChainStreamInterceptor(a.StreamServerInterceptor()))
	workflowservice.RegisterWorkflowServiceServer(g, namespaceDescriber{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- g.Serve(lis) }()
	t.Cleanup(func() { g.Stop(); <-served })

	spiffe, err := url.Parse("spiffe://example.test/ops")
	if err != nil {
		t.Fatal(err)
	}
	clientCerts := map[string]*tls.Certificate{
		"billing": ptr(ca.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "billing-worker"}}, x509.ExtKeyUsageClientAuth)),
		"ops":     ptr(ca.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "someone"}, URIs: []*url.URL{spiffe}}, x509.ExtKeyUsageClientAuth)),
		"unknown": ptr(ca.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "stranger"}}, x509.ExtKeyUsageClientAuth)),
		"none":    nil,
	}
	describe := func(t *testing.T, who, namespace string, md ...string) error {
		t.Helper()
		cfg := &tls.Config{RootCAs: ca.pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}
		if c := clientCerts[who]; c != nil {
			cfg.Certificates = []tls.Certificate{*c}
		}
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if len(md) > 0 {
			ctx = metadata.AppendToOutgoingContext(ctx, md...)
		}
		_, err = workflowservice.NewWorkflowServiceClient(conn).DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
		return err
	}
	if err := describe(t, "billing", "billing"); err != nil {
		t.Errorf("billing-worker (CN) in billing: %v", err)
	}
	requireCode(t, describe(t, "billing", "ops"), codes.PermissionDenied)
	if err := describe(t, "ops", "ops"); err != nil {
		t.Errorf("spiffe SAN in ops: %v", err)
	}
	requireCode(t, describe(t, "unknown", "billing"), codes.Unauthenticated)
	requireCode(t, describe(t, "none", "billing"), codes.Unauthenticated)
	// A bearer credential decides alone, even with a mapped certificate.
	requireCode(t, describe(t, "billing", "billing", "authorization", "Bearer wrong-key"), codes.Unauthenticated)
	requireCode(t, describe(t, "billing", "billing", "authorization", "Bearer key-for-ops"), codes.PermissionDenied)
	if err := describe(t, "none", "ops", "authorization", "Bearer key-for-ops"); err != nil {
		t.Errorf("API key over TLS without a client certificate: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
