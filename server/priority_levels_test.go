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
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// TestHardening03PriorityLevelsOption: Options.PriorityLevels sets the range of
// priority keys the server accepts, and out-of-range settings are refused.
func TestHardening03PriorityLevelsOption(t *testing.T) {
	if _, err := New(Options{PriorityLevels: 101}); err == nil {
		t.Error("PriorityLevels 101 accepted")
	}
	if _, err := New(Options{PriorityLevels: -1}); err == nil {
		t.Error("PriorityLevels -1 accepted")
	}
	srv, err := New(Options{ListenAddr: "127.0.0.1:0", DatabasePath: ":memory:", PriorityLevels: 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop(context.Background()) }()
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := workflowservice.NewWorkflowServiceClient(conn)
	start := func(id string, key int32) error {
		_, err := c.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "W"},
			TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, RequestId: id, Priority: &commonpb.Priority{PriorityKey: key},
		})
		return err
	}
	if err := start("key-10", 10); err != nil {
		t.Errorf("key 10 of 10 levels: %v", err)
	}
	if err := start("key-11", 11); status.Code(err) != codes.InvalidArgument {
		t.Errorf("key 11 of 10 levels: %v, want InvalidArgument", err)
	}
}
