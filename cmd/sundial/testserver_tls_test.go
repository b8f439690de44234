package main

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/sundialdev/sundial/internal/testcerts"
	"github.com/sundialdev/sundial/internal/timeskip"
)

// TestTestServerServesTLS: the test server with --tls-cert and --tls-key
// serves its TestService over TLS, with time skipping unlocked at start.
func TestTestServerServesTLS(t *testing.T) {
	ca, err := testcerts.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Server("sundial")
	if err != nil {
		t.Fatal(err)
	}
	files, err := testcerts.Write(t.TempDir(), ca, leaf)
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{port, "--tls-cert", files.Cert, "--tls-key", files.Key, enableTimeSkippingFlag}, &syncBuffer{}, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("test server exited %d; stderr:\n%s", code, stderr.String())
		}
	}()
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	svc := workflowservice.NewWorkflowServiceClient(conn)
	// WaitForReady keeps the call waiting (gRPC reconnecting with backoff)
	// until the server listens.
	callCtx, callCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer callCancel()
	if _, err := svc.GetSystemInfo(callCtx, &workflowservice.GetSystemInfoRequest{}, grpc.WaitForReady(true)); err != nil {
		t.Fatalf("GetSystemInfo over TLS: %v; stderr:\n%s", err, stderr.String())
	}
	ts, err := timeskip.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	if n := unlocksAllowed(t, ts); n != 0 {
		t.Fatalf("the lock is held %d times after --enable-time-skipping, want 0 (released at start)", n)
	}
}
