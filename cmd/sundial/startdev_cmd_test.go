package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// launchStartDev runs `sundial server start-dev args...` in-process and waits,
// as the SDKs do, until GetSystemInfo answers. It returns a connection and
// the process's stderr; the server is stopped (and must exit 0) at cleanup.
func launchStartDev(t *testing.T, args ...string) (*grpc.ClientConn, *syncBuffer) {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"server", "start-dev", "--port", port}, args...), &syncBuffer{}, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("start-dev exited %d; stderr:\n%s", code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("start-dev did not stop within 15s")
		}
	})
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	svc := workflowservice.NewWorkflowServiceClient(conn)
	// WaitForReady holds the call (gRPC reconnecting) until the server
	// listens; an early exit of start-dev ends the wait at once.
	callCtx, callCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer callCancel()
	answered := make(chan error, 1)
	go func() {
		_, err := svc.GetSystemInfo(callCtx, &workflowservice.GetSystemInfoRequest{}, grpc.WaitForReady(true))
		answered <- err
	}()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("GetSystemInfo never answered: %v; stderr:\n%s", err, stderr.String())
		}
		return conn, stderr
	case code := <-done:
		t.Fatalf("start-dev exited %d before serving; stderr:\n%s", code, stderr.String())
		return nil, nil
	}
}

// TestStartDevServesNamespacesAndSearchAttributes: what --namespace and
// --search-attribute name exists by the time the server first answers.
func TestStartDevServesNamespacesAndSearchAttributes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dev.db")
	conn, stderr := launchStartDev(t, "--ip", "localhost", "--namespace", "orders", "--namespace", "default",
		"--search-attribute", "CustomerId=Keyword", "--db-filename", db, "--log-level", "info", "--ui-port", "9999", "--headless")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	svc := workflowservice.NewWorkflowServiceClient(conn)
	if _, err := svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "orders"}); err != nil {
		t.Fatalf("DescribeNamespace(orders): %v", err)
	}
	ops := operatorservice.NewOperatorServiceClient(conn)
	for _, ns := range []string{"default", "orders"} {
		resp, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err != nil {
			t.Fatalf("ListSearchAttributes(%s): %v", ns, err)
		}
		if got := resp.GetCustomAttributes()["CustomerId"]; got != enums.INDEXED_VALUE_TYPE_KEYWORD {
			t.Errorf("namespace %s: CustomerId is %v, want Keyword (custom: %v)", ns, got, resp.GetCustomAttributes())
		}
	}
	if strings.Contains(stderr.String(), "Web UI at") {
		t.Errorf("--headless still served the Web UI:\n%s", stderr.String())
	}
}

func TestStartDevReportsUnknownFlags(t *testing.T) {
	code, _, stderr := runForTest(t, context.Background(), "server", "start-dev", "--port", "0", "--ui-theme", "dark")
	if code != exitUsage {
		t.Fatalf("exit code = %d, want %d", code, exitUsage)
	}
	want := `sundial server start-dev: flag provided but not defined: -ui-theme: Sundial accepts the flags of "temporal server start-dev" listed by "sundial server start-dev --help"`
	if strings.TrimSpace(stderr) != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
}

// TestStartDevBadNamespaceFailsStart: a namespace the server would refuse
// over gRPC stops the start, with the reason.
func TestStartDevBadNamespaceFailsStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code, _, stderr := runForTest(t, ctx, "server", "start-dev", "--port", "0", "--namespace", strings.Repeat("n", 5000))
	if code != exitFailure || !strings.Contains(stderr, "creating namespace") {
		t.Fatalf("exit %d, stderr %q; want exit %d and the namespace refused", code, stderr, exitFailure)
	}
}
