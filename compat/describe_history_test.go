package compat

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func TestDescribeWorkflowPendingActivity(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx := testContext(t, 60*time.Second)
	running, release := make(chan struct{}), make(chan struct{})
	var attempts atomic.Int32
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) (string, error) {
			ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{ActivityID: "slow-1", StartToCloseTimeout: 30 * time.Second})
			var result string
			err := workflow.ExecuteActivity(ctx, "slow").Get(ctx, &result)
			return result, err
		}, workflow.RegisterOptions{Name: "Describable"})
		r.RegisterActivityWithOptions(func(ctx context.Context) (string, error) {
			if attempts.Add(1) == 1 {
				activity.RecordHeartbeat(ctx, "halfway")
				close(running)
			}
			select {
			case <-release:
				return "released", nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}, activity.RegisterOptions{Name: "slow"})
	})
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "Describable")
	if err != nil {
		t.Fatalf("starting workflow: %v", err)
	}
	select {
	case <-running:
	case <-ctx.Done():
		t.Fatal("activity never started")
	}
	// The heartbeat is sent by the SDK shortly after it is recorded.
	var pending []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
		if err != nil {
			close(release)
			t.Fatalf("describing running workflow: %v", err)
		}
		info := desc.GetWorkflowExecutionInfo()
		if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || info.GetType().GetName() != "Describable" || info.GetTaskQueue() != taskQueue {
			t.Errorf("running workflow info = status %v type %q queue %q", info.GetStatus(), info.GetType().GetName(), info.GetTaskQueue())
		}
		pending = nil
		for _, a := range desc.GetPendingActivities() {
			pending = append(pending, fmt.Sprintf("%s/%s/%s/attempt=%d/heartbeat=%v",
				a.GetActivityId(), a.GetActivityType().GetName(), shortPendingState(a.GetState()), a.GetAttempt(), a.GetHeartbeatDetails() != nil))
		}
		want := "slow-1/slow/STARTED/attempt=1/heartbeat=true"
		if len(pending) == 1 && pending[0] == want {
			break
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("pending activities = %v, want [%s]", pending, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(release)
	if result, err := getResult(t, run); err != nil || result != "released" {
		t.Fatalf("result = %q, %v; want released", result, err)
	}
	events := requireHistory(t, c, run.GetID(), run.GetRunID(), oneActivityCompleted)
	desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatalf("describing completed workflow: %v", err)
	}
	info := desc.GetWorkflowExecutionInfo()
	if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || len(desc.GetPendingActivities()) != 0 {
		t.Errorf("completed workflow: status %v, %d pending activities; want COMPLETED and none", info.GetStatus(), len(desc.GetPendingActivities()))
	}
	if info.GetHistoryLength() != int64(len(events)) {
		t.Errorf("history_length = %d, want %d", info.GetHistoryLength(), len(events))
	}
	if info.GetExecution().GetRunId() != run.GetRunID() || info.GetCloseTime() == nil {
		t.Errorf("completed workflow info: run %q close time %v", info.GetExecution().GetRunId(), info.GetCloseTime())
	}
}

func TestHistoryPaging(t *testing.T) {
	t.Parallel()
	tg, c := setup(t)
	// Every signal is written by its own request, so the history is made of many
	// small batches, as most long histories are (Temporal pages by batch).
	const signals = 300
	run := startWorkflow(t, c, "CountsSignals", func(ctx workflow.Context) (int, error) {
		ticks := workflow.GetSignalChannel(ctx, "tick")
		for i := 0; i < signals; i++ {
			ticks.Receive(ctx, nil)
		}
		return signals, nil
	}, client.StartWorkflowOptions{})
	signalCtx := testContext(t, 60*time.Second)
	for i := 0; i < signals; i++ {
		if err := c.SignalWorkflow(signalCtx, run.GetID(), run.GetRunID(), "tick", i); err != nil {
			t.Fatalf("signal %d: %v", i, err)
		}
	}
	var received int
	if err := run.Get(testContext(t, 60*time.Second), &received); err != nil || received != signals {
		t.Fatalf("result = %d, %v; want %d", received, err, signals)
	}
	// How signals group into workflow tasks depends on timing; the ends and the
	// signal count do not.
	history := fetchHistory(t, c, run.GetID(), run.GetRunID())
	if n := len(eventsOfType(history, evWorkflowSignaled)); n != signals {
		t.Errorf("history has %d signals, want %d", n, signals)
	}
	if len(history) < signals+5 || history[0].GetEventType() != evWorkflowStarted || history[len(history)-1].GetEventType() != evWorkflowCompleted {
		t.Fatalf("history of %d events from %v to %v, want over %d from WorkflowExecutionStarted to WorkflowExecutionCompleted",
			len(history), firstEventType(history), history[len(history)-1].GetEventType(), signals+5)
	}
	for i, e := range history {
		if e.GetEventId() != int64(i+1) {
			t.Fatalf("event %d has id %d, want %d", i, e.GetEventId(), i+1)
		}
	}

	// Page through it by hand, 100 events at a time.
	ctx := testContext(t, 30*time.Second)
	var all []*historypb.HistoryEvent
	var token []byte
	pages := 0
	for {
		resp, err := c.WorkflowService().GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace:       tg.Namespace,
			Execution:       &commonpb.WorkflowExecution{WorkflowId: run.GetID(), RunId: run.GetRunID()},
			MaximumPageSize: 100,
			NextPageToken:   token,
		})
		if err != nil {
			t.Fatalf("reading page %d: %v", pages+1, err)
		}
		pages++
		all = append(all, resp.GetHistory().GetEvents()...)
		token = resp.GetNextPageToken()
		if len(token) == 0 || pages > 20 {
			break
		}
	}
	// Temporal fills pages with whole batches, so a page may pass the size asked
	// for; there must still be more than one.
	if len(all) != len(history) || pages < 2 {
		t.Errorf("paged read returned %d events in %d pages, want %d events in several pages", len(all), pages, len(history))
	}
	for i, e := range all {
		if e.GetEventId() != int64(i+1) || e.GetEventType() != history[i].GetEventType() {
			t.Fatalf("paged event %d is %d %v, want %d %v", i, e.GetEventId(), e.GetEventType(), i+1, history[i].GetEventType())
		}
	}

	// The form clients use to wait for a result: exactly the close event, no token.
	resp, err := c.WorkflowService().GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace:              tg.Namespace,
		Execution:              &commonpb.WorkflowExecution{WorkflowId: run.GetID(), RunId: run.GetRunID()},
		WaitNewEvent:           true,
		HistoryEventFilterType: enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
	})
	if err != nil {
		t.Fatalf("reading close event: %v", err)
	}
	if events := resp.GetHistory().GetEvents(); len(events) != 1 || events[0].GetEventType() != evWorkflowCompleted || len(resp.GetNextPageToken()) != 0 {
		t.Errorf("close-event read = %d events (first %v), token %q; want only WorkflowExecutionCompleted and no token",
			len(events), firstEventType(events), resp.GetNextPageToken())
	}
}

// shortPendingState names a pending activity state without its enum prefix.
func shortPendingState(s enumspb.PendingActivityState) string {
	switch s {
	case enumspb.PENDING_ACTIVITY_STATE_SCHEDULED:
		return "SCHEDULED"
	case enumspb.PENDING_ACTIVITY_STATE_STARTED:
		return "STARTED"
	case enumspb.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED:
		return "CANCEL_REQUESTED"
	default:
		return s.String()
	}
}

func firstEventType(events []*historypb.HistoryEvent) enumspb.EventType {
	if len(events) == 0 {
		return enumspb.EVENT_TYPE_UNSPECIFIED
	}
	return events[0].GetEventType()
}

// TestStickyExecutionManyActivities runs twenty activities one after another. With
// sticky execution the worker keeps the workflow cached and runs the workflow
// function once; a server that always sends full history makes the SDK replay from
// the start on every task, which is correct but costs one run per task.
func TestStickyExecutionManyActivities(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	const steps = 20
	var invocations atomic.Int32
	taskQueue := uniqueName(t, "tq")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) (int, error) {
			invocations.Add(1)
			ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
			total := 0
			for i := 1; i <= steps; i++ {
				var doubled int
				if err := workflow.ExecuteActivity(ctx, "double", i).Get(ctx, &doubled); err != nil {
					return 0, err
				}
				total += doubled
			}
			return total, nil
		}, workflow.RegisterOptions{Name: "TwentySteps"})
		r.RegisterActivityWithOptions(func(ctx context.Context, n int) (int, error) { return 2 * n, nil }, activity.RegisterOptions{Name: "double"})
	})
	ctx := testContext(t, 90*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "TwentySteps")
	if err != nil {
		t.Fatalf("starting workflow: %v", err)
	}
	var total int
	if err := run.Get(ctx, &total); err != nil || total != steps*(steps+1) {
		t.Fatalf("result = %d, %v; want %d", total, err, steps*(steps+1))
	}
	want := startAndFirstTask
	for range steps {
		want = append(want, evActivityScheduled, evActivityStarted, evActivityCompleted, evTaskScheduled, evTaskStarted, evTaskCompleted)
	}
	want = append(want, evWorkflowCompleted)
	requireHistory(t, c, run.GetID(), run.GetRunID(), want)
	t.Logf("workflow function ran %d times for %d workflow tasks", invocations.Load(), steps+1)
	if n := invocations.Load(); n > steps+1 {
		t.Errorf("workflow function ran %d times, more than once per workflow task (%d)", n, steps+1)
	}
	if targetIsTemporal() && invocations.Load() != 1 {
		t.Errorf("against Temporal with sticky execution the workflow function should run once, ran %d times", invocations.Load())
	}
}
