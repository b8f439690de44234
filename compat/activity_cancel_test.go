package compat

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// cancellationMode is how the workflow lets go of its activity. The Go SDK names two
// of the three cancellation types (WaitForCancellation true or false); ABANDON is
// the workflow moving on without sending any cancel request.
type cancellationMode string

const (
	tryCancel            cancellationMode = "TRY_CANCEL"
	waitCancelCompleted  cancellationMode = "WAIT_CANCELLATION_COMPLETED"
	abandon              cancellationMode = "ABANDON"
	cancelActivitySignal                  = "cancel-activity"
)

// heartbeatingActivity heartbeats until its context is cancelled. running is closed
// once it has started and sawCancel once its context is done.
type heartbeatingActivity struct {
	runningOnce, cancelOnce sync.Once
	running, sawCancel      chan struct{}
}

func newHeartbeatingActivity() *heartbeatingActivity {
	return &heartbeatingActivity{running: make(chan struct{}), sawCancel: make(chan struct{})}
}

func (a *heartbeatingActivity) run(ctx context.Context) (string, error) {
	for {
		activity.RecordHeartbeat(ctx, "alive")
		a.runningOnce.Do(func() { close(a.running) })
		select {
		case <-ctx.Done():
			a.cancelOnce.Do(func() { close(a.sawCancel) })
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// cancellingWorkflow starts the activity, waits for the cancel-activity signal and
// then lets the activity go according to mode. It returns how the activity ended
// as the workflow saw it.
func cancellingWorkflow(mode cancellationMode) func(ctx workflow.Context) (string, error) {
	return func(ctx workflow.Context) (string, error) {
		activityCtx, cancelActivity := workflow.WithCancel(ctx)
		activityCtx = workflow.WithActivityOptions(activityCtx, workflow.ActivityOptions{
			StartToCloseTimeout: 30 * time.Second,
			HeartbeatTimeout:    2 * time.Second,
			WaitForCancellation: mode == waitCancelCompleted,
		})
		future := workflow.ExecuteActivity(activityCtx, "act")
		workflow.GetSignalChannel(ctx, cancelActivitySignal).Receive(ctx, nil)
		if mode == abandon {
			return "abandoned", nil
		}
		cancelActivity()
		err := future.Get(ctx, nil)
		var canceled *temporal.CanceledError
		if errors.As(err, &canceled) {
			return "activity canceled", nil
		}
		return "", temporal.NewNonRetryableApplicationError("activity did not end as canceled", "Unexpected", err)
	}
}

func TestActivityCancellation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode       cancellationMode
		wantResult string
		want       []enumspb.EventType
	}{
		{
			mode:       tryCancel,
			wantResult: "activity canceled",
			// The workflow does not wait: it completes in the same task that requests
			// the cancellation, and the activity's outcome is never recorded.
			want: concat(startAndFirstTask, ev(evActivityScheduled, evWorkflowSignaled), workflowTask,
				ev(evActivityCancelRequested, evWorkflowCompleted)),
		},
		{
			mode:       waitCancelCompleted,
			wantResult: "activity canceled",
			want: concat(startAndFirstTask, ev(evActivityScheduled, evWorkflowSignaled), workflowTask,
				ev(evActivityCancelRequested, evActivityStarted, evActivityCanceled), workflowTask, ev(evWorkflowCompleted)),
		},
		{
			mode:       abandon,
			wantResult: "abandoned",
			// No cancel request at all; the activity learns the run is gone when its
			// next heartbeat is refused.
			want: concat(startAndFirstTask, ev(evActivityScheduled, evWorkflowSignaled), workflowTask, ev(evWorkflowCompleted)),
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			t.Parallel()
			_, c := setup(t)
			ctx := testContext(t, 60*time.Second)
			act := newHeartbeatingActivity()
			taskQueue := uniqueName(t, "tq")
			startWorker(t, c, taskQueue, func(r worker.Registry) {
				r.RegisterWorkflowWithOptions(cancellingWorkflow(tt.mode), workflow.RegisterOptions{Name: "Cancelling"})
				r.RegisterActivityWithOptions(act.run, activity.RegisterOptions{Name: "act"})
			})
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "Cancelling")
			if err != nil {
				t.Fatalf("starting workflow: %v", err)
			}
			select {
			case <-act.running:
			case <-ctx.Done():
				t.Fatal("activity never started")
			}
			if err := c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), cancelActivitySignal, nil); err != nil {
				t.Fatalf("signalling workflow: %v", err)
			}
			var result string
			if err := run.Get(ctx, &result); err != nil {
				t.Fatalf("workflow failed: %v", err)
			}
			if result != tt.wantResult {
				t.Errorf("result = %q, want %q", result, tt.wantResult)
			}
			select {
			case <-act.sawCancel:
			case <-time.After(15 * time.Second):
				t.Errorf("the activity's context was not cancelled within 15s")
			}
			requireHistory(t, c, run.GetID(), run.GetRunID(), tt.want)
		})
	}
}

// TestActivityCancelBeforeStart cancels an activity nobody has picked up: the server
// records CancelRequested and Canceled together, with no Started event.
func TestActivityCancelBeforeStart(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx := testContext(t, 60*time.Second)
	taskQueue := uniqueName(t, "tq")
	nobody := uniqueName(t, "nobody")
	startWorker(t, c, taskQueue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context) (string, error) {
			activityCtx, cancelActivity := workflow.WithCancel(ctx)
			activityCtx = workflow.WithActivityOptions(activityCtx, workflow.ActivityOptions{
				TaskQueue:           nobody,
				StartToCloseTimeout: 30 * time.Second,
				WaitForCancellation: true,
			})
			future := workflow.ExecuteActivity(activityCtx, "act")
			workflow.GetSignalChannel(ctx, cancelActivitySignal).Receive(ctx, nil)
			cancelActivity()
			var canceled *temporal.CanceledError
			if err := future.Get(ctx, nil); !errors.As(err, &canceled) {
				return "", temporal.NewNonRetryableApplicationError("activity did not end as canceled", "Unexpected", err)
			}
			return "canceled before start", nil
		}, workflow.RegisterOptions{Name: "CancelBeforeStart"})
	})
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "wf"), TaskQueue: taskQueue}, "CancelBeforeStart")
	if err != nil {
		t.Fatalf("starting workflow: %v", err)
	}
	waitForHistoryEvent(t, c, run.GetID(), run.GetRunID(), evActivityScheduled)
	if err := c.SignalWorkflow(ctx, run.GetID(), run.GetRunID(), cancelActivitySignal, nil); err != nil {
		t.Fatalf("signalling workflow: %v", err)
	}
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	requireHistory(t, c, run.GetID(), run.GetRunID(), concat(startAndFirstTask, ev(evActivityScheduled, evWorkflowSignaled), workflowTask,
		ev(evActivityCancelRequested, evActivityCanceled), workflowTask, ev(evWorkflowCompleted)))
}

// waitForHistoryEvent polls a run's history until an event of the given type appears.
func waitForHistoryEvent(t *testing.T, c client.Client, workflowID, runID string, typ enumspb.EventType) {
	t.Helper()
	waitForHistoryEventCount(t, c, workflowID, runID, typ, 1)
}

// waitForHistoryEventCount polls a run's history until it has n events of a type.
func waitForHistoryEventCount(t *testing.T, c client.Client, workflowID, runID string, typ enumspb.EventType, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if len(eventsOfType(fetchHistory(t, c, workflowID, runID), typ)) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d %v events in the history of %s after 20s", n, typ, workflowID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
