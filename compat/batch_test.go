package compat

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchpb "go.temporal.io/api/batch/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
)

// batchFixture starts n workflows of a fresh type (nobody runs them) and
// returns their executions and the query that selects them.
func batchFixture(t *testing.T, ctx context.Context, svc workflowservice.WorkflowServiceClient, namespace string, n int) ([]*commonpb.WorkflowExecution, string) {
	t.Helper()
	wfType := uniqueName(t, "BatchTarget")
	var out []*commonpb.WorkflowExecution
	for i := range n {
		id := fmt.Sprintf("%s-%03d", wfType, i)
		resp, err := svc.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: namespace, WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: wfType},
			TaskQueue: &taskqueuepb.TaskQueue{Name: wfType}, RequestId: id,
		})
		if err != nil {
			t.Fatalf("starting %s: %v", id, err)
		}
		out = append(out, &commonpb.WorkflowExecution{WorkflowId: id, RunId: resp.GetRunId()})
	}
	return out, fmt.Sprintf("WorkflowType = '%s'", wfType)
}

// waitBatch waits until a batch operation is no longer running and returns
// its description.
func waitBatch(t *testing.T, ctx context.Context, svc workflowservice.WorkflowServiceClient, namespace, jobID string) *workflowservice.DescribeBatchOperationResponse {
	t.Helper()
	var desc *workflowservice.DescribeBatchOperationResponse
	eventually(t, 60*time.Second, "batch operation "+jobID+" to finish", func() bool {
		var err error
		desc, err = svc.DescribeBatchOperation(ctx, &workflowservice.DescribeBatchOperationRequest{Namespace: namespace, JobId: jobID})
		if err != nil {
			t.Fatalf("DescribeBatchOperation: %v", err)
		}
		return desc.GetState() != enumspb.BATCH_OPERATION_STATE_RUNNING
	})
	return desc
}

// countSignals counts the WorkflowExecutionSignaled events of a run.
func countSignals(t *testing.T, ctx context.Context, svc workflowservice.WorkflowServiceClient, namespace string, ex *commonpb.WorkflowExecution) int {
	t.Helper()
	resp, err := svc.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{Namespace: namespace, Execution: ex})
	if err != nil {
		t.Fatalf("history of %s: %v", ex.GetWorkflowId(), err)
	}
	n := 0
	for _, e := range resp.GetHistory().GetEvents() {
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			n++
		}
	}
	return n
}

// TestBatchTerminateByQuery: a batch terminates every run its query selects
// and reports its progress; ListBatchOperations lists it; a second batch in
// the namespace while one runs is refused, and stopping the first leaves it
// FAILED with what it did kept.
func TestBatchTerminateByQuery(t *testing.T) {
	tg := startTarget(t)
	ctx := testContext(t, 2*time.Minute)
	svc := dialRaw(t, tg)
	runs, query := batchFixture(t, ctx, svc, tg.Namespace, 12)
	eventually(t, 10*time.Second, "the runs visible to the query", func() bool {
		n, err := svc.CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: tg.Namespace, Query: query})
		return err == nil && n.GetCount() == int64(len(runs))
	})
	job := uniqueName(t, "terminate")
	if _, err := svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: job, Reason: "cleaning up", VisibilityQuery: query, MaxOperationsPerSecond: 200,
		Operation: &workflowservice.StartBatchOperationRequest_TerminationOperation{TerminationOperation: &batchpb.BatchOperationTermination{Identity: "compat"}},
	}); err != nil {
		t.Fatalf("StartBatchOperation: %v", err)
	}
	desc := waitBatch(t, ctx, svc, tg.Namespace, job)
	if desc.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED || desc.GetOperationType() != enumspb.BATCH_OPERATION_TYPE_TERMINATE_WORKFLOW ||
		desc.GetCompleteOperationCount() != int64(len(runs)) || desc.GetFailureOperationCount() != 0 || desc.GetCloseTime() == nil {
		t.Errorf("finished batch: %v", desc)
	}
	for _, ex := range runs {
		d, err := svc.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{Namespace: tg.Namespace, Execution: ex})
		if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
			t.Errorf("%s after the batch: %v %v", ex.GetWorkflowId(), d.GetWorkflowExecutionInfo().GetStatus(), err)
		}
	}
	list, err := svc.ListBatchOperations(ctx, &workflowservice.ListBatchOperationsRequest{Namespace: tg.Namespace})
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, info := range list.GetOperationInfo() {
		listed = listed || (info.GetJobId() == job && info.GetState() == enumspb.BATCH_OPERATION_STATE_COMPLETED)
	}
	if !listed {
		t.Errorf("ListBatchOperations does not show %s as completed: %v", job, list.GetOperationInfo())
	}

	// A slow batch holds the namespace's one slot until it is stopped.
	slowRuns, slowQuery := batchFixture(t, ctx, svc, tg.Namespace, 20)
	eventually(t, 10*time.Second, "the slow batch's runs visible", func() bool {
		n, err := svc.CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: tg.Namespace, Query: slowQuery})
		return err == nil && n.GetCount() == int64(len(slowRuns))
	})
	slow := uniqueName(t, "slow")
	if _, err := svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: slow, Reason: "slowly", VisibilityQuery: slowQuery, MaxOperationsPerSecond: 2,
		Operation: &workflowservice.StartBatchOperationRequest_CancellationOperation{CancellationOperation: &batchpb.BatchOperationCancellation{}},
	}); err != nil {
		t.Fatalf("StartBatchOperation (slow): %v", err)
	}
	_, err = svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: uniqueName(t, "second"), Reason: "too many", VisibilityQuery: slowQuery,
		Operation: &workflowservice.StartBatchOperationRequest_CancellationOperation{CancellationOperation: &batchpb.BatchOperationCancellation{}},
	})
	requireStatus(t, err, codes.ResourceExhausted, "Max concurrent batch operations is reached")
	if _, err := svc.StopBatchOperation(ctx, &workflowservice.StopBatchOperationRequest{Namespace: tg.Namespace, JobId: slow, Reason: "enough"}); err != nil {
		t.Fatalf("StopBatchOperation: %v", err)
	}
	desc = waitBatch(t, ctx, svc, tg.Namespace, slow)
	if desc.GetState() != enumspb.BATCH_OPERATION_STATE_FAILED || desc.GetCompleteOperationCount() >= int64(len(slowRuns)) {
		t.Errorf("stopped batch: %v", desc)
	}

	_, err = svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: uniqueName(t, "bad"), VisibilityQuery: slowQuery,
		Operation: &workflowservice.StartBatchOperationRequest_CancellationOperation{CancellationOperation: &batchpb.BatchOperationCancellation{}},
	})
	requireStatus(t, err, codes.InvalidArgument, "must provide required parameters")
}

// TestBatchSignalListSurvivesRestart: a signal batch over a list of runs,
// interrupted by a server restart halfway, finishes after the restart and
// signals every run exactly once.
func TestBatchSignalListSurvivesRestart(t *testing.T) {
	// Sundial's own server, whatever COMPAT_TARGET says: the test restarts it.
	start := restartableSundial(t)
	srv, tg := start()
	ctx := testContext(t, 2*time.Minute)
	svc := dialRaw(t, tg)
	runs, _ := batchFixture(t, ctx, svc, tg.Namespace, 16)
	job := uniqueName(t, "signal")
	if _, err := svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: job, Reason: "notify", Executions: runs, MaxOperationsPerSecond: 4,
		Operation: &workflowservice.StartBatchOperationRequest_SignalOperation{SignalOperation: &batchpb.BatchOperationSignal{Signal: "poke", Identity: "compat"}},
	}); err != nil {
		t.Fatalf("StartBatchOperation: %v", err)
	}
	eventually(t, 30*time.Second, "the batch halfway", func() bool {
		d, err := svc.DescribeBatchOperation(ctx, &workflowservice.DescribeBatchOperationRequest{Namespace: tg.Namespace, JobId: job})
		return err == nil && d.GetState() == enumspb.BATCH_OPERATION_STATE_RUNNING && countSignals(t, ctx, svc, tg.Namespace, runs[len(runs)/2]) == 1
	})
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	srv, tg = start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	svc = dialRaw(t, tg)
	desc := waitBatch(t, ctx, svc, tg.Namespace, job)
	if desc.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED || desc.GetCompleteOperationCount() != int64(len(runs)) {
		t.Errorf("batch after the restart: %v", desc)
	}
	for _, ex := range runs {
		if n := countSignals(t, ctx, svc, tg.Namespace, ex); n != 1 {
			t.Errorf("%s was signaled %d times, want exactly once", ex.GetWorkflowId(), n)
		}
	}
}

// TestBatchUnpauseActivities: a batch over a query unpauses the paused
// activities of the type it names in every run it selects, and they run
// again.
func TestBatchUnpauseActivities(t *testing.T) {
	tg := startTarget(t)
	ctx := testContext(t, 2*time.Minute)
	act := newOpsActivity(func(_, call int32) bool { return call > 1 })
	c, run := startOps(t, tg, act, 100*time.Millisecond)
	waitPending(t, c, run, "activity running", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED
	})
	if _, err := c.WorkflowService().PauseActivity(ctx, &workflowservice.PauseActivityRequest{
		Namespace: tg.Namespace, Execution: execOf(run), Identity: "ops-person",
		Activity: &workflowservice.PauseActivityRequest_Type{Type: "ops"},
	}); err != nil {
		t.Fatalf("PauseActivity: %v", err)
	}
	waitPending(t, c, run, "activity paused", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_PAUSED
	})
	svc := dialRaw(t, tg)
	job := uniqueName(t, "unpause")
	if _, err := svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: job, Reason: "resume", VisibilityQuery: fmt.Sprintf("WorkflowId = '%s'", run.GetID()),
		Operation: &workflowservice.StartBatchOperationRequest_UnpauseActivitiesOperation{UnpauseActivitiesOperation: &batchpb.BatchOperationUnpauseActivities{
			Identity: "ops-person", Activity: &batchpb.BatchOperationUnpauseActivities_Type{Type: "ops"}, ResetAttempts: true,
		}},
	}); err != nil {
		t.Fatalf("StartBatchOperation: %v", err)
	}
	if desc := waitBatch(t, ctx, svc, tg.Namespace, job); desc.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED ||
		desc.GetOperationType() != enumspb.BATCH_OPERATION_TYPE_UNPAUSE_ACTIVITY || desc.GetCompleteOperationCount() != 1 {
		t.Fatalf("unpause batch: %v", desc)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("workflow after the unpause batch: %v", err)
	}
	if !strings.HasPrefix(result, "attempt 1 call 2") {
		t.Errorf("result %q, want attempt 1 (reset) on the second call", result)
	}
}
