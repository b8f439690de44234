package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/server/auth"
)

// startAuthServer serves an in-memory time-skipping server with API-key
// auth: "reader-key" may read namespace "default".
func startAuthServer(t *testing.T) (*Server, *grpc.ClientConn) {
	t.Helper()
	keys, err := json.Marshal(map[string]any{"keys": []map[string]any{
		{"name": "reader", "sha256": auth.HashAPIKey("reader-key"), "permissions": []string{"default:read"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, keys, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{
		ListenAddr:   "127.0.0.1:0",
		DatabasePath: ":memory:",
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		TimeSkipping: true,
		Auth:         &auth.Config{APIKeysFile: path},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return srv, conn
}

// TestAuthCoversEveryServedMethod fails for each method the server
// registers (TestService included) that has no entry in the auth table.
func TestAuthCoversEveryServedMethod(t *testing.T) {
	srv, _ := startAuthServer(t)
	rules := auth.MethodRequirements()
	services := srv.grpc.GetServiceInfo()
	for _, want := range []string{auth.WorkflowServiceName, auth.OperatorServiceName, auth.TestServiceName, auth.HealthServiceName} {
		if _, ok := services[want]; !ok {
			t.Errorf("the server does not serve %s", want)
		}
	}
	for service, info := range services {
		for _, m := range info.Methods {
			if _, ok := rules["/"+service+"/"+m.Name]; !ok {
				t.Errorf("/%s/%s is served but has no entry in auth.MethodRequirements", service, m.Name)
			}
		}
	}
}

// TestAuthOnServer: with Options.Auth, calls need a credential and the role,
// while health checks and GetSystemInfo stay open.
func TestAuthOnServer(t *testing.T) {
	_, conn := startAuthServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wf := workflowservice.NewWorkflowServiceClient(conn)
	if _, err := wf.GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{}); err != nil {
		t.Errorf("GetSystemInfo without a credential: %v", err)
	}
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health Check without a credential: %v", err)
	}
	_, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("DescribeNamespace without a credential: %v, want Unauthenticated", err)
	}
	reader := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer reader-key")
	if _, err := wf.DescribeNamespace(reader, &workflowservice.DescribeNamespaceRequest{Namespace: "default"}); err != nil {
		t.Errorf("DescribeNamespace as a reader: %v", err)
	}
	_, err = wf.StartWorkflowExecution(reader, &workflowservice.StartWorkflowExecutionRequest{Namespace: "default"})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("StartWorkflowExecution as a reader: %v, want PermissionDenied", err)
	}
	// Another namespace is refused before the handler looks anything up.
	_, err = wf.DescribeWorkflowExecution(reader, &workflowservice.DescribeWorkflowExecutionRequest{Namespace: "other"})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("DescribeWorkflowExecution in another namespace: %v, want PermissionDenied", err)
	}
}
