package client_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/testcerts"
	"github.com/sundialdev/sundial/server"
)

// mutualTLSServer starts an in-memory Sundial that serves TLS with a
// certificate from one CA and requires client certificates from another. It
// returns the server's address and files for a client: the server CA and a
// client certificate and key.
func mutualTLSServer(t *testing.T) (addr string, clientFiles client.TLSFiles) {
	t.Helper()
	serverCA, err := testcerts.NewCA("server CA")
	if err != nil {
		t.Fatal(err)
	}
	clientCA, err := testcerts.NewCA("client CA")
	if err != nil {
		t.Fatal(err)
	}
	serverLeaf, err := serverCA.Server("sundial")
	if err != nil {
		t.Fatal(err)
	}
	clientLeaf, err := clientCA.Client("worker")
	if err != nil {
		t.Fatal(err)
	}
	serverFiles, err := testcerts.Write(t.TempDir(), serverCA, serverLeaf)
	if err != nil {
		t.Fatal(err)
	}
	clientDir := t.TempDir()
	forClient, err := testcerts.Write(clientDir, serverCA, clientLeaf)
	if err != nil {
		t.Fatal(err)
	}
	clientCAFile := filepath.Join(clientDir, "client-ca.pem")
	if err := os.WriteFile(clientCAFile, clientCA.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TLS: server.TLSOptions{CertFile: serverFiles.Cert, KeyFile: serverFiles.Key, ClientCAFile: clientCAFile}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv.Addr(), client.TLSFiles{CAFile: forClient.CA, CertFile: forClient.Cert, KeyFile: forClient.Key, ServerName: "localhost"}
}

// TestDialMutualTLSWithAPIKey: Dial reaches a Sundial server requiring client
// certificates with TLSConfig's configuration (an API key riding along), and
// is refused without the client certificate.
func TestDialMutualTLSWithAPIKey(t *testing.T) {
	addr, files := mutualTLSServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	config, err := client.TLSConfig(files)
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	c, err := client.Dial(ctx, client.Options{HostPort: addr, TLS: config, APIKey: "key-1"})
	if err != nil {
		t.Fatalf("Dial over mutual TLS: %v", err)
	}
	defer c.Close()
	if _, err := c.WorkflowService().GetSystemInfo(ctx, nil); err != nil {
		t.Fatalf("a call over mutual TLS: %v", err)
	}

	noCert, err := client.TLSConfig(client.TLSFiles{CAFile: files.CAFile, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	// Refusals are retried as Unavailable until the deadline: keep it short.
	refusedCtx, cancelRefused := context.WithTimeout(ctx, time.Second)
	defer cancelRefused()
	if c, err := client.Dial(refusedCtx, client.Options{HostPort: addr, TLS: noCert}); err == nil {
		c.Close()
		t.Fatal("Dial without a client certificate reached a server requiring one")
	}
	refusedCtx, cancelRefused = context.WithTimeout(ctx, time.Second)
	defer cancelRefused()
	if c, err := client.Dial(refusedCtx, client.Options{HostPort: addr, APIKey: "key-1"}); err == nil {
		c.Close()
		t.Fatal("Dial trusting only the system roots reached a server with a private CA")
	}
}

func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		files client.TLSFiles
		want  string
	}{
		{client.TLSFiles{CAFile: filepath.Join(dir, "missing.pem")}, "missing.pem"},
		{client.TLSFiles{CAFile: empty}, "holds no PEM certificate"},
		{client.TLSFiles{CertFile: empty}, "both CertFile and KeyFile"},
		{client.TLSFiles{CertFile: empty, KeyFile: empty}, "loading the TLS client certificate"},
	} {
		if _, err := client.TLSConfig(c.files); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("TLSConfig(%+v): err = %v, want it to contain %q", c.files, err, c.want)
		}
	}
	if config, err := client.TLSConfig(client.TLSFiles{ServerName: "example"}); err != nil || config.ServerName != "example" || config.RootCAs != nil {
		t.Errorf("TLSConfig with only a server name = %+v, %v", config, err)
	}
}
