package engine_test

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// TestRetentionDeletesClosedRuns: a closed run disappears once its
// namespace's retention has passed; an open run of the same namespace stays.
func TestRetentionDeletesClosedRuns(t *testing.T) {
	e := newEnvWithMinRetention(t, time.Millisecond)
	const short = "short-retention"
	if _, err := e.c.RegisterNamespace(e.ctx(), &workflowservice.RegisterNamespaceRequest{
		Namespace: short, WorkflowExecutionRetentionPeriod: durationpb.New(300 * time.Millisecond),
	}); err != nil {
		t.Fatalf("register: %v", err)
	}
	start := func(id string) string {
		req := e.startRequest(id, "tq")
		req.Namespace = short
		resp, err := e.c.StartWorkflowExecution(e.ctx(), req)
		if err != nil {
			t.Fatalf("start %s: %v", id, err)
		}
		return resp.RunId
	}
	closedRun, openRun := start("closes"), start("stays-open")
	if _, err := e.c.TerminateWorkflowExecution(e.ctx(), &workflowservice.TerminateWorkflowExecutionRequest{
		Namespace: short, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: "closes"}, Reason: "done",
	}); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	describe := func(id, runID string) error {
		_, err := e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{
			Namespace: short, Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID},
		})
		return err
	}
	if err := describe("closes", closedRun); err != nil {
		t.Fatalf("closed run before retention: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := describe("closes", closedRun)
		if status.Code(err) == codes.NotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("closed run still there 5s after a 300ms retention: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := describe("stays-open", openRun); err != nil {
		t.Errorf("open run was touched by retention: %v", err)
	}
}
