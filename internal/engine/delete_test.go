package engine_test

import (
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestDeleteWorkflowExecution: deleting a running workflow terminates it and
// removes it; its id can be used again.
func TestDeleteWorkflowExecution(t *testing.T) {
	e := newEnv(t)
	runID := e.start("doomed", "tq")
	ex := &commonpb.WorkflowExecution{WorkflowId: "doomed", RunId: runID}
	if _, err := e.c.DeleteWorkflowExecution(e.ctx(), &workflowservice.DeleteWorkflowExecutionRequest{Namespace: ns, WorkflowExecution: ex}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err := e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{Namespace: ns, Execution: ex})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("describe after delete: %v, want NotFound", err)
	}
	_, err = e.c.DeleteWorkflowExecution(e.ctx(), &workflowservice.DeleteWorkflowExecutionRequest{Namespace: ns, WorkflowExecution: ex})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("second delete: %v, want NotFound", err)
	}
	if again := e.start("doomed", "tq"); again == runID {
		t.Fatal("restart reused the deleted run id")
	}
}
