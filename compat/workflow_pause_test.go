package compat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/server"
)

// pauseWaiter returns the names of the first two "go" signals it receives.
func pauseWaiter(ctx workflow.Context) (string, error) {
	ch := workflow.GetSignalChannel(ctx, "go")
	var got []string
	for len(got) < 2 {
		var s string
		ch.Receive(ctx, &s)
		got = append(got, s)
	}
	return strings.Join(got, ","), nil
}

// TestWorkflowPause drives PauseWorkflowExecution and UnpauseWorkflowExecution
// through the official Go SDK's raw WorkflowService on Sundial (Temporal's test
// server of this SDK version answers Unimplemented: the feature is off by
// default there). A paused run records a signal but gets no workflow task; its
// status shows in Describe and List; unpause lets it continue. The SDK replays
// past the pause events (WorkerMayIgnore).
func TestWorkflowPause(t *testing.T) {
	t.Parallel()
	tg := startSundial(t, server.Options{})
	c := dial(t, tg)
	ctx := testContext(t, 60*time.Second)
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(pauseWaiter, workflow.RegisterOptions{Name: "PauseWaiter"})
	})
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "PauseWaiter")
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	svc := c.WorkflowService()
	nsInfo, err := svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: tg.Namespace})
	if err != nil || !nsInfo.GetNamespaceInfo().GetCapabilities().GetWorkflowPause() {
		t.Errorf("the namespace does not advertise workflow_pause: %v", err)
	}
	eventually(t, 20*time.Second, "first workflow task completed", func() bool {
		return slices.Contains(eventTypes(fetchHistory(t, c, run.GetID(), run.GetRunID())), enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
	})
	pause := &workflowservice.PauseWorkflowExecutionRequest{
		Namespace: tg.Namespace, WorkflowId: run.GetID(), Identity: "ops-person", Reason: "maintenance", RequestId: "pause-1",
	}
	if _, err := svc.PauseWorkflowExecution(ctx, pause); err != nil {
		t.Fatalf("PauseWorkflowExecution: %v", err)
	}
	if _, err := svc.PauseWorkflowExecution(ctx, pause); err != nil {
		t.Errorf("repeating the pause request: %v", err)
	}
	pause.RequestId = "pause-2"
	_, err = svc.PauseWorkflowExecution(ctx, pause)
	var pre *serviceerror.FailedPrecondition
	if !errors.As(err, &pre) || !strings.Contains(err.Error(), "workflow is already paused.") {
		t.Errorf("a second pause: %v, want FailedPrecondition", err)
	}

	d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED {
		t.Errorf("described status %v, want PAUSED", d.WorkflowExecutionInfo.Status)
	}
	if pi := d.GetWorkflowExtendedInfo().GetPauseInfo(); pi.GetIdentity() != "ops-person" || pi.GetReason() != "maintenance" || pi.GetPausedTime() == nil {
		t.Errorf("pause info %v", pi)
	}
	eventually(t, 10*time.Second, "listed as Paused", func() bool {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: tg.Namespace, Query: fmt.Sprintf("WorkflowId='%s' AND ExecutionStatus='Paused'", run.GetID()),
		})
		return err == nil && len(resp.Executions) == 1 && resp.Executions[0].Status == enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED
	})

	// A signal is recorded, but no workflow task follows while paused.
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "go", "a"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	paused := eventTypes(fetchHistory(t, c, run.GetID(), run.GetRunID()))
	if last := paused[len(paused)-1]; last != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
		t.Fatalf("after a signal to a paused run the history ends with %v: %v", last, paused)
	}
	noNewEventFor(t, svc, tg.Namespace, execOf(run), time.Second)
	_, err = c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: run.GetID(), UpdateName: "nope", WaitForStage: client.WorkflowUpdateStageAccepted,
	})
	if !errors.As(err, &pre) {
		t.Errorf("an update of a paused run: %v, want FailedPrecondition", err)
	}

	unpause := &workflowservice.UnpauseWorkflowExecutionRequest{Namespace: tg.Namespace, WorkflowId: run.GetID(), Identity: "ops-person", Reason: "done"}
	if _, err := svc.UnpauseWorkflowExecution(ctx, unpause); err != nil {
		t.Fatalf("UnpauseWorkflowExecution: %v", err)
	}
	if _, err := svc.UnpauseWorkflowExecution(ctx, unpause); !errors.As(err, &pre) || !strings.Contains(err.Error(), "workflow is not paused.") {
		t.Errorf("unpausing a running workflow: %v, want FailedPrecondition", err)
	}
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "go", "b"); err != nil {
		t.Fatalf("signal: %v", err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil || result != "a,b" {
		t.Fatalf("result %q, %v; want a,b", result, err)
	}
	types := eventTypes(fetchHistory(t, c, run.GetID(), run.GetRunID()))
	i := slices.Index(types, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_PAUSED)
	if i < 0 || len(types) < i+4 || types[i+1] != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED ||
		types[i+2] != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UNPAUSED || types[i+3] != enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED {
		t.Errorf("history %v: want Paused, Signaled, Unpaused, WorkflowTaskScheduled", types)
	}
	if _, err := svc.PauseWorkflowExecution(ctx, &workflowservice.PauseWorkflowExecutionRequest{Namespace: tg.Namespace, WorkflowId: run.GetID()}); err == nil {
		t.Errorf("pausing a completed workflow succeeded")
	}
}

// noNewEventFor long-polls the run's history (wait_new_event) for d and
// fails the test if any event is added meanwhile.
func noNewEventFor(t *testing.T, svc workflowservice.WorkflowServiceClient, namespace string, ex *commonpb.WorkflowExecution, d time.Duration) {
	t.Helper()
	first, err := svc.GetWorkflowExecutionHistory(testContext(t, 10*time.Second), &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: namespace, Execution: ex, WaitNewEvent: true,
	})
	if err != nil {
		t.Fatalf("reading the history: %v", err)
	}
	token := first.GetNextPageToken()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for len(token) > 0 {
		resp, err := svc.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: namespace, Execution: ex, WaitNewEvent: true, NextPageToken: token,
		})
		// The window passed with no new event. The server may see the
		// propagated deadline pass a moment before this context does.
		var deadline *serviceerror.DeadlineExceeded
		if ctx.Err() != nil || errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded {
			return
		}
		if err != nil {
			t.Fatalf("waiting for new events: %v", err)
		}
		if events := resp.GetHistory().GetEvents(); len(events) > 0 {
			t.Fatalf("%v was added to the paused run's history", events[0].GetEventType())
		}
		token = resp.GetNextPageToken()
	}
	t.Fatal("the history long poll gave no token to wait with")
}
