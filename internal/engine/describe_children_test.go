package engine_test

import (
	"slices"
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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

// TestListByLineage checks the ParentWorkflowId, ParentRunId, RootWorkflowId
// and RootRunId attributes the Web UI queries for a run's relatives.
func TestListByLineage(t *testing.T) {
	e := newEnv(t)
	parentRun := e.start("lineage-parent", "lineage-tq")
	e.start("lineage-other", "lineage-other-tq")
	wt := e.pollWFT("lineage-tq")
	e.completeWFT(wt.TaskToken, &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{
			WorkflowId: "lineage-kid", WorkflowType: &commonpb.WorkflowType{Name: "Kid"},
		}},
	})
	// The kid's first task shows it started.
	for wt = e.pollWFT("lineage-tq"); wt.WorkflowExecution.WorkflowId != "lineage-kid"; wt = e.pollWFT("lineage-tq") {
		e.completeWFT(wt.TaskToken)
	}
	kidRun := wt.WorkflowExecution.RunId
	ids := func(query string) []string {
		t.Helper()
		resp, err := e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: query})
		if err != nil {
			t.Fatalf("ListWorkflowExecutions(%q): %v", query, err)
		}
		var out []string
		for _, ex := range resp.Executions {
			out = append(out, ex.Execution.WorkflowId)
		}
		slices.Sort(out)
		return out
	}
	cases := map[string][]string{
		`ParentWorkflowId = "lineage-parent" AND ParentRunId = "` + parentRun + `"`: {"lineage-kid"},
		"`ParentWorkflowId` is null":                                            {"lineage-other", "lineage-parent"},
		`ParentWorkflowId IS NOT NULL`:                                          {"lineage-kid"},
		`RootWorkflowId = "lineage-parent" AND RootRunId = "` + parentRun + `"`: {"lineage-kid", "lineage-parent"},
		`RootRunId = "` + kidRun + `"`:                                          nil,
		`ParentWorkflowId STARTS_WITH "lineage-p"`:                              {"lineage-kid"},
	}
	for query, want := range cases {
		if got := ids(query); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", query, got, want)
		}
	}
	// Listings carry each run's parent and root, as describe does.
	resp, err := e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: `RootWorkflowId = "lineage-parent"`})
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range resp.Executions {
		if root := ex.RootExecution; root.GetWorkflowId() != "lineage-parent" || root.GetRunId() != parentRun {
			t.Errorf("listed %s: root %v", ex.Execution.WorkflowId, root)
		}
		parent := ex.ParentExecution
		switch ex.Execution.WorkflowId {
		case "lineage-kid":
			if parent.GetWorkflowId() != "lineage-parent" || parent.GetRunId() != parentRun || ex.ParentNamespaceId == "" {
				t.Errorf("listed kid: parent %v in %q", parent, ex.ParentNamespaceId)
			}
		default:
			if parent != nil {
				t.Errorf("listed %s: parent %v, want none", ex.Execution.WorkflowId, parent)
			}
		}
	}
	_, err = e.c.ListWorkflowExecutions(e.ctx(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: "ORDER BY ParentWorkflowId"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("ORDER BY ParentWorkflowId: got %v, want InvalidArgument", err)
	}
}
