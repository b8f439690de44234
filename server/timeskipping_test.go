package server_test

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

	"github.com/sundialdev/sundial/internal/timeskip"
	"github.com/sundialdev/sundial/server"
)

// startTimeSkippingServer serves an in-memory time-skipping server on a
// loopback port and returns a connection to it.
func startTimeSkippingServer(t *testing.T) *grpc.ClientConn {
	t.Helper()
	srv, err := server.New(server.Options{
		ListenAddr:   "127.0.0.1:0",
		DatabasePath: ":memory:",
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		TimeSkipping: true,
	})
	if err != nil {
		t.Fatalf("server.New: %v", err)
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
	return conn
}

// TestHardening01TimeSkippingKeepsClosedRuns: with time skipping on and the
// engine idle, the retention sweep of a closed run is not a deadline to jump
// to. The run stays describable, the clock stays with the wall clock, and a
// skip made for a real (shorter) deadline still works and keeps the run.
func TestHardening01TimeSkippingKeepsClosedRuns(t *testing.T) {
	conn := startTimeSkippingServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wf := workflowservice.NewWorkflowServiceClient(conn)
	ts, err := timeskip.NewClient(conn)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}

	start, err := wf.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: "closes", RequestId: "req-1",
		WorkflowType: &commonpb.WorkflowType{Name: "wf"},
		TaskQueue:    &taskqueuepb.TaskQueue{Name: "tq"},
	})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if _, err := wf.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "closes"}, Reason: "done",
	}); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	describe := func() error {
		_, err := wf.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
			Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: "closes", RunId: start.RunId},
		})
		return err
	}
	before, err := ts.CurrentTime(ctx)
	if err != nil {
		t.Fatalf("CurrentTime: %v", err)
	}
	// Let time skip whenever the engine is idle, then watch an idle server for
	// many settle windows: the only thing pending is the retention sweep.
	if err := ts.UnlockTimeSkipping(ctx); err != nil {
		t.Fatalf("UnlockTimeSkipping: %v", err)
	}
	pace := time.NewTicker(timeskip.DefaultSettle) // the observation's pace, not synchronization
	defer pace.Stop()
	for watchUntil := time.Now().Add(25 * timeskip.DefaultSettle); time.Now().Before(watchUntil); <-pace.C {
		if err := describe(); err != nil {
			t.Fatalf("closed run gone while the server idled: %v", err)
		}
		now, err := ts.CurrentTime(ctx)
		if err != nil {
			t.Fatalf("CurrentTime: %v", err)
		}
		if jumped := now.Sub(before); jumped > time.Hour {
			t.Fatalf("the idle clock jumped %v ahead", jumped)
		}
	}

	// A deadline someone waits on is still skipped to, and the run survives it.
	if err := ts.Sleep(ctx, 2*time.Hour); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	now, err := ts.CurrentTime(ctx)
	if err != nil {
		t.Fatalf("CurrentTime: %v", err)
	}
	if jumped := now.Sub(before); jumped < 2*time.Hour || jumped > 3*time.Hour {
		t.Fatalf("after a 2h skipped sleep the clock moved %v", jumped)
	}
	if err := describe(); err != nil {
		t.Fatalf("closed run gone after a 2h skip (retention is 72h): %v", err)
	}
}
