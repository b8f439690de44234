package engine_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/server"
)

// newEnvWithMinRetention starts a server on a fresh database that accepts
// namespace retentions down to minRetention.
func newEnvWithMinRetention(t *testing.T, minRetention time.Duration) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	srv, err := server.New(server.Options{
		DatabasePath: path,
		ListenAddr:   "127.0.0.1:0",
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		MinRetention: minRetention,
	})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		_ = srv.Stop(context.Background())
		t.Fatalf("dialing %s: %v", srv.Addr(), err)
	}
	e := &env{t: t, dbPath: path, srv: srv, conn: conn, c: workflowservice.NewWorkflowServiceClient(conn)}
	t.Cleanup(e.stop)
	return e
}

// TestHardening11RetentionMinimum: a retention below the minimum (one day by
// default) is refused with Temporal's InvalidArgument, on register and on
// update, and the namespace keeps its retention; one at the minimum is taken.
func TestHardening11RetentionMinimum(t *testing.T) {
	e := newEnv(t)
	const want = "A valid retention period is not set on request."
	check := func(what string, err error) {
		t.Helper()
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: error %v, want InvalidArgument %q", what, err, want)
		}
	}
	_, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: "tiny", WorkflowExecutionRetentionPeriod: durationpb.New(time.Nanosecond),
	})
	check("register with 1ns", err)
	_, err = e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: "almost-a-day", WorkflowExecutionRetentionPeriod: durationpb.New(24*time.Hour - time.Second),
	})
	check("register with a day less a second", err)
	if _, err := e.c.DescribeNamespace(e.ctx(), &workflowservice.DescribeNamespaceRequest{Namespace: "tiny"}); status.Code(err) != codes.NotFound {
		t.Fatalf("refused namespace exists anyway: %v", err)
	}

	_, err = e.c.UpdateNamespace(e.ctx(), &workflowservice.UpdateNamespaceRequest{
		Namespace: ns, Config: &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(time.Nanosecond)},
	})
	check("update to 1ns", err)
	desc, err := e.c.DescribeNamespace(e.ctx(), &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 72*time.Hour {
		t.Fatalf("retention after a refused update = %v, want 72h", got)
	}

	if _, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: "one-day", WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}); err != nil {
		t.Fatalf("register with one day: %v", err)
	}
	if _, err := e.c.UpdateNamespace(e.ctx(), &workflowservice.UpdateNamespaceRequest{
		Namespace: "one-day", Config: &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(48 * time.Hour)},
	}); err != nil {
		t.Fatalf("update to two days: %v", err)
	}
}

// TestRetentionMinimumIsConfigurable: a server configured with a lower
// minimum accepts retentions down to it.
func TestRetentionMinimumIsConfigurable(t *testing.T) {
	e := newEnvWithMinRetention(t, time.Millisecond)
	if _, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: "short", WorkflowExecutionRetentionPeriod: durationpb.New(time.Millisecond),
	}); err != nil {
		t.Fatalf("register at the configured minimum: %v", err)
	}
	_, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: "shorter", WorkflowExecutionRetentionPeriod: durationpb.New(time.Microsecond),
	})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("register below the configured minimum: %v, want InvalidArgument", err)
	}
}
