package engine_test

import (
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
)

// TestDescribeReportsPendingChildren checks that DescribeWorkflowExecution lists
// a child from its initiation (no run id yet), with its run id once started,
// and no longer once it closed.
func TestDescribeReportsPendingChildren(t *testing.T) {
	e := newEnv(t)
	parentRun := e.start("describe-parent", "describe-tq")
	wt := e.pollWFT("describe-tq")
	e.completeWFT(wt.TaskToken, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{
			WorkflowId: "describe-kid", WorkflowType: &commonpb.WorkflowType{Name: "Kid"},
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		}},
	})
	children := e.describe("describe-parent", parentRun).PendingChildren
	if len(children) != 1 {
		t.Fatalf("pending children after the start command: %v, want one", children)
	}
	c := children[0]
	if c.WorkflowId != "describe-kid" || c.WorkflowTypeName != "Kid" || c.InitiatedId != 5 || c.ParentClosePolicy != enumspb.PARENT_CLOSE_POLICY_ABANDON {
		t.Fatalf("pending child = %v", c)
	}
	// The kid's first task and the parent's (it sees the kid start) come in
	// either order; the kid's is held open.
	var kidTask []byte
	for range 2 {
		wt = e.pollWFT("describe-tq")
		if wt.WorkflowExecution.WorkflowId == "describe-kid" {
			kidTask = wt.TaskToken
			continue
		}
		e.completeWFT(wt.TaskToken)
	}
	kidRun := e.describe("describe-kid", "").WorkflowExecutionInfo.Execution.RunId
	if got := e.describe("describe-parent", parentRun).PendingChildren[0].RunId; got != kidRun {
		t.Fatalf("pending child's run id = %q, want the started run %q", got, kidRun)
	}
	e.completeWFT(kidTask, completeWorkflowCmd("kid-done"))
	wt = e.pollWFT("describe-tq")
	if wt.WorkflowExecution.WorkflowId != "describe-parent" {
		t.Fatalf("workflow task for %s, want the parent's", wt.WorkflowExecution.WorkflowId)
	}
	if children := e.describe("describe-parent", parentRun).PendingChildren; len(children) != 0 {
		t.Fatalf("pending children after the child closed: %v", children)
	}
}
