package server

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/sundialdev/sundial/internal/store/postgres/pgtest"
)

// TestServerOnPostgres: DatabaseURL runs the server on PostgreSQL; what one
// server stored, the next one started on the same database serves.
func TestServerOnPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	serve := func(fn func(c workflowservice.WorkflowServiceClient, h healthpb.HealthClient)) {
		t.Helper()
		srv, err := New(Options{ListenAddr: "127.0.0.1:0", DatabaseURL: url, DatabasePath: "ignored.db",
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := srv.Stop(context.Background()); err != nil {
				t.Errorf("stopping: %v", err)
			}
		}()
		conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fn(workflowservice.NewWorkflowServiceClient(conn), healthpb.NewHealthClient(conn))
	}
	var runID string
	serve(func(c workflowservice.WorkflowServiceClient, h healthpb.HealthClient) {
		resp, err := h.Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health = %v, %v; want SERVING", resp.GetStatus(), err)
		}
		started, err := c.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: "on-postgres", WorkflowType: &commonpb.WorkflowType{Name: "W"},
			TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, RequestId: "r1",
		})
		if err != nil {
			t.Fatalf("starting a workflow: %v", err)
		}
		runID = started.GetRunId()
	})
	serve(func(c workflowservice.WorkflowServiceClient, _ healthpb.HealthClient) {
		desc, err := c.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
			Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: "on-postgres"},
		})
		if err != nil {
			t.Fatalf("describing after a restart: %v", err)
		}
		if got := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId(); got != runID {
			t.Fatalf("run after a restart = %q, want %q", got, runID)
		}
		list, err := c.ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: "default", Query: "WorkflowType = 'W' AND ExecutionStatus = 'Running'",
		})
		if err != nil || len(list.GetExecutions()) != 1 {
			t.Fatalf("listing = %d runs, %v; want 1", len(list.GetExecutions()), err)
		}
	})
}
