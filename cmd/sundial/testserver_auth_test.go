package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// TestTestServerTakesAuthFlags: the time-skipping test server accepts the
// server's --auth-* flags, so a test environment can run with the same
// authentication as production: without a key a call is Unauthenticated,
// with one it is served.
func TestTestServerTakesAuthFlags(t *testing.T) {
	const key = "test-server-key-0123456789abcdef0123456789"
	sum := sha256.Sum256([]byte(key))
	keys := filepath.Join(t.TempDir(), "keys.json")
	body := fmt.Sprintf(`{"keys": [{"name": "tests", "sha256": %q, "permissions": ["default:admin"]}]}`, hex.EncodeToString(sum[:]))
	if err := os.WriteFile(keys, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{port, "--auth-api-keys", keys, enableTimeSkippingFlag}, &syncBuffer{}, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("test server exited %d; stderr:\n%s", code, stderr.String())
		}
	}()
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	svc := workflowservice.NewWorkflowServiceClient(conn)
	callCtx, callCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer callCancel()
	// GetSystemInfo needs no credential; it also waits for the server.
	if _, err := svc.GetSystemInfo(callCtx, &workflowservice.GetSystemInfoRequest{}, grpc.WaitForReady(true)); err != nil {
		t.Fatalf("GetSystemInfo: %v; stderr:\n%s", err, stderr.String())
	}
	_, err = svc.DescribeNamespace(callCtx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("DescribeNamespace without a key: %v, want Unauthenticated", err)
	}
	withKey := metadata.AppendToOutgoingContext(callCtx, "authorization", "Bearer "+key)
	if _, err := svc.DescribeNamespace(withKey, &workflowservice.DescribeNamespaceRequest{Namespace: "default"}); err != nil {
		t.Fatalf("DescribeNamespace with the key: %v", err)
	}
}
