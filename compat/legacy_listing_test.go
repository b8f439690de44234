package compat

import (
	"context"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	filterpb "go.temporal.io/api/filter/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestLegacyListOpenAndClosed: the listings older tools use
// (ListOpenWorkflowExecutions, ListClosedWorkflowExecutions) filter by
// workflow id, type, closed status and time range, through the official SDK's
// client, and refuse a reversed range and a Running status filter with
// Temporal's texts.
func TestLegacyListOpenAndClosed(t *testing.T) {
	tg, c := setup(t)
	ctx := testContext(t, time.Minute)
	svc := c.WorkflowService()
	queue := uniqueName(t, "tq")
	wfType := uniqueName(t, "LegacyType")
	before := time.Now().Add(-time.Second)
	start := func(id, typeName string) {
		t.Helper()
		if _, err := svc.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: tg.Namespace, WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: typeName},
			TaskQueue: &taskqueuepb.TaskQueue{Name: queue}, RequestId: id,
		}); err != nil {
			t.Fatalf("starting %s: %v", id, err)
		}
	}
	running := uniqueName(t, "running")
	closed := uniqueName(t, "closed")
	start(running, wfType)
	start(closed, wfType)
	if err := c.TerminateWorkflow(ctx, closed, "", "done with it"); err != nil {
		t.Fatal(err)
	}

	listOpen := func(req *workflowservice.ListOpenWorkflowExecutionsRequest) []string {
		t.Helper()
		req.Namespace = tg.Namespace
		resp, err := c.ListOpenWorkflow(ctx, req)
		if err != nil {
			t.Fatalf("ListOpenWorkflow: %v", err)
		}
		var ids []string
		for _, ex := range resp.GetExecutions() {
			ids = append(ids, ex.GetExecution().GetWorkflowId())
		}
		return ids
	}
	listClosed := func(req *workflowservice.ListClosedWorkflowExecutionsRequest) []*workflowExecutionSummary {
		t.Helper()
		req.Namespace = tg.Namespace
		resp, err := c.ListClosedWorkflow(ctx, req)
		if err != nil {
			t.Fatalf("ListClosedWorkflow: %v", err)
		}
		var out []*workflowExecutionSummary
		for _, ex := range resp.GetExecutions() {
			out = append(out, &workflowExecutionSummary{id: ex.GetExecution().GetWorkflowId(), status: ex.GetStatus()})
		}
		return out
	}

	byType := &workflowservice.ListOpenWorkflowExecutionsRequest{Filters: &workflowservice.ListOpenWorkflowExecutionsRequest_TypeFilter{TypeFilter: &filterpb.WorkflowTypeFilter{Name: wfType}}}
	eventually(t, 10*time.Second, "the running workflow listed as open", func() bool {
		ids := listOpen(byType)
		return len(ids) == 1 && ids[0] == running
	})
	if ids := listOpen(&workflowservice.ListOpenWorkflowExecutionsRequest{Filters: &workflowservice.ListOpenWorkflowExecutionsRequest_ExecutionFilter{ExecutionFilter: &filterpb.WorkflowExecutionFilter{WorkflowId: running}}}); len(ids) != 1 || ids[0] != running {
		t.Errorf("open runs with workflow id %q: %v", running, ids)
	}
	if ids := listOpen(&workflowservice.ListOpenWorkflowExecutionsRequest{Filters: &workflowservice.ListOpenWorkflowExecutionsRequest_ExecutionFilter{ExecutionFilter: &filterpb.WorkflowExecutionFilter{WorkflowId: closed}}}); len(ids) != 0 {
		t.Errorf("the terminated workflow is listed as open: %v", ids)
	}
	if !targetIsTemporal() {
		// Temporal's server pastes the id into a query unquoted, so an id with
		// a quote makes it answer "malformed SQL query"; Sundial matches it.
		quoted := uniqueName(t, `it's-a-\-quote`)
		start(quoted, wfType+"-quoted")
		if ids := listOpen(&workflowservice.ListOpenWorkflowExecutionsRequest{Filters: &workflowservice.ListOpenWorkflowExecutionsRequest_ExecutionFilter{ExecutionFilter: &filterpb.WorkflowExecutionFilter{WorkflowId: quoted}}}); len(ids) != 1 || ids[0] != quoted {
			t.Errorf("open runs with workflow id %q: %v", quoted, ids)
		}
		if err := c.TerminateWorkflow(ctx, quoted, "", "listed"); err != nil {
			t.Fatal(err)
		}
	}
	future := &filterpb.StartTimeFilter{EarliestTime: timestamppb.New(time.Now().Add(time.Hour))}
	if ids := listOpen(&workflowservice.ListOpenWorkflowExecutionsRequest{StartTimeFilter: future, Filters: byType.Filters}); len(ids) != 0 {
		t.Errorf("open runs started after an hour from now: %v", ids)
	}

	terminated := &workflowservice.ListClosedWorkflowExecutionsRequest{
		StartTimeFilter: &filterpb.StartTimeFilter{EarliestTime: timestamppb.New(before), LatestTime: timestamppb.New(time.Now().Add(time.Minute))},
		Filters:         &workflowservice.ListClosedWorkflowExecutionsRequest_StatusFilter{StatusFilter: &filterpb.StatusFilter{Status: enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED}},
	}
	eventually(t, 10*time.Second, "the terminated workflow listed as closed", func() bool {
		for _, s := range listClosed(terminated) {
			if s.id == closed && s.status == enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
				return true
			}
		}
		return false
	})
	for _, s := range listClosed(&workflowservice.ListClosedWorkflowExecutionsRequest{Filters: &workflowservice.ListClosedWorkflowExecutionsRequest_TypeFilter{TypeFilter: &filterpb.WorkflowTypeFilter{Name: wfType}}}) {
		if s.id != closed {
			t.Errorf("closed runs of the type include %s (%v)", s.id, s.status)
		}
	}
	if got := listClosed(&workflowservice.ListClosedWorkflowExecutionsRequest{
		StartTimeFilter: &filterpb.StartTimeFilter{LatestTime: timestamppb.New(before)},
		Filters:         &workflowservice.ListClosedWorkflowExecutionsRequest_ExecutionFilter{ExecutionFilter: &filterpb.WorkflowExecutionFilter{WorkflowId: closed}},
	}); len(got) != 0 {
		t.Errorf("runs closed before the test began include %v", got)
	}

	_, err := c.ListClosedWorkflow(ctx, &workflowservice.ListClosedWorkflowExecutionsRequest{
		Namespace: tg.Namespace,
		Filters:   &workflowservice.ListClosedWorkflowExecutionsRequest_StatusFilter{StatusFilter: &filterpb.StatusFilter{Status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}},
	})
	wantInvalid(t, err, "StatusFilter must be specified and must be not Running.")
	_, err = c.ListOpenWorkflow(ctx, &workflowservice.ListOpenWorkflowExecutionsRequest{
		Namespace:       tg.Namespace,
		StartTimeFilter: &filterpb.StartTimeFilter{EarliestTime: timestamppb.New(time.Now()), LatestTime: timestamppb.New(before)},
	})
	wantInvalid(t, err, "EarliestTime in StartTimeFilter should not be larger than LatestTime.")
}

// TestListTaskQueuePartitions: a task queue reports one workflow and one
// activity partition, keyed by the queue's name.
func TestListTaskQueuePartitions(t *testing.T) {
	tg, c := setup(t)
	ctx := testContext(t, 30*time.Second)
	queue := uniqueName(t, "tq")
	resp, err := c.WorkflowService().ListTaskQueuePartitions(ctx, &workflowservice.ListTaskQueuePartitionsRequest{
		Namespace: tg.Namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: queue},
	})
	if err != nil {
		t.Fatalf("ListTaskQueuePartitions: %v", err)
	}
	for kind, parts := range map[string][]*taskqueuepb.TaskQueuePartitionMetadata{
		"workflow": resp.GetWorkflowTaskQueuePartitions(), "activity": resp.GetActivityTaskQueuePartitions(),
	} {
		if len(parts) == 0 || parts[0].GetKey() != queue || parts[0].GetOwnerHostName() == "" {
			t.Errorf("%s partitions of %s: %v", kind, queue, parts)
		}
	}
	_, err = c.WorkflowService().ListTaskQueuePartitions(context.Background(), &workflowservice.ListTaskQueuePartitionsRequest{Namespace: tg.Namespace})
	if _, ok := err.(*serviceerror.InvalidArgument); !ok {
		t.Errorf("ListTaskQueuePartitions without a task queue: %v, want InvalidArgument", err)
	}
}

type workflowExecutionSummary struct {
	id     string
	status enumspb.WorkflowExecutionStatus
}

// wantInvalid fails unless err is InvalidArgument with exactly msg.
func wantInvalid(t *testing.T, err error, msg string) {
	t.Helper()
	invalid, ok := err.(*serviceerror.InvalidArgument)
	if !ok || invalid.Message != msg {
		t.Errorf("got %v, want InvalidArgument %q", err, msg)
	}
}
